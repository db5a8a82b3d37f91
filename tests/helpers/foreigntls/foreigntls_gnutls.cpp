// ForeignTls with GnuTLS and ngtcp2's GnuTLS helper.
#include "foreigntls.h"

#include "transport/tls/gnutls/gnutlsptr.h"

#include <gnutls/gnutls.h>
#include <ngtcp2/ngtcp2_crypto.h>
#include <ngtcp2/ngtcp2_crypto_gnutls.h>

#include <array>
#include <vector>

namespace quicpool::testing {

namespace {

constexpr char kQuicPriority[] = "NORMAL:-VERS-ALL:+VERS-TLS1.3:%DISABLE_TLS13_COMPAT_MODE";
constexpr char kFfdheOnlyPriority[] =
    "NORMAL:-VERS-ALL:+VERS-TLS1.3:-GROUP-ALL:+GROUP-FFDHE2048:%DISABLE_TLS13_COMPAT_MODE";

class GnutlsForeign final : public ForeignTls
{
public:
    void *nativeHandle() override { return session.get(); }

    gnutls::SessionPtr session;
    gnutls::CredentialsPtr credentials;
};

} // namespace

std::unique_ptr<ForeignTls> ForeignTls::create(const ForeignTlsOptions &options,
                                               ngtcp2_crypto_conn_ref *connRef)
{
    auto peer = std::make_unique<GnutlsForeign>();
    gnutls_certificate_credentials_t credentials = nullptr;
    if (gnutls_certificate_allocate_credentials(&credentials) != 0)
        return nullptr;
    peer->credentials.reset(credentials);
    if (options.certificate) {
        const gnutls_datum_t crt = gnutls::view(options.certificate->certificatePem);
        const gnutls_datum_t key = gnutls::view(options.certificate->privateKeyPem);
        if (gnutls_certificate_set_x509_key_mem2(credentials, &crt, &key, GNUTLS_X509_FMT_PEM,
                                                 nullptr, 0)
            < 0)
            return nullptr;
    }
    gnutls_session_t session = nullptr;
    if (gnutls_init(&session, (options.server ? GNUTLS_SERVER : GNUTLS_CLIENT)
                                  | GNUTLS_NO_END_OF_EARLY_DATA)
        != 0)
        return nullptr;
    peer->session.reset(session);
    const int configured = options.server ? ngtcp2_crypto_gnutls_configure_server_session(session)
                                          : ngtcp2_crypto_gnutls_configure_client_session(session);
    std::vector<gnutls_datum_t> list;
    for (const QByteArray &p : options.alpn)
        list.push_back(gnutls::view(p));
    const char *priority = options.onlyUnsupportedGroup ? kFfdheOnlyPriority : kQuicPriority;
    const bool ok = configured == 0 && gnutls_priority_set_direct(session, priority, nullptr) == 0
                    && gnutls_credentials_set(session, GNUTLS_CRD_CERTIFICATE, credentials) == 0
                    && (list.empty()
                        || gnutls_alpn_set_protocols(session, list.data(), unsigned(list.size()), 0) == 0);
    if (!ok)
        return nullptr;
    gnutls_session_set_ptr(session, connRef);
    return peer;
}

QString serverNameSeen(void *serverNativeHandle)
{
    std::array<char, 256> name{};
    size_t size = name.size();
    unsigned type = 0;
    if (gnutls_server_name_get(static_cast<gnutls_session_t>(serverNativeHandle), name.data(), &size,
                               &type, 0)
        != 0)
        return {};
    return QString::fromUtf8(name.data(), qsizetype(qstrnlen(name.data(), name.size())));
}

int noApplicationProtocolAlert()
{
    return GNUTLS_A_NO_APPLICATION_PROTOCOL;
}

} // namespace quicpool::testing
