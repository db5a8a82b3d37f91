// The one timer that releases delayed datagrams: a timerfd armed for an
// absolute CLOCK_MONOTONIC time, watched by a QSocketNotifier.
//
// Why not a QTimer: Qt rounds every wait it computes up to the next whole
// millisecond (QTimerInfoList::timerWait, and GLib's prepare alike), and it
// recomputes the wait whenever a socket wakes the loop, so under traffic a
// QTimer fires up to a millisecond late. Measured on the relay: 5-10% of
// datagrams 1.0-1.2 ms late at a 20 ms delay. Arming it a millisecond early
// and spinning the loop for the rest would meet the accuracy but burn a core
// whenever datagrams are a few milliseconds apart. A timerfd wakes the loop
// at the nanosecond it was set for (plus the kernel's 50 us timer slack).
#pragma once

#include <QtCore/QString>
#include <cstdint>
#include <functional>

class QObject;
class QSocketNotifier;

namespace quicpool::relay {

class ReleaseTimer
{
public:
    /// fired runs on owner's thread when the armed time has come.
    ReleaseTimer(QObject *owner, std::function<void()> fired);
    ~ReleaseTimer();
    ReleaseTimer(const ReleaseTimer &) = delete;
    ReleaseTimer &operator=(const ReleaseTimer &) = delete;

    /// Makes the timerfd; false with a sentence when the kernel refuses.
    bool open(QString *error);
    void close();
    /// Fires once at monotonicNs (at once if it has passed); replaces any earlier arming.
    void armAt(int64_t monotonicNs);
    void disarm();
    bool isArmed() const { return m_armed; }
    int64_t armedAt() const { return m_armedAt; }

private:
    void onReadable();

    QObject *m_owner;
    std::function<void()> m_fired;
    int m_fd = -1;
    QSocketNotifier *m_notifier = nullptr;
    bool m_armed = false;
    int64_t m_armedAt = 0;
};

} // namespace quicpool::relay
