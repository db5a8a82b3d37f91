// What one connection is told by the layer that makes it.
#pragma once

#include <quicpool/config.h>
#include <QtCore/QByteArray>
#include <QtCore/QString>
#include <QtNetwork/QHostAddress>
#include <chrono>
#include <cstddef>
#include <cstdint>
#include <functional>

namespace quicpool::transport {

/// A listener's bounds on new clients and its Retry policy (ServerPoolConfig's;
/// admission.h decides with them).
struct AdmissionLimits
{
    int maxPending = 256;             ///< handshakes under way, in all
    int maxPendingPerAddress = 32;    ///< ... from one client address
    RetryMode retry = RetryMode::Auto;
    int retryThreshold = 64;          ///< Auto: pending handshakes from which a Retry is asked
};

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
    /// Busy-polling of the socket (UdpSocket::setBusyPoll()); 0: off.
    std::chrono::microseconds busyPoll{0};
    /// The most bytes this connection's streams may hold unread while no
    /// application has claimed them (streamaccess.h: claimStream()); the
    /// stream that would pass it is reset. 0: no bound (a bare transport
    /// user reads every stream); the pools set pool::kMaxUnclaimedBytes.
    uint64_t maxUnclaimedBytes = 0;

    // --- a client's dial
    /// A token from the server's NEW_TOKEN frame on an earlier connection:
    /// sent in the Initial, it spares the client a Retry.
    QByteArray initialToken;

    // --- a listener's admission of new clients
    AdmissionLimits admission;
    /// Asked for every first Initial before any TLS work; false refuses the
    /// source (CONNECTION_REFUSED with refusalReason, rate-limited). Unset: all welcome.
    std::function<bool(const QHostAddress &source)> acceptSource;
    QByteArray refusalReason;
    /// How long a Retry token and a NEW_TOKEN token stay good.
    std::chrono::milliseconds retryTokenLifetime{10000};
    std::chrono::milliseconds newTokenLifetime{24 * 3600 * 1000};
};

} // namespace quicpool::transport
