#include "transport/listener.h"

#include "common/logging.h"
#include "transport/addresstoken.h"
#include "transport/admission.h"
#include "transport/clock.h"
#include "transport/connection_p.h"

#include <QtCore/QPointer>
#include <algorithm>
#include <chrono>
#include <cstring>
#include <ngtcp2/ngtcp2_crypto.h>

namespace quicpool::transport {

/// A client's first Initial as the listener reads it.
struct InitialPacket
{
    ngtcp2_pkt_hd hd;
};

namespace {

// The smallest packet we answer with a reset: one byte more than the
// shortest reset (RFC 9000 10.3: 5 unpredictable bytes and the 16-byte
// token). An idle connection's keep-alives are about 30 bytes (8-byte
// connection IDs), and they must earn a reset too, or an idle client of a
// restarted server waits for its idle timeout.
constexpr size_t kMinResetTrigger = 22;
constexpr size_t kSmallResetLength = 40; // a reset this short still passes for a short-header packet
constexpr size_t kMaxResetLength = 64;   // longest reset we send, whatever asked for it
// Sources reported once each; past this many the memory starts afresh.
constexpr int kMaxRefusedSources = 4096;

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

/// Refusals (CONNECTION_REFUSED, INVALID_TOKEN) are small answers to big
/// packets (an Initial has 1,200 bytes or more); still, a forged source
/// must not aim a stream of them at anyone.
ResetLimiter::Limits refusalLimits()
{
    ResetLimiter::Limits l;
    l.perSecond = 100;
    l.burst = 50;
    l.perSourcePerSecond = 2;
    l.perSourceBurst = 4;
    l.byteShare = 3;
    return l;
}

std::string key(const uint8_t *data, size_t len) { return std::string(reinterpret_cast<const char *>(data), len); }

/// What per-address bounds count: the source address without its port,
/// and whether it is proven. Handshakes from an address nobody has proven
/// (forged ones among them) and from one that answered a Retry or brought
/// a token have a bound each, so a flood in an address's name cannot keep
/// the real client at that address out.
std::string addressKey(const SocketAddress &a, bool validated)
{
    const void *bytes = nullptr;
    size_t length = 0;
    if (a.family() == AF_INET) {
        bytes = &reinterpret_cast<const sockaddr_in *>(a.data())->sin_addr;
        length = sizeof(in_addr);
    } else if (a.family() == AF_INET6) {
        bytes = &reinterpret_cast<const sockaddr_in6 *>(a.data())->sin6_addr;
        length = sizeof(in6_addr);
    }
    std::string k;
    k.reserve(1 + length);
    k.push_back(validated ? 'v' : 'u');
    k.append(static_cast<const char *>(bytes), length);
    return k;
}

} // namespace

bool DefenceCounters::underFlood(uint64_t now) const
{
    const uint64_t last = lastRetryNs.load(std::memory_order_relaxed);
    // A monitor's `now` may precede a Retry the listener's thread stamped
    // since: that one is recent too (now - last would wrap).
    return pending.load(std::memory_order_relaxed) > retryThreshold.load(std::memory_order_relaxed)
        || (last != 0 && (last >= now || now - last < kFloodHoldNs));
}

Listener::Listener(QObject *parent)
    : QObject(parent), m_socket(this), m_refusalLimiter(refusalLimits()), m_defence(std::make_shared<DefenceCounters>())
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
        handshakeEnded(c);
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
    m_tokenKey = tokenKeyFromSecret(m_resetSecret.data(), m_resetSecret.size()).bytes;
    m_defence->retryThreshold = m_config.admission.retryThreshold;
    m_socket.setBusyPoll(m_config.busyPoll);
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
    if (size_t(secret.size()) < m_resetSecret.size())
        return;
    std::memcpy(m_resetSecret.data(), secret.constData(), m_resetSecret.size());
    // Tokens from a Retry or a NEW_TOKEN frame outlive a restart with it.
    m_tokenKey = tokenKeyFromSecret(m_resetSecret.data(), m_resetSecret.size()).bytes;
}

void Listener::setDefenceCounters(std::shared_ptr<DefenceCounters> counters)
{
    if (counters)
        m_defence = std::move(counters);
}

QList<Connection *> Listener::connections() const
{
    return QList<Connection *>(m_connections.begin(), m_connections.end());
}

