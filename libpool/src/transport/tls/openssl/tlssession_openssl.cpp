// The OpenSSL backend's session: one SSL per connection, driven by ngtcp2's
// OpenSSL helper through OpenSSL 3.5's QUIC TLS interface; ALPN insisted
// on, the server's chain checked inside the handshake, and a sentence for
// every way it can fail.
#include "transport/tls/openssl/opensslcontext.h"

#include "common/logging.h"
#include "transport/tls/tlscommon_p.h"
#include "transport/tls/tlssession.h"

#include <ngtcp2/ngtcp2.h>
#include <ngtcp2/ngtcp2_crypto.h>
#include <ngtcp2/ngtcp2_crypto_ossl.h>

#include <array>
#include <cstring>

namespace quicpool::transport {

using tls::alpnFailure;
using tls::isIpLiteral;
using tls::setError;

namespace {

// "np-quic" in ALPN's wire form: a length byte, then the name.
constexpr auto kAlpnWire = [] {
    std::array<unsigned char, sizeof(kAlpn)> wire{};
    wire[0] = static_cast<unsigned char>(sizeof(kAlpn) - 1);
    for (size_t i = 0; i + 1 < sizeof(kAlpn); ++i)
        wire[i + 1] = static_cast<unsigned char>(kAlpn[i]);
    return wire;
}();

bool isOurAlpn(const unsigned char *data, unsigned length)
{
    return data && length == sizeof(kAlpn) - 1 && memcmp(data, kAlpn, length) == 0;
}

/// The SSL ex_data slot holding the OpensslSession: the app-data slot
/// belongs to ngtcp2's helper (the conn ref).
int sessionIndex()
{
    static const int index = SSL_get_ex_new_index(0, nullptr, nullptr, nullptr, nullptr);
    return index;
}

class OpensslSession final : public TlsSession
{
public:
    explicit OpensslSession(OpensslContext &context) : m_context(context) {}
    ~OpensslSession() override;
    Q_DISABLE_COPY_MOVE(OpensslSession)

    bool init(ngtcp2_crypto_conn_ref *connRef, Error *error);

    void *nativeHandle() override { return m_native; }
    TlsDetails details() const override;
    Error failure() const override;

    static int clientHelloCallback(SSL *ssl, int *alert, void *arg);
    static int alpnSelectCallback(SSL *ssl, const unsigned char **out, unsigned char *outlen,
                                  const unsigned char *in, unsigned inlen, void *arg);
    static int verifyCallback(X509_STORE_CTX *store, void *arg);

private:
    static OpensslSession *self(const SSL *ssl);
    static void infoCallback(const SSL *ssl, int where, int value);
    void refuse(const Error &verdict, int alert);

