#include "trailingrate.h"

#include <workload/throughput.h>

namespace quicpool::diag {

void TrailingRate::add(double t, qint64 total)
{
    if (!m_readings.isEmpty() && (total < m_readings.last().second || t < m_readings.last().first))
        m_readings.clear();
    m_readings.append({t, total});
    // Keep one reading at or before the window's start, so the window is
    // whole once there is a second of readings.
    while (m_readings.size() > 2 && m_readings.at(1).first <= t - m_window)
        m_readings.removeFirst();
}

double TrailingRate::megabytesPerSecond() const
{
    if (m_readings.size() < 2)
        return 0;
    const auto &first = m_readings.first();
    const auto &last = m_readings.last();
    return workload::megabytesPerSecond(last.second - first.second, last.first - first.first);
}

} // namespace quicpool::diag
