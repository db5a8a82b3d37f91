#include <workload/ratepacer.h>

#include <algorithm>
#include <cmath>

namespace quicpool::workload {

RateBucket::RateBucket(qint64 bytesPerSecond, qint64 burst)
    : m_rate(std::max<qint64>(bytesPerSecond, 1)), m_burst(std::max<qint64>(burst, 1)), m_tokens(double(m_burst))
{
}

void RateBucket::refill(qint64 nowNs)
{
    if (nowNs <= m_lastNs)
        return;
    m_tokens = std::min(double(m_burst), m_tokens + double(m_rate) * double(nowNs - m_lastNs) / 1e9);
    m_lastNs = nowNs;
}

qint64 RateBucket::available(qint64 nowNs)
{
    refill(nowNs);
    return qint64(std::floor(m_tokens));
}

void RateBucket::consume(qint64 nowNs, qint64 bytes)
{
    refill(nowNs);
    m_tokens -= double(std::max<qint64>(bytes, 0));
}

qint64 RateBucket::nanosUntilAvailable(qint64 nowNs)
{
    refill(nowNs);
    if (m_tokens >= 1.0)
        return 0;
    return qint64(std::ceil((1.0 - m_tokens) * 1e9 / double(m_rate)));
}

qint64 RateBucket::pacedChunk(qint64 bytesPerSecond)
{
    return std::max<qint64>(1200, bytesPerSecond / 100);
}

} // namespace quicpool::workload
