#include "looplag.h"

namespace quicpool::diag {

namespace {
constexpr int kPeriodMs = 10;
}

LoopLagMonitor::LoopLagMonitor(QObject *parent) : QObject(parent), m_timer(this)
{
    m_timer.setTimerType(Qt::PreciseTimer);
    m_timer.setInterval(kPeriodMs);
    connect(&m_timer, &QTimer::timeout, this, &LoopLagMonitor::tick);
    m_clock.start();
    m_timer.start();
}

void LoopLagMonitor::tick()
{
    const qint64 now = m_clock.elapsed();
    if (m_last < 0) {
        // The first tick only sets the baseline: start-up is not loop delay.
        m_last = now;
        m_windowStart = now;
        return;
    }
    const qint64 late = qMax<qint64>(0, now - m_last - kPeriodMs);
    m_last = now;
    m_windowMax = qMax(m_windowMax, late);
    m_peak = qMax(m_peak, late);
    if (now - m_windowStart >= 1000) {
        m_reported = m_windowMax;
        m_windowMax = 0;
        m_windowStart = now;
        Q_EMIT updated(m_reported, m_peak);
    }
}

} // namespace quicpool::diag
