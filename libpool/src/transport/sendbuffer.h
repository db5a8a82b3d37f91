// A stream's send buffer. ngtcp2 keeps pointers into the bytes it has sent
// until they are acknowledged, so stored bytes never move: data lives in
// blocks that are only appended to and freed whole once acknowledged.
#pragma once

#include <algorithm>
#include <cstddef>
#include <cstdint>
#include <memory>
#include <vector>
#include <ngtcp2/ngtcp2.h>

namespace quicpool::transport {

/// How many unacknowledged bytes a busy stream may hold while `sending`
/// streams of its connection (itself included) hold some: its limit divided
/// among them, but never under 64 KiB (or the limit, if smaller). Data
/// waiting in eight 1 MiB buffers goes cold in the cache before ngtcp2
/// copies it into packets: eight streams measured 10% slower than one until
/// they shared.
constexpr size_t sharedSendLimit(size_t limit, size_t sending)
{
    constexpr size_t kFloor = 64 * 1024;
    if (sending <= 1)
        return limit;
    return std::max(std::min(limit, kFloor), limit / sending);
}

class SendBuffer
{
public:
    /// Copies up to len bytes; returns how many were taken (bounded by limit()).
    size_t append(const char *data, size_t len) { return append(data, len, m_limit); }
    /// The same, bounded by `limit` instead (a share of the connection's).
    size_t append(const char *data, size_t len, size_t limit);
    /// Fills up to maxVecs vectors with unsent bytes; returns the count.
    size_t unsent(ngtcp2_vec *vecs, size_t maxVecs) const;
    void markSent(size_t n);
    /// Frees every block wholly below the acknowledged offset; returns newly acked bytes.
    uint64_t acknowledge(uint64_t ackedUpTo);

    uint64_t written() const { return m_written; }   ///< total bytes ever appended
    uint64_t sent() const { return m_sent; }
    uint64_t acked() const { return m_acked; }
    /// Unacknowledged bytes the application wrote (bytes before base(), the
    /// pool's handshake, are not the application's and do not count).
    size_t pending() const { return size_t(m_written - std::max(m_acked, m_base)); }
    void setBase(uint64_t offset) { m_base = offset; }
    bool hasUnsent() const { return m_sent < m_written; }
    size_t limit() const { return m_limit; }
    void setLimit(size_t bytes) { m_limit = bytes; }
    size_t freeSpace() const { return freeSpace(m_limit); }
    size_t freeSpace(size_t limit) const { return pending() >= limit ? 0 : limit - pending(); }
    /// Blocks allocated since construction, and the bytes the live ones
    /// hold (for tests: what a pattern of writes costs the heap).
    size_t blocksAllocated() const { return m_blocksAllocated; }
    size_t allocatedBytes() const;

private:
    struct Block
    {
        uint64_t start;   // stream offset of data[0]
        size_t size;      // bytes used
        size_t capacity;
        std::unique_ptr<uint8_t[]> data;
    };
    std::vector<Block> m_blocks;   // a vector: an empty deque allocates ~600 bytes
    size_t m_head = 0;             // first live block in m_blocks
    // The block holding the first unsent byte, so a big buffer (a congestion
    // window's worth on a long path) is not walked from its start per packet.
    size_t m_cursor = 0;
    // One acknowledged big block kept for the next append: a bulk sender
    // otherwise maps and faults in a fresh 256 KiB block (malloc serves that
    // size with mmap) for every 256 KiB it sends.
    std::unique_ptr<uint8_t[]> m_spare;
    uint64_t m_written = 0;
    uint64_t m_sent = 0;
    uint64_t m_acked = 0;
    uint64_t m_base = 0;
    size_t m_limit = 1024 * 1024;
    size_t m_blocksAllocated = 0;
};

} // namespace quicpool::transport
