#include "transport/turnhooks.h"

#include <QtCore/QAbstractEventDispatcher>
#include <QtCore/QPointer>
#include <algorithm>
#include <utility>
#include <vector>

namespace quicpool::transport::turnhooks {

namespace {

struct Owed
{
    void *key;
    Callback callback;
};

struct ThreadList
{
    std::vector<Owed> owed;
    // The dispatcher our slot is connected to: a thread may get a new one
    // (a QCoreApplication made again on the main thread), and the old
    // connection went with the old dispatcher.
    QPointer<QAbstractEventDispatcher> hookedTo;
};

thread_local ThreadList t_list;
thread_local uint64_t t_postedWork = 0;

void runOwed()
{
    if (t_list.owed.empty())
        return;
    // A callback may owe again (it runs inside a turn that is starting):
    // that entry waits for the turn after.
    const std::vector<Owed> now = std::exchange(t_list.owed, {});
    for (const Owed &o : now)
        o.callback(o.key);
}

bool hookThisThread()
{
    QAbstractEventDispatcher *dispatcher = QAbstractEventDispatcher::instance();
    if (!dispatcher)
        return false;
    if (t_list.hookedTo == dispatcher)
        return true;
    // The dispatcher as context: the slots run on its (this) thread and go
    // with it.
    QObject::connect(dispatcher, &QAbstractEventDispatcher::aboutToBlock, dispatcher, &runOwed);
    QObject::connect(dispatcher, &QAbstractEventDispatcher::awake, dispatcher, &runOwed);
    t_list.hookedTo = dispatcher;
    return true;
}

} // namespace

bool defer(void *key, Callback callback)
{
    if (!hookThisThread())
        return false;
    const auto it = std::find_if(t_list.owed.begin(), t_list.owed.end(), [key](const Owed &o) { return o.key == key; });
    if (it == t_list.owed.end())
        t_list.owed.push_back(Owed{key, callback});
    return true;
}

void cancel(void *key)
{
    auto &owed = t_list.owed;
    owed.erase(std::remove_if(owed.begin(), owed.end(), [key](const Owed &o) { return o.key == key; }), owed.end());
}

int owedOnThisThread()
{
    return int(t_list.owed.size());
}

void notePostedWork()
{
    ++t_postedWork;
}

uint64_t postedWork()
{
    return t_postedWork;
}

} // namespace quicpool::transport::turnhooks
