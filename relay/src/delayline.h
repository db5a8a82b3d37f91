// Datagrams waiting for their release time: a binary min-heap on (release
// time, order pushed), so equal times leave in the order they came and a
// fixed delay never reorders. Entries name an arena slot and the ticket the
// slot had when pushed; a slot may be pushed twice (a held-back datagram:
// once with its hold deadline, once behind its successor) and whichever
// entry comes due first sends it; the other is then stale (ticket changed)
// and skipped. The vector keeps its capacity, so steady traffic allocates
// nothing.
#pragma once

#include <cstddef>
#include <cstdint>
#include <vector>

namespace quicpool::relay {

class DelayLine
{
public:
    struct Entry
    {
        int64_t releaseNs = 0;
        uint64_t order = 0;
        uint32_t slot = 0;
        uint64_t ticket = 0;
    };

    void push(int64_t releaseNs, uint32_t slot, uint64_t ticket);
    bool empty() const { return m_heap.empty(); }
    size_t size() const { return m_heap.size(); }
    /// Release time of the first entry; only when not empty().
    int64_t nextNs() const { return m_heap.front().releaseNs; }
    /// Takes the first entry if it is due at nowNs.
    bool popDue(int64_t nowNs, Entry *out);
    void clear() { m_heap.clear(); }

private:
    std::vector<Entry> m_heap;
    uint64_t m_nextOrder = 0;
};

} // namespace quicpool::relay
