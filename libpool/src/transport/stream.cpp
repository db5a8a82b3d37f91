// Stream's public methods: the QIODevice face of a QUIC stream.
#include <quicpool/stream.h>

#include "transport/connection_p.h"
#include "transport/stream_p.h"

#include <QtCore/QDeadlineTimer>
#include <QtCore/QEventLoop>
#include <QtCore/QPointer>
#include <QtCore/QSignalBlocker>
#include <QtCore/QTimer>

namespace quicpool {

Stream::Stream(QObject *parent) : QIODevice(parent), d_ptr(std::make_unique<StreamPrivate>(this)) {}

Stream::Stream(std::unique_ptr<StreamPrivate> d, QObject *parent) : QIODevice(parent), d_ptr(std::move(d)) {}

Stream::~Stream()
{
    Q_D(Stream);
    // Deleted from an aboutToClose() slot: close() had been asked for, so
    // the stream still ends gracefully.
    if (d->closing)
        d->closeWrite();
    StreamPrivate::release(std::move(d_ptr));
}

QString Stream::id() const { return d_func()->id; }
qint64 Stream::streamId() const { return d_func()->isInQuic() ? d_func()->streamId : -1; }
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
qint64 Stream::totalBytesAcknowledged() const { return d_func()->appBytesAcked(); }
bool Stream::isFinished() const { return d_func()->finReceived(); }

bool Stream::isSequential() const { return true; }
qint64 Stream::bytesAvailable() const { return d_func()->available() + QIODevice::bytesAvailable(); }
qint64 Stream::bytesToWrite() const { return d_func()->appBytesUnsent(); }
bool Stream::canReadLine() const { return d_func()->canReadLine() || QIODevice::canReadLine(); }
bool Stream::atEnd() const
{
    return !isOpen() || (d_func()->atEnd() && QIODevice::bytesAvailable() == 0);
}

void Stream::close()
{
    Q_D(Stream);
    if (!isOpen())
        return;
    // aboutToClose() first, as QIODevice::close() does: its slot may still
    // write, or delete the stream (the destructor then finishes the close).
    QPointer<Stream> guard(this);
    d->closing = true;
    Q_EMIT aboutToClose();
    if (!guard)
        return;
    d->closing = false;
    d->closeWrite();
    d->stopReading();
    // Emitted above already; QIODevice::close() would emit it again.
    const QSignalBlocker once(this);
    QIODevice::close();
}

void Stream::closeWrite()
{
    d_func()->closeWrite();
}

void Stream::abort(quint64 applicationErrorCode)
{
    Q_D(Stream);
    d->abort(applicationErrorCode);
    if (!isOpen())
        return;
    QPointer<Stream> guard(this);
    Q_EMIT aboutToClose();
    if (!guard)
        return;
    const QSignalBlocker once(this);
    QIODevice::close();
}

qint64 Stream::readData(char *data, qint64 maxSize) { return d_func()->read(data, maxSize); }
qint64 Stream::readLineData(char *data, qint64 maxSize) { return d_func()->readLine(data, maxSize); }
qint64 Stream::writeData(const char *data, qint64 size) { return d_func()->write(data, size); }

namespace {
// Runs a local event loop until `done` holds or the time runs out. A slot
// (or a deleteLater() the loop processes) may delete the stream meanwhile:
// `done` reads the stream, so it runs only while the guard says it exists.
template <typename Pred>
bool waitFor(Stream *s, int msecs, Pred done, std::initializer_list<const char *> wakeSignals)
{
    QPointer<Stream> guard(s);
    if (done())
        return true;
    QEventLoop loop;
    QTimer timer;
    timer.setSingleShot(true);
    QObject::connect(&timer, &QTimer::timeout, &loop, &QEventLoop::quit);
    for (const char *sig : wakeSignals)
        QObject::connect(s, sig, &loop, SLOT(quit()));
    QObject::connect(s, &Stream::errorOccurred, &loop, &QEventLoop::quit);
    QObject::connect(s, &QObject::destroyed, &loop, &QEventLoop::quit);
    QDeadlineTimer deadline(msecs < 0 ? QDeadlineTimer::Forever : QDeadlineTimer(msecs));
    for (;;) {
        if (deadline.hasExpired())
            return false;
        if (msecs >= 0)
            timer.start(int(std::max<qint64>(deadline.remainingTime(), 1)));
        loop.exec();
        if (!guard)
            return false;
        if (done())
            return true;
        if (guard->error() != ErrorCode::NoError)
            return false;
    }
}
} // namespace

bool Stream::waitForReadyRead(int msecs)
{
    if (!isOpen() || !isReadable())
        return false;
    const qint64 start = totalBytesReceived();
    return waitFor(this, msecs, [this, start] { return totalBytesReceived() > start || d_func()->finReceived(); },
                   {SIGNAL(readyRead()), SIGNAL(readChannelFinished())});
}

bool Stream::waitForBytesWritten(int msecs)
{
    if (bytesToWrite() == 0)
        return false;
    const qint64 start = d_func()->appBytesSent();
    return waitFor(this, msecs, [this, start] { return d_func()->appBytesSent() > start; },
                   {SIGNAL(bytesWritten(qint64))});
}

bool Stream::waitForFinished(int msecs)
{
    return waitFor(this, msecs, [this] { return d_func()->state == State::Closed || !d_func()->connection; },
                   {SIGNAL(finished()), SIGNAL(stateChanged(quicpool::Stream::State))});
}

} // namespace quicpool
