#include "pool/randomreserve.h"

#include <cstring>

namespace quicpool::pool {

RandomReserve::~RandomReserve()
{
    // What is left of a draw would name future streams: not kept in freed memory.
    std::memset(m_bytes.data(), 0, m_bytes.size());
}

void RandomReserve::take(void *out, size_t length)
{
    if (length > kDraw) {
        m_fill(out, length);
        return;
    }
    if (kDraw - m_used < length) {
        m_fill(m_bytes.data(), kDraw);
        m_used = 0;
    }
    std::memcpy(out, m_bytes.data() + m_used, length);
    // Handed out once: wiped, so a later bug cannot hand the same bytes again.
    std::memset(m_bytes.data() + m_used, 0, length);
    m_used += length;
}

} // namespace quicpool::pool
