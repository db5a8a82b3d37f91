#include "dice.h"

namespace quicpool::relay {

Dice::Dice(uint64_t seed, Direction direction)
{
    // seed_seq spreads all 64 seed bits and the direction over the whole
    // state, so seeds 1 and 2 (or up and down) give unrelated sequences.
    std::seed_seq sequence{uint32_t(seed), uint32_t(seed >> 32), uint32_t(direction)};
    m_engine.seed(sequence);
}

double Dice::unit()
{
    // The top 53 bits as a double in [0, 1): exact, and the same on every
    // platform (std::uniform_real_distribution is not specified that tightly).
    return double(m_engine() >> 11) * 0x1.0p-53;
}

Draws Dice::roll()
{
    Draws d;
    d.loss = unit();
    d.duplicate = unit();
    d.corrupt = unit();
    d.reorder = unit();
    d.jitter = 2 * unit() - 1;
    d.copyJitter = 2 * unit() - 1;
    d.bit = m_engine();
    return d;
}

} // namespace quicpool::relay
