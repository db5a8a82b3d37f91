#include "link.h"

#include <algorithm>
#include <cmath>

namespace quicpool::relay {

namespace {

constexpr int64_t kNsPerSecond = 1000000000;

/// Bytes a link of `rate` moves in `ns`, in double: rate x ns overflows 64
/// bits for fast links and long queues. Rounded down for the capacity and
/// up for the backlog (a byte partly sent still occupies the queue), so the
/// queue never holds more than it may.
double bytesIn(int64_t ns, int64_t rate)
{
    return double(ns) * double(rate) / double(kNsPerSecond);
}

/// A byte count as int64_t, saturated: a petabyte-per-second link behind a
/// queue of weeks holds more bytes than 64 bits count (found by the
/// relay_profile fuzz target; converting such a double is undefined).
int64_t saturated(double bytes)
{
    constexpr double kMax = 9.2e18;   // just under INT64_MAX, exact as a double
    return bytes >= kMax ? int64_t(kMax) : int64_t(bytes);
}

} // namespace

void Link::configure(int64_t bytesPerSecond, int64_t queueNs)
{
    m_rate = std::max<int64_t>(0, bytesPerSecond);
    m_queueNs = std::max<int64_t>(0, queueNs);
    // What the link already accepted still goes out at the old pace.
}

int64_t Link::serializationNs(int64_t size, int64_t bytesPerSecond)
{
    if (bytesPerSecond <= 0)
        return 0;
    // size <= 65535, so size * 1e9 fits easily in 64 bits.
    return (size * kNsPerSecond + bytesPerSecond / 2) / bytesPerSecond;
}

int64_t Link::capacityBytes() const
{
    if (m_rate <= 0)
        return 0;
    return saturated(std::floor(bytesIn(m_queueNs, m_rate)));
}

int64_t Link::backlogBytes(int64_t nowNs) const
{
    if (m_rate <= 0 || m_busyUntilNs <= nowNs)
        return 0;
    return saturated(std::ceil(bytesIn(m_busyUntilNs - nowNs, m_rate)));
}

Link::Admission Link::admit(int64_t nowNs, int64_t size)
{
    Admission a;
    if (m_rate <= 0) {
        a.accepted = true;
        a.departNs = nowNs;
        return a;
    }
    const int64_t start = std::max(nowNs, m_busyUntilNs);
    const int64_t wait = start - nowNs;
    if (wait > 0 && backlogBytes(nowNs) + size > capacityBytes())
        return a;  // tail drop
    a.accepted = true;
    a.waitNs = wait;
    a.departNs = start + serializationNs(size, m_rate);
    m_busyUntilNs = a.departNs;
    return a;
}

} // namespace quicpool::relay
