#include "pool/pool_p.h"

#include "common/logging.h"
#include "common/metatypes.h"
#include "common/qlogdirectory.h"
#include "transport/streamaccess.h"

#include <QtCore/QCoreApplication>
#include <QtCore/QEventLoop>
#include <QtCore/QMutexLocker>
#include <QtCore/QSemaphore>
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

void PoolPrivate::setState(Pool::State s)
{
    if (state.exchange(s) == s)
        return;
    qCDebug(lcPool) << "pool state" << s;
    Q_EMIT q_ptr->stateChanged(s);
}

void PoolPrivate::setError(const Error &e, bool emitSignal)
{
    {
        QMutexLocker lock(&snapshotLock);
        currentError = e;
    }
    if (emitSignal && e.isError()) {
        qCInfo(lcPool).noquote() << e.toString();
        Q_EMIT q_ptr->errorOccurred(e);
    }
}

void PoolPrivate::failure(const Error &e)
{
    ++errors;
    const pool::RepeatedCause::Outcome out = cause.record(e);
    if (out.endedRepeats > 0)
        qCInfo(lcPool).noquote() << pool::RepeatedCause::foldedText(out.ended, out.endedRepeats);
    setError(e, out.isNew);
}

void PoolPrivate::recovered()
{
    const pool::RepeatedCause::Outcome out = cause.clear();
    if (out.endedRepeats > 0)
        qCInfo(lcPool).noquote() << pool::RepeatedCause::foldedText(out.ended, out.endedRepeats);
    setError(Error(), false);
}

bool PoolPrivate::canStart(const Error &validation, const QString &qlogDirectory)
{
    if (ready) {
        setError(Error(ErrorCode::AlreadyStarted, QStringLiteral("the pool is already running")), false);
        return false;
    }
    if (validation.isError()) {
        setError(validation, false);
        return false;
    }
    // The transport opens one file per connection there and makes no
    // folder: a folder that cannot be had fails the start, never each
    // connection's qlog silently.
    if (Error e = makeQlogDirectory(qlogDirectory)) {
        setError(e, false);
        return false;
    }
    return true;
}

void PoolPrivate::deliverLater(QObject *context, const GetCallback &callback, Stream *stream,
                            const Error &error)
{
    QPointer<QObject> ctx(context);
    QMetaObject::invokeMethod(context, [ctx, callback, stream, error] {
        if (ctx)
            callback(stream, error);
        else if (stream)
            stream->abort();
    }, Qt::QueuedConnection);
}

void PoolPrivate::setConnected(bool up, const Error &reason)
{
    if (connectedFlag.exchange(up) == up)
        return;
    if (up)
        Q_EMIT q_ptr->connected();
    else
        Q_EMIT q_ptr->disconnected(reason);
}

bool PoolPrivate::isDeadPooled(const Stream *stream)
{
    // An idle pooled stream that the peer reset, or ended without sending
    // anything (NodePass clients FIN their idle streams on exit), or whose
    // connection is gone (even with unread bytes: no reply could reach the
    // peer), is of no use to anyone. One that ended *with* data on a live
    // connection is a request that beat the application's get: it is alive.
    if (stream->error() != ErrorCode::NoError || transport::isStreamDetached(stream))
        return true;   // nobody could answer on it: whatever it holds, its slot is free
    return stream->isFinished() && stream->bytesAvailable() == 0;
}

void PoolPrivate::sweepDead()
{
    // Pooled streams carry no signal connections of their own (at 10,000
    // streams those cost more memory than the streams), so dead ones are
    // found here, once a second, and when a get would hand one out.
    QList<Stream *> dead;
    {
        QMutexLocker lock(&readyLock);
        readyQueue.forEach([&](const QString &, Stream *s) {
            if (isDeadPooled(s))
                dead.append(s);
        });
        for (Stream *s : dead)
            readyQueue.take(s->id());
        activeCount = readyQueue.size();
    }
    for (Stream *s : dead)
        discard(s);
}

void PoolPrivate::discard(Stream *stream)
{
    stream->abort();
    delete stream;
}

void PoolPrivate::pool(Stream *stream)
{
    if (serveWaiter(stream))
        return;
    {
        QMutexLocker lock(&readyLock);
        if (!readyQueue.push(stream->id(), stream)) {
            lock.unlock();
            stream->close();
            stream->deleteLater();
            return;
        }
        activeCount = readyQueue.size();
    }
    Q_EMIT q_ptr->streamPooled(stream->id());
}

Stream *PoolPrivate::take(const QString &id)
{
    QMutexLocker lock(&readyLock);
    Stream *s = readyQueue.take(id);
    activeCount = readyQueue.size();
    lock.unlock();
    if (s && isDeadPooled(s)) {
        discard(s);
        return nullptr;
    }
    if (s)
        handOut(s, id);
    return s;
}

