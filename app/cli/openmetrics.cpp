#include "openmetrics.h"

#include <quicpool/pool.h>
#include <algorithm>
#include <functional>

namespace quicpool::cli {

namespace {

enum class Type { Gauge, Counter };

struct Family
{
    const char *name;   ///< the family; counters' samples add _total
    Type type;
    const char *unit;   ///< empty: none (the name then has no unit suffix)
    const char *help;
    std::function<QString(const PoolMetrics &)> value;
    bool defence = false;   ///< a figure of PoolMetrics::defence: only pools with one
};

/// A family of a server's DefenceStats.
Family defenceFamily(const char *name, Type type, const char *unit, const char *help,
                     qint64 (DefenceStats::*getter)() const)
{
    return {name, type, unit, help, [getter](const PoolMetrics &m) { return QString::number((*m.defence.*getter)()); },
            true};
}

QString integer(qint64 v)
{
    return QString::number(v);
}

QString real(double v)
{
    // Shortest exact form; OpenMetrics takes any float Go's ParseFloat takes.
    return QString::number(v, 'g', 17);
}

const QList<Family> &families()
{
    static const QList<Family> list = {
        {"quicpool_pool_active", Type::Gauge, "", "Streams pooled and ready right now.",
         [](const PoolMetrics &m) { return integer(m.active); }},
        {"quicpool_pool_capacity", Type::Gauge, "", "Streams the pool aims to keep ready.",
         [](const PoolMetrics &m) { return integer(m.capacity); }},
        {"quicpool_pool_interval_seconds", Type::Gauge, "seconds", "Current refill interval.",
         [](const PoolMetrics &m) { return real(m.intervalSeconds); }},
        {"quicpool_pool_errors", Type::Counter, "", "Failed attempts, as NodePass counts them.",
         [](const PoolMetrics &m) { return integer(m.errors); }},
        {"quicpool_pool_connections", Type::Gauge, "", "QUIC connections up.",
         [](const PoolMetrics &m) { return integer(m.connections); }},
        {"quicpool_pool_streams_served", Type::Counter, "", "Streams whose exchange completed.",
         [](const PoolMetrics &m) { return integer(m.streamsServed); }},
        {"quicpool_pool_streams_failed", Type::Counter, "", "Streams whose exchange failed.",
         [](const PoolMetrics &m) { return integer(m.streamsFailed); }},
        {"quicpool_pool_streams_refused", Type::Counter, "",
         "Streams refused: a server closing them unanswered, a client seeing the server refuse them.",
         [](const PoolMetrics &m) { return integer(m.streamsRefused); }},
        {"quicpool_pool_clients_refused", Type::Counter, "", "Connections refused (client IP not allowed).",
         [](const PoolMetrics &m) { return integer(m.clientsRefused); }},
        {"quicpool_pool_sent_bytes", Type::Counter, "bytes",
         "UDP payload bytes sent on the current connection(s); restarts with a new connection.",
         [](const PoolMetrics &m) { return integer(m.sentBytes); }},
        {"quicpool_pool_received_bytes", Type::Counter, "bytes",
         "UDP payload bytes received on the current connection(s); restarts with a new connection.",
         [](const PoolMetrics &m) { return integer(m.receivedBytes); }},
        {"quicpool_pool_rtt_seconds", Type::Gauge, "seconds", "Smoothed round-trip time; 0 before a handshake.",
         [](const PoolMetrics &m) { return real(m.rttSeconds); }},
        {"quicpool_pool_lost_packets", Type::Counter, "", "Packets declared lost on the current connection(s).",
         [](const PoolMetrics &m) { return integer(m.lostPackets); }},
        defenceFamily("quicpool_pool_pending_handshakes", Type::Gauge, "", "Handshakes under way now (server).",
                      &DefenceStats::pendingHandshakes),
        defenceFamily("quicpool_pool_pending_handshakes_peak", Type::Gauge, "",
                      "The most handshakes under way at once since start (server).",
                      &DefenceStats::pendingHandshakesPeak),
        defenceFamily("quicpool_pool_handshakes_started", Type::Counter, "", "Handshakes begun (server).",
                      &DefenceStats::handshakesStarted),
        defenceFamily("quicpool_pool_handshakes_completed", Type::Counter, "", "Handshakes completed (server).",
                      &DefenceStats::handshakesCompleted),
        defenceFamily("quicpool_pool_handshakes_timed_out", Type::Counter, "",
                      "Handshakes ended by the handshake timeout, all they held freed (server).",
                      &DefenceStats::handshakesTimedOut),
        defenceFamily("quicpool_pool_retries_sent", Type::Counter, "",
                      "Retry packets sent to make clients prove their address (server).", &DefenceStats::retriesSent),
        defenceFamily("quicpool_pool_tokens_accepted", Type::Counter, "",
                      "Retry and NEW_TOKEN tokens that proved a client's address (server).",
                      &DefenceStats::tokensAccepted),
        defenceFamily("quicpool_pool_tokens_rejected", Type::Counter, "",
                      "Tokens that did not: forged, expired or from another address (server).",
                      &DefenceStats::tokensRejected),
        defenceFamily("quicpool_pool_allow_list_refusals", Type::Counter, "",
                      "Initials refused before any TLS work: client IP not allowed (server).",
                      &DefenceStats::allowListRefusals),
        defenceFamily("quicpool_pool_limit_drops", Type::Counter, "",
                      "Initials dropped at the pending-handshake bounds (server).", &DefenceStats::limitDrops),
        defenceFamily("quicpool_pool_unvalidated_received_bytes", Type::Counter, "bytes",
                      "UDP payload bytes from addresses not validated yet (server).",
                      &DefenceStats::unvalidatedBytesReceived),
        defenceFamily("quicpool_pool_unvalidated_sent_bytes", Type::Counter, "bytes",
                      "UDP payload bytes sent to addresses not validated yet, at most 3x those received (server).",
                      &DefenceStats::unvalidatedBytesSent),
        {"quicpool_pool_under_flood", Type::Gauge, "",
         "1 while pending handshakes are above the Retry threshold or Retries went out in the last seconds (server).",
         [](const PoolMetrics &m) { return integer(m.defence->underFlood() ? 1 : 0); }, true},
    };
    return list;
}

} // namespace

PoolMetrics poolMetrics(const Pool &pool, const QString &name, const QString &address)
{
    PoolMetrics m;
    m.pool = name;
    m.address = address;
    m.active = pool.active();
    m.capacity = pool.capacity();
    m.intervalSeconds = double(pool.interval().count()) / 1e3;
    m.errors = pool.errorCount();
    m.streamsRefused = pool.refusedStreamCount();
    m.connections = pool.isConnected() ? 1 : 0;
    const ConnectionStats stats = pool.stats();
    m.sentBytes = stats.bytesSent();
    m.receivedBytes = stats.bytesReceived();
    m.rttSeconds = double(stats.smoothedRttUs()) / 1e6;
    m.lostPackets = stats.lostPackets();
    return m;
}

QString escapeLabelValue(const QString &value)
{
    QString out;
    out.reserve(value.size());
    for (QChar c : value) {
        if (c == u'\\')
            out += QStringLiteral("\\\\");
        else if (c == u'"')
            out += QStringLiteral("\\\"");
        else if (c == u'\n')
            out += QStringLiteral("\\n");
        else
            out += c;
    }
    return out;
}

QByteArray formatOpenMetrics(const QList<PoolMetrics> &pools)
{
    QString text;
    const bool anyDefence = std::any_of(pools.begin(), pools.end(), [](const PoolMetrics &m) { return m.defence.has_value(); });
    for (const Family &family : families()) {
        if (family.defence && !anyDefence)
            continue;
        const QString name = QLatin1String(family.name);
        const bool counter = family.type == Type::Counter;
        text += QStringLiteral("# TYPE %1 %2\n").arg(name, counter ? QStringLiteral("counter") : QStringLiteral("gauge"));
        if (*family.unit)
            text += QStringLiteral("# UNIT %1 %2\n").arg(name, QLatin1String(family.unit));
        text += QStringLiteral("# HELP %1 %2\n").arg(name, QLatin1String(family.help));
        for (const PoolMetrics &pool : pools) {
            if (family.defence && !pool.defence)
                continue;
            text += QStringLiteral("%1%2{pool=\"%3\",address=\"%4\"} %5\n")
                        .arg(name, counter ? QStringLiteral("_total") : QString(), escapeLabelValue(pool.pool),
                             escapeLabelValue(pool.address), family.value(pool));
        }
    }
    text += QStringLiteral("# EOF\n");
    return text.toUtf8();
}

} // namespace quicpool::cli
