#include "loadtest.h"

#include "loadtestpath.h"

#include <quicpool/relay/relay.h>
#include <workload/streamrunner.h>
#include <workload/streamserver.h>

#include <quicpool/pool.h>
#include <quicpool/stream.h>

#include <QtCore/QLoggingCategory>

#include <cmath>
#include <limits>

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

ClientPoolConfig loadTestPoolConfig(const LoadTestConfig &config)
{
    const int parallelism = qBound(1, config.parallelism, 256);
    ClientPoolConfig cc;
    cc.setMinCapacity(parallelism);
    cc.setMaxCapacity(qMin(parallelism * 2, 512));
    cc.setMinInterval(Milliseconds(10));
    cc.setMaxInterval(Milliseconds(200));
    cc.setHandshakeTimeout(Milliseconds(config.connectTimeoutMs));
    return cc;
}

int embeddedServerCapacity(const ClientPoolConfig &client, int parallelism)
{
    const qint64 inUse = qint64(client.maxCapacity()) + qMax(1, parallelism);
    return int(qMin<qint64>(16 * inUse + 64, std::numeric_limits<int>::max()));
}

LoadTest::LoadTest(const LoadTestConfig &config, QObject *parent)
    : QObject(parent), m_config(config)
{
    m_config.streams = qMax(1, m_config.streams);
    m_config.parallelism = qBound(1, m_config.parallelism, 256);
    m_config.bytes = qMax<qint64>(0, m_config.bytes);
    m_result.config = m_config;
    m_mode = effectiveMode(m_config);
    m_tick.setInterval(100);
    connect(&m_tick, &QTimer::timeout, this, &LoadTest::onTick);
    // The 100 ms tick would close a second up to 100 ms late and count a
    // tenth of the next one in it: a precise timer of its own.
    m_intervalTimer.setSingleShot(true);
    m_intervalTimer.setTimerType(Qt::PreciseTimer);
    connect(&m_intervalTimer, &QTimer::timeout, this, &LoadTest::onIntervalBoundary);
}

LoadTest::LoadTest(const LoadTestConfig &config, ClientPool *existing, QObject *parent)
    : LoadTest(config, parent)
{
    m_config.target = LoadTestConfig::Target::Existing;
    m_result.config = m_config;
    m_mode = effectiveMode(m_config);
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
    ClientPoolConfig cc = loadTestPoolConfig(m_config);

    if (m_config.target == LoadTestConfig::Target::Existing) {
        if (!m_client)
            return finish(QStringLiteral("the client pool is gone"));
        if (!m_config.path.isEmpty())
            return finish(QStringLiteral("a path applies to the embedded pair or a remote server, not to an open pool"));
        m_refusedAtStart = m_client->refusedStreamCount();
        connect(m_client, &Pool::streamPooled, this, [this] { launchJobs(); });
        launchJobs();
        return;
    }
    if (m_config.target == LoadTestConfig::Target::EmbeddedPair) {
        ServerPoolConfig sc;
        sc.setListenAddress(QStringLiteral("127.0.0.1:0"));
        sc.setMaxCapacity(embeddedServerCapacity(cc, m_config.parallelism));
        sc.setSelfSignedName(QStringLiteral("localhost"));
        m_server = new ServerPool(sc, this);
        if (!m_server->start())
            return finish(QStringLiteral("embedded server: %1").arg(m_server->lastError().toString()));
        m_streamServer = startServing(m_server, m_mode, this);
        cc.setAddress(QStringLiteral("127.0.0.1:%1").arg(m_server->serverPort()));
        cc.setTlsMode(TlsMode::SelfSigned);
        if (!routeThroughPath(&cc, QHostAddress(QHostAddress::LocalHost), m_server->serverPort()))
            return;
    } else {
        cc.setAddress(m_config.remoteAddress);
        cc.setTlsMode(static_cast<TlsMode>(m_config.tlsMode));
        cc.setHostname(m_config.hostname);
        cc.setPinSha256(m_config.pinSha256);
        if (!m_config.path.isEmpty()) {
            QString host;
            quint16 port = 0;
            parseHostPort(m_config.remoteAddress, &host, &port);
            const QHostAddress address(host);
            if (address.isNull())
                return finish(QStringLiteral("a path needs the remote server's IP address, not the name '%1'").arg(host));
            // The certificate still names the server, not the relay.
            if (m_config.hostname.isEmpty())
                cc.setHostname(host);
            if (!routeThroughPath(&cc, address, port))
                return;
        }
    }
    m_client = new ClientPool(cc, this);
    connect(m_client, &Pool::streamPooled, this, [this] { launchJobs(); });
    if (!m_client->start())
        return finish(QStringLiteral("client pool: %1").arg(m_client->lastError().toString()));
    m_lastStreamAtMs = 0;
    launchJobs();
}