    OpensslContext &m_context;
    ngtcp2_crypto_conn_ref *m_connRef = nullptr;
    SSL *m_ssl = nullptr;
    ngtcp2_crypto_ossl_ctx *m_native = nullptr;
    Error m_failure;
    int m_wantedAlert = -1; // the alert m_failure calls for, when OpenSSL cannot send it
    int m_alert = -1;       // the alert this side sent, -1 for none
    QString m_alertReason;  // OpenSSL's reason for it
};

OpensslSession::~OpensslSession()
{
    // The helper's callbacks must not reach a connection that may be gone.
    if (m_ssl) {
        SSL_set_app_data(m_ssl, nullptr);
        SSL_set_ex_data(m_ssl, sessionIndex(), nullptr);
    }
    ngtcp2_crypto_ossl_ctx_del(m_native);
    SSL_free(m_ssl);
}

OpensslSession *OpensslSession::self(const SSL *ssl)
{
    return static_cast<OpensslSession *>(SSL_get_ex_data(ssl, sessionIndex()));
}

void OpensslSession::refuse(const Error &verdict, int alert)
{
    qCDebug(lcTls) << "refusing the handshake:" << verdict.message();
    m_failure = verdict;
    m_wantedAlert = alert;
}

int OpensslSession::clientHelloCallback(SSL *ssl, int *alert, void *)
{
    // OpenSSL asks the ALPN callback only when the client sent an ALPN list;
    // a client that sends none is refused here.
    OpensslSession *me = self(ssl);
    const unsigned char *data = nullptr;
    size_t length = 0;
    if (!me || SSL_client_hello_get0_ext(ssl, TLSEXT_TYPE_application_layer_protocol_negotiation, &data, &length))
        return SSL_CLIENT_HELLO_SUCCESS;
    me->refuse(Error(ErrorCode::TlsHandshakeFailed, alpnFailure(true)), SSL_AD_NO_APPLICATION_PROTOCOL);
    *alert = SSL_AD_NO_APPLICATION_PROTOCOL;
    return SSL_CLIENT_HELLO_ERROR;
}

int OpensslSession::alpnSelectCallback(SSL *ssl, const unsigned char **out, unsigned char *outlen,
                                       const unsigned char *in, unsigned inlen, void *)
{
    unsigned char *selected = nullptr;
    unsigned char selectedLength = 0;
    if (SSL_select_next_proto(&selected, &selectedLength, kAlpnWire.data(), unsigned(kAlpnWire.size()), in,
                              inlen)
            == OPENSSL_NPN_NEGOTIATED
        && isOurAlpn(selected, selectedLength)) {
        *out = selected; // points into kAlpnWire, which outlives the handshake
        *outlen = selectedLength;
        return SSL_TLSEXT_ERR_OK;
    }
    if (OpensslSession *me = self(ssl))
        me->refuse(Error(ErrorCode::TlsHandshakeFailed, alpnFailure(true)), SSL_AD_NO_APPLICATION_PROTOCOL);
    return SSL_TLSEXT_ERR_ALERT_FATAL; // OpenSSL sends no_application_protocol
}

int OpensslSession::verifyCallback(X509_STORE_CTX *store, void *)
{
    // Replaces OpenSSL's own chain check: TlsContext applies the pin in every
    // mode and, in mode 2, the backend's verifyChainAndName.
    auto *ssl = static_cast<SSL *>(X509_STORE_CTX_get_ex_data(store, SSL_get_ex_data_X509_STORE_CTX_idx()));
    OpensslSession *me = ssl ? self(ssl) : nullptr;
    if (!me) {
        X509_STORE_CTX_set_error(store, X509_V_ERR_APPLICATION_VERIFICATION);
        return 0;
    }
    QList<QByteArray> chain;
    const STACK_OF(X509) *sent = X509_STORE_CTX_get0_untrusted(store);
    for (int i = 0; sent && i < sk_X509_num(sent); ++i)
        chain.append(openssl::toDer(sk_X509_value(sent, i)));
    if (chain.isEmpty())
        chain.append(openssl::toDer(X509_STORE_CTX_get0_cert(store)));

    const Error verdict = me->m_context.verifyServerChain(chain);
    if (verdict) {
        me->refuse(verdict, SSL_AD_BAD_CERTIFICATE);
        X509_STORE_CTX_set_error(store, X509_V_ERR_CERT_REJECTED); // alert bad_certificate
        return 0;
    }

    // TLS 1.3's EncryptedExtensions, which carry the server's ALPN choice,
    // come before its Certificate, so the choice is known here. OpenSSL
    // itself accepts a server that chose none.
    const unsigned char *alpn = nullptr;
    unsigned alpnLength = 0;
    SSL_get0_alpn_selected(ssl, &alpn, &alpnLength);
    if (!isOurAlpn(alpn, alpnLength)) {
        me->refuse(Error(ErrorCode::TlsHandshakeFailed, alpnFailure(false)), SSL_AD_NO_APPLICATION_PROTOCOL);
        X509_STORE_CTX_set_error(store, X509_V_ERR_APPLICATION_VERIFICATION);
        return 0;
    }
    X509_STORE_CTX_set_error(store, X509_V_OK);
    return 1;
}

void OpensslSession::infoCallback(const SSL *ssl, int where, int value)
{
    if ((where & SSL_CB_WRITE_ALERT) != SSL_CB_WRITE_ALERT || (value >> 8) != SSL3_AL_FATAL)
        return;
    OpensslSession *me = self(ssl);
    if (!me)
        return;
    // ngtcp2's helper has just handed the alert to the connection. A failed
    // certificate callback makes OpenSSL choose the alert from the X509
    // error, and no X509 error means no_application_protocol: correct it,
    // so the peer learns why.
    me->m_alert = value & 0xff;
    if (me->m_wantedAlert >= 0 && me->m_wantedAlert != me->m_alert) {
        me->m_alert = me->m_wantedAlert;
        if (ngtcp2_conn *conn = me->m_connRef ? me->m_connRef->get_conn(me->m_connRef) : nullptr)
            ngtcp2_conn_set_tls_alert(conn, uint8_t(me->m_alert));
    }
    // Keep OpenSSL's reason, and leave this thread's error queue empty:
    // the helper's SSL_get_error() would blame any error left there on the
    // next connection that reads post-handshake data.
    me->m_alertReason = openssl::takeErrorString("");
}

Error OpensslSession::failure() const
{
    if (m_failure || m_alert < 0)
        return m_failure;
    if (m_alert == SSL_AD_NO_APPLICATION_PROTOCOL)
        return Error(ErrorCode::TlsHandshakeFailed, alpnFailure(m_context.isServer()));
    const QString description = QString::fromUtf8(SSL_alert_desc_string_long(m_alert));
    QString message = QStringLiteral("The TLS handshake failed: %1 (TLS alert %2)").arg(description).arg(m_alert);
    if (!m_alertReason.isEmpty())
        message += QStringLiteral(": ") + m_alertReason;
    return Error(ErrorCode::TlsHandshakeFailed, message + u'.');
}

bool OpensslSession::init(ngtcp2_crypto_conn_ref *connRef, Error *error)
{
    const bool server = m_context.isServer();
    auto fail = [error](const char *what) {
        setError(error, Error(ErrorCode::TlsHandshakeFailed,
                              QStringLiteral("Could not set up the TLS session: %1 failed: %2.")
                                  .arg(QLatin1String(what), openssl::takeErrorString("failed"))));
        return false;
    };

    m_connRef = connRef;
    m_ssl = SSL_new(m_context.sslContext());
    if (!m_ssl)
        return fail("SSL_new");
    SSL_set_app_data(m_ssl, connRef);
    if (!SSL_set_ex_data(m_ssl, sessionIndex(), this))
        return fail("SSL_set_ex_data");
    const int configured = server ? ngtcp2_crypto_ossl_configure_server_session(m_ssl)
                                  : ngtcp2_crypto_ossl_configure_client_session(m_ssl);
    if (configured != 0)
        return fail("ngtcp2_crypto_ossl_configure_session");
    SSL_set_info_callback(m_ssl, infoCallback);

    if (server) {
        SSL_set_accept_state(m_ssl);
    } else {
        SSL_set_connect_state(m_ssl);
        // (SSL_set_alpn_protos returns 0 on success.)
        if (SSL_set_alpn_protos(m_ssl, kAlpnWire.data(), unsigned(kAlpnWire.size())) != 0)
            return fail("SSL_set_alpn_protos");
        // SNI for names only, never for IP literals (as Go).
        const QString &host = m_context.clientOptions().hostname;
        if (!host.isEmpty() && !isIpLiteral(host)
            && SSL_set_tlsext_host_name(m_ssl, host.toUtf8().constData()) != 1)
            return fail("SSL_set_tlsext_host_name");
    }
    if (ngtcp2_crypto_ossl_ctx_new(&m_native, m_ssl) != 0)
        return fail("ngtcp2_crypto_ossl_ctx_new");
    return true;
}

TlsDetails OpensslSession::details() const
{
    // Before the handshake finished the getters describe mere intentions.
    if (!SSL_is_init_finished(m_ssl))
        return {};
    TlsDetails details;
    details.version = SSL_version(m_ssl) == TLS1_3_VERSION ? QStringLiteral("TLS1.3")
                                                           : QString::fromLatin1(SSL_get_version(m_ssl));
    if (const SSL_CIPHER *cipher = SSL_get_current_cipher(m_ssl))
        details.cipher = QString::fromLatin1(SSL_CIPHER_standard_name(cipher));
    const unsigned char *alpn = nullptr;
    unsigned alpnLength = 0;
    SSL_get0_alpn_selected(m_ssl, &alpn, &alpnLength);
    details.alpn = QString::fromUtf8(reinterpret_cast<const char *>(alpn), qsizetype(alpnLength));
    // On a client the chain the server sent, leaf first; servers ask for none.
    const STACK_OF(X509) *peers = SSL_get_peer_cert_chain(m_ssl);
    for (int i = 0; peers && i < sk_X509_num(peers); ++i)
        details.peerCertificates.append(QSslCertificate(openssl::toDer(sk_X509_value(peers, i)), QSsl::Der));
    return details;
}

} // namespace

void installSessionHooks(SSL_CTX *ctx, bool server)
{
    if (server) {
        SSL_CTX_set_client_hello_cb(ctx, OpensslSession::clientHelloCallback, nullptr);
        SSL_CTX_set_alpn_select_cb(ctx, OpensslSession::alpnSelectCallback, nullptr);
    } else {
        // VERIFY_PEER: a refusal from the callback ends the handshake.
        SSL_CTX_set_verify(ctx, SSL_VERIFY_PEER, nullptr);
        SSL_CTX_set_cert_verify_callback(ctx, OpensslSession::verifyCallback, nullptr);
    }
}

std::unique_ptr<TlsSession> TlsSession::create(TlsContext &context, ngtcp2_crypto_conn_ref *connRef,
                                               Error *error)
{
    // There is one backend, so every context is an OpensslContext.
    auto session = std::make_unique<OpensslSession>(static_cast<OpensslContext &>(context));
    if (!session->init(connRef, error))
        return nullptr;
    setError(error, Error());
    return session;
}

} // namespace quicpool::transport
