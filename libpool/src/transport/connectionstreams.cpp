// The stream registry: opening streams, and what a stream asks of its
// connection (send this, I read that, reset me, I am gone, keep me until
// my data is acknowledged).
#include "transport/connection_p.h"

#include "transport/stream_p.h"

#include <algorithm>

namespace quicpool::transport {

namespace {
Error openError(int rv)
{
    return rv == NGTCP2_ERR_STREAM_ID_BLOCKED
        ? Error(ErrorCode::StreamRefused, QStringLiteral("the peer's stream limit is reached"))
        : Error(ErrorCode::ConnectionLost, QString::fromUtf8(ngtcp2_strerror(rv)));
}
} // namespace

int64_t ConnectionPrivate::openBidiStream(Error *error)
{
    if (state != State::Connected) {
        if (error)
            *error = Error(ErrorCode::ConnectionClosed, QStringLiteral("the connection is not established"));
        return -1;
    }
    int64_t sid = -1;
    if (const int rv = ngtcp2_conn_open_bidi_stream(conn, &sid, nullptr); rv != 0) {
        if (error)
            *error = openError(rv);
        return -1;
    }
    return sid;
}

void ConnectionPrivate::registerStream(StreamPrivate *core)
{
    ngtcp2_conn_set_stream_user_data(conn, core->streamId, core);
    streams.emplace(core->streamId, core);
}

Stream *Connection::openStream(QObject *parent, Error *error)
{
    const int64_t sid = d->openBidiStream(error);
    if (sid < 0)
        return nullptr;
    Stream *stream = StreamPrivate::create(d.get(), sid, parent);
    d->registerStream(StreamPrivate::of(stream));
    return stream;
}

PooledStream *Connection::openPooledStream(Error *error)
{
    const int64_t sid = d->openBidiStream(error);
    if (sid < 0)
        return nullptr;
    StreamPrivate *core = StreamPrivate::createPooled(d.get(), sid);
    d->registerStream(core);
    return core;
}

size_t ConnectionPrivate::sendAllowance(size_t streamLimit) const
{
    const uint64_t path = std::min<uint64_t>(2 * lastCwnd, config.sendBufferLimit);
    return std::max<size_t>(streamLimit, size_t(path));
}

void ConnectionPrivate::streamHasData(StreamPrivate *stream)
{
    if (!stream->inWriteQueue && !stream->blocked) {
        stream->inWriteQueue = true;
        writeQueue.push_back(stream);
    }
    scheduleFlush();
}

void ConnectionPrivate::streamCredit(StreamPrivate *stream, uint64_t streamBytes, uint64_t connectionBytes)
{
    if (!conn || state >= State::Closing)
        return;
    if (streamBytes > 0 && stream->isInQuic())
        ngtcp2_conn_extend_max_stream_offset(conn, stream->streamId, streamBytes);
    if (connectionBytes > 0)
        ngtcp2_conn_extend_max_offset(conn, connectionBytes);
    scheduleFlush();
}

void ConnectionPrivate::streamAbort(StreamPrivate *stream, uint64_t code)
{
    if (!conn || state >= State::Closing)
        return;
    ngtcp2_conn_shutdown_stream(conn, 0, stream->streamId, code);
    scheduleFlush();
}

void ConnectionPrivate::streamStopReading(StreamPrivate *stream, uint64_t code)
{
    if (!conn || state >= State::Closing)
        return;
    ngtcp2_conn_shutdown_stream_read(conn, 0, stream->streamId, code);
    scheduleFlush();
}

void ConnectionPrivate::unclaimedChanged(StreamPrivate *stream, qint64 delta)
{
    unclaimedBytes = uint64_t(std::max<qint64>(0, qint64(unclaimedBytes) + delta));
    if (delta <= 0 || config.maxUnclaimedBytes == 0 || unclaimedBytes <= config.maxUnclaimedBytes
        || stream->overUnclaimedLimit || !stream->hasOwner())
        return;
    // Reset outside ngtcp2's callbacks, in dispatch().
    stream->overUnclaimedLimit = true;
    overUnclaimedLimit.push_back(stream);
}

void ConnectionPrivate::resetOverUnclaimedLimit()
{
    while (!overUnclaimedLimit.empty()) {
        StreamPrivate *core = overUnclaimedLimit.back();
        overUnclaimedLimit.pop_back();
        // A pool sweeps a failed pooled stream out (PoolPrivate::isDeadPooled).
        core->error = Error(ErrorCode::StreamReset,
                            QStringLiteral("the peer sent more than %1 bytes to streams no application has taken")
                                .arg(config.maxUnclaimedBytes));
        core->abort(0);
    }
}

void ConnectionPrivate::streamDestroyed(StreamPrivate *stream)
{
    // Every list that holds the core lets go of it here, whatever state
    // the stream is in: a slot may delete a stream that still owes signals
    // (in `dirty`) while dispatch() walks that list.
    if (stream->overUnclaimedLimit)
        std::erase(overUnclaimedLimit, stream);
    if (stream->inWriteQueue)
        std::erase(writeQueue, stream);
    if (stream->inDirty)
        std::erase(dirty, stream);
    stream->inWriteQueue = false;
    stream->inDirty = false;
    if (stream->pooled)
        std::erase(unannounced, stream);
    const bool inQuic = stream->isInQuic();
    streams.erase(stream->streamId);
    if (inQuic && conn && state < State::Closing) {
        ngtcp2_conn_set_stream_user_data(conn, stream->streamId, nullptr);
        // Deleted without a graceful close: like QTcpSocket's destructor, abort.
        ngtcp2_conn_shutdown_stream(conn, 0, stream->streamId, 0);
        scheduleFlush();
    }
}

void ConnectionPrivate::adoptOrphan(std::unique_ptr<StreamPrivate> core)
{
    core->orphan();
    if (core->inDirty) {
        std::erase(dirty, core.get());
        core->inDirty = false;
    }
    const int64_t sid = core->streamId;
    orphans[sid] = std::move(core);
    scheduleFlush();
}

void ConnectionPrivate::markDirty(StreamPrivate *stream)
{
    if (!stream->hasOwner() || stream->inDirty)
        return;  // an orphan owes no signals to anyone
    stream->inDirty = true;
    dirty.push_back(stream);
}

void ConnectionPrivate::pooledStreamChanged(StreamPrivate *stream)
{
    // A copy: the handler may delete the connection, and its own copy.
    if (const auto changed = pooledChanged)
        changed(stream);
}

StreamPrivate *ConnectionPrivate::nextWritableStream()
{
    while (!writeQueue.empty()) {
        StreamPrivate *s = writeQueue.front();
        if (s->hasWork() && !s->blocked)
            return s;
        s->inWriteQueue = false;
        writeQueue.pop_front();
    }
    return nullptr;
}

} // namespace quicpool::transport
