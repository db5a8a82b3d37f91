// The figures `quicpool server --metrics` and `quicpool client --metrics`
// serve on /metrics, and their text in the OpenMetrics 1.0 exposition
// format (https://github.com/OpenObservability/OpenMetrics/blob/main/specification/OpenMetrics.md),
// which Prometheus scrapes as is. Pure: the commands fill PoolMetrics from
// the public Pool API; tests check the text.
#pragma once

#include <quicpool/connectioninfo.h>
#include <QtCore/QByteArray>
#include <QtCore/QList>
#include <QtCore/QString>
#include <optional>

namespace quicpool {
class Pool;
}

namespace quicpool::cli {

/// One pool's figures; each becomes a sample labelled pool and address.
struct PoolMetrics
{
    QString pool;                 ///< "server" or "client"
    QString address;              ///< what it listens on or dials, "127.0.0.1:4433"
    qint64 active = 0;            ///< streams pooled right now
    qint64 capacity = 0;
    double intervalSeconds = 0;   ///< the refill interval (client pools)
    qint64 errors = 0;            ///< Pool::errorCount()
    qint64 connections = 0;       ///< connections up now
    qint64 streamsServed = 0;     ///< exchanges that completed
    qint64 streamsFailed = 0;     ///< exchanges that failed
    qint64 streamsRefused = 0;    ///< Pool::refusedStreamCount()
    qint64 clientsRefused = 0;    ///< server: connections refused (--client-ip)
    qint64 sentBytes = 0;         ///< UDP payload bytes of the current connection(s)
    qint64 receivedBytes = 0;
    double rttSeconds = 0;        ///< smoothed RTT; 0 before a handshake completes
    qint64 lostPackets = 0;
    /// Server pools: ServerPool::defenceStats(); its families are left out
    /// for pools without.
    std::optional<DefenceStats> defence;
};

/// The whole exposition: a # TYPE, # HELP (and # UNIT where the family has
/// one) block per metric family, a sample per pool, and the closing "# EOF".
/// The defence families (pending handshakes, Retries, ...) have samples for
/// the pools that carry DefenceStats and are left out when none does.
QByteArray formatOpenMetrics(const QList<PoolMetrics> &pools);

/// What every pool tells through the public API (active, capacity,
/// interval, errors, connected, the connection's figures), labelled; the
/// caller adds what only it knows (streams served, connections of a server).
PoolMetrics poolMetrics(const Pool &pool, const QString &name, const QString &address);

/// A label value as the format wants it: \, " and newline escaped.
QString escapeLabelValue(const QString &value);

} // namespace quicpool::cli
