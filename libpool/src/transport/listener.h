// The server endpoint: one UDP socket, many connections. Routes datagrams
// by destination connection ID, answers unknown versions with Version
// Negotiation, unknown short-header packets with a stateless reset, and
// admits new clients from their Initial packets: the allow-list, the bounds
// on pending handshakes and address validation (Retry, NEW_TOKEN) are
// decided before any TLS work (admission.h), so a flood of Initials costs
// a bounded amount of memory, no descriptors and, past the Retry
// threshold, no state at all. What the pool layer sees names no ngtcp2
// type; the packet decoding lives in listener.cpp.
#pragma once

#include "transport/connection.h"
#include "transport/connectionhost.h"
#include "transport/resetlimiter.h"
#include "transport/udpsocket.h"
#include <QtCore/QObject>
#include <QtCore/QSet>
#include <array>
#include <atomic>
#include <memory>
#include <string>
#include <unordered_map>

namespace quicpool::transport {

class TlsContext;
struct InitialPacket;

/// What a listener did about clients not yet trusted. Atomics, so a
/// monitor on another thread reads them while the listener's thread
/// counts; shared, so they outlive a closed listener.
struct DefenceCounters
{
    std::atomic<qint64> pending{0}, pendingPeak{0};
    std::atomic<qint64> started{0}, completed{0}, timedOut{0};
    std::atomic<qint64> retriesSent{0}, tokensAccepted{0}, tokensRejected{0};
    std::atomic<qint64> allowListRefusals{0}, limitDrops{0};
    std::atomic<qint64> unvalidatedReceived{0}, unvalidatedSent{0};
    std::atomic<uint64_t> lastRetryNs{0};   ///< monotonic; 0: never
    std::atomic<int> retryThreshold{0};

    /// A Retry this recent keeps a flood "on".
    static constexpr uint64_t kFloodHoldNs = 5ull * 1000 * 1000 * 1000;
    /// Pending handshakes above the Retry threshold, or a Retry sent within
    /// kFloodHoldNs of now.
    bool underFlood(uint64_t nowNs) const;
};

class Listener : public QObject, public ConnectionHost
{
    Q_OBJECT
public:
    explicit Listener(QObject *parent = nullptr);
    ~Listener() override;

    /// The secret stateless reset tokens and address validation tokens
    /// derive from (32 bytes), in place of the random one listen() makes;
    /// before any connection arrives.
    void setResetSecret(const QByteArray &secret);
    /// Counters to count into (a pool keeps its own across restarts);
    /// before listen(). Without, the listener makes its own.
    void setDefenceCounters(std::shared_ptr<DefenceCounters> counters);
    bool listen(const QHostAddress &address, quint16 port, std::shared_ptr<TlsContext> tls,
                const TransportConfig &config, Error *error);
    /// Closes every connection with this application code and reason, then the socket.
    void close(quint64 applicationErrorCode, const QByteArray &reason);
    bool isListening() const { return m_socket.isOpen(); }
    QHostAddress address() const { return m_socket.localAddress().address(); }
    quint16 port() const { return m_socket.localAddress().port(); }
    QList<Connection *> connections() const;
    TlsContext *tlsContext() const { return m_tls.get(); }

    /// Counters for tests and monitors.
    quint64 versionNegotiationsSent() const { return m_vnSent; }
    quint64 statelessResetsSent() const { return m_resetsSent; }
    /// Resets not sent because a limit of resetlimiter.h said no.
    quint64 statelessResetsLimited() const { return m_resetsLimited; }
    quint64 statelessResetBytesSent() const { return m_resetLimiter.bytesOut(); }
    quint64 datagramsDropped() const { return m_dropped; }
    /// Refusals (CONNECTION_REFUSED, INVALID_TOKEN) sent, and those a limit held back.
    quint64 refusalsSent() const { return m_refusalsSent; }
    quint64 refusalsLimited() const { return m_refusalsLimited; }
    /// The shared socket's traffic: every connection's datagrams together.
    UdpCounters socketCounters() const { return m_socket.counters(); }
    const std::shared_ptr<DefenceCounters> &defenceCounters() const { return m_defence; }
    /// Handshakes under way now (the number admission bounds).
    int pendingHandshakes() const { return int(m_pendingOf.size()); }
    /// Routes (connection IDs) held now: each connection's own, nothing left over.
    size_t routeCount() const { return m_routes.size(); }

    // ConnectionHost
    UdpSocket *hostSocket() override { return &m_socket; }
    void addConnectionId(const ConnectionId &cid, Connection *connection) override;
    void removeConnectionId(const ConnectionId &cid, Connection *connection) override;
    void generateResetToken(uint8_t *token, const ConnectionId &cid) override;
    QByteArray makeNewToken(const SocketAddress &client) override;
    void noteUnvalidated(size_t received, size_t sent) override;

Q_SIGNALS:
    /// A connection finished its handshake.
    void newConnection(quicpool::transport::Connection *connection);
    /// The first Initial from a source the allow-list refuses (once per
    /// source while it keeps trying; refusals are counted in defenceCounters()).
    void sourceRefused(const QHostAddress &source);

private:
    void onDatagram(const uint8_t *data, size_t len, const UdpPath &path);
    void onBatchDone();
    void admit(const InitialPacket &initial, const uint8_t *data, size_t len, const UdpPath &path);
    void adopt(Connection *c, const std::string &addressKey);
    void handshakeEnded(Connection *c);
    void sendRetry(const InitialPacket &initial, const UdpPath &to);
    void sendRefusal(const InitialPacket &initial, uint64_t errorCode, const QByteArray &reason, size_t receivedLen,
                     const UdpPath &to);
    void noteRefusedSource(const QHostAddress &source);
    void sendStatelessReset(const ConnectionId &cid, size_t receivedLen, const UdpPath &to);
    void sendUnvalidated(const UdpPath &to, const uint8_t *data, size_t len);

    UdpSocket m_socket;
    std::shared_ptr<TlsContext> m_tls;
    TransportConfig m_config;
    std::unordered_map<std::string, Connection *> m_routes;
    QSet<Connection *> m_connections;
    QSet<Connection *> m_touched;    // read in this batch: flush once at its end
    std::array<uint8_t, 32> m_resetSecret{};
    std::array<uint8_t, 32> m_tokenKey{};
    ResetLimiter m_resetLimiter;
    ResetLimiter m_refusalLimiter;
    std::shared_ptr<DefenceCounters> m_defence;
    // Handshakes under way: by connection (its address key) and by address
    // (proven and unproven apart; listener.cpp, addressKey()).
    std::unordered_map<Connection *, std::string> m_pendingOf;
    std::unordered_map<std::string, int> m_pendingPerAddress;
    QSet<QHostAddress> m_refusedSources;   // reported once each (bounded)
    quint64 m_vnSent = 0, m_resetsSent = 0, m_resetsLimited = 0, m_dropped = 0;
    quint64 m_refusalsSent = 0, m_refusalsLimited = 0;
    bool m_closing = false;
};

} // namespace quicpool::transport