void Listener::addConnectionId(const ConnectionId &cid, Connection *connection)
{
    m_routes[std::string(cid.bytes())] = connection;
}

void Listener::removeConnectionId(const ConnectionId &cid, Connection *connection)
{
    const auto it = m_routes.find(std::string(cid.bytes()));
    if (it != m_routes.end() && it->second == connection)
        m_routes.erase(it);
}

void Listener::generateResetToken(uint8_t *token, const ConnectionId &cid)
{
    const ngtcp2_cid raw = toNgtcp2Cid(cid);
    ngtcp2_crypto_generate_stateless_reset_token(token, m_resetSecret.data(), m_resetSecret.size(), &raw);
}

QByteArray Listener::makeNewToken(const SocketAddress &client)
{
    return transport::makeNewToken(TokenKey{m_tokenKey}, client, tokenClockNs());
}

void Listener::noteUnvalidated(size_t received, size_t sent)
{
    if (received)
        m_defence->unvalidatedReceived.fetch_add(qint64(received), std::memory_order_relaxed);
    if (sent)
        m_defence->unvalidatedSent.fetch_add(qint64(sent), std::memory_order_relaxed);
}

void Listener::sendUnvalidated(const UdpPath &to, const uint8_t *data, size_t len)
{
    if (m_socket.send(to, data, len, len) == UdpSocket::SendResult::Sent)
        noteUnvalidated(0, len);
}

void Listener::onDatagram(const uint8_t *data, size_t len, const UdpPath &path)
{
    // Every answer leaves from the address the datagram came to (a socket
    // on 0.0.0.0 or [::] has several), unmarked.
    const UdpPath reply{path.local, path.peer, 0};
    if (len == 0) {
        // ngtcp2_pkt_decode_version_cid asserts on an empty datagram.
        noteUnvalidated(len, 0);
        ++m_dropped;
        return;
    }
    ngtcp2_version_cid vc;
    const int rv = ngtcp2_pkt_decode_version_cid(&vc, data, len, kScidLength);
    auto it = rv == 0 ? m_routes.find(key(vc.dcid, vc.dcidlen)) : m_routes.end();
    if (it != m_routes.end()) {
        // A connection of ours: it counts what it gets from an unproven address.
        Connection *c = it->second;
        m_touched.insert(c);
        ConnectionPrivate::of(c)->receive(data, len, path);
        return;
    }
    // Everything else comes from an address nobody has proven; a
    // connection admitted below counts its first datagram itself.
    if (rv == NGTCP2_ERR_VERSION_NEGOTIATION) {
        noteUnvalidated(len, 0);
        // A Version Negotiation packet for a client that offered another version.
        uint8_t buf[NGTCP2_MAX_UDP_PAYLOAD_SIZE];
        uint8_t unused = 0;
        randomBytes(&unused, 1);
        const uint32_t versions[] = {NGTCP2_PROTO_VER_V1};
        // Our answer swaps the IDs: its DCID is the client's SCID and vice versa.
        const ngtcp2_ssize n = ngtcp2_pkt_write_version_negotiation(
            buf, sizeof buf, unused, vc.scid, vc.scidlen, vc.dcid, vc.dcidlen, versions, 1);
        // Only for datagrams a client's Initial would fill (RFC 9000 14.1):
        // smaller ones cannot have come from a client that wants to talk.
        if (n > 0 && len >= NGTCP2_MAX_UDP_PAYLOAD_SIZE) {
            sendUnvalidated(reply, buf, size_t(n));
            ++m_vnSent;
        } else {
            ++m_dropped;
        }
        return;
    }
    if (rv != 0) {
        noteUnvalidated(len, 0);
        ++m_dropped;
        return;
    }
    if (vc.version == 0) {
        noteUnvalidated(len, 0);
        // Short header for a connection we do not know (we restarted, or it
        // is long gone): tell the peer with a stateless reset.
        sendStatelessReset(ConnectionId(vc.dcid, vc.dcidlen), len, reply);
        return;
    }
    InitialPacket initial;
    // RFC 9000 7.2: a client's first Destination Connection ID has at least
    // 8 bytes; 14.1: its first datagram carries 1,200 bytes or more. Neither
    // holds: not a client we can talk to, and no answer may be bigger than
    // a third of what came.
    if (m_closing || len < NGTCP2_MAX_UDP_PAYLOAD_SIZE || ngtcp2_accept(&initial.hd, data, len) != 0
        || initial.hd.dcid.datalen < NGTCP2_MIN_INITIAL_DCIDLEN) {
        noteUnvalidated(len, 0);
        ++m_dropped;
        return;
    }
    admit(initial, data, len, path);
}

