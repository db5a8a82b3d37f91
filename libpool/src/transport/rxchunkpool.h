// Spare receive chunks of one connection. Stream data is appended to 64 KiB
// chunks; a busy reader frees a chunk for every one it fills, and reusing
// them keeps malloc from growing and trimming its heap in step with the
// traffic (page faults on every fresh chunk; docs/PERFORMANCE.md).
#pragma once

#include <QtCore/QByteArray>
#include <cstdint>
#include <vector>

namespace quicpool::transport {

class RxChunkPool
{
public:
    /// Enough for a handful of busy streams; more would only hold memory.
    static constexpr size_t kMaxSpare = 16;
    /// Spares unused this long are freed (by trim()).
    static constexpr uint64_t kIdleNs = 1000ull * 1000 * 1000;

    /// An empty chunk with room for `capacity` bytes: a spare when there is one.
    QByteArray take(qsizetype capacity, uint64_t nowNs);
    /// Keeps a read-out chunk of about `capacity` bytes for take(). Chunks
    /// of another size, shared ones, and any beyond kMaxSpare are let go.
    void recycle(QByteArray &&chunk, qsizetype capacity);
    /// Frees the spares when none was taken for kIdleNs.
    void trim(uint64_t nowNs);
    size_t spares() const { return m_spares.size(); }

private:
    std::vector<QByteArray> m_spares;
    uint64_t m_lastTakeNs = 0;
};

} // namespace quicpool::transport
