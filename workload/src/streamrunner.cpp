#include <workload/streamrunner.h>

#include <workload/streamend.h>

#include <quicpool/stream.h>
#include <algorithm>
#include <cmath>
#include <limits>

namespace quicpool::workload {

namespace {

constexpr qint64 kChunk = 64 * 1024;

int timerMs(Milliseconds duration)
{
    return int(std::min<qint64>(duration.count(), std::numeric_limits<int>::max()));
}

} // namespace

StreamRunner::StreamRunner(Stream *stream, Mode mode, qint64 size, Done done, QObject *parent)
    : QObject(parent),
      m_stream(stream),
      m_mode(mode),
      m_size(std::max<qint64>(size, 0)),
      m_done(std::move(done)),
      m_id(stream ? stream->id() : QString()),
      m_buffer(size_t(kChunk))
{
    m_idle.setSingleShot(true);
    connect(&m_idle, &QTimer::timeout, this, [this] {
        fail(QStringLiteral("no progress for %1 (sent %2 of %3 bytes, received %4)")
                 .arg(formatDuration(m_idleTimeout))
                 .arg(m_sent)
                 .arg(m_toSend)
                 .arg(m_mode == Mode::Sink ? qint64(m_reply.size()) : qint64(m_checker.total())));
    });
    m_paceTimer.setSingleShot(true);
    m_paceTimer.setTimerType(Qt::PreciseTimer);
    connect(&m_paceTimer, &QTimer::timeout, this, [this] {
        touch();
        pump();
    });
    // Acknowledgements arrive without a signal of their own once the
    // stream's bytesWritten() stops meaning them: look every 100 ms while
    // some payload is still unacknowledged.
    m_ackPoll.setInterval(100);
    connect(&m_ackPoll, &QTimer::timeout, this, &StreamRunner::pollAcknowledged);
    m_deadlineTimer.setSingleShot(true);
    connect(&m_deadlineTimer, &QTimer::timeout, this, [this] {
        fail(QStringLiteral("timed out after %1 ms (%2 of %3 bytes)")
                 .arg(m_clock.elapsed())
                 .arg(m_mode == Mode::Sink ? qint64(m_reply.size()) : qint64(m_checker.total()))
                 .arg(m_mode == Mode::Sink ? kSinkReplySize : m_size));
    });
}

StreamRunner::~StreamRunner()
{
    if (!m_finished && m_stream) {
        disconnect(m_stream, nullptr, this, nullptr);
        releaseStream(m_stream, false);
    }
}

void StreamRunner::cancel()
{
    if (m_finished)
        return;
    pollAcknowledged(); // what the peer has is delivered, cancelled or not
    m_finished = true;
    m_idle.stop();
    m_deadlineTimer.stop();
    m_paceTimer.stop();
    m_ackPoll.stop();
    if (m_stream) {
        disconnect(m_stream, nullptr, this, nullptr);
        releaseStream(m_stream, false);
    }
    deleteLater();
}

void StreamRunner::start()
{
    m_clock.start();
    if (m_deadline.count() > 0)
        m_deadlineTimer.start(timerMs(m_deadline));
    if (!m_stream) {
        // Reported on the next turn, as every other outcome is.
        QTimer::singleShot(0, this, [this] { fail(QStringLiteral("no stream")); });
        return;
    }
    if (m_mode == Mode::Source) {
        m_request = encodeSourceRequest(uint64_t(m_size));
        m_toSend = m_request.size();
    } else {
        m_toSend = m_size;
    }
    // Whatever the stream carried before this run (a pooled stream carries
    // nothing) is not this run's payload.
    m_ackBase = m_stream->totalBytesAcknowledged() + m_stream->bytesToWrite();
    connect(m_stream, &Stream::readyRead, this, &StreamRunner::pump);
    connect(m_stream, &Stream::readChannelFinished, this, &StreamRunner::pump);
    // Room in the send buffer frees as the peer acknowledges.
    connect(m_stream, &Stream::bytesAcknowledged, this, [this] {
        touch();
        pollAcknowledged();
        pump();
    });
    connect(m_stream, &Stream::errorOccurred, this, [this](const Error &streamError) {
        fail(QStringLiteral("%1 (after sending %2 of %3 bytes)").arg(streamError.toString()).arg(m_sent).arg(m_toSend));
    });
    connect(m_stream, &QObject::destroyed, this, [this] {
        m_stream = nullptr;
        fail(QStringLiteral("the pool went away"));
    });
    touch();
    // Start on the next turn, so that done() never runs inside start().
    QTimer::singleShot(0, this, &StreamRunner::pump);
}

void StreamRunner::touch()
{
    // Waiting for the rate is not a stalled stream.
    if (m_idleTimeout.count() > 0 && !m_paceTimer.isActive())
        m_idle.start(timerMs(m_idleTimeout));
}

qint64 StreamRunner::paceAllowance(qint64 wanted)
{
    if (!m_pace)
        return wanted;
    if (m_paceTimer.isActive())
        return 0;
    const qint64 now = m_pace->clock.nsecsElapsed();
    const qint64 waitNs = m_pace->bucket.nanosUntilAvailable(now);
    if (waitNs == 0)
        return std::min(wanted, RateBucket::pacedChunk(m_pace->bucket.rate()));
    m_idle.stop();
    m_paceTimer.start(int(std::min<qint64>((waitNs + 999999) / 1000000, std::numeric_limits<int>::max())));
    return 0;
}

qint64 StreamRunner::payloadWrittenSoFar() const
{
    return m_mode == Mode::Source ? 0 : std::min(m_sent, m_size);
}

void StreamRunner::pollAcknowledged()
{
    if (m_finished || !m_stream)
        return;
    const qint64 written = payloadWrittenSoFar();
    const qint64 acked = std::clamp<qint64>(m_stream->totalBytesAcknowledged() - m_ackBase, 0, written);
    if (acked < written) {
        if (!m_ackPoll.isActive())
            m_ackPoll.start();
    } else {
        m_ackPoll.stop();
    }
    if (acked <= m_payloadAcked)
        return;
    const qint64 delta = acked - m_payloadAcked;
    m_payloadAcked = acked;
    Q_EMIT payloadTransferred(delta, 0);
}

void StreamRunner::creditDelivered()
{
    const qint64 delta = payloadWrittenSoFar() - m_payloadAcked;
    if (delta <= 0)
        return;
    m_payloadAcked += delta;
    Q_EMIT payloadTransferred(delta, 0);
}

qint64 StreamRunner::payloadBytes() const
{
    // Application payload in one direction: what came back for echo, what
    // went out for sink, what arrived for source. The 8-byte request and
    // the 16-byte reply are protocol, not payload.
    switch (m_mode) {
    case Mode::Sink:
        return std::min(m_sent, m_size);
    case Mode::Echo:
    case Mode::Source:
    case Mode::Hold:
        break;
    }
    return qint64(m_checker.total());
}

void StreamRunner::pump()
{
    if (m_finished || !m_stream)
        return;
    readIncoming();
    if (m_finished)
        return;
    writeOutgoing();
    if (m_finished)
        return;
    if (m_stream->atEnd())
        complete();
}

void StreamRunner::readIncoming()
{
    qint64 n = 0;
    while (!m_finished && (n = m_stream->read(m_buffer.data(), kChunk)) > 0) {
        touch();
        Q_EMIT transferred(0, n);
        if (m_mode != Mode::Sink)
            Q_EMIT payloadTransferred(0, n);
        if (m_mode == Mode::Sink) {
            m_reply.append(m_buffer.data(), n);
            if (m_reply.size() > kSinkReplySize) {
                fail(QStringLiteral("the reply is longer than %1 bytes").arg(kSinkReplySize));
                return;
            }
            continue;
        }
        m_checker.feed(m_buffer.data(), n);
        // More than expected can never turn right: stop at once.
        if (qint64(m_checker.total()) > m_size) {
            fail(m_mode == Mode::Echo ? echoVerdict(m_size, m_checker) : sourceVerdict(m_size, m_checker));
            return;
        }
    }
}

void StreamRunner::writeOutgoing()
{
    if (m_mode == Mode::Source && m_pace && !m_requestPaced && m_sent < m_toSend) {
        // The request commits the server to m_size bytes: take them from
        // the rate before asking.
        if (paceAllowance(1) == 0)
            return;
        m_pace->bucket.consume(m_pace->clock.nsecsElapsed(), m_size);
        m_requestPaced = true;
    }
    while (m_sent < m_toSend) {
        qint64 chunk = std::min(m_toSend - m_sent, PatternWindow::chunkSize());
        if (m_mode != Mode::Source) {
            chunk = paceAllowance(chunk);
            if (chunk == 0)
                return;  // m_paceTimer brings us back
        }
        const char *data = m_mode == Mode::Source ? m_request.constData() + m_sent : PatternWindow::at(uint64_t(m_sent));
        const qint64 n = m_stream->write(data, chunk);
        if (n < 0) {
            // The server stopped our direction (or the connection went):
            // the error signal usually says why; this is the fallback.
            if (m_stream->atEnd())
                return;  // complete() judges what came back
            const QString why = m_stream->error() != ErrorCode::NoError ? errorCodeString(m_stream->error())
                                                                        : QStringLiteral("the stream is shut");
            fail(QStringLiteral("cannot write after %1 of %2 bytes: %3").arg(m_sent).arg(m_toSend).arg(why));
            return;
        }
        if (n == 0)
            return;  // send buffer full: bytesAcknowledged() brings us back
        m_sent += n;
        if (m_pace && m_mode != Mode::Source)
            m_pace->bucket.consume(m_pace->clock.nsecsElapsed(), n);
        Q_EMIT transferred(n, 0);
        if (m_mode != Mode::Source) {
            Q_EMIT payloadWritten(n);
            if (!m_ackPoll.isActive())
                m_ackPoll.start();
        }
    }
    if (m_finSent)
        return;
    m_finSent = true;
    m_stream->closeWrite();  // FIN; the reply is still to be read
}

void StreamRunner::complete()
{
    // The server's FIN (or reset) arrived and everything before it was read.
    if (m_stream->error() != ErrorCode::NoError) {
        fail(QStringLiteral("%1 (after sending %2 of %3 bytes)")
                 .arg(errorCodeString(m_stream->error()))
                 .arg(m_sent)
                 .arg(m_toSend));
        return;
    }
    QString why;
    switch (m_mode) {
    case Mode::Echo:
        why = echoVerdict(m_size, m_checker);
        break;
    case Mode::Sink:
        // A server closes an empty stream quietly (it cannot tell it from
        // an idle pooled stream being let go), so zero bytes get no reply.
        if (!(m_size == 0 && m_reply.isEmpty()))
            why = sinkVerdict(m_size, m_reply);
        break;
    case Mode::Source:
        why = sourceVerdict(m_size, m_checker);
        break;
    case Mode::Hold:
        why = QStringLiteral("hold is not a client mode");
        break;
    }
    if (why.isEmpty() && m_sent < m_toSend)
        why = QStringLiteral("the server ended the stream after %1 of %2 bytes were sent").arg(m_sent).arg(m_toSend);
    if (why.isEmpty())
        finish(true, {});
    else
        fail(why);
}

void StreamRunner::fail(const QString &why)
{
    finish(false, why);
}

void StreamRunner::finish(bool ok, const QString &why)
{
    if (m_finished)
        return;
    // The server's answer (the echo, the sink's reply) proves the payload
    // arrived, acknowledged yet or not; a failure counts what was.
    pollAcknowledged();
    if (ok)
        creditDelivered();
    m_finished = true;
    m_idle.stop();
    m_deadlineTimer.stop();
    m_paceTimer.stop();
    m_ackPoll.stop();
    RunResult result;
    result.id = m_id;
    result.bytes = payloadBytes();
    result.milliseconds = double(m_clock.nsecsElapsed()) / 1e6;
    result.ok = ok;
    result.why = why;
    if (m_stream) {
        disconnect(m_stream, nullptr, this, nullptr);
        // Success: our FIN went out and the server's came in; let the
        // acknowledgements finish. Failure: reset both directions.
        releaseStream(m_stream, ok);
    }
    deleteLater();
    if (m_done)
        m_done(result);
    Q_EMIT finished(result);
}

} // namespace quicpool::workload
