// The serving side of the protocol in protocol.h: takes every stream a
// ServerPool hands out, the moment it is pooled, and serves it in one mode.
// `quicpool server` and `quicpool demo`, the bench's in-process server and
// quicpool-diag's embedded server pools all serve through this class. It
// lives on the pool's thread.
#pragma once

#include <workload/protocol.h>

#include <quicpool/config.h>
#include <QtCore/QObject>
#include <QtCore/QPointer>
#include <QtNetwork/QHostAddress>

namespace quicpool {
class ServerPool;
class Stream;
}

namespace quicpool::workload {

class StreamServer : public QObject
{
    Q_OBJECT
public:
    /// How a served stream ended, for logs and counters.
    enum class Outcome {
        Served,       ///< the exchange completed
        QuietClose,   ///< the peer ended the stream before its request was complete
        Failed,       ///< reset, connection lost, no progress, or the exchange could not finish
    };
    Q_ENUM(Outcome)

    /// The server stops taking streams when the pool closes or goes away.
    /// With mode Hold it takes nothing and the pool simply fills.
    StreamServer(ServerPool *pool, Mode mode, QObject *parent = nullptr);
    ~StreamServer() override;

    Mode mode() const { return m_mode; }
    /// Applies to streams taken from now on.
    void setMode(Mode mode);

    /// A served stream that makes no progress (no byte read, written or
    /// acknowledged) for this long is reset and counted as failed. Zero,
    /// the default, waits for ever.
    void setIdleTimeout(Milliseconds timeout) { m_idleTimeout = timeout; }
    Milliseconds idleTimeout() const { return m_idleTimeout; }
    /// Source requests for more than this many bytes get this many. Zero,
    /// the default, sends whatever is asked for.
    void setSourceLimit(quint64 bytes) { m_sourceLimit = bytes; }
    quint64 sourceLimit() const { return m_sourceLimit; }

    /// Starts taking streams: one FIFO incomingGetAsync at a time, re-armed
    /// after each stream; no polling.
    void start();
    /// Stops taking streams; sessions already running carry on.
    void stop();
    bool isRunning() const { return m_running; }

    qint64 taken() const { return m_taken; }    ///< streams taken from the pool
    int serving() const { return m_serving; }   ///< taken and not finished yet
    qint64 served() const { return m_served; }
    qint64 quietCloses() const { return m_quiet; }
    qint64 failed() const { return m_failed; }

Q_SIGNALS:
    /// A stream was taken from the pool and is being served in mode().
    void streamTaken(const QString &id, const QHostAddress &peerAddress, quint16 peerPort);
    /// A served stream ended; `detail` is a sentence ("echoed 100 bytes").
    void streamDone(const QString &id, quicpool::workload::StreamServer::Outcome outcome, const QString &detail);

private:
    void arm();
    void onStream(Stream *stream);
    void sessionDone(const QString &id, Outcome outcome, const QString &detail);

    QPointer<ServerPool> m_pool;
    Mode m_mode;
    Milliseconds m_idleTimeout{0};
    quint64 m_sourceLimit = 0;
    bool m_running = false;
    bool m_armed = false;
    qint64 m_taken = 0;
    int m_serving = 0;
    qint64 m_served = 0;
    qint64 m_quiet = 0;
    qint64 m_failed = 0;
};

} // namespace quicpool::workload
