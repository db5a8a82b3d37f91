// The rate limit of one direction: a link that serialises one datagram after
// another at `rate` bytes per second, behind a tail-drop queue that holds at
// most rate x queue bytes. Pure arithmetic on a clock the caller passes in.
//
// A datagram that arrives while the link is busy waits for everything ahead
// of it (its "queue delay"), then takes size / rate to serialise, and
// arrives at the far end when the last bit is out (departure). If the bytes
// ahead of it plus its own would exceed the queue, it is dropped; an idle
// link always takes a datagram, however small the queue.
#pragma once

#include <cstdint>

namespace quicpool::relay {

class Link
{
public:
    /// bytesPerSecond 0: unlimited (every datagram departs when it arrives).
    void configure(int64_t bytesPerSecond, int64_t queueNs);

    struct Admission
    {
        bool accepted = false;
        int64_t departNs = 0;   ///< when its last bit has left the link
        int64_t waitNs = 0;     ///< time spent queued behind others
    };
    Admission admit(int64_t nowNs, int64_t size);

    /// Bytes waiting or being serialised at nowNs.
    int64_t backlogBytes(int64_t nowNs) const;
    /// Most bytes the queue holds (0 without a rate).
    int64_t capacityBytes() const;
    int64_t rate() const { return m_rate; }

    /// size / rate in nanoseconds, rounded to nearest; 0 without a rate.
    static int64_t serializationNs(int64_t size, int64_t bytesPerSecond);

private:
    int64_t m_rate = 0;
    int64_t m_queueNs = 0;
    int64_t m_busyUntilNs = 0;  ///< when the link has serialised all it accepted
};

} // namespace quicpool::relay
