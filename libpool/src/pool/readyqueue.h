// Pooled streams in arrival order, with O(1) take by ID and O(1) take of
// the oldest (what incomingGet needs). Plain data structure, no Qt loop.
#pragma once

#include <QtCore/QHash>
#include <QtCore/QString>
#include <QtCore/QStringList>
#include <list>
#include <utility>

namespace quicpool {

class Stream;

class ReadyQueue
{
public:
    bool contains(const QString &id) const { return m_index.contains(id); }
    int size() const { return int(m_index.size()); }
    bool isEmpty() const { return m_index.isEmpty(); }

    /// False if the ID is already present (IDs are unique in a pool).
    bool push(const QString &id, Stream *stream)
    {
        if (m_index.contains(id))
            return false;
        m_order.emplace_back(id, stream);
        m_index.insert(id, std::prev(m_order.end()));
        return true;
    }
    Stream *take(const QString &id)
    {
        auto it = m_index.find(id);
        if (it == m_index.end())
            return nullptr;
        Stream *s = it.value()->second;
        m_order.erase(it.value());
        m_index.erase(it);
        return s;
    }
    Stream *takeOldest(QString *id = nullptr)
    {
        if (m_order.empty())
            return nullptr;
        auto [oldestId, s] = m_order.front();
        if (id)
            *id = oldestId;
        m_index.remove(oldestId);
        m_order.pop_front();
        return s;
    }
    QStringList ids() const
    {
        QStringList out;
        out.reserve(qsizetype(m_order.size()));
        for (const auto &entry : m_order)
            out.append(entry.first);
        return out;
    }
    template <typename F> void forEach(F f) const
    {
        for (const auto &entry : m_order)
            f(entry.first, entry.second);
    }

private:
    using Entry = std::pair<QString, Stream *>;
    std::list<Entry> m_order;
    QHash<QString, std::list<Entry>::iterator> m_index;
};

} // namespace quicpool
