// The read path: one datagram into ngtcp2, and what its errors mean in
// sentences a user can act on.
#include "transport/connection_p.h"

#include "common/logging.h"
#include "transport/clock.h"
#include "transport/udpsocket.h"
#include "transport/unreachable.h"

#include <cstring>

namespace quicpool::transport {

namespace {
QString ngtcp2Error(int rv) { return QString::fromUtf8(ngtcp2_strerror(rv)); }
}

void ConnectionPrivate::receive(const uint8_t *data, size_t len, const UdpPath &dgram)
{
    const SocketAddress &from = dgram.peer;
    if (!conn || state == State::Closed)
        return;
    countUnvalidated(len, 0);
    if (state == State::Closing) {
        // Still closing: answer the peer's packets with our CONNECTION_CLOSE,
        // but not each one (RFC 9000 10.2.1): the 1st, 2nd, 4th, 8th, ...,
        // and to an unproven address never more than 3x what it sent.
        if (!ngtcp2_conn_in_draining_period(conn) && ++closingPacketsSeen >= nextCloseAnswer) {
            nextCloseAnswer = nextCloseAnswer > UINT32_MAX / 2 ? UINT32_MAX : 2 * nextCloseAnswer;
            sendClosePacket();
        }
        return;
    }
    // A server's path starts at the address the peer dialled (from the
    // datagram, on a socket on 0.0.0.0 or [::]); a client's at the one it
    // dialled from, which ngtcp2 knows as it was at dial time.
    const SocketAddress &here = host && !dgram.local.isUnspecified() ? dgram.local : local;
    ngtcp2_path path{{const_cast<sockaddr *>(here.data()), here.length},
                     {const_cast<sockaddr *>(from.data()), from.length},
                     nullptr};
    ngtcp2_pkt_info pi{};
    pi.ecn = uint8_t(dgram.ecn & 3);
    inCallback = true;
    const int rv = ngtcp2_conn_read_pkt(conn, &path, &pi, data, len, nowNs());
    inCallback = false;
    if (rv != 0) {
        checkError(rv, "read");
        return;
    }
    ++ecnReceived[dgram.ecn & 3];   // counted once ngtcp2 took it: no forged datagram counts
    // The peer may have moved (NAT rebinding): report where it is now.
    const ngtcp2_path *current = ngtcp2_conn_get_path(conn);
    if (current->remote.addrlen <= sizeof(remote.storage)) {
        remote.length = socklen_t(current->remote.addrlen);
        std::memcpy(&remote.storage, current->remote.addr, current->remote.addrlen);
    }
}

void ConnectionPrivate::icmpError(const SocketAddress &to, int err)
{
    // Only while dialing: an answer to our Initial that nothing listens
    // there ends the dial at once instead of after the handshake timeout.
    // Once connected the peer has proven itself, and an ICMP error (easily
    // forged, or from a path that is changing) is no reason to drop it: the
    // idle timeout or a stateless reset decide that.
    if (state != State::Handshaking || !conn)
        return;
    if (to.address() != remote.address() || to.port() != remote.port())
        return;
    const std::optional<Error> e = unreachableError(err, remote.toString());
    if (!e)
        return;
    setCloseReason(*e);
    finalize();
}

// Returns false when the connection is finished with.
bool ConnectionPrivate::checkError(int rv, const char *where)
{
    switch (rv) {
    case 0:
        return true;
    case NGTCP2_ERR_DRAINING:
        setCloseReason(statelessReset
                           ? Error(ErrorCode::ConnectionLost, QStringLiteral("the peer reset the connection (stateless reset)"))
                           : errorFromPeer());
        enterDraining();
        return false;
    case NGTCP2_ERR_DROP_CONN:
        setCloseReason(Error(ErrorCode::ConnectionLost, QStringLiteral("the connection was dropped")));
        finalize();
        return false;
    case NGTCP2_ERR_IDLE_CLOSE:
        setCloseReason(Error(ErrorCode::ConnectionLost,
                             QStringLiteral("idle timeout: nothing heard from the peer for %1 ms")
                                 .arg(3 * config.keepAlive.count())));
        finalize();
        return false;
    case NGTCP2_ERR_HANDSHAKE_TIMEOUT:
        setCloseReason(Error(ErrorCode::HandshakeTimeout,
                             QStringLiteral("the QUIC handshake did not finish within %1 ms")
                                 .arg(config.handshakeTimeout.count())));
        finalize();
        return false;
    case NGTCP2_ERR_DISCARD_PKT:
        return true;
    case NGTCP2_ERR_CRYPTO: {
        Error e = tls ? tls->failure() : Error();
        const uint8_t alert = ngtcp2_conn_get_tls_alert(conn);
        if (!e.isError())
            e = Error(ErrorCode::TlsHandshakeFailed, QStringLiteral("TLS handshake failed (alert %1)").arg(alert));
        ngtcp2_ccerr ccerr;
        ngtcp2_ccerr_default(&ccerr);
        ngtcp2_ccerr_set_tls_alert(&ccerr, alert, nullptr, 0);
        setCloseReason(e);
        writeClosePacket(ccerr);
        startClosing(e);
        return false;
    }
    default: {
        qCDebug(lcConn) << where << "failed:" << ngtcp2Error(rv);
        ngtcp2_ccerr ccerr;
        ngtcp2_ccerr_default(&ccerr);
        ngtcp2_ccerr_set_liberr(&ccerr, rv, nullptr, 0);
        const Error e(ErrorCode::ConnectionLost, QStringLiteral("QUIC protocol error: %1").arg(ngtcp2Error(rv)));
        setCloseReason(e);
        writeClosePacket(ccerr);
        startClosing(e);
        return false;
    }
    }
}

Error ConnectionPrivate::errorFromPeer()
{
    const ngtcp2_ccerr *cc = ngtcp2_conn_get_ccerr(conn);
    const QByteArray rawReason(reinterpret_cast<const char *>(cc->reason), qsizetype(cc->reasonlen));
    const QString reason = QString::fromUtf8(rawReason);
    if (cc->type == NGTCP2_CCERR_TYPE_APPLICATION) {
        // What the code and reason mean is the business of the layer above
        // (the pool reads its own "unauthorized IP"); the transport keeps both.
        peerApplicationClose = Connection::ApplicationClose{cc->error_code, rawReason};
        return Error(ErrorCode::ConnectionClosed,
                     QStringLiteral("the peer closed the connection (code %1%2)")
                         .arg(cc->error_code)
                         .arg(reason.isEmpty() ? QString() : QStringLiteral(", \"%1\"").arg(reason)));
    }
    if (cc->type == NGTCP2_CCERR_TYPE_TRANSPORT && cc->error_code >= 0x100 && cc->error_code < 0x200) {
        return Error(ErrorCode::TlsHandshakeFailed,
                     QStringLiteral("the peer refused the TLS handshake (alert %1%2)")
                         .arg(cc->error_code - 0x100)
                         .arg(reason.isEmpty() ? QString() : QStringLiteral(": ") + reason));
    }
    if (cc->type == NGTCP2_CCERR_TYPE_TRANSPORT && cc->error_code == NGTCP2_CONNECTION_REFUSED) {
        // Refused before the handshake (an allow-list, say): the reason is
        // the layer above's to read, as for an application close.
        peerRefusal = Connection::ApplicationClose{cc->error_code, rawReason};
        return Error(ErrorCode::ConnectionClosed,
                     QStringLiteral("the server refused the connection%1")
                         .arg(reason.isEmpty() ? QString() : QStringLiteral(" (%1)").arg(reason)));
    }
    if (cc->type == NGTCP2_CCERR_TYPE_VERSION_NEGOTIATION)
        return Error(ErrorCode::ConnectionLost, QStringLiteral("the peer does not speak QUIC version 1"));
    return Error(ErrorCode::ConnectionLost,
                 QStringLiteral("the peer closed the connection with transport error 0x%1%2")
                     .arg(cc->error_code, 0, 16)
                     .arg(reason.isEmpty() ? QString() : QStringLiteral(": ") + reason));
}

} // namespace quicpool::transport
