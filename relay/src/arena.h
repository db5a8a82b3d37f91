// Buffers for the datagrams the relay holds, allocated in chunks and reused:
// steady traffic allocates nothing per datagram. A slot starts with room
// for kSmallSize bytes (every datagram of a 1500-byte path); one that must
// hold more gets its own buffer of kMaxDatagramSize, kept for its next use.
// At most `limit` slots exist, so a flood cannot exhaust memory.
#pragma once

#include <quicpool/relay/relayconfig.h>

#include <cstdint>
#include <memory>
#include <vector>

namespace quicpool::relay {

/// One held datagram and what the relay needs to know to send it on.
struct Slot
{
    char *data = nullptr;
    uint32_t capacity = 0;
    uint32_t size = 0;
    uint64_t ticket = 0;        ///< 0 while free; unique per use
    Direction direction = Direction::Up;
    uint32_t flow = 0;          ///< index of its client in the flow table
    uint32_t flowGeneration = 0;///< ... and that entry's generation, to spot a reused entry
    uint64_t arrivalSeq = 0;    ///< position in its direction, for counting reordering
    bool sending = false;       ///< in a send batch: a second delay-line entry for it is stale
};

class Arena
{
public:
    static constexpr uint32_t kNone = UINT32_MAX;
    static constexpr uint32_t kSmallSize = 2048;

    explicit Arena(uint32_t limit);
    ~Arena();
    Arena(const Arena &) = delete;
    Arena &operator=(const Arena &) = delete;

    /// A free slot with a fresh ticket, or kNone when `limit` are in use.
    uint32_t acquire();
    void release(uint32_t index);
    /// Makes the slot's buffer hold at least size bytes, keeping its first
    /// `keep` bytes. size <= kMaxDatagramSize.
    void reserve(uint32_t index, uint32_t size, uint32_t keep);

    Slot &operator[](uint32_t index) { return m_slots[index]; }
    const Slot &operator[](uint32_t index) const { return m_slots[index]; }
    uint32_t inUse() const { return m_inUse; }
    uint32_t limit() const { return m_limit; }
    uint32_t allocated() const { return uint32_t(m_slots.size()); }
    /// Frees every slot (their buffers stay for reuse).
    void clear();

private:
    static constexpr uint32_t kChunkSlots = 256;

    void grow();

    uint32_t m_limit;
    uint32_t m_inUse = 0;
    uint64_t m_nextTicket = 1;
    std::vector<Slot> m_slots;
    std::vector<uint32_t> m_free;
    std::vector<std::unique_ptr<char[]>> m_chunks;  ///< kChunkSlots x kSmallSize each
    std::vector<std::unique_ptr<char[]>> m_large;   ///< per slot, made when first needed
};

} // namespace quicpool::relay
