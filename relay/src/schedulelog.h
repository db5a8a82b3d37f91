// What a relay decided for every datagram, as a record a test can read:
// when the datagram was read, its verdict (dropped and why, or the release
// time the delay, jitter and link computed), and when the release timer
// actually took it. The decisions are exact (the verdict is a pure function
// of the settings, the seed and the read time, see verdict.h), so a test
// asserts on them exactly and keeps wall-clock bounds for what the
// machine adds: the lateness of the timer and of the sockets.
//
// Off unless a test attaches one: the relay then pays one null-pointer test
// per datagram, nothing else.
#pragma once

#include "verdict.h"

#include <QtCore/QHash>
#include <QtCore/QList>
#include <QtCore/QMutex>
#include <cstdint>

namespace quicpool::relay {

class Relay;

struct ScheduledDatagram
{
    Direction direction = Direction::Up;
    uint64_t arrival = 0;       ///< 1-based position in its direction (Dice draws are per position)
    int64_t size = 0;
    int64_t readNs = 0;         ///< CLOCK_MONOTONIC (relay/src/clock.h) when the relay read it
    DropCause drop = DropCause::None;
    bool copy = false;          ///< the duplicate of the datagram before it
    int64_t queueWaitNs = 0;    ///< time computed to wait in the rate queue
    /// Computed release time (CLOCK_MONOTONIC): the link's departure plus the
    /// (jittered) delay. A datagram held back for reordering leaves later.
    int64_t releaseNs = 0;
    int64_t releasedNs = -1;    ///< when the release loop took it; -1 if it never did

    int64_t delayNs() const { return releaseNs - readNs; }
    int64_t latenessNs() const { return releasedNs - releaseNs; }
};

/// Filled on the relay's thread, read from any.
class ScheduleLog
{
public:
    QList<ScheduledDatagram> entries() const
    {
        QMutexLocker lock(&m_mutex);
        return m_entries;
    }
    /// The entries of one direction, in the order they were read.
    QList<ScheduledDatagram> entries(Direction direction) const
    {
        QList<ScheduledDatagram> out;
        for (const ScheduledDatagram &e : entries())
            if (e.direction == direction)
                out.append(e);
        return out;
    }

    // For the relay.
    void judged(const ScheduledDatagram &entry, uint64_t ticket)
    {
        QMutexLocker lock(&m_mutex);
        if (entry.drop == DropCause::None)
            m_pending.insert(ticket, m_entries.size());
        m_entries.append(entry);
    }
    void released(uint64_t ticket, int64_t nowNs)
    {
        QMutexLocker lock(&m_mutex);
        const auto it = m_pending.constFind(ticket);
        if (it == m_pending.constEnd())
            return;
        m_entries[*it].releasedNs = nowNs;
        m_pending.erase(it);
    }

private:
    mutable QMutex m_mutex;
    QList<ScheduledDatagram> m_entries;
    QHash<uint64_t, qsizetype> m_pending;   ///< arena ticket -> entry waiting for release
};

/// Makes `relay` record into `log` (null: stop recording). Call it on the
/// relay's thread, before traffic; the log must outlive the recording.
void attachScheduleLog(Relay &relay, ScheduleLog *log);

} // namespace quicpool::relay