void Listener::admit(const InitialPacket &initial, const uint8_t *data, size_t len, const UdpPath &path)
{
    const SocketAddress &from = path.peer;
    const UdpPath reply{path.local, path.peer, 0};
    const ngtcp2_pkt_hd &hd = initial.hd;
    InitialFacts facts;
    const QHostAddress source = from.address();
    facts.allowed = !m_config.acceptSource || m_config.acceptSource(source);

    // Tokens only for sources the allow-list lets in: a refused one gets
    // no cryptography at all.
    RetryTokenCheck retry;
    if (facts.allowed) {
        const uint64_t now = tokenClockNs();
        switch (tokenKind(hd.token, hd.tokenlen)) {
        case TokenKind::None:
            break;
        case TokenKind::Retry:
            retry = checkRetryToken(TokenKey{m_tokenKey}, hd.token, hd.tokenlen, from, toConnectionId(hd.dcid),
                                    uint64_t(m_config.retryTokenLifetime.count()) * kNsPerMs, now);
            facts.token = retry.verdict == TokenVerdict::Valid ? InitialToken::ValidRetry : InitialToken::InvalidRetry;
            break;
        case TokenKind::NewToken:
            if (checkNewToken(TokenKey{m_tokenKey}, hd.token, hd.tokenlen, from,
                              uint64_t(m_config.newTokenLifetime.count()) * kNsPerMs, now)
                == TokenVerdict::Valid) {
                facts.token = InitialToken::ValidNewToken;
            }
            break;
        case TokenKind::Unknown:
            break;
        }
        if (hd.tokenlen > 0) {
            if (facts.token == InitialToken::ValidRetry || facts.token == InitialToken::ValidNewToken)
                ++m_defence->tokensAccepted;
            else
                ++m_defence->tokensRejected;
        }
    }
    const bool validated = facts.token == InitialToken::ValidRetry || facts.token == InitialToken::ValidNewToken;
    const std::string addr = addressKey(from, validated);
    facts.pending = int(m_pendingOf.size());
    const auto perAddress = m_pendingPerAddress.find(addr);
    facts.pendingFromAddress = perAddress == m_pendingPerAddress.end() ? 0 : perAddress->second;

    const Admission decision = decideAdmission(m_config.admission, facts);
    if (decision != Admission::Accept && decision != Admission::AcceptValidated)
        noteUnvalidated(len, 0);
    switch (decision) {
    case Admission::Refuse:
        ++m_defence->allowListRefusals;
        noteRefusedSource(source);
        sendRefusal(initial, NGTCP2_CONNECTION_REFUSED, m_config.refusalReason, len, reply);
        return;
    case Admission::RejectToken:
        // RFC 9000 8.1.2: a Retry token that fails gets INVALID_TOKEN at once.
        sendRefusal(initial, NGTCP2_INVALID_TOKEN, QByteArray(), len, reply);
        return;
    case Admission::DropForLimit:
        ++m_defence->limitDrops;
        return;
    case Admission::SendRetry:
        sendRetry(initial, reply);
        return;
    case Admission::Accept:
    case Admission::AcceptValidated:
        break;
    }

    ServerAdmission how;
    if (decision == Admission::AcceptValidated) {
        how.token = QByteArray(reinterpret_cast<const char *>(hd.token), qsizetype(hd.tokenlen));
        how.retried = facts.token == InitialToken::ValidRetry;
        how.originalDcid = retry.originalDcid;
    }
    Error error;
    Connection *c = ConnectionPrivate::accept(this, hd, path.local, from, m_tls, m_config, how, this,
                                              &error);
    if (!c) {
        qCWarning(lcConn) << "cannot accept a connection from" << from.toString() << error.toString();
        return;
    }
    adopt(c, addr);
    m_touched.insert(c);
    ConnectionPrivate::of(c)->receive(data, len, path);
}

