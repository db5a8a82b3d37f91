#include "loadtest.h"

#include <workload/streamrunner.h>
#include <workload/streamserver.h>

#include <quicpool/pool.h>
#include <quicpool/stream.h>

#include <QtCore/QLoggingCategory>

namespace quicpool::diag {

namespace {

constexpr int kMaxFailuresKept = 20;
// Served streams that stop moving are reset after this long, and a source
// request is capped: a stray client must not pin or flood the app.
constexpr Milliseconds kServeIdleTimeout{5 * 60 * 1000};
constexpr quint64 kServeSourceLimit = quint64(1) << 40;

} // namespace

Q_LOGGING_CATEGORY(lcServe, "quicpool.ui.serve")

workload::StreamServer *startServing(ServerPool *pool, workload::Mode mode, QObject *parent)
{
    auto *server = new workload::StreamServer(pool, mode, parent);
    server->setIdleTimeout(kServeIdleTimeout);
    server->setSourceLimit(kServeSourceLimit);
    QObject::connect(server, &workload::StreamServer::streamTaken, server,
                     [server](const QString &id) { qCDebug(lcServe) << "serving" << id << workload::modeName(server->mode()); });
    QObject::connect(server, &workload::StreamServer::streamDone, server,
                     [](const QString &id, workload::StreamServer::Outcome, const QString &detail) {
                         qCDebug(lcServe) << id << "done:" << detail;
                     });
    server->start();
    return server;
}

LoadTest::LoadTest(const LoadTestConfig &config, QObject *parent)
    : QObject(parent), m_config(config)
{
    m_config.streams = qMax(1, m_config.streams);
    m_config.parallelism = qBound(1, m_config.parallelism, 256);
    m_config.bytes = qMax<qint64>(0, m_config.bytes);
    m_result.config = m_config;
    m_tick.setInterval(100);
    connect(&m_tick, &QTimer::timeout, this, &LoadTest::onTick);
}

LoadTest::LoadTest(const LoadTestConfig &config, ClientPool *existing, QObject *parent)
    : LoadTest(config, parent)
{
    m_config.target = LoadTestConfig::Target::Existing;
    m_result.config = m_config;
    m_client = existing;
    m_ownsClient = false;
}

LoadTest::~LoadTest()
{
    qDeleteAll(m_jobs);
    m_jobs.clear();
    delete m_streamServer;
    if (m_ownsClient)
        delete m_client;
    delete m_server;
}

void LoadTest::start()
{
    if (m_running)
        return;
    m_running = true;
    m_clock.start();
    m_tick.start();
    const int poolSize = qMin(m_config.parallelism * 2, 512);

    ClientPoolConfig cc;
    cc.setMinCapacity(m_config.parallelism);
    cc.setMaxCapacity(poolSize);
    cc.setMinInterval(Milliseconds(10));
    cc.setMaxInterval(Milliseconds(200));
    cc.setHandshakeTimeout(Milliseconds(m_config.connectTimeoutMs));

    if (m_config.target == LoadTestConfig::Target::Existing) {
        if (!m_client)
            return finish(QStringLiteral("the client pool is gone"));
        connect(m_client, &Pool::streamPooled, this, [this] { launchJobs(); });
        launchJobs();
        return;
    }
    if (m_config.target == LoadTestConfig::Target::EmbeddedPair) {
        ServerPoolConfig sc;
        sc.setListenAddress(QStringLiteral("127.0.0.1:0"));
        sc.setMaxCapacity(poolSize);
        sc.setSelfSignedName(QStringLiteral("localhost"));
        m_server = new ServerPool(sc, this);
        if (!m_server->start())
            return finish(QStringLiteral("embedded server: %1").arg(m_server->lastError().toString()));
        m_streamServer = startServing(m_server, m_config.mode, this);
        cc.setAddress(QStringLiteral("127.0.0.1:%1").arg(m_server->serverPort()));
        cc.setTlsMode(TlsMode::SelfSigned);
    } else {
        cc.setAddress(m_config.remoteAddress);
        cc.setTlsMode(static_cast<TlsMode>(m_config.tlsMode));
        cc.setHostname(m_config.hostname);
        cc.setPinSha256(m_config.pinSha256);
    }
    m_client = new ClientPool(cc, this);
    connect(m_client, &Pool::streamPooled, this, [this] { launchJobs(); });
    if (!m_client->start())
        return finish(QStringLiteral("client pool: %1").arg(m_client->lastError().toString()));
    m_lastStreamAtMs = 0;
    launchJobs();
}

Stream *LoadTest::takeReadyStream()
{
    if (!m_client)
        return nullptr;
    // As the CLI does against a remote server: take whichever ID is ready.
    const QStringList ids = m_client->readyIds();
    for (const QString &id : ids) {
        Stream *s = m_client->tryOutgoingGet(id);
        if (!s)
            continue;
        // A pooled stream the peer already ended cannot carry an exchange.
        if (s->state() != Stream::State::Open || s->isFinished()) {
            ++m_skippedStale;
            s->abort();
            s->deleteLater();
            continue;
        }
        return s;
    }
    return nullptr;
}

void LoadTest::launchJobs()
{
    if (!m_running)
        return;
    while (m_started < m_config.streams && m_jobs.size() < m_config.parallelism) {
        Stream *s = takeReadyStream();
        if (!s)
            break;
        m_gotFirstStream = true;
        m_lastStreamAtMs = m_clock.elapsed();
        ++m_started;
        auto *job = new workload::StreamRunner(s, m_config.mode, m_config.bytes, {}, this);
        job->setDeadline(Milliseconds(m_config.streamTimeoutMs));
        connect(job, &workload::StreamRunner::transferred, this, [this](qint64 sent, qint64 received) {
            m_result.bytesSent += sent;
            m_result.bytesReceived += received;
        });
        connect(job, &workload::StreamRunner::finished, this,
                [this, job](const workload::RunResult &r) { jobDone(job, r.ok, r.milliseconds, r.why); });
        m_jobs.append(job);
        job->start();
    }
}

void LoadTest::jobDone(workload::StreamRunner *job, bool ok, double latencyMs, const QString &reason)
{
    m_jobs.removeOne(job);   // it deletes itself
    if (ok) {
        ++m_result.ok;
        m_result.latenciesMs.append(latencyMs);
    } else {
        ++m_result.failed;
        if (m_result.failures.size() < kMaxFailuresKept)
            m_result.failures.append(reason);
    }
    if (m_result.ok + m_result.failed >= m_config.streams)
        return finish();
    // Later: the finished job's slot may be refilled from the pool.
    QTimer::singleShot(0, this, [this] { launchJobs(); });
}

void LoadTest::onTick()
{
    if (!m_running)
        return;
    launchJobs(); // safety net in case a streamPooled was missed while full
    const qint64 now = m_clock.elapsed();
    const qint64 waited = now - m_lastStreamAtMs;
    if (m_jobs.isEmpty() && m_started < m_config.streams) {
        const int limit = m_gotFirstStream ? m_config.streamTimeoutMs : m_config.connectTimeoutMs;
        if (waited > limit) {
            QString why = m_gotFirstStream ? QStringLiteral("no stream became ready for %1 ms").arg(waited)
                                           : QStringLiteral("no stream became ready within %1 ms").arg(waited);
            if (m_client && m_client->lastError().isError())
                why += QStringLiteral(" (%1)").arg(m_client->lastError().toString());
            const int remaining = m_config.streams - m_started;
            m_result.failed += remaining;
            if (m_result.failures.size() < kMaxFailuresKept)
                m_result.failures.append(why);
            m_started = m_config.streams;
            return finish(m_gotFirstStream ? QString() : why);
        }
    }
    Q_EMIT progressed(progress());
}

LoadTestProgress LoadTest::progress() const
{
    LoadTestProgress p;
    p.total = m_config.streams;
    p.ok = m_result.ok;
    p.failed = m_result.failed;
    p.running = int(m_jobs.size());
    p.bytesSent = m_result.bytesSent;
    p.bytesReceived = m_result.bytesReceived;
    p.elapsedSeconds = m_clock.isValid() ? double(m_clock.nsecsElapsed()) / 1e9 : 0;
    return p;
}

void LoadTest::cancel()
{
    if (!m_running)
        return;
    m_result.cancelled = true;
    for (workload::StreamRunner *job : std::as_const(m_jobs))
        job->cancel();
    m_result.failed += int(m_jobs.size());
    finish();
}

void LoadTest::finish(const QString &error)
{
    if (!m_running)
        return;
    m_running = false;
    m_tick.stop();
    m_result.error = error;
    m_result.seconds = m_clock.isValid() ? double(m_clock.nsecsElapsed()) / 1e9 : 0;
    qDeleteAll(m_jobs);
    m_jobs.clear();
    if (m_streamServer)
        m_streamServer->stop();
    if (m_client && m_ownsClient)
        m_client->close();
    if (m_client && !m_ownsClient)
        disconnect(m_client, nullptr, this, nullptr);
    if (m_server)
        m_server->close();
    Q_EMIT progressed(progress());
    Q_EMIT finished(m_result);
}

} // namespace quicpool::diag
