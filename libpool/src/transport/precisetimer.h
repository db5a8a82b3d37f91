// A connection's timer: fires at an absolute CLOCK_MONOTONIC time (the
// clock ngtcp2's timestamps come from, transport/clock.h), to the
// microsecond, without a file descriptor of its own.
//
// Why not a QTimer: Qt 6.4 counts timers in whole milliseconds. ngtcp2's
// pacer asks for the next packets a fraction of a millisecond ahead; with a
// QTimer those waits become 0 ms timers that spin the event loop until the
// time comes (a third of a paced sender's CPU went to poll() and
// clock_gettime() through the relay at 400 Mbit/s), and BBR, which paces at
// the rate it measures, then measures what the spinning left it. A timerfd
// wakes the loop when asked, once.
//
// Why not a timerfd each: a server with thousands of pending handshakes
// then holds thousands of descriptors (and runs out at the usual limit of
// 1,024). Every PreciseTimer of a thread shares that thread's one timerfd
// instead: their deadlines wait in a DeadlineHeap (deadlineheap.h) and the
// timerfd is set to the earliest. The descriptor comes with a thread's
// first timer and goes with its last.
//
// A timer belongs to its owner's thread and follows it through
// QObject::moveToThread(). Where the kernel refuses a timerfd (out of file
// descriptors), the thread falls back to one QTimer rounded to whole
// milliseconds: coarser pacing, nothing lost.
#pragma once

#include "transport/deadlineheap.h"
#include <cstdint>
#include <functional>

class QObject;

namespace quicpool::transport {

class ThreadTimers;
class TimerAnchor;

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
    bool isActive() const { return m_entry.isScheduled() || m_rearmAfterMove; }
    /// False when this thread fell back to a millisecond QTimer.
    bool isPrecise() const;

    /// Timers armed on the calling thread right now, and whether that
    /// thread holds its one timer descriptor (tests, monitors).
    static size_t armedOnThisThread();
    static bool threadHasTimerSource();
    /// How often this thread's timer source has woken its event loop so far
    /// (tests: a wake-up per packet is what the pacing work removed).
    static uint64_t wakeupsOnThisThread();

private:
    friend class ThreadTimers;
    friend class TimerAnchor;
    void leaveThread();    // the owner is moving to another thread
    void arriveOnThread(); // ... and has arrived

    /// Our place among the thread's deadlines, with the way back to us.
    struct Slot : DeadlineHeap::Entry
    {
        PreciseTimer *timer = nullptr;
    };
    Slot m_entry;
    std::function<void()> m_fired;
    ThreadTimers *m_home = nullptr;   // the thread's timers we are registered with
    TimerAnchor *m_anchor = nullptr;  // a child of the owner: hears about thread changes
    uint64_t m_rearmAt = 0;
    bool m_rearmAfterMove = false;
};

} // namespace quicpool::transport
