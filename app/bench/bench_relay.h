// The "relay" workload of `quicpool bench`: how much the impairment relay
// (quicpool_relay) carries. 1452-byte datagrams, the largest a QUIC stack
// sends on a 1500-byte IPv6 path, go both ways at once through a relay on
// the worker thread with no impairment; the figures are Gbit/s of UDP
// payload each way, datagrams lost each way, and the relay thread's CPU.
#pragma once

#include "bench_harness.h"
#include "bench_report.h"

namespace quicpool::cli::bench {

/// One run of sizes.relaySeconds. The blast is closed-loop: each direction
/// keeps at most a window of datagrams in flight, so it measures what the
/// relay moves, not what the kernel drops when flooded.
RunOutcome runRelayBlast(const WorkloadContext &context);

} // namespace quicpool::cli::bench
