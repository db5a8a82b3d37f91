// The GnuTLS backend of the TLS seam (tls.h), configured the way ngtcp2's
// GnuTLS examples are: QUIC-mode sessions, TLS 1.3 only, ALPN np-quic.
#include "transport/tls.h"

#include "common/gnutlsptr.h"
#include "transport/logging.h"
#include <quicpool/certificate.h>

#include <QtCore/QCryptographicHash>
#include <QtCore/QFile>
#include <QtNetwork/QHostAddress>

#include <gnutls/crypto.h>
#include <gnutls/gnutls.h>
#include <gnutls/x509.h>
#include <ngtcp2/ngtcp2.h>
#include <ngtcp2/ngtcp2_crypto.h>
#include <ngtcp2/ngtcp2_crypto_gnutls.h>

#include <vector>

namespace quicpool::transport {

namespace {

// TLS 1.3 only; the AEADs QUIC defines (no CCM, whose 8-byte-tag variant QUIC
// forbids); X25519 first as Go offers it. Compatibility mode (fake
// ChangeCipherSpec) has no place in QUIC (RFC 9001, 8.4).
constexpr char kPriority[] =
    "NORMAL:-VERS-ALL:+VERS-TLS1.3:-CIPHER-ALL:+AES-128-GCM:+AES-256-GCM:+CHACHA20-POLY1305:"
    "-GROUP-ALL:+GROUP-X25519:+GROUP-SECP256R1:+GROUP-SECP384R1:+GROUP-SECP521R1:"
    "%DISABLE_TLS13_COMPAT_MODE";

constexpr int kSha256Size = 32;

const gnutls_datum_t kAlpnDatum{reinterpret_cast<unsigned char *>(const_cast<char *>(kAlpn)),
                                unsigned(sizeof(kAlpn) - 1)};

bool isIpLiteral(const QString &host)
{
    QHostAddress address;
    return address.setAddress(host);
}

QString formatPin(const QByteArray &pin)
{
    return QStringLiteral("sha256:") + QString::fromLatin1(pin.toHex(':').toUpper());
}

Error certificateError(const QString &message)
{
    return Error(ErrorCode::CertificateError, message);
}

void setError(Error *error, const Error &value)
{
    if (error)
        *error = value;
}

/// Reads a PEM file for the server; what names it in sentences is `what`.
bool readPemFile(const QString &path, const char *what, QByteArray *out, Error *error)
{
    QFile file(path);
    if (!file.exists()) {
        setError(error, certificateError(QStringLiteral("The %1 file \"%2\" does not exist.")
                                             .arg(QLatin1String(what), path)));
        return false;
    }
    if (!file.open(QIODevice::ReadOnly)) {
        setError(error, certificateError(QStringLiteral("The %1 file \"%2\" cannot be read: %3.")
                                             .arg(QLatin1String(what), path, file.errorString())));
        return false;
    }
    *out = file.readAll();
    return true;
}

QString alpnFailure(bool server)
{
    return server ? QStringLiteral("The client did not offer the ALPN protocol \"%1\".")
                        .arg(QLatin1String(kAlpn))
                  : QStringLiteral("The server did not agree on the ALPN protocol \"%1\".")
                        .arg(QLatin1String(kAlpn));
}

/// The ALPN GnuTLS selected, or an empty array.
QByteArray selectedAlpn(gnutls_session_t session)
{
    gnutls_datum_t alpn{nullptr, 0};
    if (gnutls_alpn_get_selected_protocol(session, &alpn) != 0 || !alpn.data)
        return {};
    return QByteArray(reinterpret_cast<const char *>(alpn.data), int(alpn.size));
}

// ---------------------------------------------------------------------------

class GnutlsContext final : public TlsContext
{
public:
    GnutlsContext(bool server, gnutls::CredentialsPtr credentials)
        : m_server(server), m_credentials(std::move(credentials))
    {
    }

    bool isServer() const override { return m_server; }
    QSslCertificate localCertificate() const override { return m_leaf; }
    Error verifyServerChain(const QList<QByteArray> &chainDer) const override;

    gnutls_certificate_credentials_t credentials() const { return m_credentials.get(); }
    const TlsClientOptions &clientOptions() const { return m_client; }

    QSslCertificate m_leaf;     // server
    TlsClientOptions m_client;  // client

private:
    Error verifyChainAndName(const QList<QByteArray> &chainDer) const;

