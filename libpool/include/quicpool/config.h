// Pool configurations, their clamping (NodePass rules) and validation.
#pragma once

#include <quicpool/error.h>
#include <QtCore/QByteArray>
#include <QtCore/QList>
#include <QtCore/QString>
#include <QtNetwork/QSslCertificate>
#include <chrono>
#include <functional>

namespace quicpool {

using Milliseconds = std::chrono::milliseconds;

/// Client-side TLS behaviour, as NodePass's tls flag.
enum class TlsMode {
    Insecure = 0,    ///< encrypt, do not verify the server certificate
    SelfSigned = 1,  ///< server has a self-signed certificate, not verified
    Verified = 2,    ///< verify chain (system store + extra CAs) and hostname
};

/// What an address resolver returns: "host:port", or an error sentence.
struct ResolvedAddress
{
    QString hostPort;
    QString error;
};
/// Called before every dial, so the target can move (NodePass addrResolver).
using AddressResolver = std::function<ResolvedAddress()>;

struct QUICPOOL_EXPORT ClientPoolConfig
{
    int minCapacity = 1;
    int maxCapacity = 1;
    Milliseconds minInterval{1000};
    Milliseconds maxInterval{1000};
    Milliseconds keepAlive{30000};      ///< idle timeout is 3 x keepAlive
    TlsMode tlsMode = TlsMode::Insecure;
    QString hostname;                   ///< SNI and mode-2 verification name
    QString address;                    ///< "host:port"; a host name is looked up (asynchronously) on each dial; used when resolver is empty
    AddressResolver resolver;           ///< optional; overrides address
    QByteArray pinSha256;               ///< 32-byte SHA-256 of the server's leaf DER; checked in every mode
    QList<QSslCertificate> extraCaCertificates; ///< mode 2: trusted besides the system store
    Milliseconds handshakeTimeout{10000};
    Milliseconds idReadTimeout{60000};  ///< how long the client waits for the 4-byte ID
    QString qlogDirectory;              ///< empty: qlog off (see README: ngtcp2 1.11 qlog bug)

    /// NodePass constructor clamping: caps <= 0 become 1, intervals <= 0
    /// become 1 s, a min above its max is swapped with it.
    ClientPoolConfig clamped() const;
    /// Checks what clamping cannot fix (address, pin length, timeouts).
    Error validate() const;
};

struct QUICPOOL_EXPORT ServerPoolConfig
{
    int maxCapacity = 1;
    QString clientIp;                   ///< empty: accept any address
    QString listenAddress = QStringLiteral("0.0.0.0:0"); ///< "host:port", port 0 picks one
    Milliseconds keepAlive{30000};
    QString certificateFile;            ///< PEM; with privateKeyFile
    QString privateKeyFile;             ///< PEM
    QByteArray certificatePem;          ///< in-memory alternative to the files
    QByteArray privateKeyPem;
    /// With no certificate given, one is generated (ECDSA P-256, self-signed)
    /// for this name at start; NodePass mode 1 servers do the same.
    QString selfSignedName = QStringLiteral("localhost");
    bool strictHello = false;           ///< refuse streams whose first byte is not 0x00
    Milliseconds handshakeTimeout{10000};
    Milliseconds helloTimeout{60000};   ///< how long the server waits for the 1-byte hello
    QString qlogDirectory;

    ServerPoolConfig clamped() const;   ///< maxCapacity <= 0 becomes 1
    Error validate() const;
};

/// Splits "host:port", "[v6]:port" or ":port". False with a sentence on failure.
QUICPOOL_EXPORT bool parseHostPort(const QString &text, QString *host, quint16 *port,
                                   QString *error = nullptr);

} // namespace quicpool
