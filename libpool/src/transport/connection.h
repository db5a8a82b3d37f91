// One QUIC connection (one ngtcp2_conn) on the Qt event loop: ngtcp2
// callbacks, one precise expiry timer, and a write loop that batches
// packets for GSO. Knows streams, not pools: nothing here knows about IDs.
#pragma once

#include "transport/socketaddress.h"
#include "transport/tls.h"
#include <quicpool/connectioninfo.h>
#include <quicpool/error.h>
#include <QtCore/QByteArray>
#include <QtCore/QObject>
#include <QtCore/QPointer>
#include <chrono>
#include <deque>
#include <memory>
#include <unordered_map>
#include <vector>

#include <ngtcp2/ngtcp2.h>
#include <ngtcp2/ngtcp2_crypto.h>

class QTimer;

namespace quicpool {
class Stream;
class StreamPrivate;
}

namespace quicpool::transport {

class UdpSocket;

struct TransportConfig
{
    std::chrono::milliseconds keepAlive{30000};      ///< PING when idle this long; idle timeout 3x
    std::chrono::milliseconds handshakeTimeout{10000};
    uint64_t maxIncomingBidiStreams = 100;           ///< initial_max_streams_bidi granted to the peer
    uint64_t streamWindow = 1024 * 1024;             ///< initial per-stream receive window
    uint64_t connectionWindow = 4 * 1024 * 1024;     ///< initial connection receive window
    uint64_t maxStreamWindow = 16 * 1024 * 1024;     ///< auto-tuning ceiling per stream
    uint64_t maxConnectionWindow = 64 * 1024 * 1024; ///< auto-tuning ceiling per connection
    /// Largest UDP payload we send once Path MTU Discovery has confirmed the
    /// path takes it. QUIC starts at 1200 bytes and probes upwards (this,
    /// then the usual Ethernet/PPPoE/tunnel sizes); loopback and jumbo-frame
    /// LANs take 8952, the Internet settles at ~1452. Bigger datagrams mean
    /// fewer packets to encrypt and fewer system calls.
    size_t maxUdpPayloadSize = 8952;
    QString qlogDirectory;                           ///< empty: off
};

/// Who carries a server connection's datagrams and routes its CIDs.
class ConnectionHost
{
public:
    virtual ~ConnectionHost() = default;
    virtual UdpSocket *hostSocket() = 0;
    virtual void addConnectionId(const ngtcp2_cid &cid, class Connection *connection) = 0;
    virtual void removeConnectionId(const ngtcp2_cid &cid) = 0;
    virtual void generateResetToken(uint8_t *token, const ngtcp2_cid &cid) = 0;
};

class Connection : public QObject
{
    Q_OBJECT
public:
    enum class State { Handshaking, Connected, Closing, Closed };
    Q_ENUM(State)

    ~Connection() override;

    /// Client side: binds its own UDP socket and starts the handshake.
    static Connection *dial(const QHostAddress &address, quint16 port,
                            std::shared_ptr<TlsContext> tls, const TransportConfig &config,
                            QObject *parent, Error *error);
    /// Server side: made by the Listener for an accepted Initial packet.
    static Connection *accept(ConnectionHost *host, const ngtcp2_pkt_hd &hd,
                              const SocketAddress &local, const SocketAddress &remote,
                              std::shared_ptr<TlsContext> tls, const TransportConfig &config,
                              QObject *parent, Error *error);

    State state() const { return m_state; }
    bool isServer() const { return m_host != nullptr; }

    /// Opens a bidirectional stream owned by parent (nullptr: by the caller);
    /// nullptr (StreamRefused) when the peer's stream limit is reached: wait
    /// for streamsAvailable().
    Stream *openStream(QObject *parent, Error *error);
    /// Peer-opened streams are announced parentless (the receiver owns
    /// them) instead of as children of this connection.
    void setParentlessStreams(bool on) { m_parentlessStreams = on; }
    uint64_t openableStreams() const;
    /// Streams still open on this connection (pooled, taken or closing).
    int streamCount() const { return int(m_streams.size()); }

