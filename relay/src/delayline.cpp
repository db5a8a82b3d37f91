#include "delayline.h"

#include <algorithm>

namespace quicpool::relay {

namespace {

/// std::push_heap builds a max-heap: "later" sorts first.
bool later(const DelayLine::Entry &a, const DelayLine::Entry &b)
{
    if (a.releaseNs != b.releaseNs)
        return a.releaseNs > b.releaseNs;
    return a.order > b.order;
}

} // namespace

void DelayLine::push(int64_t releaseNs, uint32_t slot, uint64_t ticket)
{
    m_heap.push_back(Entry{releaseNs, m_nextOrder++, slot, ticket});
    std::push_heap(m_heap.begin(), m_heap.end(), later);
}

bool DelayLine::popDue(int64_t nowNs, Entry *out)
{
    if (m_heap.empty() || m_heap.front().releaseNs > nowNs)
        return false;
    std::pop_heap(m_heap.begin(), m_heap.end(), later);
    *out = m_heap.back();
    m_heap.pop_back();
    return true;
}

} // namespace quicpool::relay
