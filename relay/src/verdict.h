// What happens to one datagram, decided from the settings, its draws and
// the clock alone: dropped (and why), or when it reaches the far end, and
// whether it is corrupted, held back for reordering or duplicated. No
// sockets, no buffers: the relay applies a verdict, tests check them directly.
#pragma once

#include "dice.h"
#include "link.h"

#include <quicpool/relay/relayconfig.h>

#include <cstdint>

namespace quicpool::relay {

/// One direction's settings from a clamped RelayConfig, in nanoseconds.
struct Impairments
{
    double loss = 0;
    double reorder = 0;
    double duplicate = 0;
    double corrupt = 0;
    int64_t delayNs = 0;
    int64_t jitterNs = 0;
    int64_t mtu = kMaxDatagramSize;
    int64_t blackholeAtNs = 0;
    int64_t blackholeForNs = 0;
    int64_t dropFirst = 0;

    static Impairments from(const RelayConfig &clamped, Direction direction);
};

enum class DropCause { None, Blackhole, Mtu, Loss, Queue };

struct Verdict
{
    DropCause drop = DropCause::None;
    int64_t releaseNs = 0;      ///< when it is to be sent on
    int64_t queueWaitNs = 0;    ///< time waited in the rate queue
    bool corrupt = false;
    uint64_t corruptBit = 0;    ///< bit to flip: byte corruptBit / 8, mask 0x80 >> corruptBit % 8
    bool holdBack = false;      ///< wait for the next datagram of its client to overtake it
    bool duplicate = false;     ///< a second copy follows (it also passes the link)
    DropCause copyDrop = DropCause::None;
    int64_t copyReleaseNs = 0;
    int64_t copyQueueWaitNs = 0;
};

/// True while the configured window [at, at + for) covers sinceStartNs.
bool inBlackholeWindow(const Impairments &impairments, int64_t sinceStartNs);
/// delay + draw x jitter (draw in [-1, 1)), rounded, never below 0.
int64_t jitteredDelayNs(int64_t delayNs, int64_t jitterNs, double signedDraw);

/// The verdict on a datagram of `size` bytes read at nowNs, sinceStartNs
/// after the relay started. Causes are checked in the order of DropCause:
/// blackhole (the window, blackholeSwitch, or one of the first dropFirst:
/// arrival is the datagram's 1-based number in its direction, 0 unknown),
/// mtu, loss, then the link's queue. An admitted datagram (and its copy)
/// takes its place on the link.
Verdict judge(const Impairments &impairments, const Draws &draws, int64_t nowNs, int64_t sinceStartNs,
              int64_t size, bool blackholeSwitch, Link &link, uint64_t arrival = 0);

} // namespace quicpool::relay
