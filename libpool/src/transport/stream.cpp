// Stream's public methods: the QIODevice face of a QUIC stream.
#include <quicpool/stream.h>

#include "transport/connection_p.h"
#include "transport/stream_p.h"

#include <QtCore/QDeadlineTimer>
#include <QtCore/QEventLoop>
#include <QtCore/QPointer>
#include <QtCore/QTimer>

namespace quicpool {

Stream::Stream(QObject *parent) : QIODevice(parent), d_ptr(std::make_unique<StreamPrivate>(this)) {}

Stream::~Stream()
{
    // A stream closed gracefully (FIN asked) but not yet delivered keeps its
    // core alive in the connection until the peer has acknowledged it.
    if (d_ptr && d_ptr->connection && d_ptr->shouldLinger())
        d_ptr->connection->adoptOrphan(std::move(d_ptr));
}

QString Stream::id() const { return d_func()->id; }
qint64 Stream::streamId() const { return d_func()->streamId; }
Stream::State Stream::state() const { return d_func()->state; }
ErrorCode Stream::error() const { return d_func()->error.code(); }
Error Stream::lastError() const { return d_func()->error; }

QHostAddress Stream::localAddress() const
{
    return d_func()->connection ? d_func()->connection->local.address() : QHostAddress();
}
quint16 Stream::localPort() const { return d_func()->connection ? d_func()->connection->local.port() : 0; }
QHostAddress Stream::peerAddress() const
{
    return d_func()->connection ? d_func()->connection->remote.address() : QHostAddress();
}
quint16 Stream::peerPort() const { return d_func()->connection ? d_func()->connection->remote.port() : 0; }

qint64 Stream::sendBufferSize() const { return qint64(d_func()->sendBuffer().limit()); }
void Stream::setSendBufferSize(qint64 bytes)
{
    // Set by hand, like SO_SNDBUF: the buffer no longer grows with the path.
    d_func()->sendBuffer().setLimit(size_t(std::max<qint64>(bytes, 1)));
    d_func()->sendBufferFixed = true;
}
qint64 Stream::totalBytesReceived() const { return d_func()->totalReceived - d_func()->rxBase; }
qint64 Stream::totalBytesAcknowledged() const
{
    return qint64(std::max(d_func()->sendBuffer().acked(), d_func()->txBase) - d_func()->txBase);
}
bool Stream::isFinished() const { return d_func()->finReceived(); }

bool Stream::isSequential() const { return true; }
qint64 Stream::bytesAvailable() const { return d_func()->available() + QIODevice::bytesAvailable(); }
qint64 Stream::bytesToWrite() const { return qint64(d_func()->sendBuffer().pending()); }
bool Stream::canReadLine() const { return d_func()->canReadLine() || QIODevice::canReadLine(); }
bool Stream::atEnd() const { return d_func()->atEnd() && QIODevice::bytesAvailable() == 0; }

void Stream::close()
{
    // Only the write side closes (FIN); reads stay possible until the peer's FIN.
    d_func()->closeWrite();
}

void Stream::abort(quint64 applicationErrorCode)
{
    d_func()->abort(applicationErrorCode);
    QIODevice::close();
}

qint64 Stream::readData(char *data, qint64 maxSize) { return d_func()->read(data, maxSize); }
qint64 Stream::readLineData(char *data, qint64 maxSize) { return d_func()->readLine(data, maxSize); }
qint64 Stream::writeData(const char *data, qint64 size) { return d_func()->write(data, size); }

namespace {
// Runs a local event loop until `done` holds or the time runs out.
template <typename Pred>
bool waitFor(Stream *s, int msecs, Pred done, std::initializer_list<const char *> wakeSignals)
{
    if (done())
        return true;
    QEventLoop loop;
    QTimer timer;
    timer.setSingleShot(true);
    QObject::connect(&timer, &QTimer::timeout, &loop, &QEventLoop::quit);
    for (const char *sig : wakeSignals)
        QObject::connect(s, sig, &loop, SLOT(quit()));
    QObject::connect(s, &Stream::errorOccurred, &loop, &QEventLoop::quit);
    QDeadlineTimer deadline(msecs < 0 ? QDeadlineTimer::Forever : QDeadlineTimer(msecs));
    QPointer<Stream> guard(s);
    while (!done()) {
        if (deadline.hasExpired() || !guard)
            return false;
        if (msecs >= 0)
            timer.start(int(std::max<qint64>(deadline.remainingTime(), 1)));
        loop.exec();
        Stream *alive = guard.data();
        if (alive && alive->error() != ErrorCode::NoError && !done())
            return false;
    }
    return true;
}
} // namespace

bool Stream::waitForReadyRead(int msecs)
{
    const qint64 start = totalBytesReceived();
    return waitFor(this, msecs, [&] { return totalBytesReceived() > start || d_func()->finReceived(); },
                   {SIGNAL(readyRead()), SIGNAL(readChannelFinished())});
}

bool Stream::waitForBytesWritten(int msecs)
{
    const qint64 start = totalBytesAcknowledged();
    if (bytesToWrite() == 0)
        return false;
    return waitFor(this, msecs, [&] { return totalBytesAcknowledged() > start; },
                   {SIGNAL(bytesWritten(qint64))});
}

bool Stream::waitForFinished(int msecs)
{
    return waitFor(this, msecs, [&] { return d_func()->state == State::Closed || !d_func()->connection; },
                   {SIGNAL(finished()), SIGNAL(stateChanged(quicpool::Stream::State))});
}

} // namespace quicpool
