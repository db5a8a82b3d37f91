// Connection's private side: one ngtcp2_conn and everything around it. Its
// member functions live in files by concern:
//   connection.cpp         the public face, closing, signal dispatch, figures
//   connectionsetup.cpp    ngtcp2 settings, transport parameters, qlog
//   connectionread.cpp     the read path and the mapping of errors to sentences
//   connectionwrite.cpp    the write loop, GSO batches, refused sends, timers
//   connectionstreams.cpp  the stream registry and what streams ask of it
//   callbacks.cpp          the table of ngtcp2 callbacks
#pragma once

#include "transport/connection.h"
#include "transport/connectionhost.h"
#include "transport/precisetimer.h"
#include "transport/rxchunkpool.h"
#include "transport/tls/tlssession.h"
#include <QtCore/QPointer>
#include <array>
#include <chrono>
#include <deque>
#include <memory>
#include <optional>
#include <unordered_map>
#include <vector>

#include <ngtcp2/ngtcp2.h>
#include <ngtcp2/ngtcp2_crypto.h>

class QTimer;

namespace quicpool {
class StreamPrivate;
}

namespace quicpool::transport {

class UdpSocket;

/// Converts between ngtcp2's connection IDs and the transport's opaque ones.
inline ConnectionId toConnectionId(const ngtcp2_cid &cid) { return ConnectionId(cid.data, cid.datalen); }
inline ngtcp2_cid toNgtcp2Cid(const ConnectionId &id)
{
    ngtcp2_cid cid;
    ngtcp2_cid_init(&cid, id.data(), id.length());
    return cid;
}

/// The length of the connection IDs we issue; the Listener decodes short
/// headers with it.
inline constexpr size_t kScidLength = 8;

/// How the Listener admitted a server connection: with a token that proved
/// the client's address (from our Retry or our NEW_TOKEN frame), or not.
struct ServerAdmission
{
    QByteArray token;              ///< empty: the address is not proven (3x limit)
    bool retried = false;          ///< the token came from our Retry
    ConnectionId originalDcid;     ///< retried: the client's DCID before the Retry
};

class ConnectionPrivate
{
public:
    using State = Connection::State;

    explicit ConnectionPrivate(Connection *q);
    ~ConnectionPrivate();

    /// Server side: made by the Listener for an accepted Initial packet.
    static Connection *accept(ConnectionHost *host, const ngtcp2_pkt_hd &hd,
                              const SocketAddress &local, const SocketAddress &remote,
                              std::shared_ptr<TlsContext> tls, const TransportConfig &config,
                              const ServerAdmission &how, QObject *parent, Error *error);
    static ConnectionPrivate *of(Connection *c) { return c->d.get(); }

    /// Feeds one datagram (the Listener's demux, or our own socket).
    void receive(const uint8_t *data, size_t len, const UdpPath &path);
    /// An ICMP error for a datagram we sent to `to` (client sockets only).
    void icmpError(const SocketAddress &to, int err);
    /// Runs the write loop now.
    void flush();
    /// Signals owed, then the write loop: what the end of a read batch does.
    void process();

    // --- the stream registry (connectionstreams.cpp)
    /// A new bidirectional stream's ID, or -1 (error set).
    int64_t openBidiStream(Error *error);
    /// Lists a new core: ngtcp2's user data for its stream, and the registry.
    void registerStream(StreamPrivate *core);

