#include <quicpool/relay/relayconfig.h>

#include <algorithm>

namespace quicpool::relay {

namespace {

double probability(double p)
{
    // NaN compares false with everything: it means "never".
    if (!(p > 0.0))
        return 0.0;
    return std::min(p, 1.0);
}

RelayConfig::Duration nonNegative(RelayConfig::Duration d)
{
    return std::clamp(d, RelayConfig::Duration::zero(), RelayConfig::kMaxDuration);
}

} // namespace

RelayConfig RelayConfig::clamped() const
{
    RelayConfig c = *this;
    c.lossUp = probability(lossUp);
    c.lossDown = probability(lossDown);
    c.reorder = probability(reorder);
    c.duplicate = probability(duplicate);
    c.corrupt = probability(corrupt);
    c.delay = nonNegative(delay);
    c.jitter = nonNegative(jitter);
    c.rate = std::clamp<qint64>(rate, 0, kMaxRate);
    c.queue = nonNegative(queue);
    c.mtu = std::clamp(mtu, 0, kMaxDatagramSize);
    c.blackholeAt = nonNegative(blackholeAt);
    c.blackholeFor = nonNegative(blackholeFor);
    c.dropFirst = std::max(0, dropFirst);
    c.rebindEvery = nonNegative(rebindEvery);
    c.idleTimeout = nonNegative(idleTimeout);
    c.reorderHold = nonNegative(reorderHold);
    return c;
}

} // namespace quicpool::relay