void PoolPrivate::handOut(Stream *s, const QString &id)
{
    QObject::disconnect(s, nullptr, q_ptr, nullptr);
    s->setParent(q_ptr);   // from here on a child of the pool, as documented
    Q_EMIT q_ptr->streamTaken(id);
}

Stream *PoolPrivate::takeOldest()
{
    for (;;) {
        QString id;
        QMutexLocker lock(&readyLock);
        Stream *s = readyQueue.takeOldest(&id);
        activeCount = readyQueue.size();
        lock.unlock();
        if (!s)
            return nullptr;
        if (isDeadPooled(s)) {
            discard(s);
            continue;
        }
        handOut(s, id);
        return s;
    }
}

void PoolPrivate::closeAllPooled()
{
    QList<Stream *> all;
    {
        QMutexLocker lock(&readyLock);
        while (Stream *s = readyQueue.takeOldest())
            all.append(s);
        activeCount = 0;
    }
    // Deleted now, not with deleteLater(): a pool with N streams would queue
    // N deferred deletes, and each ~QObject then scans the posted-event
    // queue, which makes closing a big pool quadratic. A closed stream
    // lingers inside its connection until its FIN is acknowledged.
    for (Stream *s : all) {
        QObject::disconnect(s, nullptr, q_ptr, nullptr);
        s->close();        // FIN, as the Go pool's Close does
        delete s;
    }
}

void PoolPrivate::addWaiter(const QString &id, Milliseconds timeout, QObject *context, GetCallback cb,
                         ErrorCode timeoutCode, const QString &timeoutMessage)
{
    Waiter w;
    w.id = id;
    w.context = context ? context : q_ptr;
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

bool PoolPrivate::serveWaiter(Stream *stream)
{
    const QString id = stream->id();
    for (auto it = waiters.begin(); it != waiters.end(); ++it) {
        if (!it->context || !(it->id.isEmpty() || it->id == id))
            continue;
        Waiter w = std::move(*it);
        waiters.erase(it);
        w.timer->stop();
        w.timer->deleteLater();
        Q_EMIT q_ptr->streamPooled(id);
        handOut(stream, id);
        w.callback(stream, Error());
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
        if (w.context)
            w.callback(nullptr, error);
    }
}

Stream *PoolPrivate::blockingGet(const std::function<void(Milliseconds, QObject *, GetCallback)> &asyncGet,
                              Milliseconds timeout, Error *error)
{
    struct Result
    {
        QMutex lock;
        Stream *stream = nullptr;
        Error error;
        bool done = false;
        bool abandoned = false;
        QSemaphore sem;
    };
    auto result = std::make_shared<Result>();
    auto callback = [result](Stream *s, const Error &e) {
        QMutexLocker lock(&result->lock);
        if (result->abandoned) {
            if (s)
                s->abort();
            return;
        }
        result->stream = s;
        result->error = e;
        result->done = true;
        result->sem.release();
    };

    if (QThread::currentThread() == q_ptr->thread()) {
        // Same thread: the pool only makes progress if we spin its loop.
        QEventLoop loop;
        QObject ctx;
        asyncGet(timeout, &ctx, [&, callback](Stream *s, const Error &e) {
            callback(s, e);
            loop.quit();
        });
        {
            QMutexLocker lock(&result->lock);
            if (!result->done) {
                lock.unlock();
                loop.exec();
            }
        }
    } else {
        QMetaObject::invokeMethod(q_ptr, [asyncGet, timeout, callback, this] {
            asyncGet(timeout, q_ptr, callback);
        }, Qt::QueuedConnection);
        // The pool thread always answers by the timeout; the margin covers a
        // busy loop. Past it we give up and the stream, if any, is aborted.
        if (!result->sem.tryAcquire(1, int(timeout.count()) + 5000)) {
            QMutexLocker lock(&result->lock);
            result->abandoned = true;
            if (error)
                *error = Error(ErrorCode::Cancelled, QStringLiteral("the pool's thread did not answer in time"));
            return nullptr;
        }
    }
    QMutexLocker lock(&result->lock);
    if (error)
        *error = result->error;
    return result->stream;
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
    d->failWaiters(closedError);
    d->closeAllPooled();
    d->closeImpl();
    if (d->statsTimer)
        d->statsTimer->stop();
    d->setConnected(false, closedError);
    d->setState(State::Closed);
    Q_EMIT closed();
}

void Pool::flush()
{
    Q_D(Pool);
    d->closeAllPooled();
    d->afterFlush();
}

Pool::State Pool::state() const { return d_func()->state; }
bool Pool::isReady() const { return d_func()->ready; }
int Pool::active() const { return d_func()->activeCount; }
int Pool::capacity() const { return d_func()->capacityValue; }
Milliseconds Pool::interval() const { return Milliseconds(d_func()->intervalMs.load()); }
void Pool::addError() { ++d_func()->errors; }
qint64 Pool::errorCount() const { return d_func()->errors; }
void Pool::resetError() { d_func()->errors = 0; }
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
