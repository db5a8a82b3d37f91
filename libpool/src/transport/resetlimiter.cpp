#include "transport/resetlimiter.h"

#include <algorithm>

namespace quicpool::transport {

void ResetLimiter::refill(Bucket &b, double rate, double burst, std::chrono::nanoseconds now)
{
    if (b.tokens < 0) {   // new: a full bucket
        b.tokens = burst;
        b.at = now;
        return;
    }
    const double seconds = std::chrono::duration<double>(now - b.at).count();
    if (seconds > 0) {
        b.tokens = std::min(burst, b.tokens + seconds * rate);
        b.at = now;
    }
}

ResetLimiter::Bucket *ResetLimiter::sourceBucket(const QHostAddress &source, std::chrono::nanoseconds now)
{
    auto it = m_sources.find(source);
    if (it != m_sources.end())
        return &it.value();
    if (m_sources.size() >= m_limits.maxSources) {
        // Forget the addresses whose buckets have refilled: they are as
        // good as new. If none has, a flood of sources is under way and a
        // newcomer waits (the endpoint's bucket still limits the rest).
        for (auto i = m_sources.begin(); i != m_sources.end();) {
            refill(i.value(), m_limits.perSourcePerSecond, m_limits.perSourceBurst, now);
            if (i.value().tokens >= m_limits.perSourceBurst)
                i = m_sources.erase(i);
            else
                ++i;
        }
        if (m_sources.size() >= m_limits.maxSources)
            return nullptr;
    }
    return &m_sources.insert(source, Bucket{-1, {}}).value();
}

ResetLimiter::Verdict ResetLimiter::check(const QHostAddress &source, size_t received, size_t resetLength,
                                          std::chrono::nanoseconds now)
{
    m_bytesIn += received;
    m_byteCredit = std::min<qint64>(m_byteCredit + qint64(received), m_limits.maxByteCredit);
    const qint64 cost = qint64(resetLength) * m_limits.byteShare;
    if (m_byteCredit < cost)
        return Verdict::NoByteCredit;
    refill(m_global, m_limits.perSecond, m_limits.burst, now);
    if (m_global.tokens < 1)
        return Verdict::EndpointRate;
    Bucket *b = sourceBucket(source, now);
    if (!b)
        return Verdict::SourceRate;
    refill(*b, m_limits.perSourcePerSecond, m_limits.perSourceBurst, now);
    if (b->tokens < 1)
        return Verdict::SourceRate;
    b->tokens -= 1;
    m_global.tokens -= 1;
    m_byteCredit -= cost;
    m_bytesOut += resetLength;
    return Verdict::Allowed;
}

} // namespace quicpool::transport
