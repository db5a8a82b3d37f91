// Groups the packets one write loop produces into UDP GSO sends. A GSO send
// is a run of packets of one size on one path (source and destination
// address, ECN mark: one sendmsg carries one of each), the last one possibly
// shorter, at most kMaxSegments packets and one IP datagram (65,000 bytes)
// long. Pure bookkeeping: the write loop (connectionwrite.cpp) owns the
// bytes and the socket, and asks this where each new packet goes.
#pragma once

#include "transport/socketaddress.h"
#include <cstddef>

namespace quicpool::transport {

class PacketBatcher
{
public:
    static constexpr size_t kMaxSegments = 64;    // the kernel's UDP_SEGMENT limit
    static constexpr size_t kMaxBytes = 65000;    // one GSO send is one IP datagram at most

    /// Where a new packet goes, relative to the batch so far.
    enum class Placement {
        Append,           ///< it joins the batch
        AfterFlush,       ///< send the batch first; the packet starts the next one
        AloneAfterFlush,  ///< send the batch first, then this packet on its own
    };

    /// budget: the most bytes one batch may hold (the pacer's send quantum,
    /// capped at kMaxBytes by the caller).
    explicit PacketBatcher(size_t budget) : m_budget(budget) {}

    /// A packet bigger than the batch's packets cannot join it (GSO sends
    /// equal sizes): most likely a Path MTU probe, it goes alone, so that a
    /// path refusing its size loses no data packet with it. A packet for
    /// another path (address, source or ECN mark) starts a new batch.
    Placement place(size_t len, const UdpPath &to) const
    {
        if (m_segments == 0 || (len <= m_segmentSize && to == m_destination))
            return Placement::Append;
        return len > m_segmentSize ? Placement::AloneAfterFlush : Placement::AfterFlush;
    }

    /// Counts a packet placed with Append. True when the batch must go now:
    /// the packet was shorter than the others (only the last may be), or
    /// the batch is full (segments, or no room for another full packet).
    bool append(size_t len, const UdpPath &to)
    {
        if (m_segments == 0) {
            m_destination = to;
            m_segmentSize = len;
        }
        m_bytes += len;
        ++m_segments;
        return len < m_segmentSize || isFull();
    }

    /// No room for another segment: the pacer's quantum (or the GSO limit)
    /// is used up, and the rest waits for the pacing timer.
    bool isFull() const { return m_segments >= kMaxSegments || m_bytes + m_segmentSize > m_budget; }

    bool isEmpty() const { return m_segments == 0; }
    size_t bytes() const { return m_bytes; }
    size_t segments() const { return m_segments; }
    size_t segmentSize() const { return m_segmentSize; }
    const UdpPath &destination() const { return m_destination; }
    void clear()
    {
        m_bytes = 0;
        m_segments = 0;
        m_segmentSize = 0;
    }

private:
    size_t m_budget;
    size_t m_bytes = 0;
    size_t m_segments = 0;
    size_t m_segmentSize = 0;
    UdpPath m_destination;
};

} // namespace quicpool::transport
