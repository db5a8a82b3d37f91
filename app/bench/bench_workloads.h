// The QUIC workloads of `quicpool bench`. Each call is one run: it sets up
// its own pools (server on the worker thread, client on the calling thread,
// which must have no running event loop of its own), measures, tears down
// and returns the figures. Every wait is bounded in time.
#pragma once

#include "bench_harness.h"
#include "bench_report.h"

namespace quicpool::cli::bench {

/// Time from ClientPool::start() to active() == N for each N in
/// sizes.fillStreams, a fresh server (maxCapacity N) and client (min = max = N) each.
RunOutcome runFill(const WorkloadContext &context);
/// What one sink transfer over a client pool's ready streams came to.
struct SinkTransfer
{
    QString failure;        ///< empty: every stream's verdict was ok
    double seconds = 0;     ///< first write to the last verdict (to the deadline on a timeout)
    double cpuSeconds = 0;  ///< process CPU meanwhile
    qint64 written = 0;     ///< bytes written to the streams, the sink's protocol bytes included
};
/// Takes `streams` ready streams of `client` and sends `total` bytes over
/// them to a sink server, split evenly, each with a workload::StreamRunner.
/// Fails after `timeout`. sendBuffer > 0 sets each stream's send buffer.
SinkTransfer sinkTransfer(ClientPool *client, int streams, qint64 total, std::chrono::milliseconds timeout,
                          qint64 sendBuffer = 0);
/// One or more streams on one connection each carry their share of
/// sizes.bytes to a sink server (in-process, or context.connect), which
/// counts, checks and answers. MB/s of the whole, CPU seconds per GiB.
RunOutcome runSink(const WorkloadContext &context, int streams);
/// 64-byte round trips on one taken stream against an echo server.
RunOutcome runEcho(const WorkloadContext &context);
/// incomingGet / outgoingGet latency with streams ready (try, async and
/// blocking forms), and the wake-up of a waiting outgoingGetAsync.
RunOutcome runGet(const WorkloadContext &context);
/// Resident and heap bytes per idle pooled stream at sizes.memoryStreams.
RunOutcome runMemory(const WorkloadContext &context);

} // namespace quicpool::cli::bench
