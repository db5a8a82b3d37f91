// A token bucket that holds a run to a target rate in bytes per second,
// the way `quicpool client --rate` paces its streams (all streams of a run
// share one). Pure: the caller passes the time, so unit tests drive it
// with a made-up clock.
//
// The rule: a sender may go ahead while the bucket holds at least one
// byte, and then takes what it sends, even more than the bucket holds (the
// bucket goes into debt). Debt is paid back at the rate before anyone may
// send again. So a sender never needs to know its next write's size in
// advance (a source request asks for its whole size at once), and over
// any long stretch no more than rate x time + burst bytes go out.
#pragma once

#include <QtCore/QtGlobal>

namespace quicpool::workload {

class RateBucket
{
public:
    /// bytesPerSecond must be above zero; burst is the most that unused
    /// time saves up (at least 1 byte). The bucket starts full at t = 0.
    RateBucket(qint64 bytesPerSecond, qint64 burst);

    qint64 rate() const { return m_rate; }
    qint64 burst() const { return m_burst; }

    /// Bytes that may go out at nowNs (negative while in debt). nowNs never
    /// goes back; an earlier time counts as the last one seen.
    qint64 available(qint64 nowNs);
    /// Takes bytes that went out (or were asked for) at nowNs.
    void consume(qint64 nowNs, qint64 bytes);
    /// Nanoseconds from nowNs until available() is at least 1; 0 when it
    /// is already.
    qint64 nanosUntilAvailable(qint64 nowNs);

    /// What a paced write should be at most: about 10 ms at the rate, but
    /// never below one datagram's payload (1200 bytes), so a slow rate
    /// still sends whole packets and a fast one does not burst.
    static qint64 pacedChunk(qint64 bytesPerSecond);

private:
    void refill(qint64 nowNs);

    qint64 m_rate;
    qint64 m_burst;
    double m_tokens;     ///< bytes; may be negative (debt)
    qint64 m_lastNs = 0;
};

} // namespace quicpool::workload
