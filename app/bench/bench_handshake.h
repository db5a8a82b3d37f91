// `quicpool bench --workload handshake`: full QUIC handshakes (TLS 1.3,
// certificate, transport parameters, the pool's first stream) per second
// against the in-process server or --connect, and what each costs the
// server's thread in CPU: the figure a server under a handshake flood, or
// with thousands of clients coming back at once, lives by.
#pragma once

#include "bench_harness.h"
#include "bench_report.h"

namespace quicpool::cli::bench {

RunOutcome runHandshake(const WorkloadContext &context);

} // namespace quicpool::cli::bench
