// The GnuTLS backend's session: one gnutls_session_t per connection, driven
// by ngtcp2's GnuTLS helper; ALPN insisted on, the server's chain checked
// inside the handshake, and a sentence for every way it can fail.
#include "transport/tls/gnutls/gnutlscontext.h"

#include "common/logging.h"
#include "transport/tls/tlscommon_p.h"
#include "transport/tls/tlssession.h"

#include <gnutls/gnutls.h>
#include <ngtcp2/ngtcp2.h>
#include <ngtcp2/ngtcp2_crypto.h>
#include <ngtcp2/ngtcp2_crypto_gnutls.h>

namespace quicpool::transport {

using tls::alpnFailure;
using tls::isIpLiteral;
using tls::setError;

namespace {

// TLS 1.3 only; the AEADs QUIC defines (no CCM, whose 8-byte-tag variant QUIC
// forbids); X25519 first as Go offers it. Compatibility mode (fake
// ChangeCipherSpec) has no place in QUIC (RFC 9001, 8.4).
constexpr char kPriority[] =
    "NORMAL:-VERS-ALL:+VERS-TLS1.3:-CIPHER-ALL:+AES-128-GCM:+AES-256-GCM:+CHACHA20-POLY1305:"
    "-GROUP-ALL:+GROUP-X25519:+GROUP-SECP256R1:+GROUP-SECP384R1:+GROUP-SECP521R1:"
    "%DISABLE_TLS13_COMPAT_MODE";

const gnutls_datum_t kAlpnDatum{reinterpret_cast<unsigned char *>(const_cast<char *>(kAlpn)),
                                unsigned(sizeof(kAlpn) - 1)};

/// The ALPN GnuTLS selected, or an empty array.
QByteArray selectedAlpn(gnutls_session_t session)
{
    gnutls_datum_t alpn{nullptr, 0};
    if (gnutls_alpn_get_selected_protocol(session, &alpn) != 0 || !alpn.data)
        return {};
    return QByteArray(reinterpret_cast<const char *>(alpn.data), int(alpn.size));
}

class GnutlsSession final : public TlsSession
{
public:
    explicit GnutlsSession(GnutlsContext &context) : m_context(context) {}

    bool init(ngtcp2_crypto_conn_ref *connRef, Error *error);

    void *nativeHandle() override { return m_session.get(); }
    TlsDetails details() const override;
    Error failure() const override;

private:
    static GnutlsSession *self(gnutls_session_t session);
    static int verifyCallback(gnutls_session_t session);
    static int hookCallback(gnutls_session_t session, unsigned htype, unsigned when,
                            unsigned incoming, const gnutls_datum_t *msg);

    static int alertCallback(gnutls_session_t session, gnutls_record_encryption_level_t level,
                             gnutls_alert_level_t alertLevel, gnutls_alert_description_t alert);

