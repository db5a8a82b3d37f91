// The server endpoint: one UDP socket, many connections. Routes datagrams
// by destination connection ID, answers unknown versions with Version
// Negotiation, unknown short-header packets with a stateless reset, and
// accepts new connections from Initial packets.
#pragma once

#include "transport/connection.h"
#include "transport/udpsocket.h"
#include <QtCore/QObject>
#include <QtCore/QSet>
#include <array>
#include <memory>
#include <string>
#include <unordered_map>

namespace quicpool::transport {

class Listener : public QObject, public ConnectionHost
{
    Q_OBJECT
public:
    explicit Listener(QObject *parent = nullptr);
    ~Listener() override;

    bool listen(const QHostAddress &address, quint16 port, std::shared_ptr<TlsContext> tls,
                const TransportConfig &config, Error *error);
    /// Closes every connection with this application code and reason, then the socket.
    void close(uint64_t applicationErrorCode, const QByteArray &reason);
    bool isListening() const { return m_socket.isOpen(); }
    QHostAddress address() const { return m_socket.localAddress().address(); }
    quint16 port() const { return m_socket.localAddress().port(); }
    QList<Connection *> connections() const;
    TlsContext *tlsContext() const { return m_tls.get(); }

    /// Counters for tests and monitors.
    uint64_t versionNegotiationsSent() const { return m_vnSent; }
    uint64_t statelessResetsSent() const { return m_resetsSent; }
    uint64_t datagramsDropped() const { return m_dropped; }
    const UdpSocket &udpSocket() const { return m_socket; }

    // ConnectionHost
    UdpSocket *hostSocket() override { return &m_socket; }
    void addConnectionId(const ngtcp2_cid &cid, Connection *connection) override;
    void removeConnectionId(const ngtcp2_cid &cid) override;
    void generateResetToken(uint8_t *token, const ngtcp2_cid &cid) override;

Q_SIGNALS:
    /// A connection finished its handshake.
    void newConnection(quicpool::transport::Connection *connection);

private:
    void onDatagram(const uint8_t *data, size_t len, const SocketAddress &from, unsigned ecn);
    void onBatchDone();
    void sendVersionNegotiation(const ngtcp2_version_cid &vc, const SocketAddress &to);
    void sendStatelessReset(const ngtcp2_version_cid &vc, size_t receivedLen, const SocketAddress &to);
    void adopt(Connection *c);

    UdpSocket m_socket;
    std::shared_ptr<TlsContext> m_tls;
    TransportConfig m_config;
    std::unordered_map<std::string, Connection *> m_routes;
    QSet<Connection *> m_connections;
    QSet<Connection *> m_touched;    // read in this batch: flush once at its end
    std::array<uint8_t, 32> m_resetSecret{};
    uint64_t m_vnSent = 0, m_resetsSent = 0, m_dropped = 0;
    bool m_closing = false;
};

} // namespace quicpool::transport
