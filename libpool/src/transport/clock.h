// The one clock of the transport: monotonic nanoseconds, as ngtcp2 wants.
#pragma once

#include <chrono>
#include <cstdint>

namespace quicpool::transport {

inline constexpr uint64_t kNsPerMs = 1000000;

inline uint64_t nowNs()
{
    return uint64_t(std::chrono::duration_cast<std::chrono::nanoseconds>(
                        std::chrono::steady_clock::now().time_since_epoch())
                        .count());
}

} // namespace quicpool::transport
