#include "pool/poolcore.h"

#include "common/metatypes.h"
#include "transport/logging.h"
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

// ---------------------------------------------------------------- stats

void PoolCore::AtomicStats::store(const ConnectionStats &s)
{
    smoothedRttUs = s.smoothedRttUs;
    minRttUs = s.minRttUs;
    latestRttUs = s.latestRttUs;
    rttVarUs = s.rttVarUs;
    cwnd = s.cwnd;
    bytesInFlight = s.bytesInFlight;
    bytesSent = s.bytesSent;
    bytesReceived = s.bytesReceived;
    packetsSent = s.packetsSent;
    packetsReceived = s.packetsReceived;
    lostPackets = s.lostPackets;
    congestionEvents = s.congestionEvents;
}

ConnectionStats PoolCore::AtomicStats::load() const
{
    ConnectionStats s;
    s.smoothedRttUs = smoothedRttUs;
    s.minRttUs = minRttUs;
    s.latestRttUs = latestRttUs;
    s.rttVarUs = rttVarUs;
    s.cwnd = cwnd;
    s.bytesInFlight = bytesInFlight;
    s.bytesSent = bytesSent;
    s.bytesReceived = bytesReceived;
    s.packetsSent = packetsSent;
    s.packetsReceived = packetsReceived;
    s.lostPackets = lostPackets;
    s.congestionEvents = congestionEvents;
    return s;
}

// ---------------------------------------------------------------- PoolCore

PoolCore::~PoolCore() = default;

void PoolCore::startStatsTimer()
{
    if (statsTimer)
        return;
    statsTimer = new QTimer(q);
    QObject::connect(statsTimer, &QTimer::timeout, q, [this] { stats.store(currentStats()); });
    sweepTimer = new QTimer(q);
    QObject::connect(sweepTimer, &QTimer::timeout, q, [this] { sweepDead(); });
    sweepTimer->start(kSweepPeriodMs);
    statsTimer->start(kStatsPeriodMs);
}

void PoolCore::setError(const Error &e, bool emitSignal)
{
    lastError = e;
    if (emitSignal && e.isError()) {
        qCDebug(lcPool) << e.toString();
        Q_EMIT q->errorOccurred(e);
    }
}

bool PoolCore::canStart(const Error &validation)
{
    if (ready) {
        setError(Error(ErrorCode::AlreadyStarted, QStringLiteral("the pool is already running")), false);
        return false;
    }
    if (validation.isError()) {
        setError(validation, false);
        return false;
    }
    return true;
}

void PoolCore::deliverLater(QObject *context, const GetCallback &callback, Stream *stream,
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

void PoolCore::setConnected(bool up, const Error &reason)
{
    if (connectedFlag.exchange(up) == up)
        return;
    if (up)
        Q_EMIT q->connected();
    else
        Q_EMIT q->disconnected(reason);
}

bool PoolCore::isDeadPooled(const Stream *stream)
{
    // An idle pooled stream that the peer reset, or ended without sending
    // anything (NodePass clients FIN their idle streams on exit), or whose
    // connection is gone, is of no use to anyone. One that ended *with* data
    // is a request that beat the application's get: it is alive.
    if (stream->error() != ErrorCode::NoError || transport::isStreamDetached(stream))
        return stream->bytesAvailable() == 0 || stream->error() != ErrorCode::NoError;
    return stream->isFinished() && stream->bytesAvailable() == 0;
}

void PoolCore::sweepDead()
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

void PoolCore::discard(Stream *stream)
{
    stream->abort();
    delete stream;
}

void PoolCore::pool(Stream *stream)
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
    Q_EMIT q->streamPooled(stream->id());
}

Stream *PoolCore::take(const QString &id)
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

void PoolCore::handOut(Stream *s, const QString &id)
{
    QObject::disconnect(s, nullptr, q, nullptr);
    s->setParent(q);   // from here on a child of the pool, as documented
    Q_EMIT q->streamTaken(id);
}

Stream *PoolCore::takeOldest()
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

void PoolCore::closeAllPooled()
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
        QObject::disconnect(s, nullptr, q, nullptr);
        s->close();        // FIN, as the Go pool's Close does
        delete s;
    }
}

void PoolCore::addWaiter(const QString &id, Milliseconds timeout, QObject *context, GetCallback cb,
                         ErrorCode timeoutCode, const QString &timeoutMessage)
{
    Waiter w;
    w.id = id;
    w.context = context ? context : q;
    w.callback = std::move(cb);
    w.serial = nextSerial++;
    w.timer = new QTimer(q);
    w.timer->setSingleShot(true);
    w.timer->setTimerType(Qt::PreciseTimer);
    const quint64 serial = w.serial;
    QObject::connect(w.timer, &QTimer::timeout, q, [this, serial, timeoutCode, timeoutMessage] {
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

bool PoolCore::serveWaiter(Stream *stream)
{
    const QString id = stream->id();
    for (auto it = waiters.begin(); it != waiters.end(); ++it) {
        if (!it->context || !(it->id.isEmpty() || it->id == id))
            continue;
        Waiter w = std::move(*it);
        waiters.erase(it);
        w.timer->stop();
        w.timer->deleteLater();
        Q_EMIT q->streamPooled(id);
        handOut(stream, id);
        w.callback(stream, Error());
        return true;
    }
    return false;
}

void PoolCore::failWaiters(const Error &error)
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

Stream *PoolCore::blockingGet(const std::function<void(Milliseconds, QObject *, GetCallback)> &asyncGet,
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

    if (QThread::currentThread() == q->thread()) {
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
        QMetaObject::invokeMethod(q, [asyncGet, timeout, callback, this] {
            asyncGet(timeout, q, callback);
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

Pool::Pool(std::unique_ptr<PoolCore> core, QObject *parent) : QObject(parent), m_core(std::move(core))
{
    registerMetaTypes();
    m_core->q = this;
}

Pool::~Pool() = default;

void Pool::close()
{
    if (!m_core->ready.exchange(false))
        return;
    m_core->failWaiters(Error(ErrorCode::PoolClosed, QStringLiteral("the pool was closed")));
    m_core->closeAllPooled();
    m_core->closeImpl();
    if (m_core->statsTimer)
        m_core->statsTimer->stop();
    m_core->setConnected(false, Error(ErrorCode::PoolClosed, QStringLiteral("the pool was closed")));
    Q_EMIT closed();
}

void Pool::flush()
{
    m_core->closeAllPooled();
    m_core->afterFlush();
}

bool Pool::isReady() const { return m_core->ready; }
int Pool::active() const { return m_core->activeCount; }
int Pool::capacity() const { return m_core->capacityValue; }
Milliseconds Pool::interval() const { return Milliseconds(m_core->intervalMs.load()); }
void Pool::addError() { ++m_core->errors; }
qint64 Pool::errorCount() const { return m_core->errors; }
void Pool::resetError() { m_core->errors = 0; }
bool Pool::isConnected() const { return m_core->connectedFlag; }
ConnectionStats Pool::stats() const { return m_core->stats.load(); }

QStringList Pool::readyIds() const
{
    QMutexLocker lock(&m_core->readyLock);
    return m_core->readyQueue.ids();
}

ConnectionInfo Pool::connectionInfo() const { return m_core->currentInfo(); }
Error Pool::lastError() const { return m_core->lastError; }

} // namespace quicpool
