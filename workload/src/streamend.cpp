#include <workload/streamend.h>

#include <quicpool/stream.h>
#include <QtCore/QTimer>

namespace quicpool::workload {

namespace {
// A peer that never acknowledges our FIN should not pin the object forever.
constexpr int kLingerMs = 60000;
}

void releaseStream(Stream *stream, bool graceful)
{
    if (!stream)
        return;
    if (!graceful) {
        stream->abort();
        stream->deleteLater();
        return;
    }
    // streamId() is -1 once the connection has forgotten the stream (both
    // directions done and acknowledged, or the connection is gone).
    if (stream->streamId() < 0) {
        stream->deleteLater();
        return;
    }
    QObject::connect(stream, &Stream::finished, stream, &QObject::deleteLater);
    QTimer::singleShot(kLingerMs, stream, &QObject::deleteLater);
}

} // namespace quicpool::workload
