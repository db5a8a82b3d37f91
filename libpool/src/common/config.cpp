// Pool configurations: NodePass's constructor clamping, our validation, and
// the HOST:PORT parser every address goes through.
#include <quicpool/config.h>

#include <QtNetwork/QAbstractSocket>
#include <QtNetwork/QHostAddress>
#include <utility>

namespace quicpool {

namespace {

constexpr Milliseconds kDefaultInterval{1000};

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

} // namespace

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

ClientPoolConfig ClientPoolConfig::clamped() const
{
    ClientPoolConfig c = *this;
    clampPair(c.minCapacity, c.maxCapacity, 1);
    clampPair(c.minInterval, c.maxInterval, kDefaultInterval);
    return c;
}

Error ClientPoolConfig::validate() const
{
    if (!resolver) {
        if (address.isEmpty()) {
            return Error(ErrorCode::InvalidAddress,
                         QStringLiteral("No server address given: set an address (HOST:PORT) or a resolver."));
        }
        QString host, why;
        quint16 port = 0;
        if (!parseHostPort(address, &host, &port, &why))
            return Error(ErrorCode::InvalidAddress, why);
        if (host.isEmpty()) {
            return Error(ErrorCode::InvalidAddress,
                         QStringLiteral("The server address \"%1\" has no host to connect to.").arg(address));
        }
        if (port == 0) {
            return Error(ErrorCode::InvalidAddress,
                         QStringLiteral("The server address \"%1\" needs a port from 1 to 65535.").arg(address));
        }
    }
    const int mode = static_cast<int>(tlsMode);
    if (mode < 0 || mode > 2)
        return configError(QStringLiteral("The TLS mode %1 is unknown; use 0, 1 or 2.").arg(mode));
    if (!hostname.isEmpty() && !isHostName(hostname)
        && !isIpLiteral(hostname, QAbstractSocket::IPv4Protocol)
        && !isIpLiteral(hostname, QAbstractSocket::IPv6Protocol)) {
        return configError(QStringLiteral("The TLS host name \"%1\" is not a valid host name.").arg(hostname));
    }
    if (!pinSha256.isEmpty() && pinSha256.size() != 32) {
        return configError(QStringLiteral("The certificate pin is %1 bytes long; a SHA-256 pin has 32.")
                               .arg(pinSha256.size()));
    }
    if (keepAlive.count() <= 0)
        return configError(QStringLiteral("The keep-alive period must be above zero."));
    if (handshakeTimeout.count() <= 0)
        return configError(QStringLiteral("The handshake timeout must be above zero."));
    if (idReadTimeout.count() <= 0)
        return configError(QStringLiteral("The stream ID timeout must be above zero."));
    return {};
}

ServerPoolConfig ServerPoolConfig::clamped() const
{
    ServerPoolConfig c = *this;
    if (c.maxCapacity <= 0)
        c.maxCapacity = 1;
    return c;
}

Error ServerPoolConfig::validate() const
{
    // Port 0 asks the system for a free port; an empty host listens on all.
    QString why;
    if (!parseHostPort(listenAddress, nullptr, nullptr, &why))
        return Error(ErrorCode::InvalidAddress, why);
    if (!clientIp.isEmpty() && !isIpLiteral(clientIp, QAbstractSocket::IPv4Protocol)
        && !isIpLiteral(clientIp, QAbstractSocket::IPv6Protocol)) {
        return Error(ErrorCode::InvalidAddress,
                     QStringLiteral("The allowed client IP \"%1\" is not an IP address.").arg(clientIp));
    }
    if (certificateFile.isEmpty() != privateKeyFile.isEmpty()) {
        return configError(certificateFile.isEmpty()
                               ? QStringLiteral("A private key file was given without its certificate file.")
                               : QStringLiteral("A certificate file was given without its private key file."));
    }
    if (certificatePem.isEmpty() != privateKeyPem.isEmpty()) {
        return configError(certificatePem.isEmpty()
                               ? QStringLiteral("An in-memory private key was given without its certificate.")
                               : QStringLiteral("An in-memory certificate was given without its private key."));
    }
    if (!certificateFile.isEmpty() && !certificatePem.isEmpty()) {
        return configError(QStringLiteral("Give the certificate either as files or in memory, not both."));
    }
    if (certificateFile.isEmpty() && certificatePem.isEmpty() && selfSignedName.isEmpty()) {
        return configError(QStringLiteral("No certificate was given and no name to generate a self-signed one for."));
    }
    if (keepAlive.count() <= 0)
        return configError(QStringLiteral("The keep-alive period must be above zero."));
    if (handshakeTimeout.count() <= 0)
        return configError(QStringLiteral("The handshake timeout must be above zero."));
    if (helloTimeout.count() <= 0)
        return configError(QStringLiteral("The stream hello timeout must be above zero."));
    return {};
}

} // namespace quicpool
