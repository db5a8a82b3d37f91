// What a Relay does to the datagrams it passes: a plain value, copied in.
//
// The path is modelled the way Linux netem models one: `delay` is the one-way
// delay added in EACH direction (a round trip grows by 2 x delay), `jitter`
// adds a uniform -jitter..+jitter on top (the sum clamped at 0, so it may
// reorder), `rate` is a link that serialises datagrams one after another with
// a tail-drop queue of `queue` worth of bytes in front of it, and `mtu` is the
// largest UDP payload the path carries. Loss is the only setting that differs
// per direction: up is client -> server, down is server -> client.
#pragma once

#include <QtCore/QtGlobal>
#include <QtNetwork/QHostAddress>
#include <chrono>

namespace quicpool::relay {

/// Up: from the clients to the server. Down: from the server to the clients.
enum class Direction : int { Up = 0, Down = 1 };

/// The largest UDP payload a socket can carry (IPv6 without jumbograms).
inline constexpr int kMaxDatagramSize = 65535;

struct RelayConfig
{
    using Duration = std::chrono::microseconds;

    // --- where: fixed once the relay runs (start() reads them)
    QHostAddress listenAddress = QHostAddress(QHostAddress::LocalHost); ///< QHostAddress::Any: every address
    quint16 listenPort = 0;             ///< 0 picks a free port (Relay::listenPort() tells it)
    QHostAddress upstreamAddress;       ///< the server the clients reach through the relay
    quint16 upstreamPort = 0;
    quint64 seed = 1;                   ///< the same seed makes the same decisions (start() reads it)

    // --- what: may change while the relay runs (Relay::setConfig)
    double lossUp = 0;                  ///< probability 0..1 that a client -> server datagram is lost
    double lossDown = 0;                ///< the same for server -> client
    Duration delay{0};                  ///< one-way delay added in each direction
    Duration jitter{0};                 ///< plus uniform -jitter..+jitter (delay + jitter never below 0)
    qint64 rate = 0;                    ///< link rate in bytes per second, each direction; 0: unlimited
    Duration queue{std::chrono::milliseconds(50)}; ///< with a rate: the queue holds rate x queue bytes
    int mtu = kMaxDatagramSize;         ///< larger UDP payloads are dropped (cause "mtu")
    double reorder = 0;                 ///< probability that a datagram is held back behind the next one
    double duplicate = 0;               ///< probability that a datagram is sent twice
    double corrupt = 0;                 ///< probability that one random bit of a datagram is flipped
    /// Everything is dropped from blackholeAt after start() for blackholeFor
    /// (cause "blackhole"); blackholeFor 0: never.
    Duration blackholeAt{0};
    Duration blackholeFor{0};
    /// The first dropFirst datagrams each way after start() are dropped
    /// (cause "blackhole"): a lost handshake, whatever the timing.
    int dropFirst = 0;
    /// Every client's upstream socket moves to a new port this often, so the
    /// server sees each client migrate; 0: never.
    Duration rebindEvery{0};
    /// A client mapping without traffic either way for this long is forgotten.
    Duration idleTimeout{std::chrono::seconds(120)};
    /// A datagram held back for reordering goes out after this long anyway
    /// when no successor comes to overtake it.
    Duration reorderHold{std::chrono::milliseconds(10)};

    double loss(Direction direction) const { return direction == Direction::Up ? lossUp : lossDown; }
    /// Sets the loss of both directions, as --loss does.
    void setLoss(double probability) { lossUp = lossDown = probability; }
    /// Probabilities clamped to 0..1 (NaN: 0), durations to 0..kMaxDuration,
    /// rate to 0..kMaxRate, mtu to 0..kMaxDatagramSize. The relay only ever
    /// uses clamped values, so its nanosecond arithmetic cannot overflow.
    RelayConfig clamped() const;
    /// The longest duration (`quicpool relay` takes up to 2^31 - 1 ms too).
    static constexpr Duration kMaxDuration = std::chrono::milliseconds(2147483647);
    /// The fastest link: a petabyte per second.
    static constexpr qint64 kMaxRate = 1'000'000'000'000'000;
};

} // namespace quicpool::relay
