#include "transport/listener.h"

#include "common/logging.h"
#include "transport/connection_p.h"

#include <QtCore/QPointer>
#include <algorithm>
#include <chrono>
#include <cstring>
#include <ngtcp2/ngtcp2_crypto.h>

namespace quicpool::transport {

namespace {

// The smallest packet we answer with a reset: one byte more than the
// shortest reset (RFC 9000 10.3: 5 unpredictable bytes and the 16-byte
// token). An idle connection's keep-alives are about 30 bytes (8-byte
// connection IDs), and they must earn a reset too, or an idle client of a
// restarted server waits for its idle timeout.
constexpr size_t kMinResetTrigger = 22;
constexpr size_t kSmallResetLength = 40; // a reset this short still passes for a short-header packet
constexpr size_t kMaxResetLength = 64;   // longest reset we send, whatever asked for it

/// A reset shorter than its trigger (RFC 9000 10.3: no reset loops; one
/// byte shorter for triggers of 43 bytes or less) and otherwise a quarter
/// of its size, so one packet of 160 bytes or more pays for its own answer
/// under ResetLimiter's byte budget; smaller ones pay together.
size_t resetLength(size_t received)
{
    if (received <= 43)
        return received - 1;
    const size_t share = received / size_t(ResetLimiter::Limits{}.byteShare);
    return std::min(received - 1, std::clamp(share, kSmallResetLength, kMaxResetLength));
}

std::string key(const uint8_t *data, size_t len) { return std::string(reinterpret_cast<const char *>(data), len); }

/// A Version Negotiation packet for a client that offered another version.
void sendVersionNegotiation(UdpSocket &socket, const ngtcp2_version_cid &vc, const UdpPath &to,
                            quint64 *sent)
{
    uint8_t buf[NGTCP2_MAX_UDP_PAYLOAD_SIZE];
    uint8_t unused = 0;
    randomBytes(&unused, 1);
    const uint32_t versions[] = {NGTCP2_PROTO_VER_V1};
    // Our answer swaps the IDs: its DCID is the client's SCID and vice versa.
    const ngtcp2_ssize n = ngtcp2_pkt_write_version_negotiation(
        buf, sizeof buf, unused, vc.scid, vc.scidlen, vc.dcid, vc.dcidlen, versions, 1);
    if (n > 0) {
        socket.send(to, buf, size_t(n), size_t(n));
        ++*sent;
    }
}

} // namespace

Listener::Listener(QObject *parent) : QObject(parent), m_socket(this)
{
    m_socket.setReceiver([this](const uint8_t *d, size_t n, const UdpPath &path) { onDatagram(d, n, path); });
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

void Listener::close(quint64 applicationErrorCode, const QByteArray &reason)
{
    m_closing = true;
    const QList<Connection *> all = connections();
    for (Connection *c : all)
        c->close(applicationErrorCode, reason);
    // Give the CONNECTION_CLOSE packets a moment on the wire before the
    // socket goes; they were sent synchronously above, so closing now is safe.
    m_socket.close();
}

void Listener::setResetSecret(const QByteArray &secret)
{
    if (size_t(secret.size()) >= m_resetSecret.size())
        std::memcpy(m_resetSecret.data(), secret.constData(), m_resetSecret.size());
}

QList<Connection *> Listener::connections() const
{
    return QList<Connection *>(m_connections.begin(), m_connections.end());
}

void Listener::addConnectionId(const ConnectionId &cid, Connection *connection)
{
    m_routes[std::string(cid.bytes())] = connection;
}

void Listener::removeConnectionId(const ConnectionId &cid)
{
    m_routes.erase(std::string(cid.bytes()));
}

void Listener::generateResetToken(uint8_t *token, const ConnectionId &cid)
{
    const ngtcp2_cid raw = toNgtcp2Cid(cid);
    ngtcp2_crypto_generate_stateless_reset_token(token, m_resetSecret.data(), m_resetSecret.size(), &raw);
}

void Listener::onDatagram(const uint8_t *data, size_t len, const UdpPath &path)
{
    const SocketAddress &from = path.peer;
    // Every answer leaves from the address the datagram came to (a socket
    // on 0.0.0.0 or [::] has several), unmarked.
    const UdpPath reply{path.local, path.peer, 0};
    if (len == 0) {
        // ngtcp2_pkt_decode_version_cid asserts on an empty datagram.
        ++m_dropped;
        return;
    }
    ngtcp2_version_cid vc;
    const int rv = ngtcp2_pkt_decode_version_cid(&vc, data, len, kScidLength);
    if (rv == NGTCP2_ERR_VERSION_NEGOTIATION) {
        sendVersionNegotiation(m_socket, vc, reply, &m_vnSent);
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
        ConnectionPrivate::of(c)->receive(data, len, path);
        return;
    }
    if (vc.version == 0) {
        // Short header for a connection we do not know (we restarted, or it
        // is long gone): tell the peer with a stateless reset.
        sendStatelessReset(ConnectionId(vc.dcid, vc.dcidlen), len, reply);
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
    Connection *c = ConnectionPrivate::accept(this, hd, path.local, from, m_tls, m_config, this, &error);
    if (!c) {
        qCWarning(lcConn) << "cannot accept a connection from" << from.toString() << error.toString();
        return;
    }
    adopt(c);
    m_touched.insert(c);
    ConnectionPrivate::of(c)->receive(data, len, path);
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
    // process() emits signals; a slot may delete the pool, and us with it.
    QPointer<Listener> self(this);
    for (Connection *c : touched) {
        if (!self)
            return;
        if (!m_connections.contains(c))
            continue;
        ConnectionPrivate::of(c)->process();
    }
}

void Listener::sendStatelessReset(const ConnectionId &cid, size_t receivedLen, const UdpPath &to)
{
    // RFC 9000 10.3: a reset must be smaller than what triggered it, so two
    // endpoints cannot loop on each other's resets.
    if (receivedLen < kMinResetTrigger || cid.length() != kScidLength) {
        ++m_dropped;
        return;
    }
    // Small and rationed: a reset needs only to look like a short packet
    // (RFC 9000 10.3: at least 21 bytes), and a forged source must not
    // turn us into an amplifier (resetlimiter.h).
    const size_t maxLen = resetLength(receivedLen);
    const auto now = std::chrono::steady_clock::now().time_since_epoch();
    if (m_resetLimiter.check(to.peer.address(), receivedLen, maxLen, now) != ResetLimiter::Verdict::Allowed) {
        ++m_resetsLimited;
        return;
    }
    uint8_t token[NGTCP2_STATELESS_RESET_TOKENLEN];
    generateResetToken(token, cid);
    // The random part includes the first byte: the packet is exactly maxLen.
    const size_t randLen = maxLen - NGTCP2_STATELESS_RESET_TOKENLEN;
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
