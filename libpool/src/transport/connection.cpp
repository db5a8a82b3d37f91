// Connection's public face, its life from dial to finalize, the signals it
// owes (dispatched outside ngtcp2 callbacks), and its figures.
#include "transport/connection_p.h"

#include "common/logging.h"
#include "transport/clock.h"
#include "transport/stream_p.h"
#include "transport/turnhooks.h"
#include "transport/udpsocket.h"

#include <QtCore/QPointer>
#include <QtCore/QTimer>
#include <algorithm>
#include <vector>

namespace quicpool::transport {

namespace {

void randomCid(ngtcp2_cid *cid, size_t len)
{
    cid->datalen = len;
    randomBytes(cid->data, len);
}

} // namespace

// ---------------------------------------------------------------- ConnectionPrivate

ConnectionPrivate::ConnectionPrivate(Connection *owner) : q(owner)
{
    timer = std::make_unique<PreciseTimer>(q, [this] { handleExpiry(); });
}

ConnectionPrivate::~ConnectionPrivate()
{
    if (flushOwed)
        turnhooks::cancel(this);
    detachStreams();
    orphans.clear();
    // Peer-opened streams never announced belong to nobody else (detached
    // above: they touch nothing of ours).
    std::vector<StreamPrivate *> orphaned;
    orphaned.swap(unannounced);
    for (StreamPrivate *core : orphaned)
        delete core;
    unroute();
    if (conn)
        ngtcp2_conn_del(conn);
    tls.reset();
    if (qlog)
        std::fclose(qlog);
}

ngtcp2_conn *ConnectionPrivate::connOf(ngtcp2_crypto_conn_ref *ref)
{
    return static_cast<ConnectionPrivate *>(ref->user_data)->conn;
}

UdpSocket *ConnectionPrivate::socket() const
{
    return host ? host->hostSocket() : ownSocket.get();
}

Connection *ConnectionPrivate::accept(ConnectionHost *host, const ngtcp2_pkt_hd &hd,
                                      const SocketAddress &local, const SocketAddress &remote,
                                      std::shared_ptr<TlsContext> tls, const TransportConfig &config,
                                      const ServerAdmission &how, QObject *parent, Error *error)
{
    auto *c = new Connection(parent);
    ConnectionPrivate *d = c->d.get();
    d->host = host;
    d->local = local;
    d->remote = remote;
    d->addressValidated = !how.token.isEmpty();
    ngtcp2_cid scid;
    randomCid(&scid, kScidLength);
    if (!d->init(true, &hd, &hd.scid, &scid, std::move(tls), config, error, &how)) {
        delete c;
        return nullptr;
    }
    d->initialDcid = hd.dcid;
    d->initialDcidRouted = true;
    host->addConnectionId(toConnectionId(hd.dcid), c);
    host->addConnectionId(toConnectionId(scid), c);
    d->scids.push_back(scid);
    return c;
}

void ConnectionPrivate::unroute()
{
    if (!host)
        return;
    for (const ngtcp2_cid &cid : scids)
        host->removeConnectionId(toConnectionId(cid), q);
    if (initialDcidRouted)
        host->removeConnectionId(toConnectionId(initialDcid), q);
    scids.clear();
    initialDcidRouted = false;
}

void ConnectionPrivate::detachStreams()
{
    overUnclaimedLimit.clear();
    std::vector<QPointer<Stream>> owing;
    owing.reserve(streams.size());
    for (auto &[sid, core] : streams) {
        core->detach(closeReason.isError() ? closeReason : Error(ErrorCode::ConnectionClosed));
        if (core->q())
            owing.emplace_back(core->q());
    }
    streams.clear();
    if (owing.empty())
        return;
    // Their signals on the next turn, in one call posted to an object of its
    // own: not to each stream (a QObject with an event queued scans the
    // thread's whole queue when deleted, so a pool closing 10,000 streams
    // went quadratic), nor to the connection (it may be deleted first).
    auto *carrier = new QObject;
    QMetaObject::invokeMethod(carrier, [carrier, owing = std::move(owing)] {
        carrier->deleteLater();
        for (const QPointer<Stream> &s : owing)
            if (Stream *raw = s.data())
                StreamPrivate::of(raw)->emitPending();
    }, Qt::QueuedConnection);
}

// ---------------------------------------------------------------- closing

void ConnectionPrivate::setCloseReason(const Error &reason)
{
    if (!closeReason.isError())
        closeReason = reason;
}

void ConnectionPrivate::startClosing(const Error &reason)
{
    if (state >= State::Closing)
        return;
    setCloseReason(reason);
    state = State::Closing;
    timer->stop();
    sendClosePacket();
    // Streams are on their own from here: they forget us, we forget them.
    detachStreams();
    writeQueue.clear();
    dirty.clear();
    orphans.clear();
    // Keep routing (and answering) the peer's packets for three PTOs, then go.
    const uint64_t pto = ngtcp2_conn_get_pto(conn);
    const int ms = int(std::clamp<uint64_t>(3 * pto / kNsPerMs, 10, 3000));
    QTimer::singleShot(ms, q, [this] { finalize(); });
    scheduleDispatch();
}

void ConnectionPrivate::enterDraining()
{
    closePacket.clear();
    startClosing(closeReason);
}

void ConnectionPrivate::finalize()
{
    if (state == State::Closed)
        return;
    state = State::Closed;
    timer->stop();
    detachStreams();
    writeQueue.clear();
    dirty.clear();
    orphans.clear();
    if (ownSocket)
        ownSocket->close();
    unroute();
    scheduleDispatch();
    if (host) {
        // A server connection goes by itself (the listener forgets us in our
        // destructor), once closed() is out: a deleteLater() from here could
        // be run before the queued dispatch and swallow it.
        QMetaObject::invokeMethod(q, [this] {
            QPointer<Connection> self(q);
            dispatch();
            if (self)
                q->deleteLater();
        }, Qt::QueuedConnection);
    }
}

// ---------------------------------------------------------------- signals

void ConnectionPrivate::dispatch()
{
    if (inCallback)
        return;
    QPointer<Connection> self(q);
    resetOverUnclaimedLimit();
    if (connectedPending && state == State::Connected) {
        connectedPending = false;
        qCDebug(lcConn) << "connected" << remote.toString();
        Q_EMIT q->connected();
        if (!self)
            return;
    }
    while (!unannounced.empty()) {
        std::vector<StreamPrivate *> fresh;
        fresh.swap(unannounced);
        // A copy: the handler may delete the connection, and its own copy.
        const auto opened = pooledOpened;
        for (size_t i = 0; i < fresh.size(); ++i) {
            if (opened)
                opened(fresh[i]);   // the pool owns it from here
            else
                Q_EMIT q->newStream(StreamPrivate::adopt(fresh[i], q, StreamPrivate::Claim::No));
            if (!self) {
                // The rest were detached with the connection: nobody owns them.
                for (size_t j = i + 1; j < fresh.size(); ++j)
                    delete fresh[j];
                return;
            }
        }
    }
    if (tokenPending) {
        tokenPending = false;
        Q_EMIT q->tokenReceived(receivedToken);
        if (!self)
            return;
    }
    if (streamsAvailablePending) {
        streamsAvailablePending = false;
        Q_EMIT q->streamsAvailable();
        if (!self)
            return;
    }
    while (!dirty.empty()) {
        StreamPrivate *core = dirty.back();
        dirty.pop_back();
        core->inDirty = false;
        core->emitPending();   // may delete the stream
        if (!self)
            return;
    }
    if (conn) {
        ngtcp2_conn_info ci;
        ngtcp2_conn_get_conn_info(conn, &ci);
        if (lastCwnd && ci.cwnd < lastCwnd && ci.ssthresh != UINT64_MAX && ci.cwnd <= ci.ssthresh)
            ++congestionEvents;
        lastCwnd = ci.cwnd;
        if (state == State::Connected) {
            peakCwnd = std::max(peakCwnd, ci.cwnd);
            peakInFlight = std::max(peakInFlight, ci.bytes_in_flight);
        }
    }
    if (state >= State::Closing && !closedEmitted) {
        closedEmitted = true;
        qCDebug(lcConn) << "closed" << remote.toString() << closeReason.toString();
        Q_EMIT q->closed(closeReason);
    }
}

void ConnectionPrivate::scheduleDispatch()
{
    if (dispatchScheduled)
        return;
    dispatchScheduled = true;
    QMetaObject::invokeMethod(q, [this] {
        dispatchScheduled = false;
        dispatch();
    }, Qt::QueuedConnection);
}

void ConnectionPrivate::process()
{
    // Signals first: what the application writes in its slots then leaves
    // in the same packets as our ACKs (one datagram per echo, not two),
    // flushed here rather than on a posted event (scheduleFlush()).
    QPointer<Connection> self(q);
    ++processing;
    dispatch();
    if (!self)
        return;   // ~ConnectionPrivate took back any owed flush
    --processing;
    if (flushOwed) {
        flushOwed = false;
        turnhooks::cancel(this);
    }
    flush();
    // What the flush handed to the transport (bytesWritten()).
    if (self && !dirty.empty())
        dispatch();
}

void ConnectionPrivate::flush()
{
    if (state == State::Closed || state == State::Closing || !conn)
        return;
    writeLoop();
}

// ---------------------------------------------------------------- Connection

Connection::Connection(QObject *parent) : QObject(parent), d(std::make_unique<ConnectionPrivate>(this)) {}

Connection::~Connection() = default;

Connection *Connection::dial(const QHostAddress &address, quint16 port, std::shared_ptr<TlsContext> tls,
                             const TransportConfig &config, QObject *parent, Error *error)
{
    auto *c = new Connection(parent);
    ConnectionPrivate *d = c->d.get();
    d->ownSocket = std::make_unique<UdpSocket>(c); // a child: moveToThread() takes it along
    const QHostAddress any = address.protocol() == QAbstractSocket::IPv6Protocol
        ? QHostAddress(QHostAddress::AnyIPv6) : QHostAddress(QHostAddress::AnyIPv4);
    if (!d->ownSocket->bind(any, 0, error)) {
        delete c;
        return nullptr;
    }
    d->local = d->ownSocket->localAddress();
    d->remote = SocketAddress::fromQt(address, port);
    d->ownSocket->setReceiver([d](const uint8_t *data, size_t n, const UdpPath &path) { d->receive(data, n, path); });
    d->ownSocket->setBatchDone([d] { d->process(); });
    d->ownSocket->setIcmpErrorReceiver([d](const SocketAddress &to, int err) { d->icmpError(to, err); });
    d->ownSocket->setBusyPoll(config.busyPoll);

    ngtcp2_cid dcid, scid;
    randomCid(&dcid, 18);
    randomCid(&scid, kScidLength);
    if (!d->init(false, nullptr, &dcid, &scid, std::move(tls), config, error)) {
        delete c;
        return nullptr;
    }
    qCDebug(lcConn) << "dialing" << d->remote.toString() << "from" << d->local.toString();
    d->scheduleFlush();
    return c;
}

Connection::State Connection::state() const { return d->state; }
bool Connection::isServer() const { return d->host != nullptr; }
void Connection::setPooledStreamHandlers(std::function<void(PooledStream *)> opened,
                                         std::function<void(PooledStream *)> changed)
{
    d->pooledOpened = std::move(opened);
    d->pooledChanged = std::move(changed);
}
int Connection::streamCount() const
{
    int n = 0;
    for (const auto &[sid, core] : d->streams)
        n += core->isInQuic() ? 1 : 0;
    return n;
}
SocketAddress Connection::peer() const { return d->remote; }
SocketAddress Connection::local() const { return d->local; }
Error Connection::closeReason() const { return d->closeReason; }

quint64 Connection::openableStreams() const
{
    return d->conn && d->state == State::Connected ? ngtcp2_conn_get_streams_bidi_left(d->conn) : 0;
}

std::optional<Connection::ApplicationClose> Connection::peerApplicationClose() const
{
    return d->peerApplicationClose;
}

std::optional<Connection::ApplicationClose> Connection::peerRefusal() const
{
    return d->peerRefusal;
}

void Connection::close(quint64 applicationErrorCode, const QByteArray &reason)
{
    if (!d->conn || d->state >= State::Closing)
        return;
    d->setCloseReason(Error(ErrorCode::ConnectionClosed,
                            QStringLiteral("closed locally (%1)").arg(QString::fromUtf8(reason))));
    if (!ngtcp2_conn_in_draining_period(d->conn) && !ngtcp2_conn_in_closing_period(d->conn)) {
        ngtcp2_ccerr ccerr;
        ngtcp2_ccerr_default(&ccerr);
        ngtcp2_ccerr_set_application_error(&ccerr, applicationErrorCode,
                                           reinterpret_cast<const uint8_t *>(reason.constData()),
                                           size_t(reason.size()));
        d->writeClosePacket(ccerr);
    }
    d->startClosing(d->closeReason);
}

void Connection::abort()
{
    d->setCloseReason(Error(ErrorCode::ConnectionClosed, QStringLiteral("aborted locally")));
    d->finalize();
}

ConnectionStats Connection::stats() const
{
    ConnectionStats s;
    // Before the handshake completes ngtcp2 reports its initial guesses
    // (333 ms RTT, a 12 KiB window): not figures anyone measured.
    if (!d->conn || d->state != State::Connected)
        return s;
    ngtcp2_conn_info ci;
    ngtcp2_conn_get_conn_info(d->conn, &ci);
    s.setSmoothedRttUs(qint64(ci.smoothed_rtt / 1000));
    s.setMinRttUs(ci.min_rtt == UINT64_MAX ? 0 : qint64(ci.min_rtt / 1000));
    s.setLatestRttUs(qint64(ci.latest_rtt / 1000));
    s.setRttVarUs(qint64(ci.rttvar / 1000));
    s.setCongestionWindow(qint64(ci.cwnd));
    s.setBytesInFlight(qint64(ci.bytes_in_flight));
    s.setCongestionEvents(d->congestionEvents);
    s.setLostPackets(qint64(ci.pkt_lost));
    s.setBytesLost(qint64(ci.bytes_lost));
    s.setPeakCongestionWindow(qint64(std::max<uint64_t>(d->peakCwnd, ci.cwnd)));
    s.setPeakBytesInFlight(qint64(std::max<uint64_t>(d->peakInFlight, ci.bytes_in_flight)));
    s.setEcnEct0Sent(d->ecnSent[NGTCP2_ECN_ECT_0]);
    s.setEcnEct1Sent(d->ecnSent[NGTCP2_ECN_ECT_1]);
    s.setEcnCeSent(d->ecnSent[NGTCP2_ECN_CE]);
    s.setEcnEct0Received(d->ecnReceived[NGTCP2_ECN_ECT_0]);
    s.setEcnEct1Received(d->ecnReceived[NGTCP2_ECN_ECT_1]);
    s.setEcnCeReceived(d->ecnReceived[NGTCP2_ECN_CE]);
    if (d->ownSocket) {
        s.setBytesSent(qint64(d->ownSocket->bytesSent()));
        s.setBytesReceived(qint64(d->ownSocket->bytesReceived()));
        s.setPacketsSent(qint64(d->ownSocket->datagramsSent()));
        s.setPacketsReceived(qint64(d->ownSocket->datagramsReceived()));
    }
    return s;
}

ConnectionInfo Connection::info() const
{
    ConnectionInfo info;
    info.setValid(d->conn && d->state == State::Connected);
    if (d->tls) {
        const TlsDetails t = d->tls->details();
        info.setTlsVersion(t.version);
        info.setCipher(t.cipher);
        info.setAlpn(t.alpn);
        info.setPeerCertificates(t.peerCertificates);
    }
    if (d->tlsContext)
        info.setLocalCertificate(d->tlsContext->localCertificate());
    info.setLocalAddress(d->local.address());
    info.setLocalPort(d->local.port());
    info.setPeerAddress(d->remote.address());
    info.setPeerPort(d->remote.port());
    info.setStats(stats());
    return info;
}

} // namespace quicpool::transport
