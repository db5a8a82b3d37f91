#include "bench_plan.h"

#include <QtCore/QStringList>

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
        {QStringLiteral("get"), QStringLiteral("get latency and wake-up"), true, 1},
        {QStringLiteral("memory"), QStringLiteral("memory per idle pooled stream"), true, 1},
        {QStringLiteral("relay"), QStringLiteral("impairment relay, 1452-byte datagrams both ways"), true, 3, false},
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
    } else {
        s.fillStreams = {100, 1000, 10000};
        s.bytes = 1024LL * 1024 * 1024;
        s.echoTrips = 10000;
        s.echoWarmup = 100;
        s.getStreams = 1500;
        s.wakeTrials = 300;
        s.memoryStreams = 10000;
        s.relaySeconds = 5;
    }
    if (bytesOverride > 0)
        s.bytes = bytesOverride;
    return s;
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
