// The round-trip baseline of `quicpool bench`: a bare UDP ping-pong of one
// datagram the size a 64-byte QUIC echo puts on the wire, with both ends
// woken the way QuicPool's are (a QSocketNotifier in a Qt event loop: the
// client on the calling thread, the echoing end on the worker thread), so
// the echo workload's round trip reads as a ratio to what two event-loop
// wake-ups and four system calls cost on this machine, before any QUIC work.
#pragma once

#include "bench_harness.h"
#include "bench_report.h"

namespace quicpool::cli::bench {

/// Bytes per ping-pong datagram: a 64-byte echo in a QUIC short-header
/// packet (header with an 8-byte connection ID, STREAM frame, AEAD tag) and
/// the ACK riding with it come to about this.
inline constexpr int kUdpPingSize = 120;

/// sizes.echoWarmup unmeasured then sizes.echoTrips measured round trips;
/// figures rtt_p50_us, rtt_p99_us, rtt_p999_us, rtt_max_us (the echo
/// workload's keys). Always in-process on loopback.
RunOutcome runUdpPingPong(const WorkloadContext &context);

} // namespace quicpool::cli::bench
