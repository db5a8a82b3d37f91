// Pool's private side, what ClientPool and ServerPool share: the ready-stream
// queue, the waiting asynchronous gets, the counters other threads read, the
// state and the close/flush plumbing. Nothing here touches ngtcp2: pools see
// connections and streams only.
#pragma once

#include "pool/readyqueue.h"
#include "pool/repeatedcause.h"
#include <quicpool/pool.h>
#include <QtCore/QMutex>
#include <QtCore/QPointer>
#include <QtCore/QTimer>
#include <atomic>
#include <deque>
#include <list>
#include <memory>

namespace quicpool {

namespace transport {
class Connection;
}

class PoolPrivate
{
    Q_DECLARE_PUBLIC(Pool)
public:
    PoolPrivate() = default;
    virtual ~PoolPrivate();

    Pool *q_ptr = nullptr;

    // --- counters, readable from any thread
    std::atomic_bool ready{false};
    std::atomic_bool connectedFlag{false};
    std::atomic_int activeCount{0};
    std::atomic_int capacityValue{0};
    std::atomic<qint64> intervalMs{0};
    std::atomic<qint64> errors{0};
    std::atomic<qint64> refusedStreams{0};   // refusedStreamCount()
    std::atomic<Pool::State> state{Pool::State::Idle};

    // --- snapshots other threads read whole: one lock each, held for a copy
    mutable QMutex snapshotLock;
    ConnectionStats statsSnapshot;
    Error currentError;

    Error lastError() const;
    /// Takes a new statistics snapshot from the current connection.
    void refreshStats();

    // --- signals. Every function that may emit one returns false when a
    // slot deleted the pool meanwhile; its caller then returns at once,
    // touching nothing (the lifetime contract in pool.h).
    [[nodiscard]] bool setState(Pool::State state);
    /// Emits the change signals of active, capacity, interval and
    /// errorCount that differ from what was last emitted. From another
    /// thread (addError()), it asks the pool's thread to do it.
    [[nodiscard]] bool publish();
    struct Published
    {
        int active = 0;
        int capacity = 0;
        qint64 intervalMs = 0;
        qint64 errors = 0;
    } published;   // pool thread only
    /// Takes the current values as published (at construction: no signal).
    void markPublished();

    QTimer *statsTimer = nullptr;

    // --- ready streams (pool thread mutates; readyIds() may read from others)
    ReadyQueue readyQueue;
    mutable QMutex readyLock;

    /// Adds a stream that finished its ID handshake: hands it to a waiting
    /// get if one matches, otherwise queues it. Always store before announce.
    [[nodiscard]] bool pool(PooledStream *stream, const pool::StreamId &id);
    /// Removes and hands out the stream (nullptr if absent or dead, or if a
    /// slot deleted it or the pool). Callers that go on afterwards check
    /// the pool themselves.
    Stream *take(const QString &id);
    Stream *takeOldest();
    /// A stream leaves the pool for the application: its Stream is made, a
    /// child of the pool, then streamTaken. The stream, or nullptr if a slot
    /// deleted it or the pool.
    Stream *handOut(PooledStream *stream, const QString &id);
    /// Removes the pooled streams `dead` says cannot serve and aborts them.
    template <typename Pred> void dropPooled(Pred dead);
    void closeAllPooled();

    // --- waiting asynchronous gets
    struct Waiter
    {
        QString id;                 // empty: any (FIFO)
        QPointer<QObject> context;
        GetCallback callback;
        QTimer *timer = nullptr;
        quint64 serial = 0;
    };
    std::list<Waiter> waiters;
    quint64 nextSerial = 1;
    void addWaiter(const QString &id, Milliseconds timeout, QObject *context, GetCallback cb,
                   ErrorCode timeoutCode, const QString &timeoutMessage);
    /// What both pools' asynchronous gets do once the ID is valid: the
    /// thread check, a stream at once (by ID, or the oldest for an empty
    /// one) or a waiter.
    void asyncGet(const QString &id, Milliseconds timeout, QObject *context, GetCallback callback,
                  ErrorCode timeoutCode, const QString &timeoutMessage);
    /// Fails every waiter (pool closed), each on its context's thread.
    void failWaiters(const Error &error);
    /// Hands the stream to the first matching live waiter; true if taken
    /// (the pool may be gone then: the caller checks).
    bool serveWaiter(PooledStream *stream, const QString &id);

    /// Blocking get helper shared by both pools.
    Stream *blockingGet(const std::function<void(Milliseconds, QObject *, GetCallback)> &asyncGet,
                        Milliseconds timeout, Error *error);
    /// The answer to a get whose context lives on another thread.
    static Error wrongThread();

    /// Records the current cause; emits errorOccurred when asked and it is one.
    [[nodiscard]] bool setError(const Error &e, bool emitSignal = true);
    /// A failed attempt: counted (errorCount(), as NodePass counts them),
    /// its cause kept as lastError(), and reported (log line, errorOccurred)
    /// only when it differs from the cause before.
    [[nodiscard]] bool failure(const Error &e);
    /// Attempts work again: the cause clears, its repeats are logged once.
    void recovered();
    pool::RepeatedCause cause;
    /// start()'s common checks: not running yet, a valid config, and the
    /// qlog folder (if any) made and writable.
    bool canStart(const Error &validation, const QString &qlogDirectory);
    /// Calls back on the next loop turn on the context's thread (a get
    /// answered at once must not call back before it returns). A stream
    /// nobody is left to take (the context died first) is aborted and
    /// deleted, freeing its slot in the server's pool.
    void deliverLater(QObject *context, const GetCallback &callback, Stream *stream, const Error &error);
    [[nodiscard]] bool setConnected(bool up, const Error &reason = {});
    void startStatsTimer();
    virtual ConnectionStats currentStats() const = 0;
    virtual ConnectionInfo currentInfo() const = 0;
    virtual void closeImpl() = 0;
    virtual void afterFlush() {}
    /// A pooled stream that can no longer serve (reset, empty FIN, no connection).
    static bool isDeadPooled(const PooledStream *stream);
    /// Drops dead pooled streams (timer, once a second).
    void sweepDead();
    QTimer *sweepTimer = nullptr;
};

template <typename Pred> void PoolPrivate::dropPooled(Pred dead)
{
    QList<PooledStream *> gone;
    {
        QMutexLocker lock(&readyLock);
        QList<ReadyQueue::Key> ids;
        readyQueue.forEach([&](ReadyQueue::Key id, PooledStream *s) {
            if (dead(s)) {
                ids.append(id);
                gone.append(s);
            }
        });
        for (ReadyQueue::Key id : ids)
            readyQueue.take(id);
        activeCount = readyQueue.size();
    }
    // No application code runs: abortPooled() returns the credit of
    // whatever the stream held, and frees it.
    for (PooledStream *s : gone)
        transport::abortPooled(s);
}

} // namespace quicpool
