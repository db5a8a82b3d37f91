#include "bench_plan.h"

#include <QtCore/QStringList>
#include <algorithm>

namespace quicpool::cli::bench {

const QList<WorkloadInfo> &workloadCatalog()
{
    // Throughput runs three times by default: the quic-go figures in
    // docs/PERFORMANCE.md are medians of three. Latency workloads already take thousands of samples.
    static const QList<WorkloadInfo> catalog = {
        {QStringLiteral("fill"), QStringLiteral("pool fill time"), true, 3},
        {QStringLiteral("tcp"), QStringLiteral("plain TCP baseline, 1 connection"), false, 3},
        {QStringLiteral("tls"), QStringLiteral("TLS 1.3 over TCP baseline, 1 connection"), false, 3},
        {QStringLiteral("sink1"), QStringLiteral("QUIC sink, 1 stream"), false, 3},
        {QStringLiteral("sink8"), QStringLiteral("QUIC sink, 8 streams on 1 connection"), false, 3},
        {QStringLiteral("echo"), QStringLiteral("64-byte echo round trip"), true, 1},
        {QStringLiteral("udp"), QStringLiteral("bare UDP ping-pong baseline"), true, 1},
        {QStringLiteral("get"), QStringLiteral("get latency and wake-up"), true, 1},
        {QStringLiteral("memory"), QStringLiteral("memory per idle pooled stream"), true, 1},
        {QStringLiteral("handshake"), QStringLiteral("full QUIC handshakes per second"), false, 3},
        {QStringLiteral("relay"), QStringLiteral("impairment relay, 1452-byte datagrams both ways"), true, 3, false},
        // Minutes long (a satellite path with CUBIC crawls): run when named, once.
        {QStringLiteral("wan"), QStringLiteral("one stream through an emulated internet path"), true, 1, false},
    };
    return catalog;
}

QString workloadNames()
{
    QStringList names;
    for (const WorkloadInfo &w : workloadCatalog())
        names.append(w.name);
    return names.join(QStringLiteral(", "));
}

Sizes sizesFor(bool quick, qint64 bytesOverride)
{
    Sizes s;
    if (quick) {
        s.fillStreams = {100};
        s.bytes = 16 * 1024 * 1024;
        s.echoTrips = 1000;
        s.echoWarmup = 20;
        s.getStreams = 120;
        s.wakeTrials = 40;
        s.memoryStreams = 1000;
        s.relaySeconds = 1;
        s.handshakeSeconds = 2;
        s.handshakeParallel = 8;
    } else {
        s.fillStreams = {100, 1000, 10000};
        s.bytes = 1024LL * 1024 * 1024;
        s.echoTrips = 10000;
        s.echoWarmup = 100;
        s.getStreams = 1500;
        s.wakeTrials = 300;
        s.memoryStreams = 10000;
        s.relaySeconds = 5;
        s.handshakeSeconds = 10;
        s.handshakeParallel = 8;
    }
    if (bytesOverride > 0)
        s.bytes = bytesOverride;
    return s;
}

QString WanCase::name() const
{
    return QStringLiteral("wan.%1.%2").arg(profile.name, congestionControlName(congestionControl));
}

qint64 wanBytes(const relay::PathProfile &profile, bool quick)
{
    constexpr qint64 MiB = 1024 * 1024;
    // CUBIC and Reno move about 0.1 MB/s on a long path losing 0.5%.
    if (profile.loss > 0 && profile.roundTrip >= std::chrono::milliseconds(300))
        return (quick ? 1 : 8) * MiB;
    if (profile.loss > 0)
        return (quick ? 2 : 16) * MiB;
    return (quick ? 8 : 128) * MiB;
}

std::chrono::milliseconds wanTimeout(qint64 bytes)
{
    // min() first: a --bytes near 2^63 must not overflow the product.
    const qint64 ms = 30000 + std::min<qint64>(bytes, qint64(1) << 40) * 25000 / (1024 * 1024);
    return std::chrono::milliseconds(std::min<qint64>(ms, 600000));
}

int Plan::runsOf(const WorkloadInfo &workload) const
{
    if (repeat > 0)
        return repeat;
    return quick ? 1 : workload.defaultRepeats;
}

Plan makePlan(const BenchOptions &options)
{
    Plan plan;
    plan.quick = options.quick;
    plan.connect = options.connect;
    plan.repeat = options.repeat.value_or(0);
    if (options.bytes && *options.bytes < 1) {
        plan.error = QStringLiteral("--bytes must be at least 1 byte.");
        return plan;
    }
    plan.sizes = sizesFor(options.quick, options.bytes.value_or(0));
    const bool wan = options.workload == u"wan";
    if (!options.profiles.isEmpty() && !wan) {
        plan.error = QStringLiteral("--profile chooses the paths of the wan workload; add --workload wan.");
        return plan;
    }
    if (options.congestionControl == u"all" && !wan) {
        plan.error = QStringLiteral("--cc all compares the controllers on the wan workload only; add --workload "
                                    "wan, or name one of cubic, reno, bbr.");
        return plan;
    }
    QList<CongestionControl> controllers;
    if (options.congestionControl == u"all") {
        controllers = {CongestionControl::Bbr, CongestionControl::Cubic, CongestionControl::Reno};
    } else if (!options.congestionControl.isEmpty()) {
        CongestionControl cc{};
        if (!parseCongestionControl(options.congestionControl, &cc)) {
            plan.error = QStringLiteral("--cc takes cubic, reno, bbr or all, not \"%1\".").arg(options.congestionControl);
            return plan;
        }
        plan.congestionControl = cc;
        controllers = {cc};
    } else {
        controllers = {ClientPoolConfig().congestionControl()};
    }
    if (wan) {
        QList<relay::PathProfile> profiles;
        if (options.profiles.isEmpty())
            profiles = relay::pathProfiles();
        for (const QString &name : options.profiles) {
            const std::optional<relay::PathProfile> p = relay::pathProfile(name);
            if (!p) {
                plan.error = QStringLiteral("Unknown path profile \"%1\"; use one of %2.")
                                 .arg(name, relay::pathProfileNames());
                return plan;
            }
            profiles.append(*p);
        }
        for (const relay::PathProfile &p : profiles) {
            for (CongestionControl cc : controllers) {
                const qint64 bytes = options.bytes.value_or(wanBytes(p, options.quick));
                plan.wanCases.append({p, cc, bytes, wanTimeout(bytes)});
            }
        }
    }
    if (options.workload.isEmpty()) {
        for (const WorkloadInfo &w : workloadCatalog())
            if (w.inEveryRun)
                plan.workloads.append(w);
        return plan;
    }
    for (const WorkloadInfo &w : workloadCatalog()) {
        if (w.name == options.workload) {
            plan.workloads = {w};
            return plan;
        }
    }
    plan.error = QStringLiteral("Unknown workload \"%1\"; use one of %2.").arg(options.workload, workloadNames());
    return plan;
}

} // namespace quicpool::cli::bench
