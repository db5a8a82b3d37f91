// Pool configurations: NodePass's constructor clamping, our validation, and
// the HOST:PORT parser every address goes through.
#include <quicpool/config.h>

#include "common/valueclass_p.h"

#include <QtCore/QFileInfo>
#include <QtNetwork/QAbstractSocket>
#include <QtNetwork/QHostAddress>
#include <utility>

namespace quicpool {

namespace {

constexpr Milliseconds kDefaultInterval{1000};
constexpr qint64 kMiB = 1024 * 1024;
constexpr qint64 kDefaultMaxStreamWindow = 32 * kMiB;
constexpr qint64 kDefaultMaxConnectionWindow = 64 * kMiB;
constexpr qint64 kDefaultSendBufferLimit = 64 * kMiB;
// Windows and buffers: at least a few packets' worth, at most what a 32-bit
// build of a peer could still count.
constexpr qint64 kMinBufferBytes = 64 * 1024;
constexpr qint64 kMaxBufferBytes = 1024 * kMiB;
constexpr std::chrono::microseconds kMaxBusyPoll{1000};   // UdpSocket spins at most 1 ms per loop turn

bool isAsciiDigit(QChar c)
{
    return c >= u'0' && c <= u'9';
}

/// DNS syntax (RFC 1123 labels; underscores tolerated as resolvers do).
/// A name whose last label is all digits is a mistyped IPv4 address, not a name.
bool isHostName(QStringView host)
{
    if (host.endsWith(u'.'))
        host.chop(1);
    if (host.isEmpty() || host.size() > 253)
        return false;
    bool lastLabelNumeric = false;
    for (QStringView label : host.tokenize(u'.')) {
        if (label.isEmpty() || label.size() > 63 || label.startsWith(u'-') || label.endsWith(u'-'))
            return false;
        lastLabelNumeric = true;
        for (QChar c : label) {
            const bool letter = (c >= u'a' && c <= u'z') || (c >= u'A' && c <= u'Z');
            if (!letter && !isAsciiDigit(c) && c != u'-' && c != u'_')
                return false;
            if (!isAsciiDigit(c))
                lastLabelNumeric = false;
        }
    }
    return !lastLabelNumeric;
}

bool isIpLiteral(const QString &text, QAbstractSocket::NetworkLayerProtocol protocol)
{
    QHostAddress address;
    return address.setAddress(text) && address.protocol() == protocol;
}

bool fail(QString *error, const QString &text, const QString &why)
{
    if (error)
        *error = QStringLiteral("Invalid address \"%1\": %2.").arg(text, why);
    return false;
}

Error configError(const QString &sentence)
{
    return Error(ErrorCode::InvalidConfig, sentence);
}

/// Clamping that NodePass applies to a min/max pair: non-positive values take
/// the fallback, and a min above its max trades places with it.
template<typename T>
void clampPair(T &low, T &high, T fallback)
{
    if (low <= T{})
        low = fallback;
    if (high <= T{})
        high = fallback;
    if (low > high)
        std::swap(low, high);
}

Error checkPathSettings(qint64 streamWindow, qint64 connectionWindow, qint64 sendLimit,
                        std::chrono::microseconds busyPoll)
{
    auto inRange = [](qint64 v) { return v >= kMinBufferBytes && v <= kMaxBufferBytes; };
    if (!inRange(streamWindow))
        return configError(QStringLiteral("The stream receive window of %1 bytes is outside 64 KiB to 1 GiB.").arg(streamWindow));
    if (!inRange(connectionWindow))
        return configError(QStringLiteral("The connection receive window of %1 bytes is outside 64 KiB to 1 GiB.").arg(connectionWindow));
    if (connectionWindow < streamWindow)
        return configError(QStringLiteral("The connection receive window (%1 bytes) is smaller than a stream's (%2 bytes).")
                               .arg(connectionWindow).arg(streamWindow));
    if (!inRange(sendLimit))
        return configError(QStringLiteral("The send buffer limit of %1 bytes is outside 64 KiB to 1 GiB.").arg(sendLimit));
    if (busyPoll.count() < 0 || busyPoll > kMaxBusyPoll)
        return configError(QStringLiteral("The busy-poll time of %1 us is outside 0 (off) to 1000 us.").arg(busyPoll.count()));
    return {};
}

} // namespace

QString congestionControlName(CongestionControl algorithm)
{
    switch (algorithm) {
    case CongestionControl::Cubic:
        return QStringLiteral("cubic");
    case CongestionControl::Reno:
        return QStringLiteral("reno");
    case CongestionControl::Bbr:
        return QStringLiteral("bbr");
    }
    return QStringLiteral("unknown");
}

bool parseCongestionControl(const QString &name, CongestionControl *algorithm)
{
    for (CongestionControl a : {CongestionControl::Cubic, CongestionControl::Reno, CongestionControl::Bbr}) {
        if (name.compare(congestionControlName(a), Qt::CaseInsensitive) == 0) {
            if (algorithm)
                *algorithm = a;
            return true;
        }
    }
    return false;
}

QString retryModeName(RetryMode mode)
{
    switch (mode) {
    case RetryMode::Auto:
        return QStringLiteral("auto");
    case RetryMode::Always:
        return QStringLiteral("always");
    case RetryMode::Never:
        return QStringLiteral("never");
    }
    return QStringLiteral("unknown");
}

bool parseRetryMode(const QString &name, RetryMode *mode)
{
    for (RetryMode m : {RetryMode::Auto, RetryMode::Always, RetryMode::Never}) {
        if (name.compare(retryModeName(m), Qt::CaseInsensitive) == 0) {
            if (mode)
                *mode = m;
            return true;
        }
    }
    return false;
}

bool parseHostPort(const QString &text, QString *host, quint16 *port, QString *error)
{
    if (text.isEmpty())
        return fail(error, text, QStringLiteral("the address is empty; expected HOST:PORT"));
    for (QChar c : text) {
        if (c.isSpace())
            return fail(error, text, QStringLiteral("it contains white space"));
    }

    QString hostPart;
    QStringView portPart;
    if (text.startsWith(u'[')) {
        const qsizetype close = text.indexOf(u']');
        if (close < 0)
            return fail(error, text, QStringLiteral("the '[' has no matching ']'"));
        hostPart = text.mid(1, close - 1);
        if (hostPart.isEmpty())
            return fail(error, text, QStringLiteral("the brackets hold no IPv6 address"));
        if (!isIpLiteral(hostPart, QAbstractSocket::IPv6Protocol))
            return fail(error, text, QStringLiteral("\"%1\" is not an IPv6 address").arg(hostPart));
        if (close + 1 == text.size())
            return fail(error, text, QStringLiteral("the port is missing; expected [%1]:PORT").arg(hostPart));
        if (text.at(close + 1) != u':')
            return fail(error, text, QStringLiteral("expected ':' and a port after ']'"));
        portPart = QStringView(text).mid(close + 2);
    } else {
        const qsizetype colon = text.lastIndexOf(u':');
        if (colon < 0)
            return fail(error, text, QStringLiteral("the port is missing; expected HOST:PORT"));
        hostPart = text.left(colon);
        portPart = QStringView(text).mid(colon + 1);
        if (hostPart.contains(u':'))
            return fail(error, text, QStringLiteral("an IPv6 address needs brackets, as in [::1]:443"));
        if (hostPart.contains(u'[') || hostPart.contains(u']'))
            return fail(error, text, QStringLiteral("brackets must enclose the whole IPv6 address"));
        // Empty means "any address" (":4433"); otherwise an IPv4 literal or a name.
        if (!hostPart.isEmpty() && !isIpLiteral(hostPart, QAbstractSocket::IPv4Protocol)
            && !isHostName(hostPart)) {
            return fail(error, text, QStringLiteral("\"%1\" is neither an IP address nor a host name").arg(hostPart));
        }
    }

    if (portPart.isEmpty())
        return fail(error, text, QStringLiteral("the port is missing after ':'"));
    uint value = 0;
    for (QChar c : portPart) {
        if (!isAsciiDigit(c))
            return fail(error, text, QStringLiteral("the port \"%1\" is not a number").arg(portPart));
        value = value * 10 + uint(c.unicode() - u'0');
        if (value > 65535)
            return fail(error, text, QStringLiteral("the port %1 is above 65535").arg(portPart));
    }

    if (host)
        *host = hostPart;
    if (port)
        *port = quint16(value);
    if (error)
        error->clear();
    return true;
}

// ---------------------------------------------------------------- data

class ClientPoolConfigPrivate : public QSharedData
{
public:
    int minCapacity = 1;
    int maxCapacity = 1;
    Milliseconds minInterval{1000};
    Milliseconds maxInterval{1000};
    Milliseconds keepAlive{30000};
    TlsMode tlsMode = TlsMode::Insecure;
    QString hostname;
    QString address;
    AddressResolver resolver;
    QByteArray pinSha256;
    QList<QSslCertificate> extraCaCertificates;
    Milliseconds handshakeTimeout{10000};
    Milliseconds idReadTimeout{60000};
    QString qlogDirectory;
    Milliseconds maxBackoff{5000};
    QString caFile;
    CongestionControl congestionControl = CongestionControl::Bbr;
    qint64 maxStreamReceiveWindow = kDefaultMaxStreamWindow;
    qint64 maxConnectionReceiveWindow = kDefaultMaxConnectionWindow;
    qint64 sendBufferLimit = kDefaultSendBufferLimit;
    std::chrono::microseconds busyPoll{0};
};

QUICPOOL_VALUE_CLASS(ClientPoolConfig)
QUICPOOL_FIELD(ClientPoolConfig, int, minCapacity, setMinCapacity)
QUICPOOL_FIELD(ClientPoolConfig, int, maxCapacity, setMaxCapacity)
QUICPOOL_FIELD(ClientPoolConfig, Milliseconds, minInterval, setMinInterval)
QUICPOOL_FIELD(ClientPoolConfig, Milliseconds, maxInterval, setMaxInterval)
QUICPOOL_FIELD(ClientPoolConfig, Milliseconds, keepAlive, setKeepAlive)
QUICPOOL_FIELD(ClientPoolConfig, TlsMode, tlsMode, setTlsMode)
QUICPOOL_REF_FIELD(ClientPoolConfig, QString, hostname, setHostname)
QUICPOOL_REF_FIELD(ClientPoolConfig, QString, address, setAddress)
QUICPOOL_REF_FIELD(ClientPoolConfig, AddressResolver, resolver, setResolver)
QUICPOOL_REF_FIELD(ClientPoolConfig, QByteArray, pinSha256, setPinSha256)
QUICPOOL_REF_FIELD(ClientPoolConfig, QList<QSslCertificate>, extraCaCertificates, setExtraCaCertificates)
QUICPOOL_FIELD(ClientPoolConfig, Milliseconds, handshakeTimeout, setHandshakeTimeout)
QUICPOOL_FIELD(ClientPoolConfig, Milliseconds, idReadTimeout, setIdReadTimeout)
QUICPOOL_REF_FIELD(ClientPoolConfig, QString, qlogDirectory, setQlogDirectory)
QUICPOOL_FIELD(ClientPoolConfig, Milliseconds, maxBackoff, setMaxBackoff)
QUICPOOL_REF_FIELD(ClientPoolConfig, QString, caFile, setCaFile)
QUICPOOL_FIELD(ClientPoolConfig, CongestionControl, congestionControl, setCongestionControl)
QUICPOOL_FIELD(ClientPoolConfig, qint64, maxStreamReceiveWindow, setMaxStreamReceiveWindow)
QUICPOOL_FIELD(ClientPoolConfig, qint64, maxConnectionReceiveWindow, setMaxConnectionReceiveWindow)
QUICPOOL_FIELD(ClientPoolConfig, qint64, sendBufferLimit, setSendBufferLimit)
QUICPOOL_FIELD(ClientPoolConfig, std::chrono::microseconds, busyPoll, setBusyPoll)

class ServerPoolConfigPrivate : public QSharedData
{
public:
    int maxCapacity = 1;
    QString clientIp;
    QString listenAddress = QStringLiteral("0.0.0.0:0");
    Milliseconds keepAlive{30000};
    QString certificateFile;
    QString privateKeyFile;
    QByteArray certificatePem;
    QByteArray privateKeyPem;
    QString selfSignedName = QStringLiteral("localhost");
    bool strictHello = false;
    Milliseconds handshakeTimeout{10000};
    Milliseconds helloTimeout{60000};
    QString qlogDirectory;
    CongestionControl congestionControl = CongestionControl::Bbr;
    qint64 maxStreamReceiveWindow = kDefaultMaxStreamWindow;
    qint64 maxConnectionReceiveWindow = kDefaultMaxConnectionWindow;
    qint64 sendBufferLimit = kDefaultSendBufferLimit;
    std::chrono::microseconds busyPoll{0};
    QByteArray statelessResetKey;
    int maxPendingHandshakes = 256;
    int maxPendingHandshakesPerAddress = 32;
    RetryMode retryMode = RetryMode::Auto;
    int retryThreshold = 64;
};

QUICPOOL_VALUE_CLASS(ServerPoolConfig)
QUICPOOL_FIELD(ServerPoolConfig, int, maxCapacity, setMaxCapacity)
QUICPOOL_REF_FIELD(ServerPoolConfig, QString, clientIp, setClientIp)
QUICPOOL_REF_FIELD(ServerPoolConfig, QString, listenAddress, setListenAddress)
QUICPOOL_FIELD(ServerPoolConfig, Milliseconds, keepAlive, setKeepAlive)
QUICPOOL_REF_FIELD(ServerPoolConfig, QString, certificateFile, setCertificateFile)
QUICPOOL_REF_FIELD(ServerPoolConfig, QString, privateKeyFile, setPrivateKeyFile)
QUICPOOL_REF_FIELD(ServerPoolConfig, QByteArray, certificatePem, setCertificatePem)
QUICPOOL_REF_FIELD(ServerPoolConfig, QByteArray, privateKeyPem, setPrivateKeyPem)
QUICPOOL_REF_FIELD(ServerPoolConfig, QString, selfSignedName, setSelfSignedName)
QUICPOOL_FIELD(ServerPoolConfig, bool, strictHello, setStrictHello)
QUICPOOL_FIELD(ServerPoolConfig, Milliseconds, handshakeTimeout, setHandshakeTimeout)
QUICPOOL_FIELD(ServerPoolConfig, Milliseconds, helloTimeout, setHelloTimeout)
QUICPOOL_REF_FIELD(ServerPoolConfig, QString, qlogDirectory, setQlogDirectory)
QUICPOOL_FIELD(ServerPoolConfig, CongestionControl, congestionControl, setCongestionControl)
QUICPOOL_FIELD(ServerPoolConfig, qint64, maxStreamReceiveWindow, setMaxStreamReceiveWindow)
QUICPOOL_FIELD(ServerPoolConfig, qint64, maxConnectionReceiveWindow, setMaxConnectionReceiveWindow)
QUICPOOL_FIELD(ServerPoolConfig, qint64, sendBufferLimit, setSendBufferLimit)
QUICPOOL_FIELD(ServerPoolConfig, std::chrono::microseconds, busyPoll, setBusyPoll)
QUICPOOL_REF_FIELD(ServerPoolConfig, QByteArray, statelessResetKey, setStatelessResetKey)
QUICPOOL_FIELD(ServerPoolConfig, int, maxPendingHandshakes, setMaxPendingHandshakes)
QUICPOOL_FIELD(ServerPoolConfig, int, maxPendingHandshakesPerAddress, setMaxPendingHandshakesPerAddress)
QUICPOOL_FIELD(ServerPoolConfig, RetryMode, retryMode, setRetryMode)
QUICPOOL_FIELD(ServerPoolConfig, int, retryThreshold, setRetryThreshold)

// ---------------------------------------------------------------- rules

ClientPoolConfig ClientPoolConfig::clamped() const
{
    ClientPoolConfig c = *this;
    clampPair(c.d->minCapacity, c.d->maxCapacity, 1);
    clampPair(c.d->minInterval, c.d->maxInterval, kDefaultInterval);
    return c;
}

Error ClientPoolConfig::validate() const
{
    if (!d->resolver) {
        if (d->address.isEmpty()) {
            return Error(ErrorCode::InvalidAddress,
                         QStringLiteral("No server address given: set an address (HOST:PORT) or a resolver."));
        }
        QString host, why;
        quint16 port = 0;
        if (!parseHostPort(d->address, &host, &port, &why))
            return Error(ErrorCode::InvalidAddress, why);
        if (host.isEmpty()) {
            return Error(ErrorCode::InvalidAddress,
                         QStringLiteral("The server address \"%1\" has no host to connect to.").arg(d->address));
        }
        if (port == 0) {
            return Error(ErrorCode::InvalidAddress,
                         QStringLiteral("The server address \"%1\" needs a port from 1 to 65535.").arg(d->address));
        }
    }
    const int mode = static_cast<int>(d->tlsMode);
    if (mode < 0 || mode > 2)
        return configError(QStringLiteral("The TLS mode %1 is unknown; use 0, 1 or 2.").arg(mode));
    if (!d->hostname.isEmpty() && !isHostName(d->hostname)
        && !isIpLiteral(d->hostname, QAbstractSocket::IPv4Protocol)
        && !isIpLiteral(d->hostname, QAbstractSocket::IPv6Protocol)) {
        return configError(QStringLiteral("The TLS host name \"%1\" is not a valid host name.").arg(d->hostname));
    }
    if (!d->pinSha256.isEmpty() && d->pinSha256.size() != 32) {
        return configError(QStringLiteral("The certificate pin is %1 bytes long; a SHA-256 pin has 32.")
                               .arg(d->pinSha256.size()));
    }
    if (d->keepAlive.count() <= 0)
        return configError(QStringLiteral("The keep-alive period must be above zero."));
    if (d->handshakeTimeout.count() <= 0)
        return configError(QStringLiteral("The handshake timeout must be above zero."));
    if (d->idReadTimeout.count() <= 0)
        return configError(QStringLiteral("The stream ID timeout must be above zero."));
    if (d->maxBackoff.count() <= 0)
        return configError(QStringLiteral("The longest wait between dials must be above zero."));
    if (!d->caFile.isEmpty() && !QFileInfo(d->caFile).isReadable())
        return Error(ErrorCode::CertificateError, QStringLiteral("The CA file \"%1\" cannot be read.").arg(d->caFile));
    if (Error e = checkPathSettings(d->maxStreamReceiveWindow, d->maxConnectionReceiveWindow, d->sendBufferLimit,
                                    d->busyPoll))
        return e;
    return checkQlogDirectory(d->qlogDirectory);
}

ServerPoolConfig ServerPoolConfig::clamped() const
{
    ServerPoolConfig c = *this;
    if (c.d->maxCapacity <= 0)
        c.d->maxCapacity = 1;
    return c;
}

Error ServerPoolConfig::validate() const
{
    // Port 0 asks the system for a free port; an empty host listens on all.
    QString why;
    if (!parseHostPort(d->listenAddress, nullptr, nullptr, &why))
        return Error(ErrorCode::InvalidAddress, why);
    if (!d->clientIp.isEmpty() && !isIpLiteral(d->clientIp, QAbstractSocket::IPv4Protocol)
        && !isIpLiteral(d->clientIp, QAbstractSocket::IPv6Protocol)) {
        return Error(ErrorCode::InvalidAddress,
                     QStringLiteral("The allowed client IP \"%1\" is not an IP address.").arg(d->clientIp));
    }
    if (d->certificateFile.isEmpty() != d->privateKeyFile.isEmpty()) {
        return configError(d->certificateFile.isEmpty()
                               ? QStringLiteral("A private key file was given without its certificate file.")
                               : QStringLiteral("A certificate file was given without its private key file."));
    }
    if (d->certificatePem.isEmpty() != d->privateKeyPem.isEmpty()) {
        return configError(d->certificatePem.isEmpty()
                               ? QStringLiteral("An in-memory private key was given without its certificate.")
                               : QStringLiteral("An in-memory certificate was given without its private key."));
    }
    if (!d->certificateFile.isEmpty() && !d->certificatePem.isEmpty()) {
        return configError(QStringLiteral("Give the certificate either as files or in memory, not both."));
    }
    if (d->certificateFile.isEmpty() && d->certificatePem.isEmpty() && d->selfSignedName.isEmpty()) {
        return configError(QStringLiteral("No certificate was given and no name to generate a self-signed one for."));
    }
    if (d->keepAlive.count() <= 0)
        return configError(QStringLiteral("The keep-alive period must be above zero."));
    if (d->handshakeTimeout.count() <= 0)
        return configError(QStringLiteral("The handshake timeout must be above zero."));
    if (d->helloTimeout.count() <= 0)
        return configError(QStringLiteral("The stream hello timeout must be above zero."));
    if (d->maxPendingHandshakes < 1)
        return configError(QStringLiteral("The bound on pending handshakes must be at least 1, not %1.")
                               .arg(d->maxPendingHandshakes));
    if (d->maxPendingHandshakesPerAddress < 1)
        return configError(QStringLiteral("The bound on pending handshakes per address must be at least 1, not %1.")
                               .arg(d->maxPendingHandshakesPerAddress));
    if (d->retryThreshold < 0)
        return configError(QStringLiteral("The Retry threshold must be 0 or more, not %1.").arg(d->retryThreshold));
    {
        const int mode = static_cast<int>(d->retryMode);
        if (mode < 0 || mode > 2)
            return configError(QStringLiteral("The Retry mode %1 is unknown; use auto, always or never.").arg(mode));
    }
    if (!d->statelessResetKey.isEmpty() && d->statelessResetKey.size() < 32)
        return configError(QStringLiteral("The stateless reset key is %1 bytes long; it needs 32 or more.")
                               .arg(d->statelessResetKey.size()));
    if (Error e = checkPathSettings(d->maxStreamReceiveWindow, d->maxConnectionReceiveWindow, d->sendBufferLimit,
                                    d->busyPoll))
        return e;
    return checkQlogDirectory(d->qlogDirectory);
}

} // namespace quicpool

QUICPOOL_VALUE_CLASS_DTOR(ClientPoolConfig)
QUICPOOL_VALUE_CLASS_DTOR(ServerPoolConfig)
