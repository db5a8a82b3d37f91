#include "transport/stream_p.h"

#include "transport/clock.h"
#include "transport/connection_p.h"
#include "transport/streamaccess.h"

#include <QtCore/QPointer>
#include <QtCore/QTimer>
#include <algorithm>
#include <cstring>

namespace quicpool {

Stream *StreamPrivate::create(ConnectionPrivate *connection, int64_t streamId, QObject *parent)
{
    auto *s = new Stream(parent);
    s->d_ptr->connection = connection;
    s->d_ptr->streamId = streamId;
    // Our own read buffer is the only one: QIODevice's would copy twice.
    s->QIODevice::open(QIODevice::ReadWrite | QIODevice::Unbuffered);
    return s;
}

StreamPrivate *StreamPrivate::createPooled(ConnectionPrivate *connection, int64_t streamId)
{
    auto *core = new StreamPrivate(nullptr);
    core->pooled = true;
    core->connection = connection;
    core->streamId = streamId;
    return core;
}

Stream *StreamPrivate::adopt(StreamPrivate *core, QObject *parent, Claim claim)
{
    core->pooled = false;
    auto *s = new Stream(std::unique_ptr<StreamPrivate>(core), parent);
    core->m_q = s;
    // Its bytes no longer count against the connection's bound for streams
    // nobody has taken.
    if (claim == Claim::Yes)
        core->claim();
    // Our own read buffer is the only one: QIODevice's would copy twice.
    // updateState() narrows the mode if the write side is already done.
    s->QIODevice::open(QIODevice::ReadWrite | QIODevice::Unbuffered);
    core->updateState();
    return s;
}

void StreamPrivate::release(std::unique_ptr<StreamPrivate> core)
{
    // A stream closed gracefully (FIN asked) but not yet delivered keeps its
    // core alive in the connection until the peer has acknowledged it.
    if (core->isInQuic() && core->shouldLinger()) {
        core->stopReading();
        core->connection->adoptOrphan(std::move(core));
    }
}

StreamPrivate::~StreamPrivate()
{
    // Whatever was never read goes back to the connection's window: a
    // stream dropped unread must not shrink it for everyone else.
    dropUnread();
    leaveSending();
    if (connection)
        connection->streamDestroyed(this);
}

void StreamPrivate::updateSending()
{
    // Only the application's bytes count: a pooled stream whose hello or ID
    // awaits acknowledgement must not shrink a busy stream's share.
    const bool sending = isInQuic() && !m_writeShut && m_tx.pending() > 0;
    if (sending == m_sending)
        return;
    m_sending = sending;
    connection->streamSending(sending);
}

void StreamPrivate::leaveSending()
{
    if (m_sending && connection)
        connection->streamSending(false);
    m_sending = false;
}

void StreamPrivate::giveBackCredit(qint64 n)
{
    if (n <= 0 || !connection)
        return;
    connection->streamCredit(this, isInQuic() ? uint64_t(n) : 0, m_rxCreditSettled ? 0 : uint64_t(n));
}

void StreamPrivate::dropUnread()
{
    const qint64 unread = m_rxBytes;
    m_rx.clear();
    m_rxHeadOffset = 0;
    m_rxBytes = 0;
    countUnclaimed(-m_unclaimedCounted);
    giveBackCredit(unread);
}

qint64 StreamPrivate::appBytesSent() const
{
    return qint64(std::max(m_tx.sent(), txBase) - txBase);
}

qint64 StreamPrivate::appBytesAcked() const
{
    return qint64(std::max(m_tx.acked(), txBase) - txBase);
}

qint64 StreamPrivate::appBytesUnsent() const
{
    return qint64(m_tx.written() - std::max(m_tx.sent(), txBase));
}

void StreamPrivate::onData(const uint8_t *data, size_t len, bool fin)
{
    if (m_readClosed) {
        // Nobody will read it: its credit goes straight back.
        giveBackCredit(qint64(len));
        if (fin)
            m_finReceived = true;
        updateState();
        return;
    }
    if (len > 0) {
        // Packets carry ~1-9 KB each: append them to a big chunk instead of
        // allocating an array per packet. Small pieces (hellos, IDs, short
        // requests) get exact-size arrays so idle streams stay small.
        const auto n = qsizetype(len);
        const bool bulk = totalReceived >= kRxChunk;
        if (!m_rx.isEmpty()
            && (m_rx.last().capacity() - m_rx.last().size() >= n
                || (!bulk && m_rx.last().size() + n <= kRxCoalesce))) {
            m_rx.last().append(reinterpret_cast<const char *>(data), n);
        } else if (bulk && n >= 512) {
            QByteArray chunk = connection ? connection->rxChunks().take(kRxChunk, transport::nowNs()) : QByteArray();
            if (chunk.capacity() < n)
                chunk.reserve(std::max(kRxChunk, n));
            chunk.append(reinterpret_cast<const char *>(data), n);
            m_rx.append(std::move(chunk));
        } else {
            m_rx.append(QByteArray(reinterpret_cast<const char *>(data), n));
        }
        m_rxBytes += qint64(len);
        totalReceived += qint64(len);
        m_sigReadyRead = true;
        if (!claimed)
            countUnclaimed(qint64(len));
    }
    if (fin && !m_finReceived) {
        m_finReceived = true;
        m_sigReadFinished = true;
        updateState();
    }
}

void StreamPrivate::onAcked(uint64_t offset, uint64_t len)
{
    const qint64 before = appBytesAcked();
    m_tx.acknowledge(offset + len);
    m_sigBytesAcknowledged += appBytesAcked() - before;
    updateSending();
}

void StreamPrivate::onSent(size_t n)
{
    const qint64 before = appBytesSent();
    m_tx.markSent(n);
    m_sigBytesWritten += appBytesSent() - before;
}

void StreamPrivate::onPeerReset(uint64_t appErrorCode)
{
    if (m_finReceived)
        return;
    m_finReceived = true;
    if (!m_readClosed) {
        // Data not yet read stays readable; the stream just will not get
        // more. (After close() the reset is only the peer's answer to our
        // STOP_SENDING: no news for the application.)
        error = Error(ErrorCode::StreamReset,
                      QStringLiteral("the peer reset the stream (code %1)").arg(appErrorCode));
        m_sigError = true;
        m_sigReadFinished = true;
    }
    updateState();
}

void StreamPrivate::onWriteRefused()
{
    if (m_writeShut)
        return;
    m_writeShut = true;
    updateSending();
    if (!error.isError() && !m_readClosed) {
        error = Error(ErrorCode::StreamReset,
                      QStringLiteral("the peer stopped reading the stream (STOP_SENDING)"));
        m_sigError = true;
    }
    updateState();
}

void StreamPrivate::onStopSending(uint64_t appErrorCode)
{
    if (m_writeShut)
        return;
    const bool lost = m_tx.pending() > 0;
    m_writeShut = true;
    updateSending();
    if (lost && !error.isError() && !m_readClosed) {
        error = Error(ErrorCode::StreamReset,
                      QStringLiteral("the peer stopped reading the stream (STOP_SENDING, code %1); "
                                     "%2 bytes were not delivered")
                          .arg(appErrorCode)
                          .arg(m_tx.pending()));
        m_sigError = true;
    }
    updateState();
}

uint64_t StreamPrivate::onClosed(uint64_t, bool)
{
    leaveSending();
    // The unread bytes stay counted as unclaimed: they are still held
    // until the pool sweeps the stream out or an application takes it.
    m_closedByConnection = true;
    m_writeShut = true;
    if (!m_finReceived) {
        m_finReceived = true;
        m_sigReadFinished = !m_readClosed;
    }
    m_sigFinished = true;
    updateState();
    // Bytes still unread will be read after ngtcp2 forgot the stream, so
    // no read can return their connection credit later: the caller returns it now.
    const uint64_t owed = m_rxCreditSettled ? 0 : uint64_t(m_rxBytes);
    m_rxCreditSettled = true;
    return owed;
}

void StreamPrivate::detach(const Error &reason)
{
    if (!connection)
        return;
    leaveSending();
    countUnclaimed(-m_unclaimedCounted);
    m_writeShut = true;
    if (!m_closedByConnection) {
        if (!m_readClosed && (!m_finReceived || (m_finRequested && !m_finSent) || m_tx.pending() > 0)) {
            if (!error.isError())
                error = reason.isError() ? reason : Error(ErrorCode::ConnectionLost);
            m_sigError = true;
        }
        if (!m_finReceived) {
            m_finReceived = true;
            m_sigReadFinished = !m_readClosed;
        }
        m_sigFinished = true;
    }
    // Unread data stays readable; with the connection gone no credit is owed.
    m_rxCreditSettled = true;
    connection = nullptr;
    inWriteQueue = false;
    inDirty = false;
    updateState();
    // No connection will call emitPending() any more: the caller has it
    // called on the next turn (ConnectionPrivate::detachStreams).
}

void StreamPrivate::updateState()
{
    Stream::State s = Stream::State::Open;
    const bool localDone = m_finSent || m_writeShut;
    if (localDone && m_finReceived)
        s = Stream::State::Closed;
    else if (localDone)
        s = Stream::State::HalfClosedLocal;
    else if (m_finReceived)
        s = Stream::State::HalfClosedRemote;
    if (s != state) {
        state = s;
        m_sigState = true;
    }
    // write() refuses from here on: isWritable() says so too. (No signal:
    // setOpenMode() emits none, so this is safe inside ngtcp2 callbacks.)
    if (m_q && !canWrite() && m_q->isWritable())
        m_q->setOpenMode(QIODevice::ReadOnly | QIODevice::Unbuffered);
}

void StreamPrivate::emitPending()
{
    if (!m_q) {
        // A pooled core has no signals: the pool hears of the change in one
        // call per stream through its connection, or sweeps it later.
        const bool news = m_sigState || m_sigReadyRead || m_sigReadFinished || m_sigError || m_sigFinished;
        m_sigState = m_sigReadyRead = m_sigReadFinished = m_sigError = m_sigFinished = false;
        m_sigBytesWritten = m_sigBytesAcknowledged = 0;
        if (pooled && news && connection)
            connection->pooledStreamChanged(this);   // may delete this core
        return;
    }
    // Every slot below may delete the stream (or its pool, or the
    // connection): nothing of `this` is touched once the guard is gone.
    QPointer<Stream> guard(m_q);
    updateState();
    if (m_sigState) {
        m_sigState = false;
        Q_EMIT m_q->stateChanged(state);
        if (!guard)
            return;
    }
    if (m_sigBytesWritten > 0) {
        const qint64 n = m_sigBytesWritten;
        m_sigBytesWritten = 0;
        Q_EMIT m_q->bytesWritten(n);
        if (!guard)
            return;
    }
    if (m_sigBytesAcknowledged > 0) {
        const qint64 n = m_sigBytesAcknowledged;
        m_sigBytesAcknowledged = 0;
        Q_EMIT m_q->bytesAcknowledged(n);
        if (!guard)
            return;
    }
    if (m_sigReadyRead) {
        m_sigReadyRead = false;
        if (!m_readClosed) {
            Q_EMIT m_q->readyRead();
            if (!guard)
                return;
        }
    }
    if (m_sigReadFinished) {
        m_sigReadFinished = false;
        if (!m_readClosed) {
            Q_EMIT m_q->readChannelFinished();
            if (!guard)
                return;
        }
    }
    if (m_sigError) {
        m_sigError = false;
        m_q->setErrorString(error.toString());
        Q_EMIT m_q->errorOccurred(error);
        if (!guard)
            return;
    }
    if (m_sigFinished) {
        m_sigFinished = false;
        Q_EMIT m_q->finished();
    }
}

void StreamPrivate::dropFrontChunk()
{
    if (connection)
        connection->rxChunks().recycle(std::move(m_rx.first()), kRxChunk);
    m_rx.removeFirst();
    m_rxHeadOffset = 0;
}

qint64 StreamPrivate::read(char *data, qint64 maxSize)
{
    qint64 done = 0;
    while (done < maxSize && !m_rx.empty()) {
        const QByteArray &front = m_rx.front();
        const qint64 n = std::min<qint64>(maxSize - done, front.size() - qint64(m_rxHeadOffset));
        std::memcpy(data + done, front.constData() + m_rxHeadOffset, size_t(n));
        done += n;
        m_rxHeadOffset += size_t(n);
        if (m_rxHeadOffset == size_t(front.size()))
            dropFrontChunk();
    }
    m_rxBytes -= done;
    countUnclaimed(-std::min(done, m_unclaimedCounted));
    // Return the credit as the application consumes, not as data arrives.
    giveBackCredit(done);
    return done;
}

qint64 StreamPrivate::readLine(char *data, qint64 maxSize)
{
    // QIODevice::readLine leaves room for the terminating NUL in maxSize.
    qint64 done = 0;
    while (done < maxSize && !m_rx.empty()) {
        const QByteArray &front = m_rx.front();
        const char *begin = front.constData() + m_rxHeadOffset;
        const qint64 avail = front.size() - qint64(m_rxHeadOffset);
        const qint64 room = std::min(maxSize - done, avail);
        const void *nl = std::memchr(begin, '\n', size_t(room));
        const qint64 n = nl ? (static_cast<const char *>(nl) - begin) + 1 : room;
        std::memcpy(data + done, begin, size_t(n));
        done += n;
        m_rxHeadOffset += size_t(n);
        if (m_rxHeadOffset == size_t(front.size()))
            dropFrontChunk();
        if (nl)
            break;
    }
    m_rxBytes -= done;
    countUnclaimed(-std::min(done, m_unclaimedCounted));
    giveBackCredit(done);
    return done;
}

bool StreamPrivate::canReadLine() const
{
    size_t skip = m_rxHeadOffset;
    for (const QByteArray &chunk : m_rx) {
        if (std::memchr(chunk.constData() + skip, '\n', size_t(chunk.size()) - skip))
            return true;
        skip = 0;
    }
    return false;
}

qint64 StreamPrivate::write(const char *data, qint64 size)
{
    if (!canWrite())
        return -1;
    // Streams of one connection share its send buffering: a stream that
    // already holds data may hold only a share of its limit while others
    // hold data too. A stream with nothing pending still takes its whole
    // limit, so "write, then close" of up to sendBufferSize() never splits.
    const size_t others = connection->sendingStreams - (m_sending ? 1 : 0);
    const size_t allowance = sendBufferFixed ? m_tx.limit() : connection->sendAllowance(m_tx.limit());
    const size_t limit = m_tx.pending() == 0 ? allowance : transport::sharedSendLimit(allowance, others + 1);
    const size_t n = m_tx.append(data, size_t(size), limit);
    if (n > 0) {
        updateSending();
        connection->streamHasData(this);
    }
    return qint64(n);
}

void StreamPrivate::closeWrite()
{
    if (m_finRequested)
        return;
    m_finRequested = true;
    if (isInQuic() && !m_writeShut)
        connection->streamHasData(this);
    updateState();
}

void StreamPrivate::stopReading()
{
    if (m_readClosed)
        return;
    m_readClosed = true;
    dropUnread();
    m_sigReadyRead = false;
    m_sigReadFinished = false;
    if (!m_finReceived && isInQuic())
        connection->streamStopReading(this, 0);
}

void StreamPrivate::abort(uint64_t code)
{
    if (isInQuic())
        connection->streamAbort(this, code);
    m_writeShut = true;
    updateSending();
    m_readClosed = true;
    dropUnread();
    m_sigReadyRead = false;
    m_sigReadFinished = false;
    m_finReceived = true;
    updateState();
}

void StreamPrivate::claim()
{
    claimed = true;
    countUnclaimed(-m_unclaimedCounted);
}

void StreamPrivate::countUnclaimed(qint64 delta)
{
    if (delta == 0)
        return;
    m_unclaimedCounted += delta;
    if (connection)
        connection->unclaimedChanged(this, delta);
}

qint64 StreamPrivate::receiveBufferCapacity() const
{
    qint64 bytes = 0;
    for (const QByteArray &piece : m_rx)
        bytes += piece.capacity();
    return bytes;
}

namespace transport {

qint64 pooledRead(PooledStream *s, char *data, qint64 maxSize) { return s->read(data, maxSize); }
qint64 pooledWrite(PooledStream *s, const char *data, qint64 size) { return s->write(data, size); }
qint64 pooledBytesAvailable(const PooledStream *s) { return s->available(); }
bool pooledAtEnd(const PooledStream *s) { return s->atEnd(); }
bool pooledIsFinished(const PooledStream *s) { return s->finReceived(); }
Error pooledError(const PooledStream *s) { return s->error; }
bool isPooledDetached(const PooledStream *s) { return !s->isInQuic(); }
qint64 pooledStreamId(const PooledStream *s) { return s->streamId; }

void markApplicationStart(PooledStream *s)
{
    s->rxBase = s->totalReceived - s->available();
    markApplicationSendStart(s);
}

void markApplicationSendStart(PooledStream *s)
{
    s->txBase = s->sendBuffer().written();
    s->sendBuffer().setBase(s->txBase);
    s->updateSending();
}

Stream *takePooled(PooledStream *s, QObject *parent, const QString &id)
{
    s->id = id;
    return StreamPrivate::adopt(s, parent, StreamPrivate::Claim::Yes);
}

void closePooled(PooledStream *s)
{
    s->closeWrite();
    s->stopReading();
    StreamPrivate::release(std::unique_ptr<StreamPrivate>(s));
}

void abortPooled(PooledStream *s)
{
    s->abort(0);
    delete s;
}

} // namespace transport

} // namespace quicpool
