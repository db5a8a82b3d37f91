// Stream's private side, the machinery behind it: receive queue, send
// buffer, the stream's state, and the signals it owes the application. The connection
// feeds it from ngtcp2 callbacks; signals are emitted later, outside those
// callbacks, so application code never re-enters ngtcp2.
//
// Two links to the connection, kept apart on purpose:
//   connection   the ConnectionPrivate that lists this core (registry, write
//                queue, signals owed) and lends it receive chunks; set until
//                the connection detaches its streams (closing or destroyed),
//                so ~StreamPrivate always finds the lists that hold it;
//   isInQuic()   whether ngtcp2 still has the stream (false once ngtcp2
//                closed it): only then may it be written, reset or credited
//                stream by stream.
#pragma once

#include "transport/sendbuffer.h"
#include <quicpool/stream.h>
#include <QtCore/QByteArray>
#include <QtCore/QList>
#include <cstdint>
#include <deque>

namespace quicpool {

namespace transport {
class ConnectionPrivate;
}
using transport::ConnectionPrivate;
using transport::SendBuffer;

class StreamPrivate
{
public:
    explicit StreamPrivate(Stream *q) : m_q(q) {}
    ~StreamPrivate();

    static Stream *create(ConnectionPrivate *connection, int64_t streamId, QObject *parent);
    /// A stream for a pool: the transport's state only, no Stream object
    /// (a QIODevice costs about 1 KiB, and a pool may hold 10,000 idle
    /// streams). The pool owns it until adopt() gives it a Stream.
    static StreamPrivate *createPooled(ConnectionPrivate *connection, int64_t streamId);
    /// Makes the Stream (a child of parent) that owns a pooled core from now;
    /// a pool's stream is claimed then (its bytes are the application's).
    enum class Claim { No, Yes };
    static Stream *adopt(StreamPrivate *core, QObject *parent, Claim claim);
    /// The owner lets go of the core: it lingers in its connection while a
    /// FIN it asked for awaits acknowledgement, and is freed otherwise (a
    /// stream still open in QUIC is then reset, as a deleted QTcpSocket is).
    static void release(std::unique_ptr<StreamPrivate> core);
    static StreamPrivate *of(Stream *stream) { return stream->d_ptr.get(); }
    Stream *q() const { return m_q; }
    /// A Stream or a pool holds the core: what arrives is for someone, and
    /// its changes are reported (an orphan's are not).
    bool hasOwner() const { return m_q || pooled; }
    /// No Stream yet: held by a pool, or peer-opened and not announced.
    /// Changes go to the connection's pool handler, if any, not to signals.
    bool pooled = false;
    /// The Stream object is gone; the core lingers to finish delivery.
    void orphan()
    {
        m_q = nullptr;
        pooled = false;
    }

    // --- called by the connection (inside ngtcp2 callbacks: no signals here)
    void onData(const uint8_t *data, size_t len, bool fin);
    void onAcked(uint64_t offset, uint64_t len);
    /// ngtcp2 put `n` more bytes into packets (they are the transport's now).
    void onSent(size_t n);
    void onPeerReset(uint64_t appErrorCode);
    /// The write side was reset because the peer sent STOP_SENDING (from
    /// the write loop, which found it shut: code unknown).
    void onWriteRefused();
    /// The peer sent STOP_SENDING: the write side is done. An error only if
    /// application data was still unacknowledged (it is lost); a peer that
    /// stops reading after everything arrived is no news, as with TCP.
    void onStopSending(uint64_t appErrorCode);
    /// ngtcp2 forgot the stream (both directions done). Returns the unread
    /// bytes whose connection credit is still owed: the caller returns it,
    /// since no read can once the stream is gone from ngtcp2.
    uint64_t onClosed(uint64_t appErrorCode, bool hasCode);
    /// The connection is gone (closing or destroyed): no more I/O. The
    /// caller has emitPending() called on the next turn.
    void detach(const Error &reason);
    /// Emits what was recorded since the last call (a pooled core: tells its
    /// connection's pool handler instead). May delete the stream.
    void emitPending();

    // --- the write path, asked by the connection's write loop
    SendBuffer &sendBuffer() { return m_tx; }
    const SendBuffer &sendBuffer() const { return m_tx; }
    bool wantsFin() const { return m_finRequested && !m_finSent && !m_tx.hasUnsent(); }
    bool hasWork() const { return !m_writeShut && (m_tx.hasUnsent() || wantsFin()); }
    void markFinSent() { m_finSent = true; }
    bool finSent() const { return m_finSent; }
    bool finRequested() const { return m_finRequested && !m_finSent; }
    /// FIN was asked and ngtcp2 still holds the stream: deleting it now
    /// must not reset it (its data or FIN may await acknowledgement).
    bool shouldLinger() const { return m_finRequested && !m_writeShut && !m_closedByConnection; }
    bool inWriteQueue = false;   // owned by the connection's round-robin list
    bool blocked = false;        // flow-control blocked; cleared on extend_max_stream_data
    bool inDirty = false;        // owned by the connection's list of streams owing signals

