#include "arena.h"

#include <algorithm>
#include <cstring>

namespace quicpool::relay {

Arena::Arena(uint32_t limit) : m_limit(std::max<uint32_t>(1, limit))
{
}

Arena::~Arena() = default;

void Arena::grow()
{
    const uint32_t first = uint32_t(m_slots.size());
    const uint32_t count = std::min(kChunkSlots, m_limit - first);
    // Uninitialised: the kernel writes every byte we later read.
    m_chunks.push_back(std::make_unique_for_overwrite<char[]>(size_t(count) * kSmallSize));
    char *base = m_chunks.back().get();
    m_slots.resize(first + count);
    m_large.resize(first + count);
    for (uint32_t i = 0; i < count; ++i) {
        m_slots[first + i].data = base + size_t(i) * kSmallSize;
        m_slots[first + i].capacity = kSmallSize;
    }
    // Lowest index on top: slots are handed out in address order.
    for (uint32_t i = count; i > 0; --i)
        m_free.push_back(first + i - 1);
}

uint32_t Arena::acquire()
{
    if (m_free.empty()) {
        if (m_slots.size() >= m_limit)
            return kNone;
        grow();
    }
    const uint32_t index = m_free.back();
    m_free.pop_back();
    m_slots[index].ticket = m_nextTicket++;
    m_slots[index].size = 0;
    m_slots[index].sending = false;
    ++m_inUse;
    return index;
}

void Arena::release(uint32_t index)
{
    Slot &s = m_slots[index];
    if (s.ticket == 0)
        return;
    s.ticket = 0;
    --m_inUse;
    m_free.push_back(index);
}

void Arena::reserve(uint32_t index, uint32_t size, uint32_t keep)
{
    Slot &s = m_slots[index];
    if (size <= s.capacity)
        return;
    if (!m_large[index])
        m_large[index] = std::make_unique_for_overwrite<char[]>(size_t(kMaxDatagramSize));
    if (s.data != m_large[index].get()) {
        std::memcpy(m_large[index].get(), s.data, std::min(keep, s.capacity));
        s.data = m_large[index].get();
        s.capacity = kMaxDatagramSize;
    }
}

void Arena::clear()
{
    for (uint32_t i = 0; i < m_slots.size(); ++i)
        release(i);
}

} // namespace quicpool::relay
