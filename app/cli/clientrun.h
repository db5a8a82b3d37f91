// One client exchange on one pooled stream, in one application mode:
// write with backpressure (the payload is generated chunk by chunk, never
// held whole), read and check what comes back, and give up when the stream
// makes no progress for a while. Used by `quicpool client` and the demo.
#pragma once

#include "appmode.h"

#include <quicpool/config.h>
#include <QtCore/QElapsedTimer>
#include <QtCore/QObject>
#include <QtCore/QPointer>
#include <QtCore/QTimer>
#include <functional>
#include <vector>

namespace quicpool {
class Stream;
}

namespace quicpool::cli {

struct RunResult
{
    QString id;
    qint64 bytes = 0;        ///< payload bytes, one direction (see ClientRun)
    double milliseconds = 0;
    bool ok = false;
    QString why;             ///< empty when ok
};

class ClientRun : public QObject
{
public:
    using Done = std::function<void(const RunResult &result)>;

    /// Takes over a stream just taken from a pool. `size` is the payload
    /// (echo/sink: bytes sent; source: bytes asked for). `idleTimeout`
    /// bounds the time without a byte read, written or acknowledged.
    ClientRun(Stream *stream, AppMode mode, qint64 size, Milliseconds idleTimeout, Done done,
              QObject *parent = nullptr);

    /// Starts the exchange; `done` is called exactly once, later, and the
    /// run deletes itself after it.
    void start();

private:
    void pump();
    void readIncoming();
    void writeOutgoing();
    void complete();
    void fail(const QString &why);
    void finish(bool ok, const QString &why);
    void touch();
    qint64 payloadBytes() const;

    QPointer<Stream> m_stream;
    AppMode m_mode;
    qint64 m_size;
    Milliseconds m_idleTimeout;
    Done m_done;
    QString m_id;
    QElapsedTimer m_clock;
    QTimer m_idle;
    std::vector<char> m_buffer;
    QByteArray m_request;      ///< source: the 8-byte request
    qint64 m_toSend = 0;
    qint64 m_sent = 0;
    bool m_finSent = false;
    bool m_finished = false;
    PatternChecker m_checker;  ///< echo and source: what came back
    QByteArray m_reply;        ///< sink: the server's answer
};

} // namespace quicpool::cli
