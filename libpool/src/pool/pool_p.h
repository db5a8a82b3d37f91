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
    void setState(Pool::State state);

    QTimer *statsTimer = nullptr;

    // --- ready streams (pool thread mutates; readyIds() may read from others)
    ReadyQueue readyQueue;
    mutable QMutex readyLock;

    /// Adds a stream that finished its ID handshake: hands it to a waiting
    /// get if one matches, otherwise queues it. Always store before announce.
    void pool(Stream *stream);
    /// Removes and returns the stream; nullptr if absent.
    Stream *take(const QString &id);
    Stream *takeOldest();
    /// A stream leaves the pool for the application: it becomes the pool's child.
    void handOut(Stream *stream, const QString &id);
    /// Drops a pooled stream that died while waiting (peer FIN/reset).
    static void discard(Stream *stream);
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
    /// Fails every waiter (pool closed).
    void failWaiters(const Error &error);
    /// Hands the stream to the first matching live waiter; true if taken.
    bool serveWaiter(Stream *stream);

    /// Blocking get helper shared by both pools.
    Stream *blockingGet(const std::function<void(Milliseconds, QObject *, GetCallback)> &asyncGet,
                        Milliseconds timeout, Error *error);

    /// Records the current cause; emits errorOccurred when asked and it is one.
    void setError(const Error &e, bool emitSignal = true);
    /// A failed attempt: counted (errorCount(), as NodePass counts them),
    /// its cause kept as lastError(), and reported (log line, errorOccurred)
    /// only when it differs from the cause before.
    void failure(const Error &e);
    /// Attempts work again: the cause clears, its repeats are logged once.
    void recovered();
    pool::RepeatedCause cause;
    /// start()'s common checks: not running yet, a valid config, and the
    /// qlog folder (if any) made and writable.
    bool canStart(const Error &validation, const QString &qlogDirectory);
    /// Calls back on the next loop turn (a get answered at once must not
    /// call back before it returns); a stream nobody is left to take is aborted.
    static void deliverLater(QObject *context, const GetCallback &callback, Stream *stream,
                             const Error &error);
    void setConnected(bool up, const Error &reason = {});
    void startStatsTimer();
    virtual ConnectionStats currentStats() const = 0;
    virtual ConnectionInfo currentInfo() const = 0;
    virtual void closeImpl() = 0;
    virtual void afterFlush() {}
    /// A pooled stream that can no longer serve (reset, empty FIN, no connection).
    static bool isDeadPooled(const Stream *stream);
    /// Drops dead pooled streams (timer, once a second).
    void sweepDead();
    QTimer *sweepTimer = nullptr;
};

} // namespace quicpool
