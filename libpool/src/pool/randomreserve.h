// Random bytes handed out from a reserve drawn 512 bytes at a time: a server
// pool names every stream with 4 random bytes, and one draw from the TLS
// library's generator per stream was 3.7 % of a pool fill's CPU. Plain
// logic, one thread (the pool's); the draws stay cryptographically random.
#pragma once

#include "pool/rules.h"
#include <array>
#include <cstddef>
#include <cstdint>

namespace quicpool::pool {

class RandomReserve
{
public:
    static constexpr size_t kDraw = 512;

    explicit RandomReserve(RandomFill fill) : m_fill(std::move(fill)) {}
    ~RandomReserve();
    RandomReserve(const RandomReserve &) = delete;
    RandomReserve &operator=(const RandomReserve &) = delete;

    /// Fills `out` with `length` bytes nobody else was given. More than a
    /// draw at once goes straight to the generator.
    void take(void *out, size_t length);
    /// A RandomFill that takes from this reserve (for makeStreamId()).
    RandomFill filler()
    {
        return [this](void *out, size_t length) { take(out, length); };
    }

private:
    RandomFill m_fill;
    std::array<uint8_t, kDraw> m_bytes{};
    size_t m_used = kDraw;   // empty until the first take
};

} // namespace quicpool::pool
