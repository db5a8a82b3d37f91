// The GnuTLS backend's credentials: server certificates and keys, the
// client's trust store, and the mode-2 chain and name check.
#include "transport/tls/gnutls/gnutlscontext.h"

#include "common/logging.h"
#include "transport/tls/tlscommon_p.h"

#include <gnutls/crypto.h>
#include <gnutls/gnutls.h>
#include <gnutls/x509.h>
#include <algorithm>
#include <vector>

namespace quicpool::transport {

using tls::certificateError;
using tls::setError;

namespace {

gnutls::CredentialsPtr allocateCredentials(Error *error)
{
    gnutls_certificate_credentials_t raw = nullptr;
    if (const int rc = gnutls_certificate_allocate_credentials(&raw); rc < 0) {
        setError(error, certificateError(QStringLiteral("Could not allocate TLS credentials: %1.")
                                             .arg(gnutls::errorString(rc))));
        return {};
    }
    return gnutls::CredentialsPtr(raw);
}

/// Parses the server's PEM chain; returns the leaf's DER or sets *error.
QByteArray parseCertificateChain(const QByteArray &pem, const QString &name, Error *error)
{
    gnutls_x509_crt_t *list = nullptr;
    unsigned count = 0;
    const gnutls_datum_t datum = gnutls::view(pem);
    const int rc = gnutls_x509_crt_list_import2(&list, &count, &datum, GNUTLS_X509_FMT_PEM, 0);
    if (rc < 0 || count == 0) {
        setError(error,
                 certificateError(QStringLiteral("The %1 holds no valid PEM certificate: %2.")
                                      .arg(name, rc < 0 ? gnutls::errorString(rc)
                                                        : QStringLiteral("it is empty"))));
        return {};
    }
    std::vector<gnutls::CrtPtr> owned(list, list + count);
    gnutls_free(list);
    gnutls::Datum der;
    if (const int exported = gnutls_x509_crt_export2(owned.front().get(), GNUTLS_X509_FMT_DER,
                                                     der.get());
        exported < 0) {
        setError(error, certificateError(QStringLiteral("The %1 cannot be re-encoded: %2.")
                                             .arg(name, gnutls::errorString(exported))));
        return {};
    }
    return der.toByteArray();
}

bool checkPrivateKey(const QByteArray &pem, const QString &name, Error *error)
{
    gnutls_x509_privkey_t raw = nullptr;
    if (gnutls_x509_privkey_init(&raw) < 0) {
        setError(error, certificateError(QStringLiteral("Out of memory reading the %1.").arg(name)));
        return false;
    }
    gnutls::PrivKeyPtr key(raw);
    const gnutls_datum_t datum = gnutls::view(pem);
    if (const int rc = gnutls_x509_privkey_import2(raw, &datum, GNUTLS_X509_FMT_PEM, nullptr, 0);
        rc < 0) {
        setError(error, certificateError(QStringLiteral("The %1 holds no usable PEM private key "
                                                        "(encrypted keys are not supported): %2.")
                                             .arg(name, gnutls::errorString(rc))));
        return false;
    }
    return true;
}

} // namespace

Error GnutlsContext::verifyChainAndName(const QList<QByteArray> &chainDer) const
{
    std::vector<gnutls::CrtPtr> owned;
    std::vector<gnutls_x509_crt_t> chain;
    for (const QByteArray &der : chainDer) {
        gnutls_x509_crt_t crt = nullptr;
        if (gnutls_x509_crt_init(&crt) < 0)
            return Error(ErrorCode::TlsHandshakeFailed,
                         QStringLiteral("Out of memory while verifying the server certificate."));
        owned.emplace_back(crt);
        const gnutls_datum_t datum = gnutls::view(der);
        if (const int rc = gnutls_x509_crt_import(crt, &datum, GNUTLS_X509_FMT_DER); rc < 0)
            return Error(ErrorCode::TlsHandshakeFailed,
                         QStringLiteral("The server certificate for \"%1\" cannot be parsed: %2.")
                             .arg(clientOptions().hostname, gnutls::errorString(rc)));
        chain.push_back(crt);
    }

    gnutls_x509_trust_list_t trust = nullptr;
    gnutls_certificate_get_trust_list(credentials(), &trust);

    // The name: IP literals match iPAddress SANs (raw bytes), names dNSName.
    const QString &host = clientOptions().hostname;
    QByteArray nameData = tls::ipAddressBytes(host);
    gnutls_typed_vdata_st data[2];
    if (!nameData.isEmpty()) {
        data[0] = {GNUTLS_DT_IP_ADDRESS, reinterpret_cast<unsigned char *>(nameData.data()),
                   unsigned(nameData.size())};
    } else {
        nameData = host.toUtf8(); // QByteArray keeps a terminating NUL, as GnuTLS wants
        data[0] = {GNUTLS_DT_DNS_HOSTNAME, reinterpret_cast<unsigned char *>(nameData.data()), 0};
    }
    data[1] = {GNUTLS_DT_KEY_PURPOSE_OID,
               reinterpret_cast<unsigned char *>(const_cast<char *>(GNUTLS_KP_TLS_WWW_SERVER)), 0};

    unsigned status = 0;
    const int rc = gnutls_x509_trust_list_verify_crt2(trust, chain.data(), unsigned(chain.size()),
                                                      data, 2, 0, &status, nullptr);
    if (rc < 0)
        return Error(ErrorCode::TlsHandshakeFailed,
                     QStringLiteral("The server certificate for \"%1\" could not be verified: %2.")
                         .arg(host, gnutls::errorString(rc)));
    if (status != 0) {
        gnutls::Datum text;
        gnutls_certificate_verification_status_print(status, GNUTLS_CRT_X509, text.get(), 0);
        return Error(ErrorCode::TlsHandshakeFailed,
                     QStringLiteral("The server certificate for \"%1\" failed verification: %2")
                         .arg(host, text.toString().trimmed()));
    }
    return {};
}

std::unique_ptr<TlsContext> TlsContext::createServer(const TlsServerOptions &options, Error *error)
{
    tls::ServerCredentials loaded;
    if (!tls::loadServerCredentials(options, &loaded, error))
        return nullptr;
    const QByteArray &certificatePem = loaded.certificatePem;
    const QByteArray &keyPem = loaded.keyPem;
    const QString &certificateName = loaded.certificateName;
    const QString &keyName = loaded.keyName;

    // Parse each half alone first, so the sentence can say which one is bad.
    const QByteArray leafDer = parseCertificateChain(certificatePem, certificateName, error);
    if (leafDer.isEmpty() || !checkPrivateKey(keyPem, keyName, error))
        return nullptr;

    gnutls::CredentialsPtr credentials = allocateCredentials(error);
    if (!credentials)
        return nullptr;
    const gnutls_datum_t crtDatum = gnutls::view(certificatePem);
    const gnutls_datum_t keyDatum = gnutls::view(keyPem);
    if (const int rc = gnutls_certificate_set_x509_key_mem2(credentials.get(), &crtDatum, &keyDatum,
                                                            GNUTLS_X509_FMT_PEM, nullptr, 0);
        rc < 0) {
        const QString message =
            rc == GNUTLS_E_CERTIFICATE_KEY_MISMATCH
                ? QStringLiteral("The %1 and the %2 do not match: the key belongs to another "
                                 "certificate.")
                      .arg(certificateName, keyName)
                : QStringLiteral("The %1 with the %2 cannot be used: %3.")
                      .arg(certificateName, keyName, gnutls::errorString(rc));
        setError(error, certificateError(message));
        return nullptr;
    }

    auto context = std::make_unique<GnutlsContext>(true, std::move(credentials), TlsClientOptions(),
                                                   QSslCertificate(leafDer, QSsl::Der));
    setError(error, Error());
    return context;
}

namespace {

/// The system store as OpenSSL finds it, so both backends trust the same:
/// SSL_CERT_FILE replaces the default bundle, SSL_CERT_DIR (a ':' list)
/// adds folders of certificates. GnuTLS's own system trust is the default
/// bundle. The number of certificates loaded, or a negative GnuTLS error.
int loadSystemTrust(gnutls_certificate_credentials_t credentials)
{
    const QByteArray file = qgetenv("SSL_CERT_FILE");
    const int fromFile = file.isEmpty()
        ? gnutls_certificate_set_x509_system_trust(credentials)
        : gnutls_certificate_set_x509_trust_file(credentials, file.constData(), GNUTLS_X509_FMT_PEM);
    int loaded = std::max(fromFile, 0);
    const QList<QByteArray> dirs = qgetenv("SSL_CERT_DIR").split(':');
    for (const QByteArray &dir : dirs) {
        if (dir.isEmpty())
            continue;
        const int rc = gnutls_certificate_set_x509_trust_dir(credentials, dir.constData(), GNUTLS_X509_FMT_PEM);
        if (rc > 0) // a missing folder is skipped, as OpenSSL skips it
            loaded += rc;
    }
    // The bundle's failure matters only when nothing else was found.
    return loaded > 0 ? loaded : std::min(fromFile, 0);
}

} // namespace

std::unique_ptr<TlsContext> TlsContext::createClient(const TlsClientOptions &options, Error *error)
{
    if (!tls::checkClientOptions(options, error))
        return nullptr;

    gnutls::CredentialsPtr credentials = allocateCredentials(error);
    if (!credentials)
        return nullptr;

    if (options.mode == TlsMode::Verified) {
        QList<QSslCertificate> extraCas;
        if (!tls::extraTrustedCas(options, &extraCas, error))
            return nullptr;
        const int system = loadSystemTrust(credentials.get());
        for (const QSslCertificate &ca : std::as_const(extraCas)) {
            const QByteArray der = ca.toDer();
            const gnutls_datum_t datum = gnutls::view(der);
            if (const int rc = gnutls_certificate_set_x509_trust_mem(credentials.get(), &datum,
                                                                     GNUTLS_X509_FMT_DER);
                rc < 0) {
                setError(error, certificateError(
                                    QStringLiteral("The extra CA certificate \"%1\" cannot be "
                                                   "used: %2.")
                                        .arg(ca.subjectDisplayName(), gnutls::errorString(rc))));
                return nullptr;
            }
        }
        if (system <= 0) {
            const QString reason = system < 0 ? gnutls::errorString(system)
                                              : QStringLiteral("it holds no certificates");
            if (extraCas.isEmpty()) {
                setError(error, certificateError(
                                    QStringLiteral("TLS mode 2 needs trusted CAs, but the system "
                                                   "trust store could not be loaded: %1.")
                                        .arg(reason)));
                return nullptr;
            }
            qCWarning(lcTls) << "system trust store not loaded:" << reason
                             << "- trusting only the extra CA certificates";
        }
    }

    auto context = std::make_unique<GnutlsContext>(false, std::move(credentials), options, QSslCertificate());
    setError(error, Error());
    return context;
}

void randomBytes(void *buf, size_t len)
{
    // Connection IDs and reset tokens must not be guessable; continuing with
    // predictable bytes would be worse than stopping.
    if (const int rc = gnutls_rnd(GNUTLS_RND_RANDOM, buf, len); rc < 0)
        qFatal("gnutls_rnd failed: %s", gnutls_strerror(rc));
}

QString tlsLibraryVersion()
{
    const char *text = gnutls_check_version(nullptr);
    return QStringLiteral("GnuTLS %1").arg(text ? QString::fromLatin1(text) : QStringLiteral("?"));
}

} // namespace quicpool::transport
