// Measures how late the GUI thread's event loop runs a 10 ms timer: the
// delay a user feels as a sluggish window. Lives on the GUI thread.
#pragma once

#include <QtCore/QElapsedTimer>
#include <QtCore/QObject>
#include <QtCore/QTimer>

namespace quicpool::diag {

class LoopLagMonitor : public QObject
{
    Q_OBJECT
public:
    explicit LoopLagMonitor(QObject *parent = nullptr);

    /// Largest lateness (ms) within the last second.
    qint64 recentMs() const { return m_reported; }
    /// Largest lateness since start or resetPeak().
    qint64 peakMs() const { return m_peak; }
    void resetPeak() { m_peak = 0; }

Q_SIGNALS:
    /// About once a second: recentMs and peakMs.
    void updated(qint64 recentMs, qint64 peakMs);

private:
    void tick();

    QTimer m_timer;
    QElapsedTimer m_clock;
    qint64 m_last = -1;
    qint64 m_windowStart = 0;
    qint64 m_windowMax = 0;
    qint64 m_reported = 0;
    qint64 m_peak = 0;
};

} // namespace quicpool::diag
