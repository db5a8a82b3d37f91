#include "modeserver.h"

#include <quicpool/pool.h>
#include <quicpool/stream.h>

#include <QtCore/QLoggingCategory>
#include <QtCore/QTimer>

Q_LOGGING_CATEGORY(lcServe, "quicpool.ui.serve")

namespace quicpool::diag {

namespace {

constexpr qint64 kChunk = 64 * 1024;
constexpr qint64 kMaxPending = 1024 * 1024;

// One stream served in one mode; deletes itself and the stream when done.
class ServedStream : public QObject
{
public:
    ServedStream(Stream *stream, LoadMode mode, QObject *parent)
        : QObject(parent), m_stream(stream), m_mode(mode)
    {
        connect(stream, &QIODevice::readyRead, this, [this] { pump(); });
        connect(stream, &QIODevice::readChannelFinished, this, [this] { pump(); });
        connect(stream, &QIODevice::bytesWritten, this, [this] { pump(); });
        m_id = stream->id();
        qCDebug(lcServe) << "serving" << m_id << loadModeName(mode);
        connect(stream, &Stream::finished, this, [this] { finish("finished"); });
        connect(stream, &Stream::errorOccurred, this, [this](const Error &streamError) {
            qCDebug(lcServe) << m_id << "stream error" << streamError.toString();
            finish("error");
        });
        connect(stream, &QObject::destroyed, this, [this] { m_stream = nullptr; deleteLater(); });
        // A peer that never finishes its half must not pin the stream for ever.
        m_idle.setSingleShot(true);
        m_idle.setInterval(5 * 60 * 1000);
        connect(&m_idle, &QTimer::timeout, this, [this] { if (m_stream) m_stream->abort(); finish("idle"); });
        m_idle.start();
        QTimer::singleShot(0, this, [this] { pump(); });
    }

private:
    void pump()
    {
        if (!m_stream || m_done)
            return;
        m_idle.start();
        switch (m_mode) {
        case LoadMode::Echo: pumpEcho(); break;
        case LoadMode::Sink: pumpSink(); break;
        case LoadMode::Source: pumpSource(); break;
        }
    }

    bool peerDone() const { return m_stream->isFinished() && m_stream->bytesAvailable() == 0; }

    void flushPending()
    {
        while (!m_pending.isEmpty()) {
            const qint64 n = m_stream->write(m_pending.constData(), qMin<qint64>(m_pending.size(), kChunk));
            if (n <= 0)
                break;
            m_pending.remove(0, n);
        }
    }

    void pumpEcho()
    {
        flushPending();
        while (m_pending.size() < kMaxPending && m_stream->bytesAvailable() > 0) {
            const QByteArray data = m_stream->read(kChunk);
            m_received += data.size();
            m_sent += data.size();
            m_pending += data;
            flushPending();
        }
        if (m_pending.isEmpty() && peerDone())
            closeOurSide();
    }

    void pumpSink()
    {
        while (m_stream->bytesAvailable() > 0) {
            const QByteArray data = m_stream->read(kChunk);
            m_mismatches += patternMismatches(data, m_received);
            m_received += data.size();
        }
        if (peerDone() && !m_replied) {
            m_replied = true;
            m_pending = encodeSinkReply(quint64(m_received), quint64(m_mismatches));
        }
        flushPending();
        if (m_replied && m_pending.isEmpty())
            closeOurSide();
    }

    void pumpSource()
    {
        while (m_request.size() < 8 && m_stream->bytesAvailable() > 0)
            m_request += m_stream->read(8 - m_request.size());
        m_stream->readAll(); // anything past the request is ignored
        if (m_request.size() < 8) {
            if (peerDone())
                closeOurSide(); // empty or short request: quiet close
            return;
        }
        if (m_toSend < 0)
            m_toSend = qint64(qMin<quint64>(decodeU64(m_request), quint64(1) << 40));
        flushPending();
        while (m_pending.isEmpty() && m_sent < m_toSend) {
            const qint64 n = qMin(kChunk, m_toSend - m_sent);
            m_pending = patternBytes(m_sent, n);
            m_sent += n;
            flushPending();
        }
        if (m_sent >= m_toSend && m_pending.isEmpty())
            closeOurSide();
    }

    void closeOurSide()
    {
        if (m_closed)
            return;
        m_closed = true;
        qCDebug(lcServe) << m_id << "closing after" << m_received << "bytes in," << m_sent << "out";
        m_stream->close(); // FIN once queued data went out
    }

    void finish(const char *why)
    {
        if (m_done)
            return;
        m_done = true;
        qCDebug(lcServe) << m_id << "done:" << why;
        if (m_stream)
            m_stream->deleteLater();
        deleteLater();
    }

    Stream *m_stream;
    LoadMode m_mode;
    QTimer m_idle;
    QByteArray m_pending;
    QByteArray m_request;
    qint64 m_received = 0;
    qint64 m_mismatches = 0;
    qint64 m_toSend = -1;
    qint64 m_sent = 0;
    bool m_replied = false;
    bool m_closed = false;
    bool m_done = false;
    QString m_id;
};

} // namespace

ModeServer::ModeServer(ServerPool *pool, LoadMode mode, QObject *parent)
    : QObject(parent), m_pool(pool), m_mode(mode)
{
}

ModeServer::~ModeServer() = default;

void ModeServer::start()
{
    m_running = true;
    // Take each stream the moment it is pooled, in the same call: a client
    // that picked its ID may send data and FIN at once, and a server pool
    // treats a FIN on a still-pooled stream as a quiet close.
    if (m_pool) {
        connect(m_pool, &Pool::streamPooled, this, [this] {
            while (m_running && m_pool) {
                Stream *s = m_pool->tryIncomingGet();
                if (!s)
                    break;
                serve(s);
            }
        });
    }
    takeNext();
}

void ModeServer::stop()
{
    m_running = false;
    if (m_pool)
        disconnect(m_pool, nullptr, this, nullptr);
}

void ModeServer::scheduleTake(int delayMs)
{
    QTimer::singleShot(delayMs, this, [this] { takeNext(); });
}

void ModeServer::takeNext()
{
    if (!m_running || m_waiting || !m_pool)
        return;
    m_waiting = true;
    m_pool->incomingGetAsync(Milliseconds(1000), this, [this](Stream *stream, const Error &error) {
        m_waiting = false;
        if (stream) {
            serve(stream);
            scheduleTake(0); // queued: a pooled backlog must not recurse
            return;
        }
        // Timeouts just mean a quiet pool; a closed or stopped pool is polled
        // slowly in case it is started again.
        scheduleTake(error.code() == ErrorCode::InsufficientStreams ? 0 : 200);
    });
}

void ModeServer::serve(Stream *stream)
{
    ++m_served;
    new ServedStream(stream, m_mode, this);
}

} // namespace quicpool::diag
