#include "bench_wan.h"

#include "bench_workloads.h"
#include "units.h"

#include <quicpool/relay/relay.h>
#include <memory>

namespace quicpool::cli::bench {

namespace {

constexpr double kMB = 1e6;

/// The relay, made, started and deleted on its own thread.
class RelayOnThread
{
public:
    RelayOnThread() = default;
    ~RelayOnThread() { stop(); }
    RelayOnThread(const RelayOnThread &) = delete;
    RelayOnThread &operator=(const RelayOnThread &) = delete;

    bool start(const relay::RelayConfig &config, QString *error)
    {
        // By value: a call that times out may still run after we return.
        auto why = std::make_shared<QString>();
        const bool ran = m_thread.run([this, config, why] {
            m_relay = new relay::Relay(config);
            if (!m_relay->start())
                *why = QStringLiteral("the relay did not start: %1").arg(m_relay->errorString());
        });
        *error = ran ? *why : QStringLiteral("the relay thread did not start the relay in time");
        return ran && why->isEmpty();
    }
    void stop()
    {
        if (!m_relay)
            return;
        relay::Relay *relay = m_relay;
        m_relay = nullptr;
        m_thread.run([relay] { delete relay; });
    }
    quint16 port() const { return m_relay ? m_relay->listenPort() : 0; }
    relay::RelayStats stats() const { return m_relay ? m_relay->stats() : relay::RelayStats(); }

private:
    WorkerThread m_thread;
    relay::Relay *m_relay = nullptr;
};

} // namespace

QJsonObject wanAttributes(const WanCase &c)
{
    return QJsonObject{
        {QStringLiteral("profile"), c.profile.name},
        {QStringLiteral("cc"), congestionControlName(c.congestionControl)},
        {QStringLiteral("round_trip_ms"), double(c.profile.roundTrip.count())},
        {QStringLiteral("loss_percent"), c.profile.loss * 100.0},
        {QStringLiteral("link_mb_per_s"), double(c.profile.rate) / kMB},
        {QStringLiteral("bytes"), double(c.bytes)},
    };
}

RunOutcome runWan(const WorkloadContext &context, const WanCase &c)
{
    if (!context.connect.isEmpty())
        return RunOutcome::skip(QStringLiteral("runs its own relay and sink server in-process; it takes no --connect"));
    if (c.profile.rate <= 0)
        return RunOutcome::failure(QStringLiteral("path %1 has no link rate to compare with").arg(c.profile.name));

    QuicServer server(context.worker);
    QString error;
    if (!server.start(8, workload::Mode::Sink, &error, c.congestionControl))
        return RunOutcome::failure(error);

    relay::RelayConfig config;
    config.listenAddress = QHostAddress(QHostAddress::LocalHost);
    config.upstreamAddress = QHostAddress(QHostAddress::LocalHost);
    config.upstreamPort = server.port();
    RelayOnThread relay;
    if (!relay.start(c.profile.applyTo(config), &error))
        return RunOutcome::failure(error);

    const QString address = QStringLiteral("127.0.0.1:%1").arg(relay.port());
    // The pool never refills while we measure: one stream, taken once.
    ClientPool client(benchClientConfig(address, 1, Milliseconds(60000), c.congestionControl));
    if (!client.start())
        return RunOutcome::failure(QStringLiteral("the client pool did not start: %1").arg(client.lastError().toString()));
    // The handshake and the stream's hello take a few round trips (1.8 s on a satellite path, more on loss).
    if (!spinUntil([&] { return client.active() >= 1; }, 30s)) {
        return RunOutcome::failure(QStringLiteral("no stream was pooled through the relay after 30 s%1")
                                       .arg(client.lastError().isError()
                                                ? QStringLiteral(" (last error: %1)").arg(client.lastError().toString())
                                                : QString()));
    }

    context.progress(QStringLiteral("wan: %1 over %2 (%3) with %4")
                         .arg(formatBytes(c.bytes), c.profile.name, c.profile.description,
                              congestionControlName(c.congestionControl)));
    const relay::RelayStats before = relay.stats();
    const SinkTransfer t = sinkTransfer(&client, 1, c.bytes, c.timeout);
    const relay::RelayStats after = relay.stats();
    const ConnectionStats stats = client.connectionInfo().stats();
    client.close();
    relay.stop();
    server.stop();
    if (!t.failure.isEmpty()) {
        return RunOutcome::failure(QStringLiteral("%1 with %2: %3")
                                       .arg(c.profile.name, congestionControlName(c.congestionControl), t.failure));
    }

    const double mbPerS = double(c.bytes) / kMB / t.seconds;
    const double linkMbPerS = double(c.profile.rate) / kMB;
    RunOutcome out;
    out.add(QStringLiteral("mb_per_s"), QStringLiteral("MB/s"), mbPerS);
    out.add(QStringLiteral("link_fraction"), QStringLiteral("of link"), mbPerS / linkMbPerS);
    out.add(QStringLiteral("peak_cwnd_bytes"), QStringLiteral("bytes"), double(stats.peakCongestionWindow()));
    out.add(QStringLiteral("peak_in_flight_bytes"), QStringLiteral("bytes"), double(stats.peakBytesInFlight()));
    out.add(QStringLiteral("lost_packets"), QStringLiteral("packets"), double(stats.lostPackets()));
    out.add(QStringLiteral("min_rtt_ms"), QStringLiteral("ms"), double(stats.minRttUs()) / 1000.0);
    out.add(QStringLiteral("seconds"), QStringLiteral("s"), t.seconds);
    quint64 queueDrops = 0, lossDrops = 0;
    for (relay::Direction d : {relay::Direction::Up, relay::Direction::Down}) {
        queueDrops += after.direction(d).droppedQueue - before.direction(d).droppedQueue;
        lossDrops += after.direction(d).droppedLoss - before.direction(d).droppedLoss;
    }
    out.add(QStringLiteral("relay_queue_drops"), QStringLiteral("datagrams"), double(queueDrops));
    out.add(QStringLiteral("relay_loss_drops"), QStringLiteral("datagrams"), double(lossDrops));
    out.note(QStringLiteral("%1 bytes over one stream, cold connection; timed from the first write to the sink's "
                            "16-byte reply; client (the sender), relay and server on three threads of one process")
                 .arg(c.bytes));
    out.note(QStringLiteral("path %1: %2; %3 MB/s link, %4-byte largest UDP payload, 100 ms queue")
                 .arg(c.profile.name, c.profile.description)
                 .arg(linkMbPerS)
                 .arg(c.profile.mtu));
    return out;
}

} // namespace quicpool::cli::bench
