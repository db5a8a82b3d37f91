// A pooled QUIC stream as a QIODevice, in the manner of QTcpSocket.
#pragma once

#include <quicpool/error.h>
#include <QtCore/QIODevice>
#include <QtNetwork/QHostAddress>
#include <memory>

namespace quicpool {

class StreamPrivate;

/// One bidirectional QUIC stream, open ReadWrite (unbuffered) when handed out.
///
/// **Threads.** A stream lives on the thread of the pool that made it, with
/// its connection, and is used from that thread only (as with QTcpSocket).
/// It cannot move alone: its I/O drives its connection's QUIC state, which
/// it shares with every other stream of that connection, so moving a
/// stream without its pool is not supported (handed-out streams are the
/// pool's children, and Qt refuses to move a child).
///
/// **Lifetime.** Delete a stream (or deleteLater()) whenever you are done
/// with it, from any slot, including one connected to its own signals or
/// to a sibling's; the library touches nothing of it afterwards. Handed-out
/// streams are children of their pool, so deleting the pool deletes them.
/// A stream deleted without close() is reset (both directions, like
/// QTcpSocket's destructor aborting); one deleted after close() or
/// closeWrite() lingers inside its connection until its data and FIN are
/// acknowledged (like a socket's linger), so `close(); deleteLater();`
/// loses nothing. A stream outlives its connection: on connection loss it
/// reports errorOccurred(ConnectionLost) and stays readable for what was
/// already received.
///
/// **Flow control.** Receive credit goes back to the peer as the
/// application reads. Bytes received and never read are credited back to
/// the connection however the stream ends (close(), abort(), deletion with
/// or without close(), a reset by the peer, a pool discarding it), so a
/// stream dropped with data in it never starves its connection's other
/// streams.
///
/// **Writing** copies into a bounded send buffer; write() returns how much
/// was taken, possibly less than asked or 0 when the buffer is full. Room
/// frees as the peer acknowledges data: carry on at bytesAcknowledged().
/// The buffer holds sendBufferSize() (1 MiB), or twice the connection's
/// congestion window when that is more (up to the pool's sendBufferLimit),
/// so one stream can keep a long fat path full. Like SO_SNDBUF, a size set
/// with setSendBufferSize() is kept as set: the buffer then no longer
/// grows. A stream with nothing pending always takes its whole allowance.
/// Busy streams of one connection share their buffering: while n of them
/// hold unacknowledged data, one that holds some takes more only up to
/// sendBufferSize() / n (never less than 64 KiB), so many busy streams
/// buffer about as much as one (data buffered long goes cold in the cache).
///
/// As with QAbstractSocket, bytesWritten() reports bytes handed to the
/// transport (QUIC put them into packets for the first time) and
/// bytesToWrite() counts those written and not yet handed over;
/// bytesAcknowledged() reports bytes the peer acknowledged (they leave the
/// send buffer), totalBytesAcknowledged() their sum.
///
/// **Closing.** close() is QIODevice::close() with a FIN, as
/// QAbstractSocket::close() is with disconnectFromHost(): aboutToClose() is
/// emitted (a slot may still write), the FIN follows everything queued,
/// and the device is closed: isOpen() is false, write() and read() return
/// -1, unread data is dropped (its credit returned) and the peer is told
/// to stop sending (STOP_SENDING) unless its FIN has arrived. Signals about
/// the write side (bytesWritten, bytesAcknowledged, stateChanged,
/// errorOccurred, finished) still come while the FIN is delivered.
/// closeWrite() sends the FIN and keeps reading, the half-close a request
/// and its reply need: isWritable() turns false, the device stays open for
/// reading until the peer's FIN. abort() resets both directions at once and
/// closes the device.
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
    /// The QUIC stream ID, or -1 once its connection is done with it
    /// (both directions finished, or the connection gone).
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
    /// Bytes written and not yet handed to the transport.
    qint64 bytesToWrite() const override;
    bool canReadLine() const override;
    bool atEnd() const override;
    /// FIN after what is queued, then QIODevice::close() (see the class notes).
    void close() override;
    /// FIN after what is queued; reading goes on until the peer's FIN.
    void closeWrite();
    void abort(quint64 applicationErrorCode = 0);

    /// Blocking helpers for tools and tests: they run a local event loop and
    /// must not be used on a GUI thread. They return false, touching nothing
    /// of the stream, if it is deleted while they wait.
    bool waitForReadyRead(int msecs = 30000) override;
    /// Waits for bytesWritten() (bytes handed to the transport); false at
    /// once when bytesToWrite() is 0.
    bool waitForBytesWritten(int msecs = 30000) override;
    bool waitForFinished(int msecs = 30000);

Q_SIGNALS:
    void errorOccurred(const quicpool::Error &error);
    void stateChanged(quicpool::Stream::State state);
    /// The peer acknowledged `bytes` more bytes: they left the send buffer,
    /// which has room for as many again.
    void bytesAcknowledged(qint64 bytes);
    /// Both directions are done (FIN or reset each way) and data acknowledged.
    void finished();

protected:
    qint64 readData(char *data, qint64 maxSize) override;
    qint64 readLineData(char *data, qint64 maxSize) override;
    qint64 writeData(const char *data, qint64 size) override;

private:
    friend class StreamPrivate;
    explicit Stream(QObject *parent = nullptr);
    Stream(std::unique_ptr<StreamPrivate> d, QObject *parent);
    std::unique_ptr<StreamPrivate> d_ptr;
    Q_DECLARE_PRIVATE(Stream)
    Q_DISABLE_COPY_MOVE(Stream)
};

} // namespace quicpool
