#include <workload/streamserver.h>

#include <workload/streamend.h>

#include <quicpool/pool.h>
#include <quicpool/stream.h>
#include <QtCore/QTimer>
#include <algorithm>
#include <limits>
#include <vector>

namespace quicpool::workload {

namespace {

using namespace std::chrono_literals;

// A get waits this long before it is simply re-armed; the pool calls back
// the moment a stream is pooled, so the figure only bounds timer lifetimes.
constexpr Milliseconds kGetTimeout = 3600s;
constexpr qint64 kChunk = 64 * 1024;

/// One stream being served. Owns nothing but its buffers; the stream stays
/// a child of its pool and is released through releaseStream().
class ServerSession : public QObject
{
public:
    using Done = std::function<void(StreamServer::Outcome, const QString &)>;

    ServerSession(Stream *stream, Mode mode, Milliseconds idleTimeout, quint64 sourceLimit, Done done,
                  QObject *parent)
        : QObject(parent),
          m_stream(stream),
          m_mode(mode),
          m_idleTimeout(idleTimeout),
          m_sourceLimit(sourceLimit),
          m_done(std::move(done))
    {
    }

    void start()
    {
        connect(m_stream, &Stream::readyRead, this, &ServerSession::pump);
        connect(m_stream, &Stream::readChannelFinished, this, &ServerSession::pump);
        // Room in the send buffer frees as the peer acknowledges.
        connect(m_stream, &Stream::bytesAcknowledged, this, &ServerSession::pump);
        if (m_idleTimeout.count() > 0) {
            // A peer that never finishes its half must not pin the stream for ever.
            m_idle.setSingleShot(true);
            connect(&m_idle, &QTimer::timeout, this, [this] {
                finish(StreamServer::Outcome::Failed,
                       QStringLiteral("no progress for %1 ms").arg(m_idleTimeout.count()), false);
            });
        }
        connect(m_stream, &Stream::errorOccurred, this, [this](const Error &streamError) {
            finish(StreamServer::Outcome::Failed, streamError.toString(), false);
        });
        connect(m_stream, &QObject::destroyed, this, [this] {
            m_stream = nullptr;  // half destroyed already: touch nothing
            finish(StreamServer::Outcome::Failed, QStringLiteral("the pool went away"), false);
        });
        // Data (even the FIN) may have arrived while the stream was pooled.
        pump();
    }

private:
    void pump()
    {
        if (m_finished || !m_stream)
            return;
        if (m_idleTimeout.count() > 0)
            m_idle.start(int(std::min<qint64>(m_idleTimeout.count(), std::numeric_limits<int>::max())));
        switch (m_mode) {
        case Mode::Echo:
            pumpEcho();
            break;
        case Mode::Sink:
            pumpSink();
            break;
        case Mode::Source:
            pumpSource();
            break;
        case Mode::Hold:
            break;
        }
    }

    /// Reads up to one chunk into the buffer; 0 when nothing is there.
    qint64 readChunk()
    {
        if (m_stream->bytesAvailable() <= 0)
            return 0;
        // Most taken streams sit idle in a client's pool: a buffer only for
        // the ones that carry data.
        if (m_buffer.empty())
            m_buffer.resize(size_t(kChunk));
        return m_stream->read(m_buffer.data(), kChunk);
    }

    /// Writes what is pending; true once all of it is gone. A write that
    /// takes less than asked waits for bytesAcknowledged() (backpressure).
    bool flushPending()
    {
        while (m_pendingOffset < m_pendingSize) {
            const qint64 n = m_stream->write(m_buffer.data() + m_pendingOffset, m_pendingSize - m_pendingOffset);
            if (n < 0) {
                finish(StreamServer::Outcome::Failed, QStringLiteral("cannot write: the stream is shut"), false);
                return false;
            }
            if (n == 0)
                return false;
            m_pendingOffset += n;
        }
        m_pendingOffset = m_pendingSize = 0;
        return true;
    }

    void endGracefully(StreamServer::Outcome outcome, const QString &detail)
    {
        m_stream->close();
        finish(outcome, detail, true);
    }

    void pumpEcho()
    {
        // Read only what can be written back at once: while the send buffer
        // is full we stop reading, and flow control slows the client down.
        while (flushPending() && !m_finished) {
            const qint64 n = readChunk();
            if (n <= 0)
                break;
            m_pendingSize = n;
            m_total += n;
        }
        if (m_finished || m_pendingSize > 0 || !m_stream->atEnd())
            return;
        if (m_total == 0)
            endGracefully(StreamServer::Outcome::QuietClose, QStringLiteral("ended with no data"));
        else
            endGracefully(StreamServer::Outcome::Served, QStringLiteral("echoed %1 bytes").arg(m_total));
    }

