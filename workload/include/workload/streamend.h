// Letting go of a stream the application took from a pool: what the
// stream server and the stream runner do with a stream they are done with.
#pragma once

namespace quicpool {
class Stream;
}

namespace quicpool::workload {

/// Deletes a stream the caller is done with. Graceful: the caller has
/// called close(); the object stays until the peer has acknowledged
/// everything (finished()), because deleting it earlier resets the stream
/// and can lose data still in flight. Otherwise the stream is aborted.
void releaseStream(Stream *stream, bool graceful);

} // namespace quicpool::workload