    bool m_server;
    gnutls::CredentialsPtr m_credentials;
};

Error GnutlsContext::verifyServerChain(const QList<QByteArray> &chainDer) const
{
    if (m_server)
        return {};
    if (chainDer.isEmpty() || chainDer.first().isEmpty())
        return Error(ErrorCode::TlsHandshakeFailed,
                     QStringLiteral("The server sent no certificate."));

    // The pin comes first and holds in every mode: it is the user's explicit
    // statement of which certificate to trust.
    if (!m_client.pinSha256.isEmpty()) {
        const QByteArray actual =
            QCryptographicHash::hash(chainDer.first(), QCryptographicHash::Sha256);
        if (actual != m_client.pinSha256)
            return Error(ErrorCode::PinMismatch,
                         QStringLiteral("The server certificate %1 does not match the pin %2.")
                             .arg(fingerprintOfDer(chainDer.first()), formatPin(m_client.pinSha256)));
    }

    if (m_client.mode != TlsMode::Verified)
        return {}; // modes 0 and 1 encrypt without verifying, as NodePass does
    return verifyChainAndName(chainDer);
}

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
                             .arg(m_client.hostname, gnutls::errorString(rc)));
        chain.push_back(crt);
    }

    gnutls_x509_trust_list_t trust = nullptr;
    gnutls_certificate_get_trust_list(m_credentials.get(), &trust);

    // The name: IP literals match iPAddress SANs (raw bytes), names dNSName.
    const QString &host = m_client.hostname;
    QByteArray nameData;
    gnutls_typed_vdata_st data[2];
    QHostAddress address;
    if (address.setAddress(host)) {
        if (address.protocol() == QAbstractSocket::IPv4Protocol) {
            const quint32 v4 = address.toIPv4Address();
            nameData = QByteArray(4, '\0');
            for (int i = 0; i < 4; ++i)
                nameData[i] = char((v4 >> (24 - 8 * i)) & 0xff);
        } else {
            const Q_IPV6ADDR v6 = address.toIPv6Address();
            nameData = QByteArray(reinterpret_cast<const char *>(v6.c), 16);
        }
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

// ---------------------------------------------------------------------------

class GnutlsSession final : public TlsSession
{
public:
    GnutlsSession(GnutlsContext &context) : m_context(context) {}

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

// ---------------------------------------------------------------------------

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

// ---------------------------------------------------------------------------

std::unique_ptr<TlsContext> TlsContext::createServer(const TlsServerOptions &options, Error *error)
{
    QByteArray certificatePem, keyPem;
    QString certificateName, keyName;
    const bool files = !options.certificateFile.isEmpty() || !options.privateKeyFile.isEmpty();
    const bool memory = !options.certificatePem.isEmpty() || !options.privateKeyPem.isEmpty();
    if (files) {
        if (options.certificateFile.isEmpty() || options.privateKeyFile.isEmpty()) {
            setError(error, certificateError(
                                QStringLiteral("A certificate file needs a private key file and "
                                               "vice versa; only one of them was given.")));
            return nullptr;
        }
        if (!readPemFile(options.certificateFile, "certificate", &certificatePem, error)
            || !readPemFile(options.privateKeyFile, "private key", &keyPem, error))
            return nullptr;
        certificateName = QStringLiteral("certificate file \"%1\"").arg(options.certificateFile);
        keyName = QStringLiteral("private key file \"%1\"").arg(options.privateKeyFile);
    } else if (memory) {
        if (options.certificatePem.isEmpty() || options.privateKeyPem.isEmpty()) {
            setError(error, certificateError(
                                QStringLiteral("An in-memory certificate needs an in-memory "
                                               "private key and vice versa; only one was given.")));
            return nullptr;
        }
        certificatePem = options.certificatePem;
        keyPem = options.privateKeyPem;
        certificateName = QStringLiteral("in-memory certificate");
        keyName = QStringLiteral("in-memory private key");
    } else {
        Error generated;
        const CertificateAndKey pair = generateSelfSigned(options.selfSignedName, 365, &generated);
        if (generated) {
            setError(error, certificateError(generated.message()));
            return nullptr;
        }
        certificatePem = pair.certificatePem;
        keyPem = pair.privateKeyPem;
        certificateName = QStringLiteral("generated certificate for \"%1\"")
                              .arg(options.selfSignedName);
        keyName = QStringLiteral("generated private key");
        qCDebug(lcTls) << "generated a self-signed certificate for" << options.selfSignedName;
    }

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

    auto context = std::make_unique<GnutlsContext>(true, std::move(credentials));
    context->m_leaf = QSslCertificate(leafDer, QSsl::Der);
    setError(error, Error());
    return context;
}

std::unique_ptr<TlsContext> TlsContext::createClient(const TlsClientOptions &options, Error *error)
{
    if (!options.pinSha256.isEmpty() && options.pinSha256.size() != kSha256Size) {
        setError(error, Error(ErrorCode::InvalidConfig,
                              QStringLiteral("A certificate pin is a SHA-256 digest of %1 bytes, "
                                             "not %2 bytes.")
                                  .arg(kSha256Size)
                                  .arg(options.pinSha256.size())));
        return nullptr;
    }
    if (options.mode == TlsMode::Verified && options.hostname.isEmpty()) {
        setError(error, Error(ErrorCode::InvalidConfig,
                              QStringLiteral("TLS mode 2 verifies the server's name, but no "
                                             "hostname was given.")));
        return nullptr;
    }

    gnutls::CredentialsPtr credentials = allocateCredentials(error);
    if (!credentials)
        return nullptr;

    if (options.mode == TlsMode::Verified) {
        const int system = gnutls_certificate_set_x509_system_trust(credentials.get());
        for (const QSslCertificate &ca : options.extraCaCertificates) {
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
            if (options.extraCaCertificates.isEmpty()) {
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

    auto context = std::make_unique<GnutlsContext>(false, std::move(credentials));
    context->m_client = options;
    setError(error, Error());
    return context;
}

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

void randomBytes(void *buf, size_t len)
{
    // Connection IDs and reset tokens must not be guessable; continuing with
    // predictable bytes would be worse than stopping.
    if (const int rc = gnutls_rnd(GNUTLS_RND_RANDOM, buf, len); rc < 0)
        qFatal("gnutls_rnd failed: %s", gnutls_strerror(rc));
}

} // namespace quicpool::transport
