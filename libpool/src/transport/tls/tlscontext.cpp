// The TLS rules every backend shares (see tlscommon_p.h and tlscontext.h).
#include "transport/tls/tlscommon_p.h"

#include "common/logging.h"
#include <quicpool/certificate.h>

#include <QtCore/QCryptographicHash>
#include <QtCore/QFile>
#include <QtNetwork/QHostAddress>

namespace quicpool::transport {

namespace tls {

Error certificateError(const QString &message)
{
    return Error(ErrorCode::CertificateError, message);
}

void setError(Error *error, const Error &value)
{
    if (error)
        *error = value;
}

bool isIpLiteral(const QString &host)
{
    QHostAddress address;
    return address.setAddress(host);
}

QByteArray ipAddressBytes(const QString &host)
{
    QHostAddress address;
    if (!address.setAddress(host))
        return {};
    if (address.protocol() == QAbstractSocket::IPv4Protocol) {
        const quint32 v4 = address.toIPv4Address();
        QByteArray out(4, '\0');
        for (int i = 0; i < 4; ++i)
            out[i] = char((v4 >> (24 - 8 * i)) & 0xff);
        return out;
    }
    const Q_IPV6ADDR v6 = address.toIPv6Address();
    return QByteArray(reinterpret_cast<const char *>(v6.c), 16);
}

QString alpnFailure(bool server)
{
    return server ? QStringLiteral("The client did not offer the ALPN protocol \"%1\".").arg(QLatin1String(kAlpn))
                  : QStringLiteral("The server did not agree on the ALPN protocol \"%1\".").arg(QLatin1String(kAlpn));
}

namespace {

QString formatPin(const QByteArray &pin)
{
    return QStringLiteral("sha256:") + QString::fromLatin1(pin.toHex(':').toUpper());
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

} // namespace

bool loadServerCredentials(const TlsServerOptions &options, ServerCredentials *out, Error *error)
{
    const bool files = !options.certificateFile.isEmpty() || !options.privateKeyFile.isEmpty();
    const bool memory = !options.certificatePem.isEmpty() || !options.privateKeyPem.isEmpty();
    if (files) {
        if (options.certificateFile.isEmpty() || options.privateKeyFile.isEmpty()) {
            setError(error, certificateError(QStringLiteral("A certificate file needs a private key file and "
                                                            "vice versa; only one of them was given.")));
            return false;
        }
        if (!readPemFile(options.certificateFile, "certificate", &out->certificatePem, error)
            || !readPemFile(options.privateKeyFile, "private key", &out->keyPem, error))
            return false;
        out->certificateName = QStringLiteral("certificate file \"%1\"").arg(options.certificateFile);
        out->keyName = QStringLiteral("private key file \"%1\"").arg(options.privateKeyFile);
        return true;
    }
    if (memory) {
        if (options.certificatePem.isEmpty() || options.privateKeyPem.isEmpty()) {
            setError(error, certificateError(QStringLiteral("An in-memory certificate needs an in-memory "
                                                            "private key and vice versa; only one was given.")));
            return false;
        }
        out->certificatePem = options.certificatePem;
        out->keyPem = options.privateKeyPem;
        out->certificateName = QStringLiteral("in-memory certificate");
        out->keyName = QStringLiteral("in-memory private key");
        return true;
    }
    Error generated;
    const CertificateAndKey pair = generateSelfSigned(options.selfSignedName, 365, &generated);
    if (generated) {
        setError(error, certificateError(generated.message()));
        return false;
    }
    out->certificatePem = pair.certificatePem;
    out->keyPem = pair.privateKeyPem;
    out->certificateName = QStringLiteral("generated certificate for \"%1\"").arg(options.selfSignedName);
    out->keyName = QStringLiteral("generated private key");
    qCDebug(lcTls) << "generated a self-signed certificate for" << options.selfSignedName;
    return true;
}

bool checkClientOptions(const TlsClientOptions &options, Error *error)
{
    if (!options.pinSha256.isEmpty() && options.pinSha256.size() != kSha256Size) {
        setError(error, Error(ErrorCode::InvalidConfig,
                              QStringLiteral("A certificate pin is a SHA-256 digest of %1 bytes, not %2 bytes.")
                                  .arg(kSha256Size)
                                  .arg(options.pinSha256.size())));
        return false;
    }
    if (options.mode == TlsMode::Verified && options.hostname.isEmpty()) {
        setError(error, Error(ErrorCode::InvalidConfig,
                              QStringLiteral("TLS mode 2 verifies the server's name, but no hostname was given.")));
        return false;
    }
    return true;
}

bool extraTrustedCas(const TlsClientOptions &options, QList<QSslCertificate> *out, Error *error)
{
    *out = options.extraCaCertificates;
    if (options.caFile.isEmpty())
        return true;
    QFile file(options.caFile);
    if (!file.open(QIODevice::ReadOnly)) {
        setError(error, certificateError(QStringLiteral("The CA file \"%1\" cannot be read: %2.")
                                             .arg(options.caFile, file.errorString())));
        return false;
    }
    const QList<QSslCertificate> fromFile = QSslCertificate::fromData(file.readAll(), QSsl::Pem);
    if (fromFile.isEmpty()) {
        setError(error, certificateError(QStringLiteral("The CA file \"%1\" holds no PEM certificate.")
                                             .arg(options.caFile)));
        return false;
    }
    out->append(fromFile);
    return true;
}

} // namespace tls

TlsContext::~TlsContext() = default;

Error TlsContext::verifyServerChain(const QList<QByteArray> &chainDer) const
{
    if (m_server)
        return {};
    if (chainDer.isEmpty() || chainDer.first().isEmpty())
        return Error(ErrorCode::TlsHandshakeFailed, QStringLiteral("The server sent no certificate."));

    // The pin comes first and holds in every mode: it is the user's explicit
    // statement of which certificate to trust.
    if (!m_client.pinSha256.isEmpty()) {
        const QByteArray actual = QCryptographicHash::hash(chainDer.first(), QCryptographicHash::Sha256);
        if (actual != m_client.pinSha256)
            return Error(ErrorCode::PinMismatch,
                         QStringLiteral("The server certificate %1 does not match the pin %2.")
                             .arg(fingerprintOfDer(chainDer.first()), tls::formatPin(m_client.pinSha256)));
    }

    if (m_client.mode != TlsMode::Verified)
        return {}; // modes 0 and 1 encrypt without verifying, as NodePass does
    return verifyChainAndName(chainDer);
}

} // namespace quicpool::transport
