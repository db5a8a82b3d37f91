#include "runcheck.h"

#include "units.h"

#include <QtCore/QJsonArray>
#include <QtCore/QJsonDocument>
#include <QtCore/QJsonObject>

namespace quicpool::cli {

QString formatStreamLine(const QString &id, qint64 bytes, double milliseconds, bool ok, const QString &why)
{
    QString line = QStringLiteral("stream %1 bytes=%2 ms=%3 ")
                       .arg(id)
                       .arg(bytes)
                       .arg(QString::number(milliseconds, 'f', 1));
    if (ok)
        return line + QStringLiteral("ok");
    return line + QStringLiteral("fail: ") + (why.isEmpty() ? QStringLiteral("unknown error") : why);
}

double summaryMbps(const ClientSummary &summary)
{
    return megabytesPerSecond(summary.bytes, summary.seconds);
}

QByteArray summaryJson(const ClientSummary &summary, const IntervalSummary *intervals)
{
    QJsonObject object;
    object.insert(QStringLiteral("streams"), summary.streams);
    object.insert(QStringLiteral("ok"), summary.ok);
    object.insert(QStringLiteral("failed"), summary.failed);
    object.insert(QStringLiteral("bytes"), summary.bytes);
    object.insert(QStringLiteral("seconds"), summary.seconds);
    object.insert(QStringLiteral("mbps"), summaryMbps(summary));
    if (intervals) {
        object.insert(QStringLiteral("sent_bytes"), intervals->sentBytes);
        object.insert(QStringLiteral("received_bytes"), intervals->receivedBytes);
        QJsonArray array;
        for (const IntervalFigures &interval : intervals->intervals)
            array.append(intervalJson(interval));
        object.insert(QStringLiteral("intervals"), array);
    }
    return QJsonDocument(object).toJson(QJsonDocument::Compact);
}

QString summaryLine(const ClientSummary &summary)
{
    return QStringLiteral("streams=%1 ok=%2 failed=%3 bytes=%4 seconds=%5 mbps=%6")
        .arg(summary.streams)
        .arg(summary.ok)
        .arg(summary.failed)
        .arg(summary.bytes)
        .arg(QString::number(summary.seconds, 'f', 3))
        .arg(QString::number(summaryMbps(summary), 'f', 2));
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
    case ErrorCode::Unauthorized:
        return true;
    default:
        return false;
    }
}

QString waitExpiredReason(Milliseconds waited, bool connected, const Error &lastError)
{
    if (!connected) {
        return QStringLiteral("no connection after %1: %2")
            .arg(formatDuration(waited),
                 lastError.isError() ? lastError.toString() : QStringLiteral("the server did not answer"));
    }
    return QStringLiteral("no stream became ready within %1 (%2)")
        .arg(formatDuration(waited),
             lastError.isError() ? lastError.toString() : QStringLiteral("the server did not answer"));
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
