// Per-interval figures of `quicpool client --interval`, as iperf3 -i
// reports them: payload bytes each way in each interval, the intervals
// back to back from the first stream on, the last one cut short at the
// end of the run. Pure: the command feeds bytes and closes intervals at
// the times its timer fires, so the figures add up to the run's totals
// exactly whatever the timer does.
#pragma once

#include <QtCore/QJsonObject>
#include <QtCore/QString>
#include <vector>

namespace quicpool::cli {

struct IntervalFigures
{
    double start = 0;     ///< seconds since the first stream was taken
    double end = 0;
    qint64 sent = 0;      ///< payload bytes client -> server
    qint64 received = 0;  ///< payload bytes server -> client
};

class IntervalMeter
{
public:
    void add(qint64 sent, qint64 received)
    {
        m_current.sent += sent;
        m_current.received += received;
        m_totalSent += sent;
        m_totalReceived += received;
    }
    /// Ends the current interval at `seconds` and starts the next there;
    /// returns the one that ended. A time before the interval's start
    /// counts as its start (an empty interval).
    IntervalFigures close(double seconds);
    /// Every interval closed so far, in order.
    const std::vector<IntervalFigures> &closed() const { return m_closed; }
    qint64 totalSent() const { return m_totalSent; }
    qint64 totalReceived() const { return m_totalReceived; }

private:
    IntervalFigures m_current;
    std::vector<IntervalFigures> m_closed;
    qint64 m_totalSent = 0;
    qint64 m_totalReceived = 0;
};

/// "interval 0.000-1.000 sent=N sent_mbps=X.XX received=N received_mbps=Y.YY"
/// (mbps: 10^6 bytes per second over the interval, as the summary's).
QString formatIntervalLine(const IntervalFigures &interval);
/// {"start":…,"end":…,"sent_bytes":…,"sent_mbps":…,"received_bytes":…,"received_mbps":…}
QJsonObject intervalJson(const IntervalFigures &interval);

} // namespace quicpool::cli
