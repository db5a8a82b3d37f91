#include "transport/sendbuffer.h"

#include <algorithm>
#include <cstring>

namespace quicpool::transport {

namespace {
constexpr size_t kTinyWrite = 64;
constexpr size_t kMinBlock = 4096;
constexpr size_t kMaxBlock = 256 * 1024;
}

size_t SendBuffer::append(const char *data, size_t len, size_t limit)
{
    len = std::min(len, freeSpace(limit));
    size_t done = 0;
    while (done < len) {
        if (m_head == m_blocks.size() || m_blocks.back().size == m_blocks.back().capacity) {
            // Small writes get small blocks (pooled streams carry a few
            // bytes); big writes get big ones so the data path needs few
            // vectors. Not zero-filled: every byte is written before use.
            // A tiny write into an empty buffer (the pool's hello and IDs)
            // gets an exact block: 10,000 pooled streams must not leave
            // 10,000 freed 4 KiB holes behind. Tiny writes that follow
            // unacknowledged data share blocks that double up to 4 KiB, so
            // a burst of them costs a block per 4 KiB, not one per write
            // (appends go after bytes already handed to ngtcp2, never move them).
            const size_t want = len - done;
            size_t cap = 0;
            if (want >= kTinyWrite)
                cap = std::clamp(want, kMinBlock, kMaxBlock);
            else if (m_head == m_blocks.size())
                cap = want;
            else
                cap = std::clamp(2 * m_blocks.back().capacity, kTinyWrite, kMinBlock);
            std::unique_ptr<uint8_t[]> bytes = cap == kMaxBlock && m_spare ? std::move(m_spare) : nullptr;
            if (!bytes) {
                bytes.reset(new uint8_t[cap]);
                ++m_blocksAllocated;
            }
            m_blocks.push_back(Block{m_written, 0, cap, std::move(bytes)});
        }
        Block &b = m_blocks.back();
        const size_t n = std::min(len - done, b.capacity - b.size);
        std::memcpy(b.data.get() + b.size, data + done, n);
        b.size += n;
        done += n;
        m_written += n;
    }
    return done;
}

size_t SendBuffer::allocatedBytes() const
{
    size_t total = 0;
    for (size_t i = m_head; i < m_blocks.size(); ++i)
        total += m_blocks[i].capacity;
    return total;
}

void SendBuffer::markSent(size_t n)
{
    m_sent += n;
    m_cursor = std::max(m_cursor, m_head);
    // Never past the last block: append() may still fill it.
    while (m_cursor + 1 < m_blocks.size() && m_blocks[m_cursor].start + m_blocks[m_cursor].size <= m_sent)
        ++m_cursor;
}

size_t SendBuffer::unsent(ngtcp2_vec *vecs, size_t maxVecs) const
{
    size_t count = 0;
    for (size_t i = std::max(m_cursor, m_head); i < m_blocks.size(); ++i) {
        const Block &b = m_blocks[i];
        if (count == maxVecs)
            break;
        const uint64_t end = b.start + b.size;
        if (end <= m_sent)
            continue;
        const size_t from = size_t(m_sent > b.start ? m_sent - b.start : 0);
        vecs[count].base = b.data.get() + from;
        vecs[count].len = b.size - from;
        ++count;
    }
    return count;
}

uint64_t SendBuffer::acknowledge(uint64_t ackedUpTo)
{
    if (ackedUpTo <= m_acked)
        return 0;
    const uint64_t delta = ackedUpTo - m_acked;
    m_acked = ackedUpTo;
    while (m_head < m_blocks.size()) {
        Block &b = m_blocks[m_head];
        // Idle pooled streams must not keep a block each: free even a
        // tail block once all of it is acknowledged.
        if (b.start + b.size > m_acked)
            break;
        if (b.capacity == kMaxBlock && !m_spare)
            m_spare = std::move(b.data);
        b.data.reset();
        ++m_head;
    }
    if (m_head == m_blocks.size()) {
        std::vector<Block>().swap(m_blocks);   // idle streams keep no capacity
        m_head = 0;
        m_cursor = 0;
    } else if (m_head >= 32) {
        m_blocks.erase(m_blocks.begin(), m_blocks.begin() + std::ptrdiff_t(m_head));
        m_cursor = m_cursor > m_head ? m_cursor - m_head : 0;
        m_head = 0;
    }
    return delta;
}

} // namespace quicpool::transport
