// The "wan" workload of `quicpool bench`: one stream sends to the
// in-process sink server through an in-process impairment relay set to one
// of the named internet paths (relay::pathProfiles()), so a long or lossy
// path can be measured on one machine. The figures say how much of the
// path's link the stream filled and how far its congestion window opened.
#pragma once

#include "bench_harness.h"
#include "bench_plan.h"
#include "bench_report.h"

namespace quicpool::cli::bench {

/// One transfer of wanCase.bytes over wanCase.profile with
/// wanCase.congestionControl at both ends (the client sends). The relay
/// runs on a thread of its own, as it would in a process of its own.
RunOutcome runWan(const WorkloadContext &context, const WanCase &wanCase);

/// The workload report's labels for a case: profile, cc, round_trip_ms,
/// loss_percent, link_mb_per_s, bytes (keys documented in bench --help).
QJsonObject wanAttributes(const WanCase &wanCase);

} // namespace quicpool::cli::bench
