// What a `quicpool bench` invocation runs: which workloads, in which
// order, how many times and at what sizes. Pure logic from BenchOptions.
#pragma once

#include "cliargs.h"

#include <quicpool/relay/pathprofile.h>
#include <QtCore/QList>
#include <QtCore/QString>
#include <chrono>
#include <optional>

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
    double handshakeSeconds = 0;  ///< how long the handshake workload dials
    int handshakeParallel = 0;    ///< dials under way at once
};
Sizes sizesFor(bool quick, qint64 bytesOverride = 0);

/// One transfer of the wan workload: a path, a congestion controller, how
/// much to send and how long it may take.
struct WanCase
{
    relay::PathProfile profile;
    CongestionControl congestionControl = CongestionControl::Bbr;
    qint64 bytes = 0;
    std::chrono::milliseconds timeout{0};

    /// "wan.lossy.bbr": its workload name in the table and the JSON.
    QString name() const;
};
/// Bytes sent over a path unless --bytes says: long enough on a clean path
/// for the window to open and the link to fill, short enough on a lossy one
/// that loss-based controllers finish in minutes.
qint64 wanBytes(const relay::PathProfile &profile, bool quick);
/// How long a wan transfer of `bytes` may take: 30 s to set up plus
/// 25 s per MiB (about 40 KiB/s), at most 10 minutes.
std::chrono::milliseconds wanTimeout(qint64 bytes);

struct Plan
{
    QList<WorkloadInfo> workloads;  ///< to run, in order
    int repeat = 0;                 ///< --repeat, or 0 for each workload's own default
    bool quick = false;
    QString connect;
    Sizes sizes;
    QString error;                  ///< usage error sentence; empty if fine
    /// --cc for every QUIC workload; unset: the library's default.
    std::optional<CongestionControl> congestionControl;
    /// The wan workload's transfers, path by path, each controller in turn.
    QList<WanCase> wanCases;

    /// Runs of a workload: --repeat, else 1 in --quick, else its default.
    int runsOf(const WorkloadInfo &workload) const;
};
Plan makePlan(const BenchOptions &options);

} // namespace quicpool::cli::bench