void Listener::adopt(Connection *c, const std::string &addr)
{
    m_connections.insert(c);
    m_pendingOf.emplace(c, addr);
    ++m_pendingPerAddress[addr];
    const qint64 pending = ++m_defence->pending;
    ++m_defence->started;
    qint64 peak = m_defence->pendingPeak.load();
    while (pending > peak && !m_defence->pendingPeak.compare_exchange_weak(peak, pending)) {
    }

    connect(c, &Connection::connected, this, [this, c] {
        if (m_pendingOf.count(c)) {
            ++m_defence->completed;
            handshakeEnded(c);
        }
        Q_EMIT newConnection(c);
    });
    connect(c, &Connection::closed, this, [this, c](const Error &reason) {
        if (m_pendingOf.count(c) && reason.code() == ErrorCode::HandshakeTimeout)
            ++m_defence->timedOut;
    });
    // A connection unroutes its own IDs (ConnectionPrivate::unroute): no
    // sweep over every route here, whatever the number of connections.
    connect(c, &Connection::destroyed, this, [this, c] {
        handshakeEnded(c);
        m_connections.remove(c);
        m_touched.remove(c);
    });
}

void Listener::handshakeEnded(Connection *c)
{
    const auto it = m_pendingOf.find(c);
    if (it == m_pendingOf.end())
        return;
    const auto perAddress = m_pendingPerAddress.find(it->second);
    if (perAddress != m_pendingPerAddress.end() && --perAddress->second <= 0)
        m_pendingPerAddress.erase(perAddress);
    m_pendingOf.erase(it);
    --m_defence->pending;
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

void Listener::sendRetry(const InitialPacket &initial, const UdpPath &to)
{
    const ngtcp2_pkt_hd &hd = initial.hd;
    ngtcp2_cid retryScid;
    retryScid.datalen = kScidLength;
    randomBytes(retryScid.data, retryScid.datalen);
    const QByteArray token = makeRetryToken(TokenKey{m_tokenKey}, to.peer, toConnectionId(retryScid),
                                            toConnectionId(hd.dcid), tokenClockNs());
    if (token.isEmpty())
        return;
    uint8_t buf[NGTCP2_MAX_UDP_PAYLOAD_SIZE];
    // To the client's SCID, from the ID it must use next; the Retry's
    // integrity tag covers the client's original DCID.
    const ngtcp2_ssize n = ngtcp2_crypto_write_retry(buf, sizeof buf, hd.version, &hd.scid, &retryScid, &hd.dcid,
                                                     reinterpret_cast<const uint8_t *>(token.constData()),
                                                     size_t(token.size()));
    if (n <= 0)
        return;
    sendUnvalidated(to, buf, size_t(n));
    ++m_defence->retriesSent;
    m_defence->lastRetryNs = nowNs();
}

void Listener::sendRefusal(const InitialPacket &initial, uint64_t errorCode, const QByteArray &reason,
                           size_t receivedLen, const UdpPath &to)
{
    const ngtcp2_pkt_hd &hd = initial.hd;
    uint8_t buf[NGTCP2_MAX_UDP_PAYLOAD_SIZE];
    // An Initial the client can open (keys from its DCID) with a transport
    // CONNECTION_CLOSE: no connection, no TLS.
    const ngtcp2_ssize n = ngtcp2_crypto_write_connection_close(
        buf, sizeof buf, hd.version, &hd.scid, &hd.dcid, errorCode,
        reinterpret_cast<const uint8_t *>(reason.constData()), size_t(reason.size()));
    if (n <= 0)
        return;
    const auto now = std::chrono::steady_clock::now().time_since_epoch();
    if (m_refusalLimiter.check(to.peer.address(), receivedLen, size_t(n), now) != ResetLimiter::Verdict::Allowed) {
        ++m_refusalsLimited;
        return;
    }
    sendUnvalidated(to, buf, size_t(n));
    ++m_refusalsSent;
}

void Listener::noteRefusedSource(const QHostAddress &source)
{
    if (m_refusedSources.contains(source))
        return;
    if (m_refusedSources.size() >= kMaxRefusedSources)
        m_refusedSources.clear();
    m_refusedSources.insert(source);
    qCInfo(lcConn) << "refusing Initials from" << source.toString() << "(not on the allow-list)";
    // On the next turn: this runs inside the socket's read loop, and a slot
    // may delete the pool and this listener with it.
    QMetaObject::invokeMethod(this, [this, source] { Q_EMIT sourceRefused(source); }, Qt::QueuedConnection);
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
        sendUnvalidated(to, buf, size_t(n));
        ++m_resetsSent;
    }
}

} // namespace quicpool::transport
