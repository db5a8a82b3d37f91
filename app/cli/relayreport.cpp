#include "relayreport.h"

#include "units.h"

#include <QtCore/QJsonDocument>
#include <QtCore/QJsonObject>
#include <chrono>

namespace quicpool::cli {

namespace {

using relay::DirectionStats;

QString ms(double value)
{
    return QString::number(value, 'f', 2) + QStringLiteral(" ms");
}

/// A duration of the config as the CLI writes durations.
QString duration(relay::RelayConfig::Duration d)
{
    const auto whole = std::chrono::duration_cast<Milliseconds>(d);
    if (whole == d)
        return formatDuration(whole);
    return QStringLiteral("%1us").arg(d.count());
}

QJsonObject directionJson(const DirectionStats &s)
{
    QJsonObject dropped;
    dropped.insert(QStringLiteral("loss"), qint64(s.droppedLoss));
    dropped.insert(QStringLiteral("mtu"), qint64(s.droppedMtu));
    dropped.insert(QStringLiteral("queue"), qint64(s.droppedQueue));
    dropped.insert(QStringLiteral("blackhole"), qint64(s.droppedBlackhole));
    dropped.insert(QStringLiteral("failed"), qint64(s.droppedFailed));
    QJsonObject delay;
    delay.insert(QStringLiteral("avg"), s.queueDelayAverageMs());
    delay.insert(QStringLiteral("max"), s.queueDelayMaxMs());
    QJsonObject o;
    o.insert(QStringLiteral("datagrams_in"), qint64(s.datagramsIn));
    o.insert(QStringLiteral("bytes_in"), qint64(s.bytesIn));
    o.insert(QStringLiteral("datagrams_out"), qint64(s.datagramsOut));
    o.insert(QStringLiteral("bytes_out"), qint64(s.bytesOut));
    o.insert(QStringLiteral("dropped"), dropped);
    o.insert(QStringLiteral("duplicated"), qint64(s.duplicated));
    o.insert(QStringLiteral("reordered"), qint64(s.reordered));
    o.insert(QStringLiteral("corrupted"), qint64(s.corrupted));
    o.insert(QStringLiteral("queued"), qint64(s.queued));
    o.insert(QStringLiteral("queue_delay_ms"), delay);
    return o;
}

/// Counts of `now` minus `before`, for the figures of one interval.
DirectionStats minus(const DirectionStats &now, const DirectionStats &before)
{
    DirectionStats d = now;
    d.datagramsIn -= before.datagramsIn;
    d.bytesIn -= before.bytesIn;
    d.datagramsOut -= before.datagramsOut;
    d.bytesOut -= before.bytesOut;
    d.droppedBlackhole -= before.droppedBlackhole;
    d.droppedMtu -= before.droppedMtu;
    d.droppedLoss -= before.droppedLoss;
    d.droppedQueue -= before.droppedQueue;
    d.droppedFailed -= before.droppedFailed;
    d.duplicated -= before.duplicated;
    d.reordered -= before.reordered;
    d.corrupted -= before.corrupted;
    d.queueDelaySamples -= before.queueDelaySamples;
    d.queueDelaySumNs -= before.queueDelaySumNs;
    return d;  // queued and queueDelayMaxNs stay as they are now
}

QString intervalPart(const char *name, const DirectionStats &d, double seconds)
{
    QString line = QStringLiteral("%1 %2 in %3 out %4, dropped %5")
                       .arg(QLatin1String(name))
                       .arg(d.datagramsIn)
                       .arg(d.datagramsOut)
                       .arg(formatRate(qint64(d.bytesOut), seconds))
                       .arg(d.dropped());
    const QString causes = dropCauses(d);
    if (!causes.isEmpty())
        line += QStringLiteral(" (%1)").arg(causes);
    return line;
}

QString summaryPart(const char *name, const DirectionStats &s)
{
    QString dropped = QString::number(s.dropped());
    if (const QString causes = dropCauses(s); !causes.isEmpty())
        dropped += QStringLiteral(" (%1)").arg(causes);
    return QStringLiteral("%1: %2 datagrams in (%3), %4 out (%5); dropped %6; duplicated %7, reordered %8, "
                          "corrupted %9; queue delay avg %10, max %11")
        .arg(QLatin1String(name))
        .arg(s.datagramsIn)
        .arg(formatBytes(qint64(s.bytesIn)))
        .arg(s.datagramsOut)
        .arg(formatBytes(qint64(s.bytesOut)))
        .arg(dropped)
        .arg(s.duplicated)
        .arg(s.reordered)
        .arg(s.corrupted)
        .arg(ms(s.queueDelayAverageMs()), ms(s.queueDelayMaxMs()));
}

} // namespace

QString relayPathLine(const relay::RelayConfig &c)
{
    QStringList parts;
    if (c.delay.count() > 0)
        parts << QStringLiteral("delay %1 each way").arg(duration(c.delay));
    if (c.jitter.count() > 0)
        parts << QStringLiteral("jitter %1").arg(duration(c.jitter));
    if (c.rate > 0)
        parts << QStringLiteral("rate %1 (queue %2)").arg(formatBitRate(c.rate), duration(c.queue));
    if (c.mtu < relay::kMaxDatagramSize)
        parts << QStringLiteral("mtu %1").arg(c.mtu);
    if (c.lossUp > 0 || c.lossDown > 0) {
        parts << (c.lossUp == c.lossDown
                      ? QStringLiteral("loss %1").arg(formatPercent(c.lossUp))
                      : QStringLiteral("loss %1 up / %2 down").arg(formatPercent(c.lossUp), formatPercent(c.lossDown)));
    }
    if (c.reorder > 0)
        parts << QStringLiteral("reorder %1").arg(formatPercent(c.reorder));
    if (c.duplicate > 0)
        parts << QStringLiteral("duplicate %1").arg(formatPercent(c.duplicate));
    if (c.corrupt > 0)
        parts << QStringLiteral("corrupt %1").arg(formatPercent(c.corrupt));
    if (c.blackholeFor.count() > 0)
        parts << QStringLiteral("blackhole %1+%2").arg(duration(c.blackholeAt), duration(c.blackholeFor));
    if (c.rebindEvery.count() > 0)
        parts << QStringLiteral("rebind every %1").arg(duration(c.rebindEvery));
    if (parts.isEmpty())
        parts << QStringLiteral("no impairment");
    parts << QStringLiteral("seed %1").arg(c.seed);
    return QStringLiteral("path: ") + parts.join(QStringLiteral(", "));
}

QString dropCauses(const DirectionStats &s)
{
    QStringList causes;
    const std::pair<const char *, quint64> counts[] = {
        {"blackhole", s.droppedBlackhole}, {"mtu", s.droppedMtu}, {"loss", s.droppedLoss},
        {"queue", s.droppedQueue},         {"failed", s.droppedFailed},
    };
    for (const auto &[name, count] : counts) {
        if (count > 0)
            causes << QStringLiteral("%1 %2").arg(QLatin1String(name)).arg(count);
    }
    return causes.join(QStringLiteral(", "));
}

QString relayIntervalLine(const relay::RelayStats &before, const relay::RelayStats &now)
{
    const double seconds = double(now.elapsedNs - before.elapsedNs) / 1e9;
    const DirectionStats up = minus(now.up, before.up);
    const DirectionStats down = minus(now.down, before.down);
    return QStringLiteral("%1 | %2 | queue delay up %3 (max %4), down %5 (max %6)")
        .arg(intervalPart("up", up, seconds), intervalPart("down", down, seconds), ms(up.queueDelayAverageMs()),
             ms(up.queueDelayMaxMs()), ms(down.queueDelayAverageMs()), ms(down.queueDelayMaxMs()));
}

QStringList relaySummaryLines(const relay::RelayStats &s)
{
    return {summaryPart("up", s.up), summaryPart("down", s.down),
            QStringLiteral("%1 s, clients %2, rebinds %3, mappings expired %4")
                .arg(QString::number(s.seconds(), 'f', 3))
                .arg(s.clientsSeen)
                .arg(s.rebinds)
                .arg(s.expired)};
}

QByteArray relayJson(const relay::RelayStats &s, const QString &listen, const QString &to, quint64 seed)
{
    QJsonObject o;
    o.insert(QStringLiteral("listen"), listen);
    o.insert(QStringLiteral("to"), to);
    o.insert(QStringLiteral("seconds"), s.seconds());
    // A JSON number is a double: a 64-bit seed is exact only as a string.
    o.insert(QStringLiteral("seed"), QString::number(seed));
    o.insert(QStringLiteral("clients"), qint64(s.clientsSeen));
    o.insert(QStringLiteral("rebinds"), qint64(s.rebinds));
    o.insert(QStringLiteral("up"), directionJson(s.up));
    o.insert(QStringLiteral("down"), directionJson(s.down));
    return QJsonDocument(o).toJson(QJsonDocument::Compact);
}

} // namespace quicpool::cli