    // --- for StreamPrivate (connectionstreams.cpp)
    void streamHasData(StreamPrivate *stream);
    /// Receive credit a stream returns: `streamBytes` to its own window
    /// (ngtcp2 still has the stream), `connectionBytes` to the connection's.
    void streamCredit(StreamPrivate *stream, uint64_t streamBytes, uint64_t connectionBytes);
    void streamAbort(StreamPrivate *stream, uint64_t code);
    void streamStopReading(StreamPrivate *stream, uint64_t code);
    /// ~StreamPrivate of a core still listed here: unlists it everywhere
    /// and, if ngtcp2 still has the stream, resets it.
    void streamDestroyed(StreamPrivate *stream);
    void markDirty(StreamPrivate *stream);
    /// A pooled core owes news (StreamPrivate::emitPending): the pool's handler.
    void pooledStreamChanged(StreamPrivate *stream);
    /// A stream started (true) or stopped (false) holding unacknowledged data.
    void streamSending(bool sending) { sending ? ++sendingStreams : --sendingStreams; }
    /// How much unacknowledged data one stream may hold: its own limit, or
    /// twice the congestion window when that is more (a congestion window
    /// in flight and as much queued behind it), up to the connection's
    /// sendBufferLimit. Without this a 1 MiB buffer holds a 100 ms path to
    /// 10 MB/s whatever the link.
    size_t sendAllowance(size_t streamLimit) const;
    /// A stream's unread bytes that no application has claimed grew or shrank.
    void unclaimedChanged(StreamPrivate *stream, qint64 delta);
    void resetOverUnclaimedLimit();
    /// Keeps a deleted stream's core until its FIN and data are acknowledged.
    void adoptOrphan(std::unique_ptr<StreamPrivate> core);
    RxChunkPool &rxChunks() { return m_rxChunks; }

    // --- setup (connectionsetup.cpp)
    bool init(bool server, const ngtcp2_pkt_hd *hd, const ngtcp2_cid *dcid, const ngtcp2_cid *scid,
              std::shared_ptr<TlsContext> tls, const TransportConfig &config, Error *error,
              const ServerAdmission *how = nullptr);

    // --- reading and errors (connectionread.cpp)
    bool checkError(int rv, const char *where);
    /// The peer's CONNECTION_CLOSE as a sentence (and, for an application
    /// close, its code and reason kept in peerApplicationClose).
    Error errorFromPeer();

    // --- writing and timers (connectionwrite.cpp)
    void writeLoop();
    bool sendBatch(const UdpPath &path, const uint8_t *data, size_t len, size_t gsoSize);
    void onWritable();
    void retryAfter(std::chrono::milliseconds delay);
    /// Sets the timer to expiry (one of ngtcp2's deadlines), or stops it for UINT64_MAX.
    void armTimer(uint64_t expiry);
    void handleExpiry();
    /// A flush on a later loop turn, for writes made outside process();
    /// one made while process() runs its slots rides on process()'s own.
    void scheduleFlush();
    void postFlush();
    void writeClosePacket(const ngtcp2_ccerr &ccerr);
    void sendClosePacket();
    /// Sends what no ngtcp2 accounting sees (our CONNECTION_CLOSE) only
    /// within 3x what an unproven peer sent (RFC 9000 8.1); false: held back.
    bool mayAnswerUnvalidated(size_t len) const;
    /// Counts traffic with a peer not validated yet (server side).
    void countUnvalidated(size_t received, size_t sent);
    StreamPrivate *nextWritableStream();

    // --- life and signals (connection.cpp)
    void startClosing(const Error &reason);
    void enterDraining();
    void finalize();
    void dispatch();
    /// dispatch() on the next loop turn, outside whatever is running now:
    /// closing happens inside the socket's read loop, where no slot may run
    /// (one may delete the socket).
    void scheduleDispatch();
    void setCloseReason(const Error &reason);
    UdpSocket *socket() const;
    void unroute();
    void detachStreams();

    static ngtcp2_conn *connOf(ngtcp2_crypto_conn_ref *ref);

