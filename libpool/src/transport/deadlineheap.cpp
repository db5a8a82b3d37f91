#include "transport/deadlineheap.h"

namespace quicpool::transport {

void DeadlineHeap::place(size_t i, Entry *e)
{
    m_heap[i] = e;
    e->index = i;
}

void DeadlineHeap::siftUp(size_t i)
{
    Entry *e = m_heap[i];
    while (i > 0) {
        const size_t parent = (i - 1) / 2;
        if (!earlier(e, m_heap[parent]))
            break;
        place(i, m_heap[parent]);
        i = parent;
    }
    place(i, e);
}

void DeadlineHeap::siftDown(size_t i)
{
    Entry *e = m_heap[i];
    const size_t n = m_heap.size();
    for (;;) {
        size_t child = 2 * i + 1;
        if (child >= n)
            break;
        if (child + 1 < n && earlier(m_heap[child + 1], m_heap[child]))
            ++child;
        if (!earlier(m_heap[child], e))
            break;
        place(i, m_heap[child]);
        i = child;
    }
    place(i, e);
}

void DeadlineHeap::schedule(Entry *e, uint64_t deadline)
{
    e->deadline = deadline;
    e->sequence = m_sequence++;
    if (e->isScheduled()) {
        // Either direction: one of the two sifts does nothing.
        siftUp(e->index);
        siftDown(e->index);
        return;
    }
    m_heap.push_back(e);
    siftUp(m_heap.size() - 1);
}

void DeadlineHeap::cancel(Entry *e)
{
    if (!e->isScheduled())
        return;
    const size_t i = e->index;
    e->index = Entry::kNowhere;
    Entry *last = m_heap.back();
    m_heap.pop_back();
    if (last != e) {
        place(i, last);
        siftUp(i);
        siftDown(last->index);
    } else if (m_heap.empty()) {
        // A heap that shrank to nothing keeps no capacity (a flood's
        // thousands of timers are gone).
        std::vector<Entry *>().swap(m_heap);
    }
}

DeadlineHeap::Entry *DeadlineHeap::popDue(uint64_t now, uint64_t before)
{
    if (m_heap.empty())
        return nullptr;
    Entry *e = m_heap.front();
    if (e->deadline > now || e->sequence >= before)
        return nullptr;
    cancel(e);
    return e;
}

} // namespace quicpool::transport
