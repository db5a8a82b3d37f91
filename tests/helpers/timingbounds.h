// Whether a test may hold timing to tight bounds in this build. Under
// ThreadSanitizer every memory access is instrumented: threads start
// slowly and a process runs several times slower than its peer, so a
// relay's first-datagram delay or a throughput ratio between two programs
// says nothing about the code. Those checks are left out there; the code
// paths still run, for TSan to look at. Every other build keeps them.
#pragma once

namespace quicpool::testing {

#if defined(__SANITIZE_THREAD__)
inline constexpr bool kTightTiming = false;
#else
inline constexpr bool kTightTiming = true;
#endif

} // namespace quicpool::testing
