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
    // The timer is the stream's child, so it goes with the stream. (A
    // QTimer::singleShot() aimed at the stream would outlive it: Qt keeps
    // each such timer object until it fires, 60 s later, one per finished
    // stream, which is how a churning server grew by ~21 MB.)
    auto *linger = new QTimer(stream);
    linger->setSingleShot(true);
    QObject::connect(linger, &QTimer::timeout, stream, &QObject::deleteLater);
    linger->start(kLingerMs);
}

} // namespace quicpool::workload
