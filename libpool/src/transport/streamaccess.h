// What the pool layer may do to a stream no application has taken yet,
// without seeing the transport's insides.
//
// A pool keeps its idle streams as PooledStream: the transport's state of
// the stream and no Stream object (a QObject and QIODevice cost about 1 KiB
// each, and a pool may hold 10,000 idle streams). The pool owns each one
// until it ends it (closePooled, abortPooled) or an application takes it
// (takePooled makes the Stream). What happens to pooled streams is reported
// per connection (Connection::setPooledStreamHandlers), not by signals.
#pragma once

#include <quicpool/error.h>
#include <QtCore/QString>

QT_BEGIN_NAMESPACE
class QObject;
QT_END_NAMESPACE

namespace quicpool {
class Stream;
class StreamPrivate;
}

namespace quicpool::transport {

using PooledStream = quicpool::StreamPrivate;

// --- its bytes and state, for the pool's ID handshake and its sweeps
qint64 pooledRead(PooledStream *s, char *data, qint64 maxSize);
qint64 pooledWrite(PooledStream *s, const char *data, qint64 size);
qint64 pooledBytesAvailable(const PooledStream *s);
/// The peer's FIN arrived and every byte before it was read.
bool pooledAtEnd(const PooledStream *s);
/// The peer's FIN (or reset) arrived.
bool pooledIsFinished(const PooledStream *s);
Error pooledError(const PooledStream *s);
/// True once the stream's connection is gone (or ngtcp2 forgot the stream).
bool isPooledDetached(const PooledStream *s);
/// The QUIC stream ID, for logs.
qint64 pooledStreamId(const PooledStream *s);
/// The ID handshake is over: byte counters start from here.
void markApplicationStart(PooledStream *s);
/// Bytes written so far are the pool's (a hello): they do not count as the
/// application's, in bytesToWrite() or in the connection's send sharing.
void markApplicationSendStart(PooledStream *s);

// --- its end in the pool (each consumes `s`)
/// An application takes it: the Stream, a child of parent and named `id`
/// (Stream::id()), owns it from now, and its unread bytes no longer count
/// against the connection's bound for streams nobody has taken
/// (TransportConfig::maxUnclaimedBytes).
Stream *takePooled(PooledStream *s, QObject *parent, const QString &id);
/// FIN after what is queued, and forget it (the transport keeps it until
/// the FIN is acknowledged): Stream::close() and delete.
void closePooled(PooledStream *s);
/// Resets both directions and frees it: Stream::abort() and delete.
void abortPooled(PooledStream *s);

} // namespace quicpool::transport
