// The relay's NAT table: one entry per client address, with the upstream
// socket that speaks for it to the server. Entries are addressed by index
// plus generation, so a datagram still queued for a client whose mapping
// expired (and whose entry was reused) is recognised as orphaned.
#pragma once

#include "udp.h"

#include <cstdint>
#include <deque>
#include <unordered_map>
#include <vector>

class QSocketNotifier;

namespace quicpool::relay {

/// A datagram held back for reordering, waiting for its successor.
struct Held
{
    uint32_t slot = 0;
    uint64_t ticket = 0;        ///< 0: nothing held
    int64_t releaseNs = 0;      ///< when it would have gone without being held
};

struct Flow
{
    Endpoint client;
    int upstreamFd = -1;
    QSocketNotifier *notifier = nullptr;
    quint16 upstreamPort = 0;
    uint32_t generation = 0;
    bool live = false;
    int64_t lastActiveNs = 0;
    Held held[2];               ///< per Direction
    uint64_t maxReleasedSeq[2] = {0, 0};
};

class FlowTable
{
public:
    static constexpr uint32_t kNone = UINT32_MAX;

    uint32_t find(const EndpointKey &key) const;
    /// A live entry for the key (which must not be in the table yet).
    uint32_t add(const EndpointKey &key, const Endpoint &client);
    /// Forgets the entry; its index may be reused with the next generation.
    void remove(uint32_t index);
    /// The live entry at index if its generation still matches, else nullptr.
    Flow *get(uint32_t index, uint32_t generation);
    Flow &operator[](uint32_t index) { return m_flows[index]; }
    /// Every index ever handed out; check Flow::live.
    uint32_t capacity() const { return uint32_t(m_flows.size()); }
    int size() const { return int(m_index.size()); }

private:
    std::deque<Flow> m_flows;   // a deque: references survive add()
    std::vector<uint32_t> m_free;
    std::unordered_map<EndpointKey, uint32_t, EndpointKeyHash> m_index;
};

} // namespace quicpool::relay
