// Named internet paths, one list for every user of the relay: the bench's
// `wan` workload, `quicpool relay --profile`, the app's load test. Each is a
// 400 Mbit/s link (50 MB/s) with a 100 ms tail-drop queue and a 1472-byte
// largest UDP payload (a 1500-byte Ethernet MTU less IPv4 and UDP headers),
// differing in round trip and random loss.
#pragma once

#include <quicpool/relay/relayconfig.h>

#include <QtCore/QList>
#include <QtCore/QString>
#include <optional>

namespace quicpool::relay {

struct PathProfile
{
    QString name;        ///< what the user types: "lan", "continental", ...
    QString description; ///< one line for help texts and menus
    std::chrono::milliseconds roundTrip{0};
    double loss = 0;     ///< probability 0..1, the same each way
    qint64 rate = 0;     ///< bytes per second, each direction
    int mtu = 0;         ///< largest UDP payload carried

    /// `base` (addresses, seed, ...) with this path's impairments set: each
    /// direction delays by half the round trip.
    RelayConfig applyTo(RelayConfig base) const;
};

/// Every profile, shortest round trip first.
QList<PathProfile> pathProfiles();
/// The profile called `name` (case-insensitive), or nothing.
std::optional<PathProfile> pathProfile(const QString &name);
/// The profiles' names joined with ", " for messages and help texts.
QString pathProfileNames();

} // namespace quicpool::relay
