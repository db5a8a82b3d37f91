// The serving side of `quicpool server` (and of the demo): takes every
// stream a ServerPool hands out, the moment it is pooled, and serves it in
// one of the application modes of appmode.h.
#pragma once

#include "appmode.h"

#include <quicpool/error.h>
#include <QtCore/QObject>
#include <functional>

namespace quicpool {
class ServerPool;
class Stream;
}

namespace quicpool::cli {

class StreamServer : public QObject
{
    Q_OBJECT
public:
    /// How a served stream ended, for logs and counters.
    enum class Outcome {
        Served,       ///< the exchange completed
        QuietClose,   ///< the peer ended the stream before its request was complete
        Failed,       ///< reset, connection lost, or the exchange could not finish
    };
    Q_ENUM(Outcome)

    using Logger = std::function<void(const QString &line)>;

    /// The pool must outlive the server (or close first). With mode Hold,
    /// start() takes nothing and the pool simply fills.
    StreamServer(ServerPool *pool, AppMode mode, QObject *parent = nullptr);

    /// Called with one line per stream (taken, and how it ended); none by default.
    void setLogger(Logger logger) { m_logger = std::move(logger); }

    /// Starts taking streams: one FIFO incomingGetAsync at a time, re-armed
    /// after each stream; no polling.
    void start();
    /// Stops taking streams; sessions already running carry on.
    void stop();

    int serving() const { return m_serving; }
    qint64 served() const { return m_served; }
    qint64 quietCloses() const { return m_quiet; }
    qint64 failed() const { return m_failed; }

Q_SIGNALS:
    void streamDone(const QString &id, quicpool::cli::StreamServer::Outcome outcome, const QString &detail);

private:
    void arm();
    void onStream(Stream *stream, const Error &error);
    void sessionDone(const QString &id, Outcome outcome, const QString &detail);

    ServerPool *m_pool;
    AppMode m_mode;
    Logger m_logger;
    bool m_running = false;
    bool m_armed = false;
    int m_serving = 0;
    qint64 m_served = 0;
    qint64 m_quiet = 0;
    qint64 m_failed = 0;
};

} // namespace quicpool::cli