bool LoadTest::routeThroughPath(ClientPoolConfig *cc, const QHostAddress &upstream, quint16 upstreamPort)
{
    QString error;
    const std::optional<relay::RelayConfig> rc = pathRelayConfig(m_config, upstream, upstreamPort, &error);
    if (!error.isEmpty()) {
        finish(QStringLiteral("path: %1").arg(error));
        return false;
    }
    if (!rc)
        return true; // no path: straight to the server
    m_relay = new relay::Relay(*rc, this);
    if (!m_relay->start()) {
        finish(QStringLiteral("path relay: %1").arg(m_relay->errorString()));
        return false;
    }
    const QHostAddress at = m_relay->listenAddress();
    cc->setAddress(at.protocol() == QAbstractSocket::IPv6Protocol
                       ? QStringLiteral("[%1]:%2").arg(at.toString()).arg(m_relay->listenPort())
                       : QStringLiteral("%1:%2").arg(at.toString()).arg(m_relay->listenPort()));
    // A long path needs more than the loopback handshake allowance.
    cc->setHandshakeTimeout(Milliseconds(qMax(m_config.connectTimeoutMs, 10000)));
    return true;
}

bool LoadTest::rateAllowsAnother() const
{
    if (m_config.rateBytesPerSecond <= 0 || m_firstStreamNs < 0)
        return true;
    // Streams start as the target rate's budget allows: what is started
    // stays within rate x elapsed, plus one stream.
    const double budget = double(m_config.rateBytesPerSecond) * sinceFirst() + double(qMax<qint64>(1, m_config.bytes));
    return double(m_started) * double(qMax<qint64>(1, m_config.bytes)) < budget;
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

bool LoadTest::moreToStart() const
{
    if (m_config.durationMs > 0)
        return m_firstStreamNs < 0 || sinceFirst() * 1000.0 < m_config.durationMs;
    return m_started < m_config.streams;
}

double LoadTest::sinceFirst() const
{
    return m_firstStreamNs < 0 ? 0.0 : double(m_clock.nsecsElapsed() - m_firstStreamNs) / 1e9;
}

void LoadTest::pollAcknowledged()
{
    // A slot may end a job (never here: the signal only adds bytes), but
    // iterate over a copy all the same.
    const QList<workload::StreamRunner *> jobs = m_jobs;
    for (workload::StreamRunner *job : jobs)
        job->pollAcknowledged();
}

void LoadTest::closeInterval(double end)
{
    if (m_firstStreamNs < 0 || end <= m_interval.start)
        return;
    pollAcknowledged();
    const double now = sinceFirst();
    m_interval.end = end;
    m_interval.measuredSeconds = now - m_intervalOpenedAt;
    m_result.intervals.append(m_interval);
    LoadTestInterval next;
    next.start = end;
    m_interval = next;
    m_intervalOpenedAt = now;
}

void LoadTest::onIntervalBoundary()
{
    if (!m_running || m_firstStreamNs < 0)
        return;
    closeInterval(m_interval.start + 1.0);
    // Armed for the next whole second; a timer that fired late makes the
    // next interval shorter, not the series drift.
    const double wait = m_interval.start + 1.0 - sinceFirst();
    m_intervalTimer.start(qMax(0, int(std::ceil(wait * 1000.0))));
}

void LoadTest::launchJobs()
{
    if (!m_running)
        return;
    while (moreToStart() && m_jobs.size() < m_config.parallelism && rateAllowsAnother()) {
        Stream *s = takeReadyStream();
        if (!s)
            break;
        if (m_firstStreamNs < 0) {
            // The clock of the figures starts here, as `quicpool client`'s
            // does: connecting is not transfer time.
            m_firstStreamNs = m_clock.nsecsElapsed();
            m_interval = LoadTestInterval();
            m_intervalOpenedAt = 0;
            m_intervalTimer.start(1000);
        }
        m_gotFirstStream = true;
        m_lastStreamAtMs = m_clock.elapsed();
        ++m_started;
        auto *job = new workload::StreamRunner(s, m_mode, m_config.bytes, {}, this);
        job->setDeadline(Milliseconds(m_config.streamTimeoutMs));
        connect(job, &workload::StreamRunner::transferred, this, [this](qint64 sent, qint64 received) {
            m_result.bytesSent += sent;
            m_result.bytesReceived += received;
        });
        // The series count delivery: what the peer acknowledged and what
        // the app read. Bytes handed to the stream only fill its buffer.
        connect(job, &workload::StreamRunner::payloadTransferred, this, [this](qint64 sent, qint64 received) {
            m_result.deliveredSent += sent;
            m_result.deliveredReceived += received;
            m_interval.bytesSent += sent;
            m_interval.bytesReceived += received;
        });
        connect(job, &workload::StreamRunner::payloadWritten, this, [this](qint64 bytes) {
            m_result.bufferedSent += bytes;
            m_interval.bytesBuffered += bytes;
        });
        connect(job, &workload::StreamRunner::finished, this,
                [this, job](const workload::RunResult &r) { jobDone(job, r); });
        m_startedAt.insert(job, sinceFirst());
        m_jobs.append(job);
        job->start();
    }
}

void LoadTest::jobDone(workload::StreamRunner *job, const workload::RunResult &r)
{
    m_jobs.removeOne(job);   // it deletes itself
    m_lastEndNs = m_clock.nsecsElapsed();
    LoadTestStream rec;
    rec.id = r.id;
    rec.startSeconds = m_startedAt.take(job);
    rec.milliseconds = r.milliseconds;
    rec.payloadBytes = r.bytes;
    rec.ok = r.ok;
    rec.error = r.why;
    m_result.streams.append(rec);
    if (r.ok) {
        ++m_result.ok;
        ++m_interval.completed;
        m_result.latenciesMs.append(r.milliseconds);
        // As `quicpool client` counts: the payload of streams that checked out.
        m_result.payloadSent += payloadSentFor(m_mode, r.bytes);
        m_result.payloadReceived += payloadReceivedFor(m_mode, r.bytes);
    } else {
        ++m_result.failed;
        ++m_interval.failed;
        if (m_result.failures.size() < kMaxFailuresKept)
            m_result.failures.append(r.why);
    }
    if (!moreToStart() && m_jobs.isEmpty())
        return finish();
    // Later: the finished job's slot may be refilled from the pool.
    QTimer::singleShot(0, this, [this] { launchJobs(); });
}

void LoadTest::onTick()
{
    if (!m_running)
        return;
    launchJobs(); // safety net in case a streamPooled was missed while full
    pollAcknowledged();
    if (m_config.durationMs > 0 && !moreToStart() && m_jobs.isEmpty())
        return finish();
    const qint64 now = m_clock.elapsed();
    const qint64 waited = now - m_lastStreamAtMs;
    if (m_jobs.isEmpty() && moreToStart() && rateAllowsAnother()) {
        const int limit = m_gotFirstStream ? m_config.streamTimeoutMs : m_config.connectTimeoutMs;
        if (waited > limit) {
            QString why = m_gotFirstStream ? QStringLiteral("no stream became ready for %1 ms").arg(waited)
                                           : QStringLiteral("no stream became ready within %1 ms").arg(waited);
            if (m_client && m_client->lastError().isError())
                why += QStringLiteral(" (%1)").arg(m_client->lastError().toString());
            const int remaining = m_config.durationMs > 0 ? 0 : m_config.streams - m_started;
            m_result.failed += remaining;
            if (m_result.failures.size() < kMaxFailuresKept)
                m_result.failures.append(why);
            m_started = m_config.streams;
            m_config.durationMs = 0; // nothing more starts
            return finish(m_gotFirstStream ? QString() : why);
        }
    }
    Q_EMIT progressed(progress());
}

LoadTestProgress LoadTest::progress() const
{
    LoadTestProgress p;
    p.total = m_config.durationMs > 0 ? m_started : m_config.streams;
    p.ok = m_result.ok;
    p.failed = m_result.failed;
    p.running = int(m_jobs.size());
    p.bytesSent = m_result.bytesSent;
    p.bytesReceived = m_result.bytesReceived;
    p.deliveredSent = m_result.deliveredSent;
    p.deliveredReceived = m_result.deliveredReceived;
    p.bufferedSent = m_result.bufferedSent;
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
    m_tick.stop();
    m_intervalTimer.stop();
    closeInterval(sinceFirst());
    m_running = false;
    m_result.error = error;
    m_result.seconds = m_clock.isValid() ? double(m_clock.nsecsElapsed()) / 1e9 : 0;
    m_result.transferSeconds = m_firstStreamNs >= 0 && m_lastEndNs > m_firstStreamNs
        ? double(m_lastEndNs - m_firstStreamNs) / 1e9 : 0.0;
    qDeleteAll(m_jobs);
    m_jobs.clear();
    if (m_client)
        m_result.refusedStreams = m_client->refusedStreamCount() - m_refusedAtStart;
    if (m_streamServer)
        m_streamServer->stop();
    if (m_client && m_ownsClient)
        m_client->close();
    if (m_client && !m_ownsClient)
        disconnect(m_client, nullptr, this, nullptr);
    if (m_server)
        m_server->close();
    if (m_relay)
        m_relay->stop();
    Q_EMIT progressed(progress());
    Q_EMIT finished(m_result);
}

} // namespace quicpool::diag
