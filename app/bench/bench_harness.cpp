#include "bench_harness.h"

#include <QtCore/QDeadlineTimer>
#include <QtCore/QEventLoop>
#include <QtCore/QTimer>
namespace quicpool::cli::bench {

bool spinUntil(const std::function<bool()> &done, std::chrono::milliseconds timeout)
{
    if (done())
        return true;
    const QDeadlineTimer deadline(timeout);
    QEventLoop loop;
    QTimer tick;
    tick.setTimerType(Qt::PreciseTimer);
    QObject::connect(&tick, &QTimer::timeout, &loop, [&] {
        if (done() || deadline.hasExpired())
            loop.quit();
    });
    tick.start(1);
    loop.exec();
    return done();
}

// ---------------------------------------------------------------- WorkerThread

WorkerThread::WorkerThread()
{
    m_thread.setObjectName(QStringLiteral("bench-server"));
    m_context = new QObject;
    m_context->moveToThread(&m_thread);
    m_thread.start();
}

WorkerThread::~WorkerThread()
{
    m_thread.quit();
    m_thread.wait();
    delete m_context;   // its thread has finished: no event can reach it now
}

bool WorkerThread::run(std::function<void()> fn, std::chrono::milliseconds timeout)
{
    auto done = std::make_shared<std::atomic_bool>(false);
    QMetaObject::invokeMethod(m_context, [fn = std::move(fn), done] {
        fn();
        done->store(true);
    }, Qt::QueuedConnection);
    return spinUntil([done] { return done->load(); }, timeout);
}

// ---------------------------------------------------------------- QuicServer

QuicServer::QuicServer(WorkerThread *worker) : m_worker(worker) {}

QuicServer::~QuicServer()
{
    stop();
}

bool QuicServer::start(int maxCapacity, workload::Mode mode, QString *error,
                       std::optional<CongestionControl> congestionControl, std::chrono::microseconds busyPoll)
{
    stop();
    struct Result
    {
        ServerPool *pool = nullptr;
        workload::StreamServer *server = nullptr;
        quint16 port = 0;
        QString error;
    };
    auto result = std::make_shared<Result>();
    const bool ran = m_worker->run([this, result, maxCapacity, mode, congestionControl, busyPoll] {
        ServerPoolConfig config;
        if (congestionControl)
            config.setCongestionControl(*congestionControl);
        config.setBusyPoll(busyPoll);
        config.setMaxCapacity(maxCapacity);
        config.setListenAddress(QStringLiteral("127.0.0.1:0"));
        auto *pool = new ServerPool(config);
        if (!pool->start()) {
            result->error = pool->lastError().toString();
            delete pool;
            return;
        }
        QObject::connect(pool, &Pool::streamPooled, pool, [this](const QString &id) {
            if (pooledHook)
                pooledHook(id);
        });
        result->pool = pool;
        result->server = new workload::StreamServer(pool, mode);
        result->server->start();
        result->port = pool->serverPort();
    });
    if (!ran || !result->pool) {
        if (error)
            *error = !ran ? QStringLiteral("the server thread did not start the pool in time")
                          : QStringLiteral("the server pool did not start: %1").arg(result->error);
        return false;
    }
    m_pool = result->pool;
    m_server = result->server;
    m_port = result->port;
    return true;
}

void QuicServer::stop()
{
    if (!m_pool)
        return;
    ServerPool *pool = m_pool;
    workload::StreamServer *server = m_server;
    m_pool = nullptr;
    m_server = nullptr;
    m_port = 0;
    m_worker->run([this, pool, server] {
        pooledHook = nullptr;
        delete server;
        pool->close();
        delete pool;
    });
}

int QuicServer::active() const
{
    return m_pool ? m_pool->active() : 0;
}

// ---------------------------------------------------------------- client side

ClientPoolConfig benchClientConfig(const QString &address, int capacity, Milliseconds interval,
                                   std::optional<CongestionControl> congestionControl)
{
    ClientPoolConfig c;
    if (congestionControl)
        c.setCongestionControl(*congestionControl);
    c.setMinCapacity(capacity);
    c.setMaxCapacity(capacity);
    c.setMinInterval(interval);
    c.setMaxInterval(interval);
    c.setTlsMode(TlsMode::SelfSigned);
    c.setAddress(address);
    return c;
}

qint64 sendBufferOverride()
{
    bool ok = false;
    const qint64 bytes = qEnvironmentVariableIntValue("QUICPOOL_BENCH_SEND_BUFFER", &ok);
    return ok && bytes > 0 ? bytes : 0;
}

} // namespace quicpool::cli::bench
