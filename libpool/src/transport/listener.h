// The server endpoint: one UDP socket, many connections. Routes datagrams
// by destination connection ID, answers unknown versions with Version
// Negotiation, unknown short-header packets with a stateless reset, and
// accepts new connections from Initial packets. What the pool layer sees
// names no ngtcp2 type; the packet decoding lives in listener.cpp.
#pragma once

#include "transport/connection.h"
#include "transport/connectionhost.h"
#include "transport/resetlimiter.h"
#include "transport/udpsocket.h"
#include <QtCore/QObject>
#include <QtCore/QSet>
#include <array>
#include <memory>
#include <string>
#include <unordered_map>

namespace quicpool::transport {

class TlsContext;

class Listener : public QObject, public ConnectionHost
{
    Q_OBJECT
public:
    explicit Listener(QObject *parent = nullptr);
    ~Listener() override;

    /// The secret stateless reset tokens derive from (32 bytes), in place of
    /// the random one listen() makes; before any connection arrives.
    void setResetSecret(const QByteArray &secret);
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
    /// The shared socket's traffic: every connection's datagrams together.
    UdpCounters socketCounters() const { return m_socket.counters(); }

    // ConnectionHost
    UdpSocket *hostSocket() override { return &m_socket; }
    void addConnectionId(const ConnectionId &cid, Connection *connection) override;
    void removeConnectionId(const ConnectionId &cid) override;
    void generateResetToken(uint8_t *token, const ConnectionId &cid) override;

Q_SIGNALS:
    /// A connection finished its handshake.
    void newConnection(quicpool::transport::Connection *connection);

private:
    void onDatagram(const uint8_t *data, size_t len, const UdpPath &path);
    void onBatchDone();
    void adopt(Connection *c);
    void sendStatelessReset(const ConnectionId &cid, size_t receivedLen, const UdpPath &to);

    UdpSocket m_socket;
    std::shared_ptr<TlsContext> m_tls;
    TransportConfig m_config;
    std::unordered_map<std::string, Connection *> m_routes;
    QSet<Connection *> m_connections;
    QSet<Connection *> m_touched;    // read in this batch: flush once at its end
    std::array<uint8_t, 32> m_resetSecret{};
    ResetLimiter m_resetLimiter;
    quint64 m_vnSent = 0, m_resetsSent = 0, m_resetsLimited = 0, m_dropped = 0;
    bool m_closing = false;
};

} // namespace quicpool::transport
