#include "poolsample.h"

#include <quicpool/pool.h>

#include <QtCore/QString>

#include <algorithm>

namespace quicpool::diag {

PoolSample samplePool(const Pool &pool, double t, QStringList *readyIds)
{
    PoolSample s;
    s.t = t;
    if (readyIds) {
        // active() is the ready queue's size, set under the same lock.
        *readyIds = pool.readyIds();
        s.active = int(readyIds->size());
    } else {
        s.active = pool.active();
    }
    s.capacity = pool.capacity();
    s.intervalMs = pool.interval().count();
    s.errors = pool.errorCount();
    s.connected = pool.isConnected();
    s.stats = pool.stats();
    if (const auto *server = qobject_cast<const ServerPool *>(&pool)) {
        s.hasDefence = true;
        s.defence = server->defenceStats();
    }
    return s;
}

void deriveRates(const PoolSample &prev, PoolSample *cur)
{
    const double dt = cur->t - prev.t;
    if (prev.hasDefence && cur->hasDefence)
        cur->defenceRates = defenceRates(prev.defence, cur->defence, dt);
    const qint64 rx = cur->stats.bytesReceived() - prev.stats.bytesReceived();
    const qint64 tx = cur->stats.bytesSent() - prev.stats.bytesSent();
    // A new connection restarts the counters: show zero rather than a dip
    // below it; the first sample of a connection has no rate yet.
    if (!hasConnectionFigures(prev)) {
        cur->rxKiBps = 0;
        cur->txKiBps = 0;
        return;
    }
    cur->rxKiBps = dt > 0 && rx >= 0 ? double(rx) / 1024.0 / dt : 0;
    cur->txKiBps = dt > 0 && tx >= 0 ? double(tx) / 1024.0 / dt : 0;
}

bool hasConnectionFigures(const PoolSample &s)
{
    // A completed handshake has measured a round trip and sent packets.
    return s.connected && s.stats.smoothedRttUs() > 0 && s.stats.packetsSent() > 0;
}

QString countersLine(const PoolSample &s)
{
    const QString pooled = s.active > s.capacity
        ? QStringLiteral("capacity %1, %2 pooled (%3 above: used or closed first)")
              .arg(s.capacity).arg(s.active).arg(s.active - s.capacity)
        : QStringLiteral("active %1 / capacity %2").arg(s.active).arg(s.capacity);
    const QString rtt = hasConnectionFigures(s)
        ? QStringLiteral("%1 ms").arg(double(s.stats.smoothedRttUs()) / 1000.0, 0, 'f', 2)
        : QStringLiteral("–");
    return QStringLiteral("%1 · interval %2 ms · errors %3 · RTT %4").arg(pooled).arg(s.intervalMs).arg(s.errors).arg(rtt);
}

QByteArray samplesToCsv(const QList<PoolSample> &samples)
{
    QByteArray out = "time_s,active,capacity,interval_ms,errors,connected,srtt_ms,min_rtt_ms,latest_rtt_ms,"
                     "cwnd_bytes,bytes_in_flight,bytes_sent,bytes_received,rx_kib_s,tx_kib_s,"
                     "packets_sent,packets_received,lost_packets,congestion_events";
    const bool defence = std::any_of(samples.begin(), samples.end(), [](const PoolSample &s) { return s.hasDefence; });
    if (defence)
        out += ",pending_handshakes,pending_handshakes_peak,handshakes_started,handshakes_completed,"
               "handshakes_timed_out,retries_sent,tokens_accepted,tokens_rejected,allow_list_refusals,limit_drops,"
               "unvalidated_bytes_received,unvalidated_bytes_sent,under_flood,retries_per_s,refusals_per_s,drops_per_s";
    out += '\n';
    for (const PoolSample &s : samples) {
        out += QStringLiteral("%1,%2,%3,%4,%5,%6,%7,%8,%9,%10,%11,%12,%13,%14,%15,%16,%17,%18,%19\n")
                   .arg(s.t, 0, 'f', 3).arg(s.active).arg(s.capacity).arg(s.intervalMs).arg(s.errors)
                   .arg(s.connected ? 1 : 0)
                   .arg(double(s.stats.smoothedRttUs()) / 1000.0, 0, 'f', 3)
                   .arg(double(s.stats.minRttUs()) / 1000.0, 0, 'f', 3)
                   .arg(double(s.stats.latestRttUs()) / 1000.0, 0, 'f', 3)
                   .arg(s.stats.congestionWindow()).arg(s.stats.bytesInFlight()).arg(s.stats.bytesSent())
                   .arg(s.stats.bytesReceived()).arg(s.rxKiBps, 0, 'f', 2).arg(s.txKiBps, 0, 'f', 2)
                   .arg(s.stats.packetsSent()).arg(s.stats.packetsReceived()).arg(s.stats.lostPackets())
                   .arg(s.stats.congestionEvents())
                   .toUtf8();
        if (defence) {
            const DefenceStats &d = s.defence;
            out.chop(1);
            out += QStringLiteral(",%1,%2,%3,%4,%5,%6,%7,%8,%9,%10,%11,%12,%13,%14,%15,%16\n")
                       .arg(d.pendingHandshakes()).arg(d.pendingHandshakesPeak()).arg(d.handshakesStarted())
                       .arg(d.handshakesCompleted()).arg(d.handshakesTimedOut()).arg(d.retriesSent())
                       .arg(d.tokensAccepted()).arg(d.tokensRejected()).arg(d.allowListRefusals())
                       .arg(d.limitDrops()).arg(d.unvalidatedBytesReceived()).arg(d.unvalidatedBytesSent())
                       .arg(d.underFlood() ? 1 : 0)
                       .arg(s.defenceRates.retriesPerSecond, 0, 'f', 2)
                       .arg(s.defenceRates.refusalsPerSecond, 0, 'f', 2)
                       .arg(s.defenceRates.dropsPerSecond, 0, 'f', 2)
                       .toUtf8();
        }
    }
    return out;
}

} // namespace quicpool::diag
