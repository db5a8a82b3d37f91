#include "transport/rxchunkpool.h"

namespace quicpool::transport {

QByteArray RxChunkPool::take(qsizetype capacity, uint64_t nowNs)
{
    m_lastTakeNs = nowNs;
    if (!m_spares.empty()) {
        QByteArray chunk = std::move(m_spares.back());
        m_spares.pop_back();
        return chunk;
    }
    QByteArray chunk;
    chunk.reserve(capacity);
    return chunk;
}

void RxChunkPool::recycle(QByteArray &&chunk, qsizetype capacity)
{
    if (m_spares.size() >= kMaxSpare || chunk.capacity() < capacity || chunk.capacity() > 2 * capacity
        || !chunk.isDetached())
        return;
    chunk.resize(0);   // keeps the allocation
    m_spares.push_back(std::move(chunk));
}

void RxChunkPool::trim(uint64_t nowNs)
{
    if (!m_spares.empty() && nowNs - m_lastTakeNs > kIdleNs)
        std::vector<QByteArray>().swap(m_spares);
}

} // namespace quicpool::transport
