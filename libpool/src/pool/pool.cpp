#include "pool/pool_p.h"

#include "common/logging.h"
#include "common/metatypes.h"
#include "common/qlogdirectory.h"
#include "transport/streamaccess.h"

#include <QtCore/QCoreApplication>
#include <QtCore/QEventLoop>
#include <QtCore/QMutexLocker>
#include <QtCore/QThread>

namespace quicpool {

namespace {
constexpr int kStatsPeriodMs = 200;
constexpr int kSweepPeriodMs = 1000;
}

// ---------------------------------------------------------------- PoolPrivate

PoolPrivate::~PoolPrivate() = default;

void PoolPrivate::startStatsTimer()
{
    if (statsTimer)
        return;
    statsTimer = new QTimer(q_ptr);
    QObject::connect(statsTimer, &QTimer::timeout, q_ptr, [this] { refreshStats(); });
    sweepTimer = new QTimer(q_ptr);
    QObject::connect(sweepTimer, &QTimer::timeout, q_ptr, [this] { sweepDead(); });
    sweepTimer->start(kSweepPeriodMs);
    statsTimer->start(kStatsPeriodMs);
}

void PoolPrivate::refreshStats()
{
    ConnectionStats s = currentStats();
    QMutexLocker lock(&snapshotLock);
    statsSnapshot = std::move(s);
}

Error PoolPrivate::lastError() const
{
    QMutexLocker lock(&snapshotLock);
    return currentError;
}

bool PoolPrivate::setState(Pool::State s)
{
    if (state.exchange(s) == s)
        return true;
    qCDebug(lcPool) << "pool state" << s;
    QPointer<Pool> self(q_ptr);
    Q_EMIT q_ptr->stateChanged(s);
    return !self.isNull();
}

void PoolPrivate::markPublished()
{
    published = Published{activeCount, capacityValue, intervalMs, errors};
}

bool PoolPrivate::publish()
{
    if (QThread::currentThread() != q_ptr->thread()) {
        // addError() and friends from another thread: the signals belong
        // to the pool's thread. (A pool deleted first drops the call.)
        QMetaObject::invokeMethod(q_ptr, [this] { (void)publish(); }, Qt::QueuedConnection);
        return true;
    }
    QPointer<Pool> self(q_ptr);
    // Re-read after each signal: a slot may change the values (and emit
    // their signals itself, nested); what is published stays what was last said.
    if (const int a = activeCount; a != published.active) {
        published.active = a;
        Q_EMIT q_ptr->activeChanged(a);
        if (!self)
            return false;
    }
    if (const int c = capacityValue; c != published.capacity) {
        published.capacity = c;
        Q_EMIT q_ptr->capacityChanged(c);
        if (!self)
            return false;
    }
    if (const qint64 i = intervalMs; i != published.intervalMs) {
        published.intervalMs = i;
        Q_EMIT q_ptr->intervalChanged(i);
        if (!self)
            return false;
    }
    if (const qint64 e = errors; e != published.errors) {
        published.errors = e;
        Q_EMIT q_ptr->errorCountChanged(e);
        if (!self)
            return false;
    }
    return true;
}

bool PoolPrivate::setError(const Error &e, bool emitSignal)
{
    {
        QMutexLocker lock(&snapshotLock);
        currentError = e;
    }
    if (emitSignal && e.isError()) {
        qCInfo(lcPool).noquote() << e.toString();
        QPointer<Pool> self(q_ptr);
        Q_EMIT q_ptr->errorOccurred(e);
        return !self.isNull();
    }
    return true;
}

bool PoolPrivate::failure(const Error &e)
{
    ++errors;
    const pool::RepeatedCause::Outcome out = cause.record(e);
    if (out.endedRepeats > 0)
        qCInfo(lcPool).noquote() << pool::RepeatedCause::foldedText(out.ended, out.endedRepeats);
    return setError(e, out.isNew) && publish();
}

void PoolPrivate::recovered()
{
    const pool::RepeatedCause::Outcome out = cause.clear();
    if (out.endedRepeats > 0)
        qCInfo(lcPool).noquote() << pool::RepeatedCause::foldedText(out.ended, out.endedRepeats);
    (void)setError(Error(), false);   // emits nothing
}

bool PoolPrivate::canStart(const Error &validation, const QString &qlogDirectory)
{
    if (ready) {
        (void)setError(Error(ErrorCode::AlreadyStarted, QStringLiteral("the pool is already running")), false);
        return false;
    }
    if (validation.isError()) {
        (void)setError(validation, false);
        return false;
    }
    // The transport opens one file per connection there and makes no
    // folder: a folder that cannot be had fails the start, never each
    // connection's qlog silently.
    if (Error e = makeQlogDirectory(qlogDirectory)) {
        (void)setError(e, false);
        return false;
    }
    return true;
}

Error PoolPrivate::wrongThread()
{
    return Error(ErrorCode::WrongThread,
                 QStringLiteral("a stream can only be handed out on its pool's thread: its I/O drives a QUIC "
                                "connection shared with the pool's other streams, which lives there (take "
                                "streams with a context on the pool's thread, or run the pool on this thread)"));
}

void PoolPrivate::deliverLater(QObject *context, const GetCallback &callback, Stream *stream, const Error &error)
{
    if (!stream) {
        // Only news: it goes to the context's thread, or nowhere if the
        // context is gone by then.
        QMetaObject::invokeMethod(context, [callback, error] { callback(nullptr, error); }, Qt::QueuedConnection);
        return;
    }
    // A stream: the context is on the pool's thread (asyncGet() checked).
    // Posted to the pool, not to the context, so a context destroyed
    // meanwhile still hears nothing while the stream is aborted and its
    // slot freed; if the pool goes first, the stream (its child) goes with it.
    QPointer<QObject> ctx(context);
    QPointer<Stream> guard(stream);
    QMetaObject::invokeMethod(q_ptr, [ctx, callback, guard, error] {
        Stream *s = guard.data();
        if (ctx) {
            callback(s, s ? error : Error(ErrorCode::StreamReset, QStringLiteral("the stream was deleted before it was delivered")));
        } else if (s) {
            s->abort();
            delete s;
        }
    }, Qt::QueuedConnection);
}

bool PoolPrivate::setConnected(bool up, const Error &reason)
{
    if (connectedFlag.exchange(up) == up)
        return true;
    QPointer<Pool> self(q_ptr);
    if (up)
        Q_EMIT q_ptr->connected();
    else
        Q_EMIT q_ptr->disconnected(reason);
    return !self.isNull();
}

bool PoolPrivate::isDeadPooled(const PooledStream *stream)
{
    // An idle pooled stream that the peer reset, or ended without sending
    // anything (NodePass clients FIN their idle streams on exit), or whose
    // connection is gone (even with unread bytes: no reply could reach the
    // peer), is of no use to anyone. One that ended *with* data on a live
    // connection is a request that beat the application's get: it is alive.
    if (transport::pooledError(stream).isError() || transport::isPooledDetached(stream))
        return true;   // nobody could answer on it: whatever it holds, its slot is free
    return transport::pooledIsFinished(stream) && transport::pooledBytesAvailable(stream) == 0;
}

void PoolPrivate::sweepDead()
{
    // Idle pooled streams are looked at here, once a second, and when a get
    // would hand one out: watching each one costs more than finding it.
    dropPooled([](const PooledStream *s) { return isDeadPooled(s); });
    (void)publish();   // a timer's slot: nothing follows
}

bool PoolPrivate::pool(PooledStream *stream, const pool::StreamId &raw)
{
    QPointer<Pool> self(q_ptr);
    const QString id = pool::encodeId(raw);
    if (serveWaiter(stream, id))
        return !self.isNull();
    {
        QMutexLocker lock(&readyLock);
        if (!readyQueue.push(ReadyQueue::keyOf(raw), stream)) {
            lock.unlock();
            transport::closePooled(stream);   // nobody else knows it; lingers until its FIN is acknowledged
            return true;
        }
        activeCount = readyQueue.size();
    }
    Q_EMIT q_ptr->streamPooled(id);
    return self && publish();
}

Stream *PoolPrivate::take(const QString &id)
{
    pool::StreamId raw{};
    const bool valid = pool::decodeId(id, &raw);   // callers pass a normalized ID
    QMutexLocker lock(&readyLock);
    PooledStream *s = valid ? readyQueue.take(ReadyQueue::keyOf(raw)) : nullptr;
    activeCount = readyQueue.size();
    lock.unlock();
    if (s && isDeadPooled(s)) {
        transport::abortPooled(s);
        s = nullptr;
    }
    if (!s) {
        (void)publish();   // the caller checks the pool itself
        return nullptr;
    }
    return handOut(s, id);
}

Stream *PoolPrivate::handOut(PooledStream *core, const QString &id)
{
    // From here on a child of the pool, as documented; its bytes are the
    // application's own.
    Stream *s = transport::takePooled(core, q_ptr, id);
    QPointer<Pool> self(q_ptr);
    QPointer<Stream> guard(s);
    Q_EMIT q_ptr->streamTaken(id);
    if (!self || !publish())
        return nullptr;    // the pool, and its child the stream, are gone
    return guard.data();
}

Stream *PoolPrivate::takeOldest()
{
    for (;;) {
        ReadyQueue::Key id = 0;
        QMutexLocker lock(&readyLock);
        PooledStream *s = readyQueue.takeOldest(&id);
        activeCount = readyQueue.size();
        lock.unlock();
        if (!s) {
            (void)publish();
            return nullptr;
        }
        if (isDeadPooled(s)) {
            transport::abortPooled(s);
            continue;
        }
        return handOut(s, ReadyQueue::textOf(id));
    }
}

void PoolPrivate::closeAllPooled()
{
    QList<PooledStream *> all;
    {
        QMutexLocker lock(&readyLock);
        while (PooledStream *s = readyQueue.takeOldest())
            all.append(s);
        activeCount = 0;
    }
    // FIN, as the Go pool's Close does; a closed stream lingers inside its
    // connection until the FIN is acknowledged. No application code runs
    // here (nobody but the pool knows a pooled stream).
    for (PooledStream *s : all)
        transport::closePooled(s);
}

void PoolPrivate::addWaiter(const QString &id, Milliseconds timeout, QObject *context, GetCallback cb,
                         ErrorCode timeoutCode, const QString &timeoutMessage)
{
    Waiter w;
    w.id = id;
    w.context = context;
    w.callback = std::move(cb);
    w.serial = nextSerial++;
    w.timer = new QTimer(q_ptr);
    w.timer->setSingleShot(true);
    w.timer->setTimerType(Qt::PreciseTimer);
    const quint64 serial = w.serial;
    QObject::connect(w.timer, &QTimer::timeout, q_ptr, [this, serial, timeoutCode, timeoutMessage] {
        for (auto it = waiters.begin(); it != waiters.end(); ++it) {
            if (it->serial != serial)
                continue;
            Waiter done = std::move(*it);
            waiters.erase(it);
            done.timer->deleteLater();
            // The context is on this thread (asyncGet() checked). The
            // callback may delete the pool: nothing follows it.
            if (done.context)
                done.callback(nullptr, Error(timeoutCode, timeoutMessage));
            return;
        }
    });
    w.timer->start(int(std::clamp<qint64>(timeout.count(), 0, std::numeric_limits<int>::max())));
    // A dead context means nobody listens any more.
    QObject::connect(w.context, &QObject::destroyed, w.timer, [this, serial] {
        std::erase_if(waiters, [serial](const Waiter &x) {
            if (x.serial == serial)
                x.timer->deleteLater();
            return x.serial == serial;
        });
    });
    waiters.push_back(std::move(w));
}

void PoolPrivate::asyncGet(const QString &id, Milliseconds timeout, QObject *context, GetCallback callback,
                           ErrorCode timeoutCode, const QString &timeoutMessage)
{
    QObject *ctx = context ? context : q_ptr;
    if (ctx->thread() != q_ptr->thread()) {
        deliverLater(ctx, callback, nullptr, wrongThread());
        return;
    }
    if (!ready) {
        deliverLater(ctx, callback, nullptr, Error(ErrorCode::NotStarted, QStringLiteral("the pool is not running")));
        return;
    }
    QPointer<Pool> self(q_ptr);
    QPointer<QObject> ctxGuard(ctx);
    Stream *s = id.isEmpty() ? takeOldest() : take(id);
    if (!self) {
        // A slot on streamTaken or activeChanged deleted the pool, and the
        // stream with it.
        if (ctxGuard)
            QMetaObject::invokeMethod(ctxGuard.data(), [callback] {
                callback(nullptr, Error(ErrorCode::PoolClosed, QStringLiteral("the pool was deleted")));
            }, Qt::QueuedConnection);
        return;
    }
    if (!ctxGuard) {
        // The same slot destroyed the context: nobody wants the stream.
        if (s) {
            s->abort();
            delete s;
        }
        return;
    }
    if (s) {
        deliverLater(ctx, callback, s, Error());
        return;
    }
    addWaiter(id, timeout, ctx, std::move(callback), timeoutCode, timeoutMessage);
}

bool PoolPrivate::serveWaiter(PooledStream *core, const QString &id)
{
    for (auto it = waiters.begin(); it != waiters.end(); ++it) {
        if (!it->context || !(it->id.isEmpty() || it->id == id))
            continue;
        Waiter w = std::move(*it);
        waiters.erase(it);
        w.timer->stop();
        w.timer->deleteLater();
        // The stream is the pool's child from here, so it goes with the
        // pool if a slot below deletes it; the waiter is ours alone.
        Stream *stream = transport::takePooled(core, q_ptr, id);   // as in handOut()
        QPointer<Pool> self(q_ptr);
        QPointer<Stream> guard(stream);
        Q_EMIT q_ptr->streamPooled(id);
        if (self && guard) {
            Q_EMIT q_ptr->streamTaken(id);
            if (self && guard)
                (void)publish();
        }
        if (!w.context) {
            // A slot above destroyed the context: nobody wants the stream.
            if (Stream *s = guard.data()) {
                s->abort();
                delete s;
            }
            return true;
        }
        if (Stream *s = guard.data())
            w.callback(s, Error());
        else
            w.callback(nullptr, Error(self ? ErrorCode::StreamReset : ErrorCode::PoolClosed,
                                      self ? QStringLiteral("the stream was deleted before it was delivered")
                                           : QStringLiteral("the pool was deleted")));
        return true;
    }
    return false;
}

void PoolPrivate::failWaiters(const Error &error)
{
    std::list<Waiter> all;
    all.swap(waiters);
    for (Waiter &w : all) {
        w.timer->stop();
        w.timer->deleteLater();
        // On the context's thread, after this call: close() (or the pool's
        // destructor) runs no application code.
        if (QObject *ctx = w.context.data())
            deliverLater(ctx, w.callback, nullptr, error);
    }
}

Stream *PoolPrivate::blockingGet(const std::function<void(Milliseconds, QObject *, GetCallback)> &asyncGet,
                              Milliseconds timeout, Error *error)
{
    if (QThread::currentThread() != q_ptr->thread()) {
        // The stream would live on the pool's thread and could not be used
        // here (stream.h); waiting would only block this thread to fail.
        if (error)
            *error = wrongThread();
        return nullptr;
    }
    // The pool only makes progress if we spin its loop. The callback runs
    // only while `ctx` exists, so never after we returned; nothing of the
    // pool is touched after the loop (a slot may have deleted it).
    QEventLoop loop;
    QObject ctx;
    QPointer<Stream> stream;   // a slot after the callback may still delete it
    Error result;
    bool done = false;
    asyncGet(timeout, &ctx, [&](Stream *s, const Error &e) {
        stream = s;
        result = e;
        done = true;
        loop.quit();
    });
    if (!done)
        loop.exec();
    if (error)
        *error = stream || result.isError() || !done ? result
                                                     : Error(ErrorCode::StreamReset, QStringLiteral("the stream was deleted before it was delivered"));
    return stream.data();
}

// ---------------------------------------------------------------- Pool

Pool::Pool(PoolPrivate &dd, QObject *parent) : QObject(parent), d_ptr(&dd)
{
    registerMetaTypes();
    d_ptr->q_ptr = this;
}

Pool::~Pool() = default;

void Pool::close()
{
    Q_D(Pool);
    if (!d->ready.exchange(false))
        return;
    const Error closedError(ErrorCode::PoolClosed, QStringLiteral("the pool was closed"));
    // No application code runs until the signals at the end: waiters are
    // answered on the next turn, pooled streams have no slots but ours,
    // and connections report their close on the next turn.
    d->failWaiters(closedError);
    d->closeAllPooled();
    d->closeImpl();
    if (d->statsTimer)
        d->statsTimer->stop();
    if (!d->setConnected(false, closedError) || !d->setState(State::Closed) || !d->publish())
        return;
    Q_EMIT closed();
}

void Pool::flush()
{
    Q_D(Pool);
    d->closeAllPooled();
    d->afterFlush();
    (void)d->publish();
}

Pool::State Pool::state() const { return d_func()->state; }
bool Pool::isReady() const { return d_func()->ready; }
int Pool::active() const { return d_func()->activeCount; }
int Pool::capacity() const { return d_func()->capacityValue; }
Milliseconds Pool::interval() const { return Milliseconds(d_func()->intervalMs.load()); }
void Pool::addError()
{
    ++d_func()->errors;
    (void)d_func()->publish();
}
qint64 Pool::errorCount() const { return d_func()->errors; }
void Pool::resetError()
{
    d_func()->errors = 0;
    (void)d_func()->publish();
}
qint64 Pool::refusedStreamCount() const { return d_func()->refusedStreams; }
bool Pool::isConnected() const { return d_func()->connectedFlag; }

ConnectionStats Pool::stats() const
{
    Q_D(const Pool);
    QMutexLocker lock(&d->snapshotLock);
    return d->statsSnapshot;
}

QStringList Pool::readyIds() const
{
    Q_D(const Pool);
    QMutexLocker lock(&d->readyLock);
    return d->readyQueue.ids();
}

ConnectionInfo Pool::connectionInfo() const { return d_func()->currentInfo(); }
Error Pool::lastError() const { return d_func()->lastError(); }
ErrorCode Pool::error() const { return lastError().code(); }
QString Pool::errorString() const { return lastError().toString(); }

} // namespace quicpool
