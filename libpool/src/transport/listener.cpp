#include "transport/listener.h"

#include "transport/logging.h"

#include <QtCore/QPointer>
#include <ngtcp2/ngtcp2_crypto.h>

namespace quicpool::transport {

namespace {
constexpr size_t kScidLength = 8;  // must match Connection's
constexpr size_t kMinResetTrigger = 41; // smallest packet we answer with a reset
std::string key(const uint8_t *data, size_t len) { return std::string(reinterpret_cast<const char *>(data), len); }
}

Listener::Listener(QObject *parent) : QObject(parent), m_socket(this)
{
    m_socket.setReceiver([this](const uint8_t *d, size_t n, const SocketAddress &from, unsigned ecn) {
        onDatagram(d, n, from, ecn);
    });
    m_socket.setBatchDone([this] { onBatchDone(); });
}

Listener::~Listener()
{
    // Connections unroute themselves through us in their destructors, so
    // they must go while we are still whole (not in ~QObject's child sweep).
    const QList<Connection *> all = findChildren<Connection *>(Qt::FindDirectChildrenOnly);
    for (Connection *c : all) {
        disconnect(c, nullptr, this, nullptr);
        delete c;
    }
    m_connections.clear();
}

bool Listener::listen(const QHostAddress &address, quint16 port, std::shared_ptr<TlsContext> tls,
                      const TransportConfig &config, Error *error)
{
    m_tls = std::move(tls);
    m_config = config;
    m_closing = false;
    randomBytes(m_resetSecret.data(), m_resetSecret.size());
    return m_socket.bind(address, port, error);
}

void Listener::close(uint64_t applicationErrorCode, const QByteArray &reason)
{
    m_closing = true;
    const QList<Connection *> all = connections();
    for (Connection *c : all)
        c->close(applicationErrorCode, reason);
    // Give the CONNECTION_CLOSE packets a moment on the wire before the
    // socket goes; they were sent synchronously above, so closing now is safe.
    m_socket.close();
}

QList<Connection *> Listener::connections() const
{
    return QList<Connection *>(m_connections.begin(), m_connections.end());
}

void Listener::addConnectionId(const ngtcp2_cid &cid, Connection *connection)
{
    m_routes[key(cid.data, cid.datalen)] = connection;
}

void Listener::removeConnectionId(const ngtcp2_cid &cid)
{
    m_routes.erase(key(cid.data, cid.datalen));
}

void Listener::generateResetToken(uint8_t *token, const ngtcp2_cid &cid)
{
    ngtcp2_crypto_generate_stateless_reset_token(token, m_resetSecret.data(), m_resetSecret.size(), &cid);
}

void Listener::onDatagram(const uint8_t *data, size_t len, const SocketAddress &from, unsigned ecn)
{
    ngtcp2_version_cid vc;
    const int rv = ngtcp2_pkt_decode_version_cid(&vc, data, len, kScidLength);
    if (rv == NGTCP2_ERR_VERSION_NEGOTIATION) {
        sendVersionNegotiation(vc, from);
        return;
    }
    if (rv != 0) {
        ++m_dropped;
        return;
    }
    auto it = m_routes.find(key(vc.dcid, vc.dcidlen));
    if (it != m_routes.end()) {
        Connection *c = it->second;
        m_touched.insert(c);
        c->receive(data, len, from, ecn);
        return;
    }
    if (vc.version == 0) {
        // Short header for a connection we do not know (we restarted, or it
        // is long gone): tell the peer with a stateless reset.
        sendStatelessReset(vc, len, from);
        return;
    }
    if (m_closing) {
        ++m_dropped;
        return;
    }
    ngtcp2_pkt_hd hd;
    // RFC 9000 7.2: a client's first Destination Connection ID has at least
    // 8 bytes; anything shorter is not a client we can talk to.
    if (ngtcp2_accept(&hd, data, len) != 0 || hd.dcid.datalen < NGTCP2_MIN_INITIAL_DCIDLEN) {
        ++m_dropped;
        return;
    }
    Error error;
    Connection *c = Connection::accept(this, hd, m_socket.localAddress(), from, m_tls, m_config, this, &error);
    if (!c) {
        qCWarning(lcConn) << "cannot accept a connection from" << from.toString() << error.toString();
        return;
    }
    adopt(c);
    m_touched.insert(c);
    c->receive(data, len, from, ecn);
}

void Listener::adopt(Connection *c)
{
    m_connections.insert(c);
    connect(c, &Connection::connected, this, [this, c] { Q_EMIT newConnection(c); });
    connect(c, &Connection::destroyed, this, [this, c] {
        m_connections.remove(c);
        m_touched.remove(c);
        // Connections unroute their own IDs; this sweep only guarantees
        // that no route can outlive its connection.
        std::erase_if(m_routes, [c](const auto &route) { return route.second == c; });
    });
}

void Listener::onBatchDone()
{
    const QSet<Connection *> touched = std::exchange(m_touched, {});
    for (Connection *c : touched) {
        if (!m_connections.contains(c))
            continue;
        c->process();
    }
}

void Listener::sendVersionNegotiation(const ngtcp2_version_cid &vc, const SocketAddress &to)
{
    uint8_t buf[NGTCP2_MAX_UDP_PAYLOAD_SIZE];
    uint8_t unused = 0;
    randomBytes(&unused, 1);
    const uint32_t versions[] = {NGTCP2_PROTO_VER_V1};
    // Our answer swaps the IDs: its DCID is the client's SCID and vice versa.
    const ngtcp2_ssize n = ngtcp2_pkt_write_version_negotiation(
        buf, sizeof buf, unused, vc.scid, vc.scidlen, vc.dcid, vc.dcidlen, versions, 1);
    if (n > 0) {
        m_socket.send(to, buf, size_t(n), size_t(n));
        ++m_vnSent;
    }
}

void Listener::sendStatelessReset(const ngtcp2_version_cid &vc, size_t receivedLen, const SocketAddress &to)
{
    // RFC 9000 10.3: a reset must be smaller than what triggered it, so two
    // endpoints cannot loop on each other's resets.
    if (receivedLen < kMinResetTrigger || vc.dcidlen != kScidLength) {
        ++m_dropped;
        return;
    }
    ngtcp2_cid cid;
    ngtcp2_cid_init(&cid, vc.dcid, vc.dcidlen);
    uint8_t token[NGTCP2_STATELESS_RESET_TOKENLEN];
    generateResetToken(token, cid);
    const size_t maxLen = std::min<size_t>(receivedLen - 1, NGTCP2_MAX_UDP_PAYLOAD_SIZE);
    const size_t randLen = maxLen - NGTCP2_STATELESS_RESET_TOKENLEN - 1;
    uint8_t rand[NGTCP2_MAX_UDP_PAYLOAD_SIZE];
    randomBytes(rand, randLen);
    uint8_t buf[NGTCP2_MAX_UDP_PAYLOAD_SIZE];
    const ngtcp2_ssize n = ngtcp2_pkt_write_stateless_reset(buf, sizeof buf, token, rand, randLen);
    if (n > 0) {
        m_socket.send(to, buf, size_t(n), size_t(n));
        ++m_resetsSent;
    }
}

} // namespace quicpool::transport
