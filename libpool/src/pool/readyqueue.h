// Pooled streams in arrival order, with O(1) take by ID and amortised O(1)
// take of the oldest (what incomingGet needs). Plain data structure, no Qt
// event loop, so unit tests reach it directly.
//
// Memory matters here (a pool may hold 10,000 idle streams): arrival order
// is a flat deque of IDs, not a linked list with a node per stream. Taking
// by ID leaves a stale entry in the deque; stale entries are skipped when
// the oldest is taken, and the deque is compacted once they outnumber the
// live ones, so it never grows beyond twice the pool.
#pragma once

#include "transport/streamaccess.h"
#include <QtCore/QHash>
#include <QtCore/QString>
#include <QtCore/QStringList>
#include <deque>

namespace quicpool {

using transport::PooledStream;

class ReadyQueue
{
public:
    bool contains(const QString &id) const { return m_streams.contains(id); }
    int size() const { return int(m_streams.size()); }
    bool isEmpty() const { return m_streams.isEmpty(); }

    /// False if the ID is already present (IDs are unique in a pool).
    bool push(const QString &id, PooledStream *stream)
    {
        if (m_streams.contains(id))
            return false;
        // The serial tells a live order entry from a stale one left by an
        // earlier stream that had the same ID.
        const quint64 serial = m_nextSerial++;
        m_streams.insert(id, Entry{stream, serial});
        m_order.push_back(Order{id, serial});
        return true;
    }
    PooledStream *take(const QString &id)
    {
        const auto it = m_streams.constFind(id);
        if (it == m_streams.constEnd())
            return nullptr;
        PooledStream *s = it->stream;
        m_streams.erase(it);
        compactIfStale();
        return s;
    }
    PooledStream *takeOldest(QString *id = nullptr)
    {
        while (!m_order.empty()) {
            const Order front = std::move(m_order.front());
            m_order.pop_front();
            if (!isLive(front))
                continue;
            PooledStream *s = m_streams.take(front.id).stream;
            if (id)
                *id = front.id;
            return s;
        }
        return nullptr;
    }
    QStringList ids() const
    {
        QStringList out;
        out.reserve(m_streams.size());
        for (const Order &o : m_order)
            if (isLive(o))
                out.append(o.id);
        return out;
    }
    template <typename F> void forEach(F f) const
    {
        for (const Order &o : m_order)
            if (isLive(o))
                f(o.id, m_streams.value(o.id).stream);
    }
    /// Entries in the order deque, stale ones included (for tests).
    size_t orderLength() const { return m_order.size(); }

private:
    struct Entry
    {
        PooledStream *stream = nullptr;
        quint64 serial = 0;
    };
    struct Order
    {
        QString id;
        quint64 serial;
    };
    bool isLive(const Order &o) const
    {
        const auto it = m_streams.constFind(o.id);
        return it != m_streams.constEnd() && it->serial == o.serial;
    }
    void compactIfStale()
    {
        if (m_order.size() <= 2 * size_t(m_streams.size()) + 16)
            return;
        std::deque<Order> live;
        for (Order &o : m_order)
            if (isLive(o))
                live.push_back(std::move(o));
        m_order.swap(live);
    }

    QHash<QString, Entry> m_streams;
    std::deque<Order> m_order;
    quint64 m_nextSerial = 0;
};

} // namespace quicpool
