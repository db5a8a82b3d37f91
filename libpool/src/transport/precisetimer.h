// The one timer of a connection: fires at an absolute CLOCK_MONOTONIC time
// (the clock ngtcp2's timestamps come from, transport/clock.h), to the
// microsecond.
//
// Why not a QTimer: Qt 6.4 counts timers in whole milliseconds. ngtcp2's
// pacer asks for the next packets a fraction of a millisecond ahead; with a
// QTimer those waits become 0 ms timers that spin the event loop until the
// time comes (a third of a paced sender's CPU went to poll() and
// clock_gettime() through the relay at 400 Mbit/s), and BBR, which paces at
// the rate it measures, then measures what the spinning left it. A timerfd
// wakes the loop when asked, once.
//
// Where the kernel refuses a timerfd (out of file descriptors on a server
// with very many connections), it falls back to a QTimer rounded to whole
// milliseconds: coarser pacing, nothing lost.
#pragma once

#include <cstdint>
#include <functional>

class QObject;
class QSocketNotifier;
class QTimer;

namespace quicpool::transport {

class PreciseTimer
{
public:
    /// fired runs on owner's thread, outside any call into this class.
    PreciseTimer(QObject *owner, std::function<void()> fired);
    ~PreciseTimer();
    PreciseTimer(const PreciseTimer &) = delete;
    PreciseTimer &operator=(const PreciseTimer &) = delete;

    /// Fires once at monotonicNs, or on the next loop turn if that has
    /// passed; replaces any earlier arming.
    void armAt(uint64_t monotonicNs);
    void stop();
    bool isActive() const { return m_armed; }
    /// False when it fell back to a millisecond QTimer.
    bool isPrecise() const { return m_fd >= 0; }

private:
    void onReadable();

    std::function<void()> m_fired;
    int m_fd = -1;
    QSocketNotifier *m_notifier = nullptr;
    QTimer *m_fallback = nullptr;
    bool m_armed = false;
};

} // namespace quicpool::transport
