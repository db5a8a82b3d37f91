// The TCP baselines of `quicpool bench`: the same sink transfer over one
// plain QTcpSocket, or one QSslSocket with TLS 1.3, against a QTcpServer /
// QSslServer on the worker thread. Always in-process on loopback.
//
// TCP has no per-stream FIN that Qt exposes for TLS, so the baseline frames
// the transfer instead: the client sends an 8-byte big-endian length, then
// that many pattern bytes; the server counts and checks them and answers
// with the same 16-byte SinkReply as the QUIC sink.
#pragma once

#include "bench_harness.h"
#include "bench_report.h"

namespace quicpool::cli::bench {

/// One run: sizes.bytes over one connection, timed from the first write to
/// the reply (connection set-up and handshake excluded, as the QUIC sink
/// uses an already pooled stream).
RunOutcome runTcpSink(const WorkloadContext &context, bool tls);

} // namespace quicpool::cli::bench