    Connection *q;
    ngtcp2_conn *conn = nullptr;
    ngtcp2_crypto_conn_ref connRef{};
    std::shared_ptr<TlsContext> tlsContext;
    std::unique_ptr<TlsSession> tls;
    ConnectionHost *host = nullptr;        // server: the listener; client: null
    std::unique_ptr<UdpSocket> ownSocket;  // client only
    // Where the connection is: local is the address the peer dialled (a
    // server on 0.0.0.0 or [::] answers from it), remote where the peer is now.
    SocketAddress local, remote;
    State state = State::Handshaking;
    TransportConfig config;
    std::unique_ptr<PreciseTimer> timer;           // ngtcp2's expiry: loss, pacing, keep-alive
    bool flushScheduled = false;
    int processing = 0;                            // process() is running its slots (nesting depth)
    bool flushOwed = false;                        // ... and one wrote: process() flushes it (turnhooks.h)
    bool dispatchScheduled = false;
    bool inCallback = false;
    bool sendBlocked = false;
    int noBufferStreak = 0;                        // ENOBUFS in a row (UdpSocket::noBufferDelay)
    bool statelessReset = false;
    bool closedEmitted = false;
    bool connectedPending = false;
    Error closeReason;
    std::optional<Connection::ApplicationClose> peerApplicationClose;  // the peer's, when it sent one
    std::optional<Connection::ApplicationClose> peerRefusal;           // CONNECTION_REFUSED and its reason

    // Every core that names us as its connection, by QUIC stream ID: open
    // ones, ones ngtcp2 has closed whose Stream still exists, orphans.
    std::unordered_map<int64_t, StreamPrivate *> streams;
    std::deque<StreamPrivate *> writeQueue;        // round-robin of streams with data
    std::vector<StreamPrivate *> dirty;            // streams owing signals
    std::vector<StreamPrivate *> unannounced;      // peer-opened, owned here until dispatch() announces them
    std::function<void(PooledStream *)> pooledOpened;   // pool mode when set
    std::function<void(PooledStream *)> pooledChanged;
    std::unordered_map<int64_t, std::unique_ptr<StreamPrivate>> orphans; // closed streams still delivering
    size_t sendingStreams = 0;
    bool streamsAvailablePending = false;

    struct PendingBatch
    {
        std::vector<uint8_t> data;
        size_t gsoSize;
        UdpPath path;
    };
    std::deque<PendingBatch> pending;              // batches the kernel refused (EAGAIN), in order
    QByteArray closePacket;                        // CONNECTION_CLOSE to repeat while closing
    uint32_t closingPacketsSeen = 0;               // from the peer while closing
    uint32_t nextCloseAnswer = 1;                  // ... the count that earns the next answer (doubles)
    // Server side: whether the client's address is proven (a token, or the
    // completed handshake), and the bytes each way until it is.
    bool addressValidated = false;
    uint64_t unvalidatedIn = 0, unvalidatedOut = 0;
    // Client side: a NEW_TOKEN token the server gave, not yet announced.
    QByteArray receivedToken;
    bool tokenPending = false;
    // Bytes held by streams no application has claimed (TransportConfig::maxUnclaimedBytes).
    uint64_t unclaimedBytes = 0;
    std::vector<StreamPrivate *> overUnclaimedLimit; // to reset, outside ngtcp2's callbacks
    std::vector<ngtcp2_cid> scids;                 // server: CIDs routed to us
    ngtcp2_cid initialDcid{};                      // server: the client's first DCID
    bool initialDcidRouted = false;
    uint64_t lastCwnd = 0;
    uint64_t peakCwnd = 0;
    uint64_t peakInFlight = 0;
    qint64 congestionEvents = 0;
    // Datagrams by ECN codepoint (index: 0 Not-ECT, 1 ECT(1), 2 ECT(0), 3 CE).
    std::array<qint64, 4> ecnSent{}, ecnReceived{};
    FILE *qlog = nullptr;
    std::vector<uint16_t> pmtudProbes;             // must outlive conn's settings use

private:
    RxChunkPool m_rxChunks;
};

/// The callbacks table for a client or a server connection (callbacks.cpp).
const ngtcp2_callbacks &connectionCallbacks(bool server);

} // namespace quicpool::transport