    void pumpSink()
    {
        if (!m_replying) {
            qint64 n = 0;
            while ((n = readChunk()) > 0)
                m_checker.feed(m_buffer.data(), n);
            if (!m_stream->atEnd())
                return;
            if (m_checker.total() == 0) {
                endGracefully(StreamServer::Outcome::QuietClose, QStringLiteral("ended with no data"));
                return;
            }
            const QByteArray reply = encodeSinkReply({m_checker.total(), m_checker.mismatches()});
            m_buffer.resize(std::max<size_t>(m_buffer.size(), size_t(reply.size())));
            std::copy(reply.begin(), reply.end(), m_buffer.begin());
            m_pendingSize = reply.size();
            m_pendingOffset = 0;
            m_replying = true;
        }
        if (!flushPending())
            return;
        endGracefully(StreamServer::Outcome::Served,
                      QStringLiteral("sank %1 bytes, %2 wrong").arg(m_checker.total()).arg(m_checker.mismatches()));
    }

    void pumpSource()
    {
        if (!m_sending) {
            while (m_request.size() < kSourceRequestSize) {
                char byte = 0;
                if (m_stream->read(&byte, 1) != 1)
                    break;
                m_request.append(byte);
            }
            if (m_request.size() < kSourceRequestSize) {
                if (m_stream->atEnd()) {
                    endGracefully(StreamServer::Outcome::QuietClose,
                                  QStringLiteral("ended after %1 of %2 request bytes")
                                      .arg(m_request.size())
                                      .arg(kSourceRequestSize));
                }
                return;
            }
            uint64_t asked = 0;
            decodeSourceRequest(m_request, &asked);
            m_toSend = m_sourceLimit > 0 ? std::min<uint64_t>(asked, m_sourceLimit) : asked;
            m_sending = true;
        }
        // The request is all the client has to say; drop anything after it.
        while (readChunk() > 0) {
        }
        while (m_sent < m_toSend) {
            const qint64 chunk = qint64(std::min<uint64_t>(uint64_t(PatternWindow::chunkSize()), m_toSend - m_sent));
            const qint64 n = m_stream->write(PatternWindow::at(m_sent), chunk);
            if (n < 0) {
                finish(StreamServer::Outcome::Failed,
                       QStringLiteral("cannot write after %1 of %2 bytes: the stream is shut").arg(m_sent).arg(m_toSend),
                       false);
                return;
            }
            if (n == 0)
                return;  // bytesAcknowledged() brings us back
            m_sent += uint64_t(n);
        }
        endGracefully(StreamServer::Outcome::Served, QStringLiteral("sourced %1 bytes").arg(m_sent));
    }

    void finish(StreamServer::Outcome outcome, const QString &detail, bool graceful)
    {
        if (m_finished)
            return;
        m_finished = true;
        m_idle.stop();
        if (m_stream) {
            disconnect(m_stream, nullptr, this, nullptr);
            releaseStream(m_stream, graceful);
        }
        deleteLater();
        m_done(outcome, detail);
    }

    QPointer<Stream> m_stream;
    Mode m_mode;
    Milliseconds m_idleTimeout;
    quint64 m_sourceLimit;
    Done m_done;
    QTimer m_idle;
    std::vector<char> m_buffer;
    qint64 m_pendingOffset = 0;
    qint64 m_pendingSize = 0;
    qint64 m_total = 0;
    bool m_finished = false;
    // sink
    PatternChecker m_checker;
    bool m_replying = false;
    // source
    QByteArray m_request;
    uint64_t m_toSend = 0;
    uint64_t m_sent = 0;
    bool m_sending = false;
};

} // namespace

StreamServer::StreamServer(ServerPool *pool, Mode mode, QObject *parent)
    : QObject(parent), m_pool(pool), m_mode(mode)
{
}

StreamServer::~StreamServer() = default;

void StreamServer::setMode(Mode mode)
{
    m_mode = mode;
    arm();
}

void StreamServer::start()
{
    m_running = true;
    arm();
}

void StreamServer::stop()
{
    m_running = false;
}

void StreamServer::arm()
{
    if (!m_running || m_armed || !m_pool || m_mode == Mode::Hold)
        return;
    m_armed = true;
    m_pool->incomingGetAsync(kGetTimeout, this, [this](Stream *stream, const Error &error) {
        m_armed = false;
        if (stream) {
            onStream(stream);
        } else if (error.code() == ErrorCode::PoolClosed || error.code() == ErrorCode::NotStarted) {
            m_running = false;
            return;
        }
        // Re-armed after every stream (and after a plain timeout).
        arm();
    });
}

void StreamServer::onStream(Stream *stream)
{
    if (!m_running || m_mode == Mode::Hold) {
        stream->abort();
        stream->deleteLater();
        return;
    }
    const QString id = stream->id();
    ++m_taken;
    ++m_serving;
    Q_EMIT streamTaken(id, stream->peerAddress(), stream->peerPort());
    auto *session = new ServerSession(stream, m_mode, m_idleTimeout, m_sourceLimit,
                                      [this, id](Outcome outcome, const QString &detail) {
                                          sessionDone(id, outcome, detail);
                                      },
                                      this);
    session->start();
}

void StreamServer::sessionDone(const QString &id, Outcome outcome, const QString &detail)
{
    --m_serving;
    switch (outcome) {
    case Outcome::Served:
        ++m_served;
        break;
    case Outcome::QuietClose:
        ++m_quiet;
        break;
    case Outcome::Failed:
        ++m_failed;
        break;
    }
    Q_EMIT streamDone(id, outcome, detail);
}

} // namespace quicpool::workload
