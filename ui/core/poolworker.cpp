#include "poolworker.h"

#include "formvalidation.h"
#include "loadtest.h"

#include <workload/streamserver.h>

#include <quicpool/certificate.h>
#include <quicpool/pool.h>
#include <quicpool/stream.h>

#include <QtCore/QDateTime>
#include <QtCore/QLoggingCategory>
#include <QtCore/QPointer>
#include <QtCore/QRandomGenerator>

Q_LOGGING_CATEGORY(lcWorker, "quicpool.ui")

namespace quicpool::diag {

struct PoolWorker::Taken
{
    QPointer<Stream> stream;
    QString id;
    qint64 takenAtMs = 0;
    qint64 written = 0;
    QByteArray pending;
    QString error;
    bool closeAfterSend = false;
    bool dirty = true;
};

struct PoolWorker::Entry
{
    int handle = 0;
    QString name;
    PoolKind kind = PoolKind::Client;
    ClientPoolConfig clientConfig;
    ServerPoolConfig serverConfig;
    bool serve = false;
    workload::Mode serveMode = workload::Mode::Echo;
    PoolPtr pool;
    workload::StreamServer *streamServer = nullptr;
    QHash<int, Taken> taken;
    bool demoLoad = false;
    ClientPool *client() const { return kind == PoolKind::Client ? static_cast<ClientPool *>(pool.get()) : nullptr; }
    ServerPool *server() const { return kind == PoolKind::Server ? static_cast<ServerPool *>(pool.get()) : nullptr; }
};

namespace {

QString stateName(Stream::State state)
{
    switch (state) {
    case Stream::State::Open: return QStringLiteral("open");
    case Stream::State::HalfClosedLocal: return QStringLiteral("half-closed (local)");
    case Stream::State::HalfClosedRemote: return QStringLiteral("half-closed (remote)");
    case Stream::State::Closed: return QStringLiteral("closed");
    }
    return {};
}

// deleteLater from whichever thread drops the last reference; the pool is
// then destroyed on its own thread.
PoolPtr share(Pool *pool)
{
    return PoolPtr(pool, [](Pool *p) { p->deleteLater(); });
}

} // namespace

PoolWorker::PoolWorker(QObject *parent) : QObject(parent), m_publish(this), m_demo(this)
{
    qRegisterMetaType<PoolPtr>();
    qRegisterMetaType<StreamInfo>();
    qRegisterMetaType<ConnectionDetails>();
    qRegisterMetaType<LoadTestProgress>();
    qRegisterMetaType<LoadTestResult>();
    qRegisterMetaType<Pool::State>();
    qRegisterMetaType<Error>();
    // Timers are made in the constructor but started from the worker thread
    // (after moveToThread) on first use.
    m_publish.setInterval(500);
    connect(&m_publish, &QTimer::timeout, this, &PoolWorker::publishStreams);
    m_demo.setInterval(300);
    connect(&m_demo, &QTimer::timeout, this, &PoolWorker::demoTick);
}

PoolWorker::~PoolWorker()
{
    removeAll();
}

int PoolWorker::allocateHandle()
{
    return m_nextHandle.fetchAndAddRelaxed(1);
}

void PoolWorker::call(std::function<void()> fn)
{
    QMetaObject::invokeMethod(this, std::move(fn), Qt::QueuedConnection);
}

PoolWorker::Entry *PoolWorker::entry(int handle, bool reportMissing)
{
    Entry *e = m_entries.value(handle);
    if (!e && reportMissing)
        Q_EMIT poolMessage(handle, QStringLiteral("No such pool (it was closed)."), true);
    return e;
}

void PoolWorker::openClient(int handle, const QString &name, const ClientPoolConfig &config)
{
    auto *e = new Entry;
    e->handle = handle;
    e->name = name;
    e->kind = PoolKind::Client;
    e->clientConfig = config;
    m_entries.insert(handle, e);
    startPool(handle);
}

void PoolWorker::openServer(int handle, const QString &name, const ServerPoolConfig &config, bool serve,
                            workload::Mode serveMode)
{
    auto *e = new Entry;
    e->handle = handle;
    e->name = name;
    e->kind = PoolKind::Server;
    e->serverConfig = config;
    e->serve = serve;
    e->serveMode = serveMode;
    m_entries.insert(handle, e);
    startPool(handle);
}

Error PoolWorker::createPool(Entry &e)
{
    const int h = e.handle;
    // The form checked the qlog folder can be made; it may have gone since
    // (a Start later on). A pool asked to write qlog does not run without
    // it: the start fails with the sentence, which the tab's banner shows.
    const QString qlogError = prepareQlogFolder(e.kind == PoolKind::Client ? e.clientConfig.qlogDirectory()
                                                                           : e.serverConfig.qlogDirectory());
    if (!qlogError.isEmpty())
        return Error(ErrorCode::InvalidConfig, qlogError);
    Pool *pool = nullptr;
    if (e.kind == PoolKind::Client)
        pool = new ClientPool(e.clientConfig); // no parent: the GUI may hold it longer
    else
        pool = new ServerPool(e.serverConfig);
    e.pool = share(pool);
    // The pooled IDs are not published from here: the view reads them with
    // the counters, so the table and the counter line come from one reading.
    connect(pool, &Pool::streamTaken, this, [this, h](const QString &id) { Q_EMIT streamTaken(h, id); });
    connect(pool, &Pool::connected, this, [this, h] {
        Q_EMIT poolMessage(h, QStringLiteral("Connected."), false);
    });
    connect(pool, &Pool::disconnected, this, [this, h](const Error &reason) {
        Q_EMIT poolMessage(h, QStringLiteral("Disconnected: %1").arg(reason.toString()), reason.isError());
    });
    connect(pool, &Pool::errorOccurred, this, [this, h, pool](const Error &error) {
        Q_EMIT poolStatusChanged(h, pool->state(), error);
        Q_EMIT poolMessage(h, error.toString(), true);
    });
    connect(pool, &Pool::stateChanged, this, [this, h, pool](Pool::State state) {
        Q_EMIT poolStatusChanged(h, state, pool->lastError());
    });
    if (auto *server = e.server()) {
        connect(server, &ServerPool::clientConnected, this, [this, h](const QHostAddress &a, quint16 p) {
            Q_EMIT poolMessage(h, QStringLiteral("Client %1 port %2 connected.").arg(a.toString()).arg(p), false);
        });
        connect(server, &ServerPool::clientRefused, this, [this, h](const QHostAddress &a, const QString &why) {
            Q_EMIT poolMessage(h, QStringLiteral("Refused %1: %2").arg(a.toString(), why), true);
        });
    }
    Q_EMIT poolCreated(h, e.pool);
    if (!pool->start())
        return pool->lastError();
    if (e.server() && e.serve) {
        e.streamServer = startServing(e.server(), e.serveMode, this);
    }
    return {};
}

void PoolWorker::startPool(int handle)
{
    Entry *e = entry(handle);
    if (!e)
        return;
    if (e->pool && e->pool->isReady()) {
        Q_EMIT poolMessage(handle, QStringLiteral("Already running."), false);
        return;
    }
    // A closed pool is not restarted: a fresh one takes its place.
    destroyPool(*e);
    if (!m_publish.isActive())
        m_publish.start();
    if (const Error error = createPool(*e); error.isError()) {
        const QString why = error.toString();
        qCWarning(lcWorker).noquote() << e->name << "failed to start:" << why;
        Q_EMIT poolStatusChanged(handle, e->pool ? e->pool->state() : Pool::State::Idle, error);
        Q_EMIT poolStarted(handle, false, why, 0);
        return;
    }
    quint16 port = 0;
    QString text = QStringLiteral("Started.");
    if (ServerPool *s = e->server()) {
        port = s->serverPort();
        text = QStringLiteral("Listening on %1 port %2, certificate %3")
                   .arg(s->serverAddress().toString()).arg(port).arg(s->certificateFingerprint());
    }
    qCInfo(lcWorker).noquote() << e->name << text;
    Q_EMIT poolStarted(handle, true, text, port);
}

void PoolWorker::destroyPool(Entry &e)
{
    for (auto it = e.taken.begin(); it != e.taken.end(); ++it) {
        if (it->stream)
            it->stream->deleteLater();
        StreamInfo gone;
        gone.key = it.key();
        gone.gone = true;
        Q_EMIT streamUpdated(e.handle, gone);
    }
    e.taken.clear();
    if (LoadTest *demo = m_demoLoads.take(e.handle)) {
        demo->cancel();
        demo->deleteLater();
    }
    delete e.streamServer;
    e.streamServer = nullptr;
    if (e.pool) {
        disconnect(e.pool.get(), nullptr, this, nullptr);
        e.pool->close();
        e.pool.reset();
    }
}

void PoolWorker::stopPool(int handle)
{
    Entry *e = entry(handle);
    if (!e)
        return;
    destroyPool(*e);
    Q_EMIT poolStopped(handle);
}

void PoolWorker::flushPool(int handle)
{
    if (Entry *e = entry(handle); e && e->pool) {
        e->pool->flush();
        Q_EMIT poolMessage(handle, QStringLiteral("Flushed the pooled streams."), false);
    }
}

void PoolWorker::resetErrors(int handle)
{
    if (Entry *e = entry(handle); e && e->pool)
        e->pool->resetError();
}

void PoolWorker::removePool(int handle)
{
    if (Entry *e = m_entries.take(handle)) {
        destroyPool(*e);
        delete e;
    }
}

void PoolWorker::removeAll()
{
    cancelLoadTest();
    const QList<int> handles = m_entries.keys();
    for (int h : handles)
        removePool(h);
}

void PoolWorker::adoptStream(int handle, Stream *stream)
{
    Entry *e = entry(handle, false);
    if (!e) {
        stream->deleteLater();
        return;
    }
    const int key = m_nextKey++;
    Taken t;
    t.stream = stream;
    t.id = stream->id();
    t.takenAtMs = QDateTime::currentMSecsSinceEpoch();
    e->taken.insert(key, t);
    connect(stream, &QIODevice::readyRead, this, [this, handle, key] {
        Entry *en = entry(handle, false);
        if (!en || !en->taken.contains(key))
            return;
        Taken &tk = en->taken[key];
        if (!tk.stream)
            return;
        const QByteArray data = tk.stream->readAll();
        tk.dirty = true;
        if (!data.isEmpty())
            Q_EMIT streamData(handle, key, data);
    });
    // Room in the send buffer frees as the peer acknowledges.
    connect(stream, &Stream::bytesAcknowledged, this, [this, handle, key] {
        Entry *en = entry(handle, false);
        if (en && en->taken.contains(key))
            flushSend(*en, en->taken[key]);
    });
    connect(stream, &Stream::stateChanged, this, [this, handle, key] {
        Entry *en = entry(handle, false);
        if (en && en->taken.contains(key)) {
            en->taken[key].dirty = true;
            Q_EMIT streamUpdated(handle, infoOf(en->taken[key]));
        }
    });
    connect(stream, &Stream::errorOccurred, this, [this, handle, key](const Error &streamError) {
        Entry *en = entry(handle, false);
        if (en && en->taken.contains(key)) {
            en->taken[key].error = streamError.toString();
            en->taken[key].dirty = true;
            Q_EMIT poolMessage(handle, QStringLiteral("Stream %1: %2").arg(en->taken[key].id, streamError.toString()),
                               true);
        }
    });
    StreamInfo info = infoOf(e->taken[key]);
    info.key = key;
    Q_EMIT streamAcquired(handle, info);
}

StreamInfo PoolWorker::infoOf(const Taken &t) const
{
    StreamInfo info; // the caller fills in the key
    info.id = t.id;
    info.takenAtMs = t.takenAtMs;
    info.error = t.error;
    info.bytesOut = t.written;
    if (t.stream) {
        info.state = stateName(t.stream->state());
        info.bytesIn = t.stream->totalBytesReceived();
    } else {
        info.state = QStringLiteral("deleted");
    }
    return info;
}

void PoolWorker::fetchById(int handle, const QString &id, int timeoutMs)
{
    Entry *e = entry(handle);
    if (!e)
        return;
    ClientPool *client = e->client();
    if (!client || !client->isReady()) {
        Q_EMIT acquireFailed(handle, QStringLiteral("The client pool is not running."));
        return;
    }
    const QString wanted = id.trimmed().toLower();
    client->outgoingGetAsync(wanted, Milliseconds(timeoutMs), this,
                             [this, handle, wanted](Stream *stream, const Error &error) {
                                 if (!stream) {
                                     Q_EMIT acquireFailed(handle, QStringLiteral("%1: %2").arg(wanted, error.toString()));
                                     return;
                                 }
                                 adoptStream(handle, stream);
                             });
}

void PoolWorker::takeNext(int handle, int timeoutMs)
{
    Entry *e = entry(handle);
    if (!e)
        return;
    if (ServerPool *server = e->server()) {
        if (!server->isReady()) {
            Q_EMIT acquireFailed(handle, QStringLiteral("The server pool is not running."));
            return;
        }
        server->incomingGetAsync(Milliseconds(timeoutMs), this, [this, handle](Stream *stream, const Error &error) {
            if (!stream) {
                Q_EMIT acquireFailed(handle, error.toString());
                return;
            }
            adoptStream(handle, stream);
        });
        return;
    }
    // Client: the oldest ready ID.
    ClientPool *client = e->client();
    const QStringList ids = client && client->isReady() ? client->readyIds() : QStringList();
    if (ids.isEmpty()) {
        Q_EMIT acquireFailed(handle, QStringLiteral("No pooled stream is ready."));
        return;
    }
    fetchById(handle, ids.first(), timeoutMs);
}

void PoolWorker::flushSend(Entry &e, Taken &t)
{
    if (!t.stream)
        return;
    while (!t.pending.isEmpty()) {
        const qint64 n = t.stream->write(t.pending.constData(), qMin<qint64>(t.pending.size(), 256 * 1024));
        if (n <= 0)
            break;
        t.pending.remove(0, n);
        t.written += n;
        t.dirty = true;
    }
    if (t.pending.isEmpty() && t.closeAfterSend) {
        t.closeAfterSend = false;
        t.stream->closeWrite();   // FIN; what comes back is still shown
    }
    Q_UNUSED(e);
}

void PoolWorker::sendOnStream(int handle, int key, const QByteArray &data)
{
    Entry *e = entry(handle);
    if (!e || !e->taken.contains(key))
        return;
    Taken &t = e->taken[key];
    if (!t.stream) {
        Q_EMIT poolMessage(handle, QStringLiteral("Stream %1 is gone.").arg(t.id), true);
        return;
    }
    t.pending += data;
    flushSend(*e, t);
}

void PoolWorker::closeStream(int handle, int key)
{
    Entry *e = entry(handle);
    if (!e || !e->taken.contains(key))
        return;
    Taken &t = e->taken[key];
    if (!t.stream)
        return;
    if (t.pending.isEmpty())
        t.stream->closeWrite();   // FIN; what comes back is still shown
    else
        t.closeAfterSend = true; // FIN after the queued bytes
    t.dirty = true;
}

void PoolWorker::abortStream(int handle, int key)
{
    Entry *e = entry(handle);
    if (!e || !e->taken.contains(key))
        return;
    Taken &t = e->taken[key];
    t.pending.clear();
    if (t.stream)
        t.stream->abort();
    t.dirty = true;
}

void PoolWorker::releaseStream(int handle, int key)
{
    Entry *e = entry(handle, false);
    if (!e || !e->taken.contains(key))
        return;
    Taken t = e->taken.take(key);
    if (t.stream) {
        if (t.stream->state() != Stream::State::Closed)
            t.stream->abort();
        t.stream->deleteLater();
    }
    StreamInfo gone;
    gone.key = key;
    gone.gone = true;
    Q_EMIT streamUpdated(handle, gone);
}

void PoolWorker::requestConnectionDetails(int handle)
{
    Entry *e = entry(handle, false);
    if (!e)
        return;
    ConnectionDetails d;
    if (!e->pool) {
        d.error = QStringLiteral("The pool is not running.");
    } else {
        d.info = e->pool->connectionInfo();
        if (ServerPool *s = e->server()) {
            d.serverFingerprint = s->certificateFingerprint();
            d.connectionCount = s->connectionCount();
        }
    }
    Q_EMIT connectionDetails(handle, d);
}

void PoolWorker::publishStreams()
{
    for (Entry *e : std::as_const(m_entries)) {
        for (auto it = e->taken.begin(); it != e->taken.end(); ++it) {
            if (!it->dirty && it->stream)
                continue;
            it->dirty = false;
            StreamInfo info = infoOf(*it);
            info.key = it.key();
            Q_EMIT streamUpdated(e->handle, info);
        }
    }
}

void PoolWorker::setDemoLoad(int handle, bool on)
{
    Entry *e = entry(handle);
    if (!e)
        return;
    e->demoLoad = on;
    if (on && !m_demo.isActive())
        m_demo.start();
}

void PoolWorker::demoTick()
{
    bool any = false;
    for (Entry *e : std::as_const(m_entries)) {
        if (!e->demoLoad)
            continue;
        any = true;
        ClientPool *client = e->client();
        if (!client || !client->isReady() || m_demoLoads.contains(e->handle))
            continue;
        LoadTestConfig c;
        c.target = LoadTestConfig::Target::Existing;
        c.mode = workload::Mode::Echo;
        c.streams = 2;
        c.parallelism = 2;
        c.bytes = 4096 + QRandomGenerator::global()->bounded(60 * 1024);
        c.streamTimeoutMs = 5000;
        c.connectTimeoutMs = 3000;
        auto *test = new LoadTest(c, client, this);
        const int h = e->handle;
        m_demoLoads.insert(h, test);
        connect(test, &LoadTest::finished, this, [this, h, test](const LoadTestResult &r) {
            if (m_demoLoads.value(h) == test)
                m_demoLoads.remove(h);
            test->deleteLater();
            if (r.failed > 0 && !r.failures.isEmpty())
                qCDebug(lcWorker).noquote() << "demo load:" << r.failures.first();
        });
        test->start();
    }
    if (!any)
        m_demo.stop();
}

void PoolWorker::startLoadTest(const LoadTestConfig &config, int clientHandle)
{
    if (m_loadTest) {
        LoadTestResult r;
        r.config = config;
        r.error = QStringLiteral("A load test is already running.");
        Q_EMIT loadTestFinished(r);
        return;
    }
    if (config.target == LoadTestConfig::Target::Existing) {
        Entry *e = entry(clientHandle, false);
        ClientPool *client = e ? e->client() : nullptr;
        if (!client || !client->isReady()) {
            LoadTestResult r;
            r.config = config;
            r.error = QStringLiteral("The chosen client pool is not running.");
            Q_EMIT loadTestFinished(r);
            return;
        }
        // The demo load would steal the test's streams and skew its figures.
        e->demoLoad = false;
        if (LoadTest *demo = m_demoLoads.take(clientHandle)) {
            demo->cancel();
            demo->deleteLater();
        }
        m_loadTest = new LoadTest(config, client, this);
    } else {
        m_loadTest = new LoadTest(config, this);
    }
    LoadTest *test = m_loadTest;
    connect(test, &LoadTest::progressed, this, &PoolWorker::loadTestProgress);
    connect(test, &LoadTest::finished, this, [this, test](const LoadTestResult &r) {
        if (m_loadTest == test)
            m_loadTest = nullptr;
        test->deleteLater();
        Q_EMIT loadTestFinished(r);
    });
    test->start();
}

void PoolWorker::cancelLoadTest()
{
    if (m_loadTest)
        m_loadTest->cancel();
}

WorkerThread::WorkerThread() : m_worker(new PoolWorker)
{
    m_thread.setObjectName(QStringLiteral("quicpool-worker"));
    m_worker->moveToThread(&m_thread);
    QObject::connect(&m_thread, &QThread::finished, m_worker, &QObject::deleteLater);
    m_thread.start();
}

WorkerThread::~WorkerThread()
{
    // Close the pools on their own thread, then let the thread run the
    // deferred deletions (of the worker too) as it finishes.
    QMetaObject::invokeMethod(m_worker, [w = m_worker] { w->removeAll(); }, Qt::BlockingQueuedConnection);
    m_thread.quit();
    m_thread.wait();
}

} // namespace quicpool::diag
