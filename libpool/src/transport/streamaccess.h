// The few things the pool layer may do to a stream beyond its public API,
// without seeing the transport's insides.
#pragma once

#include <QtCore/QString>

namespace quicpool {
class Stream;
}

namespace quicpool::transport {

/// Names the stream with its pool ID.
void setStreamPoolId(Stream *stream, const QString &id);
/// The ID handshake is over: byte counters start from here.
void markApplicationStart(Stream *stream);
/// Bytes written so far are the pool's (a hello): they do not count as the
/// application's, in bytesToWrite() or in the connection's send sharing.
void markApplicationSendStart(Stream *stream);
/// An application has the stream now: its unread bytes no longer count
/// against the connection's bound for streams nobody has taken
/// (TransportConfig::maxUnclaimedBytes).
void claimStream(Stream *stream);
/// True once the stream's connection is gone.
bool isStreamDetached(const Stream *stream);

} // namespace quicpool::transport
