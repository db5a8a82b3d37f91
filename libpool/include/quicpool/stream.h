// A pooled QUIC stream as a QIODevice, in the manner of QTcpSocket.
#pragma once

#include <quicpool/error.h>
#include <QtCore/QIODevice>
#include <QtNetwork/QHostAddress>
#include <memory>

namespace quicpool {

class StreamPrivate;

/// One bidirectional QUIC stream. Lives on the thread of the pool that made
/// it; use it from that thread only (as with QTcpSocket).
///
/// Writing copies into a bounded send buffer; write() returns how much was
/// taken, possibly less than asked or 0 when the buffer is full: wait for
/// bytesWritten(), which fires as the peer acknowledges data. The buffer
/// holds sendBufferSize() (1 MiB), or twice the connection's congestion
/// window when that is more (up to the pool's sendBufferLimit), so one
/// stream can keep a long fat path full. Like SO_SNDBUF, a size set with
/// setSendBufferSize() is kept as set: the buffer then no longer grows. A
/// stream with nothing pending always takes its whole allowance.
/// Busy streams of one connection share their buffering: while n of them
/// hold unacknowledged data, one that holds some takes more only up to
/// sendBufferSize() / n (never less than 64 KiB), so many busy streams
/// buffer about as much as one (data buffered long goes cold in the cache).
/// close() sends FIN once everything queued has gone out and keeps the
/// read side open until the peer's FIN arrives or the object is deleted;
/// abort() resets both directions at once.
///
/// Handed-out streams stay children of their pool; delete them (or call
/// deleteLater()) when done. A stream outlives its connection: on connection
/// loss it reports errorOccurred(ConnectionLost) and stays readable for what
/// was already received.
///
/// Errors follow QAbstractSocket: error() is the code, errorString() the
/// precise sentence ("the peer reset the stream (code 7)"), lastError()
/// both, and errorOccurred() carries both.
class QUICPOOL_EXPORT Stream : public QIODevice
{
    Q_OBJECT
public:
    enum class State { Open, HalfClosedLocal, HalfClosedRemote, Closed };
    Q_ENUM(State)

    ~Stream() override;

    /// The pool's 8-hex-character ID ("00000000"), empty before the ID handshake.
    QString id() const;
    /// The QUIC stream ID, or -1 once detached from its connection.
    qint64 streamId() const;
    State state() const;
    ErrorCode error() const;
    /// error() with its sentence (errorString()).
    Error lastError() const;

    QHostAddress localAddress() const;
    quint16 localPort() const;
    QHostAddress peerAddress() const;
    quint16 peerPort() const;

    qint64 sendBufferSize() const;
    void setSendBufferSize(qint64 bytes);
    /// Bytes received from the peer / acknowledged by the peer, since creation.
    qint64 totalBytesReceived() const;
    qint64 totalBytesAcknowledged() const;
    /// True once the peer's FIN arrived (all data is in the read buffer).
    bool isFinished() const;

    bool isSequential() const override;
    qint64 bytesAvailable() const override;
    qint64 bytesToWrite() const override;
    bool canReadLine() const override;
    bool atEnd() const override;
    void close() override;
    void abort(quint64 applicationErrorCode = 0);

    /// Blocking helpers for tools and tests: they run a local event loop and
    /// must not be used on a GUI thread.
    bool waitForReadyRead(int msecs = 30000) override;
    bool waitForBytesWritten(int msecs = 30000) override;
    bool waitForFinished(int msecs = 30000);

Q_SIGNALS:
    void errorOccurred(const quicpool::Error &error);
    void stateChanged(quicpool::Stream::State state);
    /// Both directions are done (FIN or reset each way) and data acknowledged.
    void finished();

protected:
    qint64 readData(char *data, qint64 maxSize) override;
    qint64 readLineData(char *data, qint64 maxSize) override;
    qint64 writeData(const char *data, qint64 size) override;

private:
    friend class StreamPrivate;
    explicit Stream(QObject *parent = nullptr);
    std::unique_ptr<StreamPrivate> d_ptr;
    Q_DECLARE_PRIVATE(Stream)
    Q_DISABLE_COPY_MOVE(Stream)
};

} // namespace quicpool
