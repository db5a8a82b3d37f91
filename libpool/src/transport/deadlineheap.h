// The deadlines of every timer on one thread, earliest first: an indexed
// binary min-heap whose entries know their place, so re-arming or stopping
// a timer is O(log n) and leaves nothing behind. Pure (no clock, no Qt), so
// tests reach it directly; PreciseTimer (precisetimer.h) builds on it.
#pragma once

#include <cstddef>
#include <cstdint>
#include <vector>

namespace quicpool::transport {

class DeadlineHeap
{
public:
    /// What a timer embeds: its place in the heap, its deadline, and the
    /// order it was scheduled in (equal deadlines fire first come, first served).
    struct Entry
    {
        static constexpr size_t kNowhere = size_t(-1);
        uint64_t deadline = 0;
        uint64_t sequence = 0;
        size_t index = kNowhere;
        bool isScheduled() const { return index != kNowhere; }
    };

    /// Schedules e at deadline, or moves it there if it is already scheduled.
    void schedule(Entry *e, uint64_t deadline);
    /// Takes e out; nothing when it is not scheduled.
    void cancel(Entry *e);
    bool isEmpty() const { return m_heap.empty(); }
    size_t size() const { return m_heap.size(); }
    /// The earliest entry; nullptr when empty.
    Entry *top() const { return m_heap.empty() ? nullptr : m_heap.front(); }
    /// Takes out and returns the earliest entry if it is due at now and was
    /// scheduled before sequence `before` (so an entry re-armed for the past
    /// while due ones are being fired waits for the next round instead of
    /// looping); nullptr otherwise.
    Entry *popDue(uint64_t now, uint64_t before);
    /// The sequence the next schedule() will use.
    uint64_t nextSequence() const { return m_sequence; }

private:
    static bool earlier(const Entry *a, const Entry *b)
    {
        return a->deadline != b->deadline ? a->deadline < b->deadline : a->sequence < b->sequence;
    }
    void place(size_t i, Entry *e);
    void siftUp(size_t i);
    void siftDown(size_t i);

    std::vector<Entry *> m_heap;
    uint64_t m_sequence = 0;
};

} // namespace quicpool::transport
