// The running side of the protocol in protocol.h: one exchange on one
// stream taken from a client pool, in one mode. It writes with backpressure
// (the payload comes from PatternWindow chunk by chunk, never held whole),
// reads and checks every byte that comes back, and reports the bytes, the
// time and a verdict. `quicpool client` and `quicpool demo`, the bench's
// sink transfers and quicpool-diag's load test all run through this class.
// It lives on the pool's thread.
#pragma once

#include <workload/protocol.h>
#include <workload/ratepacer.h>

#include <quicpool/config.h>
#include <QtCore/QElapsedTimer>
#include <QtCore/QMetaType>
#include <QtCore/QObject>
#include <QtCore/QPointer>
#include <QtCore/QTimer>
#include <algorithm>
#include <functional>
#include <memory>
#include <vector>

namespace quicpool {
class Stream;
}

namespace quicpool::workload {

struct RunResult
{
    QString id;
    qint64 bytes = 0;        ///< payload bytes, one direction (see StreamRunner)
    double milliseconds = 0; ///< from start() to the verdict
    bool ok = false;
    QString why;             ///< empty when ok
};

/// A rate shared by the runners of one run (`quicpool client --rate`):
/// the bucket and the clock it runs on. Runners live on one thread. The
/// bucket saves up to 100 ms of the rate, so the gaps between short
/// streams (waiting for the next pooled one) do not pull the run below it.
struct SharedPace
{
    explicit SharedPace(qint64 bytesPerSecond)
        : bucket(bytesPerSecond, std::max(RateBucket::pacedChunk(bytesPerSecond), bytesPerSecond / 10))
    {
        clock.start();
    }
    RateBucket bucket;
    QElapsedTimer clock;
};

class StreamRunner : public QObject
{
    Q_OBJECT
public:
    using Done = std::function<void(const RunResult &result)>;

    /// Takes over a stream just taken from a pool. `size` is the payload
    /// (echo/sink: bytes sent; source: bytes asked for). `done` (optional)
    /// is called with the result just before finished() is emitted.
    StreamRunner(Stream *stream, Mode mode, qint64 size, Done done = {}, QObject *parent = nullptr);
    /// A runner deleted before its verdict resets its stream.
    ~StreamRunner() override;

    /// Fails the run when the stream makes no progress (no byte read,
    /// written or acknowledged) for this long. Zero (the default): never.
    void setIdleTimeout(Milliseconds timeout) { m_idleTimeout = timeout; }
    /// Fails the run when it has not ended this long after start(). Zero
    /// (the default): never.
    void setDeadline(Milliseconds deadline) { m_deadline = deadline; }
    /// Holds the run to a shared rate: echo and sink writes wait for it,
    /// and a source request takes its whole size from it before it goes
    /// out (the server then sends at full speed). Waiting for the rate is
    /// not "no progress" for the idle timeout. Null (the default): no pacing.
    void setPace(std::shared_ptr<SharedPace> pace) { m_pace = std::move(pace); }

    /// Starts the exchange; the verdict comes later, never inside start(),
    /// exactly once, and the runner deletes itself after it.
    void start();
    /// Ends the run at once without a verdict: resets the stream; neither
    /// `done` nor finished() is called. The runner deletes itself later.
    void cancel();
    bool isFinished() const { return m_finished; }
    QString id() const { return m_id; }

    /// Reads how much of the payload the peer has acknowledged and emits
    /// payloadTransferred() for what is new. The runner does this itself as
    /// the stream reports progress and every 100 ms while payload is
    /// unacknowledged; owners that close intervals call it first, so the
    /// bytes land in the interval they belong to.
    void pollAcknowledged();
    /// Payload bytes the peer has acknowledged so far (0 for source, whose
    /// payload flows the other way).
    qint64 acknowledgedPayload() const { return m_payloadAcked; }

Q_SIGNALS:
    /// Bytes just written to / read from the stream, protocol bytes (the
    /// source request, the sink reply) included: for live progress figures.
    void transferred(qint64 sent, qint64 received);
    /// Payload bytes delivered, each direction (no source request, no sink
    /// reply): `sent` counts what the peer acknowledged, not what was handed
    /// to the stream (that is the send buffer filling, which outruns the
    /// link), and `received` what the application read. What per-interval
    /// reports and throughput charts count. A run that checked out has
    /// reported all of its payload by the time finished() is emitted: the
    /// server's answer proves it arrived even if the last acknowledgement
    /// is still on its way. A failed one reports only what was acknowledged.
    void payloadTransferred(qint64 sent, qint64 received);
    /// Payload bytes just handed to the stream (the sender's buffer): for
    /// a "buffered" figure, never a throughput.
    void payloadWritten(qint64 bytes);
    void finished(const quicpool::workload::RunResult &result);

private:
    void pump();
    void readIncoming();
    void writeOutgoing();
    void complete();
    void fail(const QString &why);
    void finish(bool ok, const QString &why);
    void touch();
    /// With a pace: the bytes the next write may carry, or 0 after arming
    /// m_paceTimer to come back when the rate allows more.
    qint64 paceAllowance(qint64 wanted);
    qint64 payloadBytes() const;
    /// Payload bytes handed to the stream so far (0 for source).
    qint64 payloadWrittenSoFar() const;
    /// Reports the rest of the payload written as delivered (a successful run).
    void creditDelivered();

    QPointer<Stream> m_stream;
    Mode m_mode;
    qint64 m_size;
    Milliseconds m_idleTimeout{0};
    Milliseconds m_deadline{0};
    Done m_done;
    QString m_id;
    QElapsedTimer m_clock;
    QTimer m_idle;
    QTimer m_deadlineTimer;
    QTimer m_paceTimer;
    QTimer m_ackPoll;          ///< while payload is unacknowledged: pollAcknowledged()
    std::shared_ptr<SharedPace> m_pace;
    bool m_requestPaced = false;  ///< source: the request's size was taken from the pace
    std::vector<char> m_buffer;
    QByteArray m_request;      ///< source: the 8-byte request
    qint64 m_toSend = 0;
    qint64 m_sent = 0;
    qint64 m_ackBase = 0;      ///< the stream's acknowledged count when the run began
    qint64 m_payloadAcked = 0; ///< payload reported as delivered (payloadTransferred's sent)
    bool m_finSent = false;
    bool m_finished = false;
    PatternChecker m_checker;  ///< echo and source: what came back
    QByteArray m_reply;        ///< sink: the server's answer
};

} // namespace quicpool::workload

Q_DECLARE_METATYPE(quicpool::workload::RunResult)
