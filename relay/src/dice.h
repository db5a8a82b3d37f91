// The relay's randomness: one seeded generator per direction, and a fixed
// set of numbers drawn for every datagram whatever the settings. So each
// decision depends only on the seed, the direction and the datagram's
// position in it: the same seed drops the same datagrams, traffic one way
// does not shift the other way's pattern, and turning on one impairment does
// not reshuffle another's.
#pragma once

#include <quicpool/relay/relayconfig.h>

#include <cstdint>
#include <random>

namespace quicpool::relay {

/// The draws of one datagram: unit values are uniform in [0, 1), signed
/// ones in [-1, 1).
struct Draws
{
    double loss = 1;
    double duplicate = 1;
    double corrupt = 1;
    double reorder = 1;
    double jitter = 0;       ///< signed
    double copyJitter = 0;   ///< signed, for the duplicate's own delay
    uint64_t bit = 0;        ///< picks the bit a corruption flips
};

class Dice
{
public:
    Dice(uint64_t seed, Direction direction);
    Draws roll();

private:
    double unit();

    std::mt19937_64 m_engine;
};

/// True with probability p for a unit draw: never for p <= 0, always for p >= 1.
inline bool happens(double unitDraw, double probability)
{
    return unitDraw < probability;
}

} // namespace quicpool::relay
