// Pooled streams in arrival order, with O(1) take by ID and amortised O(1)
// take of the oldest (what incomingGet needs). Plain data structure, no Qt
// event loop, so unit tests reach it directly.
//
// Memory and time matter here (a pool may hold 10,000 idle streams and
// fills them in milliseconds): IDs are kept as the 32-bit number of their
// four bytes, not as text (hashing and growing a table of strings was a
// fifth of a fill's CPU), and arrival order is a flat deque, not a linked
// list with a node per stream. Taking by ID leaves a stale entry in the
// deque; stale entries are skipped when the oldest is taken, and the deque
// is compacted once they outnumber the live ones, so it never grows beyond
// twice the pool.
#pragma once

#include "pool/rules.h"
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
    /// A stream ID's four bytes as one number: "a1b2c3d4" is 0xa1b2c3d4.
    using Key = quint32;
    static Key keyOf(const pool::StreamId &id)
    {
        return Key(id[0]) << 24 | Key(id[1]) << 16 | Key(id[2]) << 8 | Key(id[3]);
    }
    static pool::StreamId idOf(Key key)
    {
        return {uint8_t(key >> 24), uint8_t(key >> 16), uint8_t(key >> 8), uint8_t(key)};
    }
    static QString textOf(Key key) { return pool::encodeId(idOf(key)); }

    bool contains(Key id) const { return m_streams.contains(id); }
    int size() const { return int(m_streams.size()); }
    bool isEmpty() const { return m_streams.isEmpty(); }
    /// Room for n streams without growing the table while a fill runs.
    void reserve(int n) { m_streams.reserve(n); }

    /// False if the ID is already present (IDs are unique in a pool).
    bool push(Key id, PooledStream *stream)
    {
        Entry &slot = m_streams[id];   // one lookup: a new slot holds no stream
        if (slot.stream)
            return false;
        // The serial tells a live order entry from a stale one left by an
        // earlier stream that had the same ID.
        slot = Entry{stream, m_nextSerial++};
        m_order.push_back(Order{id, slot.serial});
        return true;
    }
    PooledStream *take(Key id)
    {
        const auto it = m_streams.constFind(id);
        if (it == m_streams.constEnd())
            return nullptr;
        PooledStream *s = it->stream;
        m_streams.erase(it);
        compactIfStale();
        return s;
    }
    PooledStream *takeOldest(Key *id = nullptr)
    {
        while (!m_order.empty()) {
            const Order front = m_order.front();
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
    /// The IDs as text, oldest first.
    QStringList ids() const
    {
        QStringList out;
        out.reserve(m_streams.size());
        for (const Order &o : m_order)
            if (isLive(o))
                out.append(textOf(o.id));
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
        Key id;
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
        for (const Order &o : m_order)
            if (isLive(o))
                live.push_back(o);
        m_order.swap(live);
    }

    QHash<Key, Entry> m_streams;
    std::deque<Order> m_order;
    quint64 m_nextSerial = 0;
};

} // namespace quicpool
