#include "runcheck.h"

#include "units.h"

#include <QtCore/QStringList>
#include <array>

namespace quicpool::cli {

namespace {

constexpr qint64 kPeriod = 251;
// Whole periods only, so that the byte at index k is always k % 251.
constexpr qint64 kWindowSize = kPeriod * 262;   // 65762 bytes

const std::array<char, kWindowSize> &window()
{
    static const std::array<char, kWindowSize> bytes = [] {
        std::array<char, kWindowSize> b{};
        fillPattern(b.data(), kWindowSize, 0);
        return b;
    }();
    return bytes;
}

QString mismatchText(const PatternChecker &checker, const char *what)
{
    return QStringLiteral("%1 of %2 bytes %3 (first at offset %4)")
        .arg(checker.mismatches())
        .arg(checker.total())
        .arg(QLatin1String(what))
        .arg(checker.firstMismatch());
}

} // namespace

const char *PatternWindow::at(uint64_t offset)
{
    return window().data() + offset % uint64_t(kPeriod);
}

qint64 PatternWindow::chunkSize()
{
    return kWindowSize - (kPeriod - 1);
}

QString echoVerdict(qint64 sent, const PatternChecker &received)
{
    QStringList problems;
    const qint64 total = qint64(received.total());
    if (total < sent)
        problems << QStringLiteral("got back %1 of %2 bytes before the stream ended").arg(total).arg(sent);
    else if (total > sent)
        problems << QStringLiteral("got back %1 bytes, more than the %2 sent").arg(total).arg(sent);
    if (!received.isClean())
        problems << mismatchText(received, "came back changed");
    return problems.join(QStringLiteral("; "));
}

QString sinkVerdict(qint64 sent, QByteArrayView reply)
{
    SinkReply decoded;
    if (!decodeSinkReply(reply, &decoded)) {
        if (reply.isEmpty())
            return QStringLiteral("the server ended the stream without its %1-byte reply").arg(kSinkReplySize);
        return QStringLiteral("the reply was %1 bytes, not %2").arg(reply.size()).arg(kSinkReplySize);
    }
    QStringList problems;
    if (decoded.total != uint64_t(sent)) {
        problems << QStringLiteral("the server counted %1 bytes, not the %2 sent").arg(decoded.total).arg(sent);
    }
    if (decoded.mismatches != 0)
        problems << QStringLiteral("the server saw %1 bytes differ from the pattern").arg(decoded.mismatches);
    return problems.join(QStringLiteral("; "));
}

QString sourceVerdict(qint64 asked, const PatternChecker &received)
{
    QStringList problems;
    const qint64 total = qint64(received.total());
    if (total < asked)
        problems << QStringLiteral("received %1 of %2 bytes before the stream ended").arg(total).arg(asked);
    else if (total > asked)
        problems << QStringLiteral("received %1 bytes, more than the %2 asked for").arg(total).arg(asked);
    if (!received.isClean())
        problems << mismatchText(received, "differ from the pattern");
    return problems.join(QStringLiteral("; "));
}

bool isFatalStartError(ErrorCode code)
{
    switch (code) {
    case ErrorCode::InvalidAddress:
    case ErrorCode::InvalidConfig:
    case ErrorCode::ResolveFailed:
    case ErrorCode::CertificateError:
    case ErrorCode::TlsHandshakeFailed:
    case ErrorCode::PinMismatch:
    case ErrorCode::HandshakeTimeout:
    case ErrorCode::Unauthorized:
        return true;
    default:
        return false;
    }
}

QString formatHostPort(const QHostAddress &address, quint16 port)
{
    if (address.protocol() == QAbstractSocket::IPv6Protocol) {
        // An IPv4-mapped address (::ffff:a.b.c.d) reads better as the IPv4
        // address it is; "::" and every other IPv6 address keep their form.
        const Q_IPV6ADDR raw = address.toIPv6Address();
        bool mapped = raw[10] == 0xff && raw[11] == 0xff;
        for (int i = 0; i < 10; ++i)
            mapped = mapped && raw[i] == 0;
        if (mapped)
            return QStringLiteral("%1:%2").arg(QHostAddress(address.toIPv4Address()).toString()).arg(port);
        return QStringLiteral("[%1]:%2").arg(address.toString()).arg(port);
    }
    return QStringLiteral("%1:%2").arg(address.toString()).arg(port);
}

QString formatDemoLine(const DemoFigures &f)
{
    QString cwnd = formatBytes(f.cwnd);
    cwnd.remove(u' ');
    return QStringLiteral("t=%1s client active=%2 cap=%3 interval=%4ms errors=%5 | server active=%6 "
                          "serving=%7 conns=%8 | rtt=%9ms cwnd=%10 | echo ok=%11 fail=%12")
        .arg(f.seconds)
        .arg(f.clientActive)
        .arg(f.clientCapacity)
        .arg(f.clientIntervalMs)
        .arg(f.clientErrors)
        .arg(f.serverActive)
        .arg(f.serverServing)
        .arg(f.serverConnections)
        .arg(QString::number(double(f.smoothedRttUs) / 1000.0, 'f', 2))
        .arg(cwnd)
        .arg(f.echoOk)
        .arg(f.echoFailed);
}

} // namespace quicpool::cli
