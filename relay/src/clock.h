// The relay's one clock: CLOCK_MONOTONIC in nanoseconds (what
// std::chrono::steady_clock reads on Linux), so tests can compare their own
// steady_clock stamps with the relay's decisions.
#pragma once

#include <cstdint>
#include <ctime>

namespace quicpool::relay {

inline int64_t monotonicNs()
{
    timespec ts{};
    ::clock_gettime(CLOCK_MONOTONIC, &ts);
    return int64_t(ts.tv_sec) * 1000000000 + ts.tv_nsec;
}

} // namespace quicpool::relay
