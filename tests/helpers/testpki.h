// Certificates made at test time: a CA with a leaf it signed, or a
// self-signed pair, written as PEM files into a directory the test owns
// (usually a QTemporaryDir).
#pragma once

#include <QtCore/QByteArray>
#include <QtCore/QString>
#include <QtCore/QStringList>
#include <QtNetwork/QSslCertificate>

namespace quicpool::testing {

/// One certificate with its key, in memory and on disk.
struct PemPair
{
    QString certificateFile;
    QString privateKeyFile;
    QByteArray certificatePem;
    QByteArray privateKeyPem;      ///< PKCS#8
    QSslCertificate certificate;

    bool isValid() const { return !certificate.isNull(); }
};

struct TestPki
{
    PemPair ca;    ///< "QuicPool Test CA", CA=true, ECDSA P-256
    PemPair leaf;  ///< signed by ca; CN = hostname, SAN = hostname + extraNames

    bool isValid() const { return ca.isValid() && leaf.isValid(); }

    /// Makes a CA and a server leaf for hostname. Names that parse as IP
    /// addresses ("127.0.0.1", "::1") become iPAddress SANs, others dNSName
    /// SANs. Files are <dir>/<prefix>-ca.pem, -ca.key, -leaf.pem, -leaf.key.
    /// An invalid TestPki and *error on failure.
    static TestPki create(const QString &dir, const QString &hostname = QStringLiteral("localhost"),
                          const QStringList &extraNames = {},
                          const QString &prefix = QStringLiteral("pki"), QString *error = nullptr);
};

/// A self-signed server pair for name (as quicpool::generateSelfSigned makes
/// it), written to <dir>/<prefix>.pem and <dir>/<prefix>.key.
PemPair writeSelfSigned(const QString &dir, const QString &name = QStringLiteral("localhost"),
                        const QString &prefix = QStringLiteral("selfsigned"),
                        QString *error = nullptr);

} // namespace quicpool::testing