    /// Closes with an application error code and reason ("pool closed").
    void close(uint64_t applicationErrorCode, const QByteArray &reason);
    /// Drops all state at once, sending nothing (process exit, tests).
    void abort();

    ConnectionInfo info() const;
    ConnectionStats stats() const;
    SocketAddress peer() const { return m_remote; }
    SocketAddress local() const { return m_local; }
    Error closeReason() const { return m_closeReason; }

    /// Feeds one datagram (the Listener's demux, or our own socket).
    void receive(const uint8_t *data, size_t len, const SocketAddress &from, unsigned ecn);
    /// Runs the write loop now (after a read batch).
    void flush();
    /// flush() then the signals owed: what the end of a read batch does.
    void process();

    // For StreamPrivate.
    void streamHasData(StreamPrivate *stream);
    void streamConsumed(StreamPrivate *stream, size_t n);
    void streamAbort(StreamPrivate *stream, uint64_t code);
    void streamStopReading(StreamPrivate *stream, uint64_t code);
    void streamDestroyed(StreamPrivate *stream);
    void markDirty(StreamPrivate *stream);
    /// A stream started (true) or stopped (false) holding unacknowledged data.
    void streamSending(bool sending) { sending ? ++m_sendingStreams : --m_sendingStreams; }
    /// Streams holding unacknowledged data: they share the send buffering.
    size_t sendingStreams() const { return m_sendingStreams; }
    /// An empty receive chunk with room for `capacity` bytes: a recycled one
    /// when there is one. A busy reader frees a chunk for every one it fills;
    /// reusing them keeps malloc from growing and trimming its heap (page
    /// faults on every new chunk) in step with the traffic.
    QByteArray takeRxChunk(qsizetype capacity);
    /// Keeps a read-out chunk of about `capacity` bytes for takeRxChunk().
    void recycleRxChunk(QByteArray &&chunk, qsizetype capacity);
    size_t spareRxChunks() const { return m_rxChunks.size(); }
    /// Keeps a deleted stream's core until its FIN and data are acknowledged.
    void adoptOrphan(std::unique_ptr<StreamPrivate> core);

Q_SIGNALS:
    void connected();
    /// Emitted once; the object lingers (draining) and is deleted by its owner.
    void closed(const quicpool::Error &reason);
    /// The peer opened a stream (its first data has arrived).
    void newStream(quicpool::Stream *stream);
    /// The peer raised our stream limit.
    void streamsAvailable();

private:
    explicit Connection(QObject *parent);
    bool init(bool server, const ngtcp2_pkt_hd *hd, const ngtcp2_cid *dcid, const ngtcp2_cid *scid,
              std::shared_ptr<TlsContext> tls, const TransportConfig &config, Error *error);
    bool checkError(int rv, const char *where);
    void handleExpiry();
    void writeLoop();
    bool sendBatch(const SocketAddress &to, const uint8_t *data, size_t len, size_t gsoSize);
    void onWritable();
    StreamPrivate *nextWritableStream();
    void armTimer();
    void scheduleFlush();
    void startClosing(const Error &reason);
    void writeClosePacket(const ngtcp2_ccerr &ccerr);
    void enterDraining();
    void finalize();
    void dispatch();
    void setCloseReason(const Error &reason);
    Error errorFromPeer() const;
    UdpSocket *socket() const;

