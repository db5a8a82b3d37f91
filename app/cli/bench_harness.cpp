#include "bench_harness.h"

#include "appmode.h"

#include <QtCore/QDeadlineTimer>
#include <QtCore/QEventLoop>
#include <QtCore/QTimer>
#include <algorithm>
#include <cstring>

namespace quicpool::cli::bench {

namespace {
constexpr int kPatternPeriod = 251;
}

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

// ---------------------------------------------------------------- pattern

const char *patternReference()
{
    static const QByteArray reference = patternBytes(0, kChunk + kPatternPeriod);
    return reference.constData();
}

qint64 countMismatches(const char *data, qint64 size, uint64_t offset)
{
    const char *reference = patternReference();
    qint64 bad = 0;
    while (size > 0) {
        const qint64 n = std::min(size, kChunk);
        const char *expected = reference + offset % kPatternPeriod;
        if (std::memcmp(data, expected, size_t(n)) != 0) {
            for (qint64 i = 0; i < n; ++i)
                bad += data[i] != expected[i];
        }
        data += n;
        size -= n;
        offset += uint64_t(n);
    }
    return bad;
}

// ---------------------------------------------------------------- serving

void serveSink(Stream *stream)
{
    struct State
    {
        uint64_t total = 0;
        uint64_t mismatches = 0;
        bool replied = false;
        QByteArray buffer{int(kChunk), Qt::Uninitialized};
    };
    auto state = std::make_shared<State>();
    auto drain = [stream, state] {
        if (state->replied)
            return;
        for (;;) {
            const qint64 n = stream->read(state->buffer.data(), kChunk);
            if (n <= 0)
                break;
            state->mismatches += uint64_t(countMismatches(state->buffer.constData(), n, state->total));
            state->total += uint64_t(n);
        }
        if (stream->atEnd()) {
            state->replied = true;
            stream->write(encodeSinkReply({state->total, state->mismatches}));
            stream->close();       // FIN after the reply; the core lingers until it is acknowledged
            stream->deleteLater();
        }
    };
    QObject::connect(stream, &QIODevice::readyRead, stream, drain);
    QObject::connect(stream, &QIODevice::readChannelFinished, stream, drain);
    QObject::connect(stream, &Stream::errorOccurred, stream, [stream] { stream->deleteLater(); });
    drain();
}

void serveEcho(Stream *stream)
{
    auto pending = std::make_shared<QByteArray>();
    auto pump = [stream, pending] {
        pending->append(stream->readAll());
        while (!pending->isEmpty()) {
            const qint64 n = stream->write(*pending);
            if (n <= 0)
                break;   // send buffer full: bytesWritten() brings us back
            pending->remove(0, n);
        }
        if (pending->isEmpty() && stream->atEnd()) {
            stream->close();
            stream->deleteLater();
        }
    };
    QObject::connect(stream, &QIODevice::readyRead, stream, pump);
    QObject::connect(stream, &QIODevice::readChannelFinished, stream, pump);
    QObject::connect(stream, &QIODevice::bytesWritten, stream, pump);
    QObject::connect(stream, &Stream::errorOccurred, stream, [stream] { stream->deleteLater(); });
    pump();
}

// ---------------------------------------------------------------- QuicServer

QuicServer::QuicServer(WorkerThread *worker) : m_worker(worker) {}

QuicServer::~QuicServer()
{
    stop();
}

bool QuicServer::start(int maxCapacity, ServeMode mode, QString *error)
{
    stop();
    struct Result
    {
        ServerPool *pool = nullptr;
        quint16 port = 0;
        QString error;
    };
    auto result = std::make_shared<Result>();
    const bool ran = m_worker->run([this, result, maxCapacity, mode] {
        ServerPoolConfig config;
        config.setMaxCapacity(maxCapacity);
        config.setListenAddress(QStringLiteral("127.0.0.1:0"));
        auto *pool = new ServerPool(config);
        if (!pool->start()) {
            result->error = pool->lastError().toString();
            delete pool;
            return;
        }
        QObject::connect(pool, &Pool::streamPooled, pool, [this, pool, mode](const QString &id) {
            if (pooledHook)
                pooledHook(id);
            if (mode == ServeMode::Keep)
                return;
            // Take them on the next turn, outside the pool's own signal.
            QMetaObject::invokeMethod(pool, [pool, mode] {
                while (Stream *s = pool->tryIncomingGet())
                    mode == ServeMode::Sink ? serveSink(s) : serveEcho(s);
            }, Qt::QueuedConnection);
        });
        result->pool = pool;
        result->port = pool->serverPort();
    });
    if (!ran || !result->pool) {
        if (error)
            *error = !ran ? QStringLiteral("the server thread did not start the pool in time")
                          : QStringLiteral("the server pool did not start: %1").arg(result->error);
        return false;
    }
    m_pool = result->pool;
    m_port = result->port;
    return true;
}

void QuicServer::stop()
{
    if (!m_pool)
        return;
    ServerPool *pool = m_pool;
    m_pool = nullptr;
    m_port = 0;
    m_worker->run([this, pool] {
        pooledHook = nullptr;
        pool->close();
        delete pool;
    });
}

int QuicServer::active() const
{
    return m_pool ? m_pool->active() : 0;
}

// ---------------------------------------------------------------- client side

ClientPoolConfig benchClientConfig(const QString &address, int capacity, Milliseconds interval)
{
    ClientPoolConfig c;
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
