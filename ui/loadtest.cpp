#include "loadtest.h"

#include "modeserver.h"

#include <quicpool/pool.h>
#include <quicpool/stream.h>

namespace quicpool::diag {

namespace {
constexpr qint64 kChunk = 64 * 1024;
constexpr int kMaxFailuresKept = 20;
}

// One exchange on one stream, from the client's side.
class LoadJob : public QObject
{
public:
    using Done = std::function<void(LoadJob *, bool, double, const QString &)>;

    LoadJob(Stream *stream, const LoadTestConfig &config, qint64 *sent, qint64 *received, Done done,
            QObject *parent)
        : QObject(parent), m_stream(stream), m_mode(config.mode), m_size(config.bytes),
          m_sentTotal(sent), m_receivedTotal(received), m_done(std::move(done))
    {
        m_clock.start();
        m_id = stream->id();
        connect(stream, &QIODevice::readyRead, this, [this] { pump(); });
        connect(stream, &QIODevice::readChannelFinished, this, [this] { pump(); });
        connect(stream, &QIODevice::bytesWritten, this, [this] { pump(); });
        connect(stream, &Stream::finished, this, [this] { pump(); });
        connect(stream, &Stream::errorOccurred, this, [this](const Error &streamError) {
            fail(QStringLiteral("stream error: %1").arg(streamError.toString()));
        });
        m_timeout.setSingleShot(true);
        connect(&m_timeout, &QTimer::timeout, this, [this] {
            fail(QStringLiteral("timed out after %1 ms (%2 of %3 bytes)")
                     .arg(m_clock.elapsed()).arg(m_received).arg(expected()));
        });
        m_timeout.start(config.streamTimeoutMs);
        if (m_mode == LoadMode::Source)
            m_request = encodeU64(quint64(m_size));
        QTimer::singleShot(0, this, [this] { pump(); });
    }

    ~LoadJob() override
    {
        if (m_stream)
            m_stream->deleteLater();
    }

    void abortStream()
    {
        m_finished = true;
        m_timeout.stop();
        if (m_stream) {
            m_stream->abort();
            m_stream->deleteLater();
            m_stream = nullptr;
        }
    }

private:
    qint64 expected() const { return m_mode == LoadMode::Sink ? 16 : m_size; }

    void pump()
    {
        if (m_finished || !m_stream)
            return;
        writeSome();
        readSome();
        if (m_stream->isFinished() && m_stream->bytesAvailable() == 0)
            complete();
    }

    void writeSome()
    {
        if (m_finSent)
            return;
        if (m_mode == LoadMode::Source) {
            while (!m_request.isEmpty()) {
                const qint64 n = m_stream->write(m_request);
                if (n < 0)
                    return fail(QStringLiteral("write failed: %1").arg(m_stream->errorString()));
                if (n == 0)
                    return;
                m_request.remove(0, n);
                *m_sentTotal += n;
            }
        } else {
            while (m_written < m_size) {
                if (m_chunk.isEmpty())
                    m_chunk = patternBytes(m_written, qMin(kChunk, m_size - m_written));
                const qint64 n = m_stream->write(m_chunk);
                if (n < 0)
                    return fail(QStringLiteral("write failed at byte %1: %2").arg(m_written).arg(m_stream->errorString()));
                if (n == 0)
                    return;
                m_chunk.remove(0, n);
                m_written += n;
                *m_sentTotal += n;
            }
        }
        m_finSent = true;
        m_stream->close(); // FIN; the read side stays open for the answer
    }

    void readSome()
    {
        while (m_stream && m_stream->bytesAvailable() > 0) {
            const QByteArray data = m_stream->read(kChunk);
            if (m_mode == LoadMode::Sink) {
                m_reply += data;
            } else {
                m_mismatches += patternMismatches(data, m_received);
            }
            m_received += data.size();
            *m_receivedTotal += data.size();
        }
    }

    void complete()
    {
        if (m_mode == LoadMode::Sink) {
            quint64 total = 0, bad = 0;
            if (!decodeSinkReply(m_reply, &total, &bad))
                return fail(QStringLiteral("sink reply has %1 bytes, expected 16").arg(m_reply.size()));
            if (qint64(total) != m_size)
                return fail(QStringLiteral("sink received %1 of %2 bytes").arg(total).arg(m_size));
            if (bad != 0)
                return fail(QStringLiteral("sink saw %1 bytes differing from the pattern").arg(bad));
        } else {
            if (m_received != m_size)
                return fail(QStringLiteral("received %1 of %2 bytes (sent %3, stream %4)")
                                .arg(m_received).arg(m_size).arg(m_written).arg(m_id));
            if (m_mismatches != 0)
                return fail(QStringLiteral("%1 bytes differ from what was expected").arg(m_mismatches));
        }
        end(true, {});
    }

    void fail(const QString &reason)
    {
        if (m_finished)
            return;
        if (m_stream)
            m_stream->abort();
        end(false, reason);
    }

    void end(bool ok, const QString &reason)
    {
        if (m_finished)
            return;
        m_finished = true;
        m_timeout.stop();
        m_done(this, ok, double(m_clock.nsecsElapsed()) / 1e6, reason);
    }

    QPointer<Stream> m_stream;
    LoadMode m_mode;
    qint64 m_size;
    qint64 *m_sentTotal;
    qint64 *m_receivedTotal;
    Done m_done;
    QElapsedTimer m_clock;
    QTimer m_timeout;
    QByteArray m_request;
    QByteArray m_chunk;
    QByteArray m_reply;
    qint64 m_written = 0;
    qint64 m_received = 0;
    qint64 m_mismatches = 0;
    bool m_finSent = false;
    bool m_finished = false;
    QString m_id;
};

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
    delete m_modeServer;
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
        m_modeServer = new ModeServer(m_server, m_config.mode, this);
        m_modeServer->start();
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
        auto *job = new LoadJob(s, m_config, &m_result.bytesSent, &m_result.bytesReceived,
                                [this](LoadJob *j, bool ok, double ms, const QString &why) { jobDone(j, ok, ms, why); },
                                this);
        m_jobs.append(job);
    }
}

void LoadTest::jobDone(LoadJob *job, bool ok, double latencyMs, const QString &reason)
{
    m_jobs.removeOne(job);
    job->deleteLater();
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
    for (LoadJob *job : std::as_const(m_jobs))
        job->abortStream();
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
    if (m_modeServer)
        m_modeServer->stop();
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
