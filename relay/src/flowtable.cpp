#include "flowtable.h"

namespace quicpool::relay {

uint32_t FlowTable::find(const EndpointKey &key) const
{
    const auto it = m_index.find(key);
    return it == m_index.end() ? kNone : it->second;
}

uint32_t FlowTable::add(const EndpointKey &key, const Endpoint &client)
{
    uint32_t index;
    if (!m_free.empty()) {
        index = m_free.back();
        m_free.pop_back();
    } else {
        index = uint32_t(m_flows.size());
        m_flows.emplace_back();
    }
    Flow &f = m_flows[index];
    const uint32_t generation = f.generation + 1;
    f = Flow();
    f.generation = generation;
    f.client = client;
    f.live = true;
    m_index.emplace(key, index);
    return index;
}

void FlowTable::remove(uint32_t index)
{
    Flow &f = m_flows[index];
    if (!f.live)
        return;
    m_index.erase(keyOf(f.client.storage));
    f.live = false;
    ++f.generation;
    m_free.push_back(index);
}

Flow *FlowTable::get(uint32_t index, uint32_t generation)
{
    if (index >= m_flows.size())
        return nullptr;
    Flow &f = m_flows[index];
    return f.live && f.generation == generation ? &f : nullptr;
}

} // namespace quicpool::relay
