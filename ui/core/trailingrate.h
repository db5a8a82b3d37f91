// A rate over the last stretch of time from a cumulative byte count read
// now and then (the load test's progress, ten times a second): what the
// live throughput chart draws. Over a second, not between two readings,
// so a reading that lands just before or after a burst of acknowledgements
// does not draw a spike and a gap. Pure.
#pragma once

#include <QtCore/QList>
#include <QtCore/QPair>

namespace quicpool::diag {

class TrailingRate
{
public:
    explicit TrailingRate(double windowSeconds = 1.0) : m_window(windowSeconds) {}

    /// The count `total` at time `t` (seconds; not before the last reading).
    /// A count below the last one starts over (a new run).
    void add(double t, qint64 total);
    /// MB (10^6 bytes) per second over the last windowSeconds, or over
    /// everything read so far while that is shorter; 0 before two readings.
    double megabytesPerSecond() const;
    void clear() { m_readings.clear(); }
    double windowSeconds() const { return m_window; }

private:
    double m_window;
    QList<QPair<double, qint64>> m_readings;   ///< oldest first, one at or before the window's start
};

} // namespace quicpool::diag
