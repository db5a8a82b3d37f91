// What a `quicpool bench` invocation runs: which workloads, in which
// order, how many times and at what sizes. Pure logic from BenchOptions.
#pragma once

#include "cliargs.h"

#include <QtCore/QList>
#include <QtCore/QString>

namespace quicpool::cli::bench {

struct WorkloadInfo
{
    QString name;              ///< what --workload takes
    QString title;             ///< a few words for the table
    bool needsLocalServer;     ///< cannot run against --connect
    int defaultRepeats;        ///< runs in a full (not --quick) bench without --repeat
    /// Part of a bench without --workload. The relay workload is not: it
    /// measures the test tool, not QuicPool, and runs when named.
    bool inEveryRun = true;
};

/// Every workload, in the order a full bench runs them. The baselines run
/// next to the QUIC sinks so their figures are minutes apart.
const QList<WorkloadInfo> &workloadCatalog();
/// "fill, sink1, ..." for messages.
QString workloadNames();

/// Sizes of the workloads: full figures, or seconds-long ones for CI.
struct Sizes
{
    QList<int> fillStreams;    ///< pool sizes to fill, one fresh pool each
    qint64 bytes = 0;          ///< sink1 / baselines per run; sink8 splits it over 8 streams
    int echoTrips = 0;         ///< measured round trips (after a short warm-up)
    int echoWarmup = 0;
    int getStreams = 0;        ///< ready streams per side for the get latencies
    int wakeTrials = 0;        ///< waiting-get wake-ups measured
    int memoryStreams = 0;     ///< pooled streams per side for the memory figure
    double relaySeconds = 0;   ///< length of the relay blast
};
Sizes sizesFor(bool quick, qint64 bytesOverride = 0);

struct Plan
{
    QList<WorkloadInfo> workloads;  ///< to run, in order
    int repeat = 0;                 ///< --repeat, or 0 for each workload's own default
    bool quick = false;
    QString connect;
    Sizes sizes;
    QString error;                  ///< usage error sentence; empty if fine

    /// Runs of a workload: --repeat, else 1 in --quick, else its default.
    int runsOf(const WorkloadInfo &workload) const;
};
Plan makePlan(const BenchOptions &options);

} // namespace quicpool::cli::bench
