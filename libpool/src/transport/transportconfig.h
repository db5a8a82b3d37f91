// What one connection is told by the layer that makes it.
#pragma once

#include <quicpool/config.h>
#include <QtCore/QString>
#include <chrono>
#include <cstddef>
#include <cstdint>

namespace quicpool::transport {

struct TransportConfig
{
    std::chrono::milliseconds keepAlive{30000};      ///< PING when idle this long; idle timeout 3x
    std::chrono::milliseconds handshakeTimeout{10000};
    uint64_t maxIncomingBidiStreams = 100;           ///< initial_max_streams_bidi granted to the peer
    uint64_t streamWindow = 1024 * 1024;             ///< initial per-stream receive window
    uint64_t connectionWindow = 4 * 1024 * 1024;     ///< initial connection receive window
    uint64_t maxStreamWindow = 32 * 1024 * 1024;     ///< auto-tuning ceiling per stream
    uint64_t maxConnectionWindow = 64 * 1024 * 1024; ///< auto-tuning ceiling per connection
    /// The most unacknowledged data the connection's streams hold together.
    uint64_t sendBufferLimit = 64 * 1024 * 1024;
    CongestionControl congestionControl = CongestionControl::Bbr;
    /// Largest UDP payload we send once Path MTU Discovery has confirmed the
    /// path takes it. QUIC starts at 1200 bytes and probes upwards (this,
    /// then the usual Ethernet/PPPoE/tunnel sizes); loopback and jumbo-frame
    /// LANs take 8952, the Internet settles at ~1452. Bigger datagrams mean
    /// fewer packets to encrypt and fewer system calls.
    size_t maxUdpPayloadSize = 8952;
    QString qlogDirectory;                           ///< empty: off
};

} // namespace quicpool::transport