    // --- used by Stream's public methods
    qint64 read(char *data, qint64 maxSize);
    qint64 readLine(char *data, qint64 maxSize);
    qint64 available() const { return m_rxBytes; }
    bool canReadLine() const;
    qint64 write(const char *data, qint64 size);
    /// FIN once everything queued has gone out; reading goes on.
    void closeWrite();
    /// The application will read no more: unread bytes are dropped and
    /// their credit returned, and the peer is asked to stop (STOP_SENDING)
    /// unless its FIN is already here.
    void stopReading();
    void abort(uint64_t code);
    bool atEnd() const { return m_finReceived && m_rxBytes == 0; }
    bool isReadClosed() const { return m_readClosed; }
    bool canWrite() const { return connection && !m_writeShut && !m_finRequested && !m_closedByConnection; }
    /// Bytes handed to the transport (first put into packets) / acknowledged,
    /// the application's only (the pool's handshake excluded).
    qint64 appBytesSent() const;
    qint64 appBytesAcked() const;
    qint64 appBytesUnsent() const;

    QString id;
    int64_t streamId = -1;       // the QUIC stream ID; the connection's registry key
    ConnectionPrivate *connection = nullptr;
    Error error;
    qint64 totalReceived = 0;
    // Where application data starts: bytes before these offsets belong to
    // the pool's ID handshake and are not the application's to count.
    qint64 rxBase = 0;
    uint64_t txBase = 0;
    Stream::State state = Stream::State::Open;
    bool sendBufferFixed = false;   // setSendBufferSize() was called: no growth with the path
    bool closing = false;           // inside close(), before the device closes (aboutToClose)
    bool finReceived() const { return m_finReceived; }
    bool isDone() const { return m_closedByConnection; }
    /// ngtcp2 still has this stream.
    bool isInQuic() const { return connection && !m_closedByConnection; }

    /// Tells the connection whether this stream holds unacknowledged
    /// application data (see sharedSendLimit()).
    void updateSending();

    /// No application has taken the stream yet: its unread bytes count
    /// against the connection's maxUnclaimedBytes until claim().
    bool claimed = false;
    bool overUnclaimedLimit = false;   // queued for a reset by the connection
    void claim();
    /// Memory the receive queue holds (allocations, not bytes unread): tests.
    qint64 receiveBufferCapacity() const;

private:
    // Packets carry ~1-9 KB of stream data; a stream that has received
    // this much (a bulk stream) appends them to chunks this big, reused
    // through the connection's RxChunkPool. A young stream (a hello, an
    // ID, a short request) keeps arrays of what arrived, small pieces
    // coalesced up to kRxCoalesce: a pooled stream that got 512 bytes holds
    // about 512 bytes, not a chunk.
    static constexpr qsizetype kRxChunk = 64 * 1024;
    static constexpr qsizetype kRxCoalesce = 4096;
    /// Moves bytes in or out of the connection's unclaimed count.
    void countUnclaimed(qint64 delta);
    qint64 m_unclaimedCounted = 0;   // what this stream added to connection->unclaimedBytes
    void updateState();
    /// Drops the read-out first chunk (the connection may reuse it).
    void dropFrontChunk();
    /// Stops counting as a sender before the connection lets go of us.
    void leaveSending();
    /// Returns the receive credit of n bytes the application consumed or
    /// dropped: to the connection while it is owed, and to the stream while
    /// ngtcp2 has it.
    void giveBackCredit(qint64 n);
    /// Drops every unread byte, returning its credit.
    void dropUnread();

    Stream *m_q;
    QList<QByteArray> m_rx;      // a QList: an empty std::deque allocates ~600 bytes
    size_t m_rxHeadOffset = 0;   // bytes already read from m_rx.front()
    qint64 m_rxBytes = 0;
    SendBuffer m_tx;
    bool m_finReceived = false;
    bool m_finRequested = false;
    bool m_finSent = false;
    bool m_writeShut = false;
    bool m_closedByConnection = false;
    bool m_readClosed = false;   // close() or abort(): nothing more is for the application
    // The connection credit of the unread bytes went back when ngtcp2
    // forgot the stream (or the connection is gone): reads return none.
    bool m_rxCreditSettled = false;
    bool m_sending = false;      // counted in connection->sendingStreams()

    // Signals owed.
    bool m_sigReadyRead = false;
    bool m_sigReadFinished = false;
    bool m_sigError = false;
    bool m_sigFinished = false;
    bool m_sigState = false;
    qint64 m_sigBytesWritten = 0;
    qint64 m_sigBytesAcknowledged = 0;
};

} // namespace quicpool