    // ngtcp2 callbacks (static trampolines).
    static int cbHandshakeCompleted(ngtcp2_conn *, void *user);
    static int cbRecvStreamData(ngtcp2_conn *, uint32_t flags, int64_t sid, uint64_t offset,
                                const uint8_t *data, size_t len, void *user, void *suser);
    static int cbAckedStreamDataOffset(ngtcp2_conn *, int64_t sid, uint64_t offset, uint64_t len,
                                       void *user, void *suser);
    static int cbStreamOpen(ngtcp2_conn *, int64_t sid, void *user);
    static int cbStreamClose(ngtcp2_conn *, uint32_t flags, int64_t sid, uint64_t code, void *user,
                             void *suser);
    static int cbStreamReset(ngtcp2_conn *, int64_t sid, uint64_t finalSize, uint64_t code,
                             void *user, void *suser);
    static int cbStreamStopSending(ngtcp2_conn *, int64_t sid, uint64_t code, void *user,
                                   void *suser);
    static int cbExtendMaxLocalStreamsBidi(ngtcp2_conn *, uint64_t max, void *user);
    static int cbExtendMaxStreamData(ngtcp2_conn *, int64_t sid, uint64_t max, void *user,
                                     void *suser);
    static void cbRand(uint8_t *dest, size_t len, const ngtcp2_rand_ctx *);
    static int cbGetNewConnectionId(ngtcp2_conn *, ngtcp2_cid *cid, uint8_t *token, size_t len,
                                    void *user);
    static int cbRemoveConnectionId(ngtcp2_conn *, const ngtcp2_cid *cid, void *user);
    static int cbRecvStatelessReset(ngtcp2_conn *, const ngtcp2_pkt_stateless_reset *, void *user);
    static void cbQlogWrite(void *user, uint32_t flags, const void *data, size_t len);

    static ngtcp2_conn *connOf(ngtcp2_crypto_conn_ref *ref);

    ngtcp2_conn *m_conn = nullptr;
    ngtcp2_crypto_conn_ref m_connRef{};
    std::shared_ptr<TlsContext> m_tlsContext;
    std::unique_ptr<TlsSession> m_tls;
    ConnectionHost *m_host = nullptr;       // server: the listener; client: null
    std::unique_ptr<UdpSocket> m_ownSocket; // client only
    SocketAddress m_local, m_remote;
    State m_state = State::Handshaking;
    TransportConfig m_config;
    QTimer *m_timer = nullptr;
    bool m_flushScheduled = false;
    bool m_inCallback = false;
    bool m_sendBlocked = false;
    bool m_statelessReset = false;
    bool m_closedEmitted = false;
    bool m_connectedPending = false;
    Error m_closeReason;

    std::unordered_map<int64_t, StreamPrivate *> m_streams;
    std::deque<StreamPrivate *> m_writeQueue;       // round-robin of streams with data
    std::vector<StreamPrivate *> m_dirty;           // streams owing signals
    std::vector<QPointer<Stream>> m_newStreams;  // peer-opened, not yet announced
    std::unordered_map<int64_t, std::unique_ptr<StreamPrivate>> m_orphans; // closed streams still delivering
    size_t m_sendingStreams = 0;
    std::vector<QByteArray> m_rxChunks;          // recycled receive chunks, a few at most
    uint64_t m_rxChunkTakenNs = 0;               // when one was last taken: spares idle 1 s are freed
    bool m_streamsAvailablePending = false;
    bool m_parentlessStreams = false;

    std::vector<uint8_t> m_sendBuffer;           // one GSO batch
    struct PendingBatch
    {
        std::vector<uint8_t> data;
        size_t gsoSize;
        SocketAddress to;
    };
    std::deque<PendingBatch> m_pending;          // batches the kernel refused (EAGAIN), in order
    QByteArray m_closePacket;                    // CONNECTION_CLOSE to repeat while closing
    std::vector<ngtcp2_cid> m_scids;             // server: CIDs routed to us
    ngtcp2_cid m_initialDcid{};                  // server: the client's first DCID
    bool m_initialDcidRouted = false;
    uint64_t m_lastCwnd = 0;
    mutable qint64 m_congestionEvents = 0;
    FILE *m_qlog = nullptr;
    std::vector<uint16_t> m_pmtudProbes;         // must outlive m_conn's settings use
};

} // namespace quicpool::transport
