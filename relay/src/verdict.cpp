#include "verdict.h"

#include <algorithm>
#include <chrono>
#include <cmath>

namespace quicpool::relay {

namespace {

int64_t nanoseconds(RelayConfig::Duration d)
{
    return std::chrono::duration_cast<std::chrono::nanoseconds>(d).count();
}

} // namespace

Impairments Impairments::from(const RelayConfig &c, Direction direction)
{
    Impairments i;
    i.loss = c.loss(direction);
    i.reorder = c.reorder;
    i.duplicate = c.duplicate;
    i.corrupt = c.corrupt;
    i.delayNs = nanoseconds(c.delay);
    i.jitterNs = nanoseconds(c.jitter);
    i.mtu = c.mtu;
    i.blackholeAtNs = nanoseconds(c.blackholeAt);
    i.blackholeForNs = nanoseconds(c.blackholeFor);
    i.dropFirst = c.dropFirst;
    return i;
}

bool inBlackholeWindow(const Impairments &i, int64_t sinceStartNs)
{
    return i.blackholeForNs > 0 && sinceStartNs >= i.blackholeAtNs
           && sinceStartNs - i.blackholeAtNs < i.blackholeForNs;
}

int64_t jitteredDelayNs(int64_t delayNs, int64_t jitterNs, double signedDraw)
{
    if (jitterNs <= 0)
        return delayNs;
    const auto offset = int64_t(std::llround(signedDraw * double(jitterNs)));
    return std::max<int64_t>(0, delayNs + offset);
}

Verdict judge(const Impairments &i, const Draws &draws, int64_t nowNs, int64_t sinceStartNs, int64_t size,
              bool blackholeSwitch, Link &link, uint64_t arrival)
{
    Verdict v;
    const bool early = arrival > 0 && arrival <= uint64_t(std::max<int64_t>(0, i.dropFirst));
    if (blackholeSwitch || early || inBlackholeWindow(i, sinceStartNs)) {
        v.drop = DropCause::Blackhole;
        return v;
    }
    if (size > i.mtu) {
        v.drop = DropCause::Mtu;
        return v;
    }
    if (happens(draws.loss, i.loss)) {
        v.drop = DropCause::Loss;
        return v;
    }
    const Link::Admission admitted = link.admit(nowNs, size);
    if (!admitted.accepted) {
        v.drop = DropCause::Queue;
        return v;
    }
    v.queueWaitNs = admitted.waitNs;
    v.releaseNs = admitted.departNs + jitteredDelayNs(i.delayNs, i.jitterNs, draws.jitter);
    if (size > 0 && happens(draws.corrupt, i.corrupt)) {
        v.corrupt = true;
        v.corruptBit = draws.bit % uint64_t(size * 8);
    }
    v.holdBack = happens(draws.reorder, i.reorder);
    if (happens(draws.duplicate, i.duplicate)) {
        v.duplicate = true;
        // The copy is a datagram on the wire like any other: it takes its
        // share of the rate and may find the queue full.
        const Link::Admission copy = link.admit(nowNs, size);
        if (!copy.accepted) {
            v.copyDrop = DropCause::Queue;
        } else {
            v.copyQueueWaitNs = copy.waitNs;
            v.copyReleaseNs = copy.departNs + jitteredDelayNs(i.delayNs, i.jitterNs, draws.copyJitter);
        }
    }
    return v;
}

} // namespace quicpool::relay