    GnutlsContext &m_context;
    gnutls::SessionPtr m_session;
    Error m_failure;
    int m_alert = -1; // the alert this side sent, -1 for none
};

GnutlsSession *GnutlsSession::self(gnutls_session_t session)
{
    // The session pointer belongs to ngtcp2's crypto helper (the conn ref),
    // so we ride on the database pointer: we install no session database, so
    // GnuTLS never hands it to anything else.
    return static_cast<GnutlsSession *>(gnutls_db_get_ptr(session));
}

int GnutlsSession::verifyCallback(gnutls_session_t session)
{
    GnutlsSession *me = self(session);
    unsigned count = 0;
    const gnutls_datum_t *peers = gnutls_certificate_get_peers(session, &count);
    QList<QByteArray> chain;
    for (unsigned i = 0; peers && i < count; ++i)
        chain.append(QByteArray(reinterpret_cast<const char *>(peers[i].data), int(peers[i].size)));

    const Error verdict = me->m_context.verifyServerChain(chain);
    if (verdict) {
        qCDebug(lcTls) << "rejecting the server certificate:" << verdict.message();
        me->m_failure = verdict;
        return GNUTLS_E_CERTIFICATE_ERROR;
    }
    return 0;
}

int GnutlsSession::alertCallback(gnutls_session_t session, gnutls_record_encryption_level_t level,
                                 gnutls_alert_level_t alertLevel, gnutls_alert_description_t alert)
{
    Q_UNUSED(level);
    Q_UNUSED(alertLevel);
    // Replaces the crypto helper's own alert function, doing what it does
    // (hand the alert to ngtcp2 for CONNECTION_CLOSE) and remembering it, so
    // failure() can explain failures GnuTLS decides on its own.
    self(session)->m_alert = int(alert);
    auto *connRef = static_cast<ngtcp2_crypto_conn_ref *>(gnutls_session_get_ptr(session));
    if (ngtcp2_conn *conn = connRef->get_conn(connRef))
        ngtcp2_conn_set_tls_alert(conn, uint8_t(alert));
    return 0;
}

Error GnutlsSession::failure() const
{
    if (m_failure || m_alert < 0)
        return m_failure;
    if (m_alert == GNUTLS_A_NO_APPLICATION_PROTOCOL)
        return Error(ErrorCode::TlsHandshakeFailed, alpnFailure(m_context.isServer()));
    const char *name = gnutls_alert_get_name(gnutls_alert_description_t(m_alert));
    return Error(ErrorCode::TlsHandshakeFailed,
                 QStringLiteral("The TLS handshake failed: %1 (TLS alert %2).")
                     .arg(name ? QString::fromUtf8(name) : QStringLiteral("unknown alert"))
                     .arg(m_alert));
}

int GnutlsSession::hookCallback(gnutls_session_t session, unsigned htype, unsigned when,
                                unsigned incoming, const gnutls_datum_t *msg)
{
    Q_UNUSED(msg);
    if (when != GNUTLS_HOOK_POST || !incoming)
        return 0;
    GnutlsSession *me = self(session);
    const bool server = me->m_context.isServer();
    // The server decides after ClientHello; the client once the server's
    // Finished is in, when EncryptedExtensions (with the ALPN) is parsed for
    // sure. GnuTLS's own GNUTLS_ALPN_MANDATORY is not used: it neither covers
    // a peer that sends no ALPN at all nor leaves a sentence for failure().
    if ((server && htype != GNUTLS_HANDSHAKE_CLIENT_HELLO)
        || (!server && htype != GNUTLS_HANDSHAKE_FINISHED))
        return 0;

    const QByteArray alpn = selectedAlpn(session);
    if (alpn == QByteArray(kAlpn))
        return 0;
    // (GnuTLS only ever selects a protocol this side offered, so "not
    // selected" is the only way to differ.)
    const QString message = alpnFailure(server);
    qCDebug(lcTls) << message;
    me->m_failure = Error(ErrorCode::TlsHandshakeFailed, message);
    return GNUTLS_E_NO_APPLICATION_PROTOCOL; // becomes the no_application_protocol alert
}

bool GnutlsSession::init(ngtcp2_crypto_conn_ref *connRef, Error *error)
{
    const bool server = m_context.isServer();
    auto fail = [error](const QString &what, int rc) {
        setError(error, Error(ErrorCode::TlsHandshakeFailed,
                              QStringLiteral("Could not set up the TLS session: %1: %2.")
                                  .arg(what, rc ? gnutls::errorString(rc) : QStringLiteral("failed"))));
        return false;
    };

    // Early data stays off in practice (no tickets are ever issued), but the
    // flags match ngtcp2's examples; NO_END_OF_EARLY_DATA is what QUIC wants.
    unsigned flags = GNUTLS_ENABLE_EARLY_DATA | GNUTLS_NO_END_OF_EARLY_DATA;
    flags |= server ? (GNUTLS_SERVER | GNUTLS_NO_AUTO_SEND_TICKET) : GNUTLS_CLIENT;
    gnutls_session_t raw = nullptr;
    if (const int rc = gnutls_init(&raw, flags); rc < 0)
        return fail(QStringLiteral("gnutls_init"), rc);
    m_session.reset(raw);

    const int configured = server ? ngtcp2_crypto_gnutls_configure_server_session(raw)
                                  : ngtcp2_crypto_gnutls_configure_client_session(raw);
    if (configured != 0)
        return fail(QStringLiteral("ngtcp2_crypto_gnutls_configure_session"), 0);
    gnutls_alert_set_read_function(raw, alertCallback);

    const char *errorPos = nullptr;
    if (const int rc = gnutls_priority_set_direct(raw, kPriority, &errorPos); rc < 0)
        return fail(QStringLiteral("priority string at \"%1\"").arg(QLatin1String(errorPos)), rc);

    gnutls_session_set_ptr(raw, connRef);
    gnutls_db_set_ptr(raw, this);

    if (const int rc = gnutls_credentials_set(raw, GNUTLS_CRD_CERTIFICATE, m_context.credentials());
        rc < 0)
        return fail(QStringLiteral("gnutls_credentials_set"), rc);

    const unsigned alpnFlags = server ? GNUTLS_ALPN_SERVER_PRECEDENCE : 0;
    if (const int rc = gnutls_alpn_set_protocols(raw, &kAlpnDatum, 1, alpnFlags); rc < 0)
        return fail(QStringLiteral("gnutls_alpn_set_protocols"), rc);
    gnutls_handshake_set_hook_function(raw, GNUTLS_HANDSHAKE_ANY, GNUTLS_HOOK_POST, hookCallback);

    if (!server) {
        const TlsClientOptions &options = m_context.clientOptions();
        if (!options.hostname.isEmpty() && !isIpLiteral(options.hostname)) {
            const QByteArray name = options.hostname.toUtf8();
            if (const int rc = gnutls_server_name_set(raw, GNUTLS_NAME_DNS, name.constData(),
                                                      size_t(name.size()));
                rc < 0)
                return fail(QStringLiteral("gnutls_server_name_set"), rc);
        }
        gnutls_session_set_verify_function(raw, verifyCallback);
    }
    return true;
}

TlsDetails GnutlsSession::details() const
{
    gnutls_session_t session = m_session.get();
    // gnutls_session_get_desc is null until the first handshake completed;
    // before that the other getters would describe mere intentions.
    char *desc = gnutls_session_get_desc(session);
    if (!desc)
        return {};
    gnutls_free(desc);

    TlsDetails details;
    if (const char *name = gnutls_protocol_get_name(gnutls_protocol_get_version(session)))
        details.version = QString::fromLatin1(name);
    if (const char *suite = gnutls_ciphersuite_get(session))
        details.cipher = QString::fromLatin1(suite);
    details.alpn = QString::fromUtf8(selectedAlpn(session));
    unsigned count = 0;
    const gnutls_datum_t *peers = gnutls_certificate_get_peers(session, &count);
    for (unsigned i = 0; peers && i < count; ++i)
        details.peerCertificates.append(QSslCertificate(
            QByteArray(reinterpret_cast<const char *>(peers[i].data), int(peers[i].size)),
            QSsl::Der));
    return details;
}

} // namespace

std::unique_ptr<TlsSession> TlsSession::create(TlsContext &context, ngtcp2_crypto_conn_ref *connRef,
                                               Error *error)
{
    // There is one backend, so every context is a GnutlsContext.
    auto session = std::make_unique<GnutlsSession>(static_cast<GnutlsContext &>(context));
    if (!session->init(connRef, error))
        return nullptr;
    setError(error, Error());
    return session;
}

} // namespace quicpool::transport
