#include "transport/connection.h"

#include "transport/clock.h"
#include "transport/logging.h"
#include "transport/stream_p.h"
#include "transport/udpsocket.h"

#include <QtCore/QDir>
#include <QtCore/QTimer>
#include <algorithm>
#include <atomic>
#include <cstdarg>
#include <cstdio>
#include <cstring>

namespace quicpool::transport {

namespace {

constexpr size_t kScidLength = 8;          // our connection IDs; the Listener decodes with it
constexpr size_t kMaxGsoSegments = 64;     // the kernel's UDP_SEGMENT limit
constexpr size_t kMaxGsoBytes = 65000;     // one GSO send is one IP datagram at most
// Payload sizes PMTUD tries after the configured maximum, largest first:
// Ethernet, PPPoE, a common fibre MTU, tunnels, the IPv6 minimum (48 bytes
// of IPv6 + UDP headers off each).
constexpr uint16_t kPmtudFallbacks[] = {1500 - 48, 1492 - 48, 1454 - 48, 1390 - 48, 1280 - 48};
constexpr size_t kMaxVecs = 16;
constexpr uint64_t kMs = 1000000;          // ns per ms
std::atomic_bool g_qlogWarned{false};

void randomCid(ngtcp2_cid *cid, size_t len)
{
    cid->datalen = len;
    randomBytes(cid->data, len);
}

void ngtcp2Log(void *, const char *format, ...)
{
    va_list ap;
    va_start(ap, format);
    char line[1024];
    std::vsnprintf(line, sizeof line, format, ap);
    va_end(ap);
    qCDebug(lcConn).noquote() << line;
}

QString ngtcp2Error(int rv) { return QString::fromUtf8(ngtcp2_strerror(rv)); }

} // namespace

Connection::Connection(QObject *parent) : QObject(parent)
{
    m_timer = new QTimer(this);
    m_timer->setSingleShot(true);
    m_timer->setTimerType(Qt::PreciseTimer);
    connect(m_timer, &QTimer::timeout, this, &Connection::handleExpiry);
}

Connection::~Connection()
{
    for (auto &[sid, core] : m_streams)
        core->detach(m_closeReason.isError() ? m_closeReason : Error(ErrorCode::ConnectionClosed));
    m_streams.clear();
    m_orphans.clear();
    if (m_host) {
        for (const ngtcp2_cid &cid : m_scids)
            m_host->removeConnectionId(cid);
        if (m_initialDcidRouted)
            m_host->removeConnectionId(m_initialDcid);
    }
    if (m_conn)
        ngtcp2_conn_del(m_conn);
    m_tls.reset();
    if (m_qlog)
        std::fclose(m_qlog);
}

ngtcp2_conn *Connection::connOf(ngtcp2_crypto_conn_ref *ref)
{
    return static_cast<Connection *>(ref->user_data)->m_conn;
}

UdpSocket *Connection::socket() const
{
    return m_host ? m_host->hostSocket() : m_ownSocket.get();
}

Connection *Connection::dial(const QHostAddress &address, quint16 port,
                             std::shared_ptr<TlsContext> tls, const TransportConfig &config,
                             QObject *parent, Error *error)
{
    auto *c = new Connection(parent);
    c->m_ownSocket = std::make_unique<UdpSocket>(c); // a child: moveToThread() takes it along
    const QHostAddress any = address.protocol() == QAbstractSocket::IPv6Protocol
        ? QHostAddress(QHostAddress::AnyIPv6) : QHostAddress(QHostAddress::AnyIPv4);
    if (!c->m_ownSocket->bind(any, 0, error)) {
        delete c;
        return nullptr;
    }
    c->m_local = c->m_ownSocket->localAddress();
    c->m_remote = SocketAddress::fromQt(address, port);
    c->m_ownSocket->setReceiver([c](const uint8_t *d, size_t n, const SocketAddress &from, unsigned ecn) {
        c->receive(d, n, from, ecn);
    });
    c->m_ownSocket->setBatchDone([c] { c->process(); });

    ngtcp2_cid dcid, scid;
    randomCid(&dcid, 18);
    randomCid(&scid, kScidLength);
    if (!c->init(false, nullptr, &dcid, &scid, std::move(tls), config, error)) {
        delete c;
        return nullptr;
    }
    qCDebug(lcConn) << "dialing" << c->m_remote.toString() << "from" << c->m_local.toString();
    c->scheduleFlush();
    return c;
}

Connection *Connection::accept(ConnectionHost *host, const ngtcp2_pkt_hd &hd,
                               const SocketAddress &local, const SocketAddress &remote,
                               std::shared_ptr<TlsContext> tls, const TransportConfig &config,
                               QObject *parent, Error *error)
{
    auto *c = new Connection(parent);
    c->m_host = host;
    c->m_local = local;
    c->m_remote = remote;
    ngtcp2_cid scid;
    randomCid(&scid, kScidLength);
    if (!c->init(true, &hd, &hd.scid, &scid, std::move(tls), config, error)) {
        delete c;
        return nullptr;
    }
    c->m_initialDcid = hd.dcid;
    c->m_initialDcidRouted = true;
    host->addConnectionId(hd.dcid, c);
    host->addConnectionId(scid, c);
    c->m_scids.push_back(scid);
    return c;
}

bool Connection::init(bool server, const ngtcp2_pkt_hd *hd, const ngtcp2_cid *dcid,
                      const ngtcp2_cid *scid, std::shared_ptr<TlsContext> tls,
                      const TransportConfig &config, Error *error)
{
    m_config = config;
    m_tlsContext = std::move(tls);

    ngtcp2_callbacks cb{};
    if (server) {
        cb.recv_client_initial = ngtcp2_crypto_recv_client_initial_cb;
        cb.remove_connection_id = cbRemoveConnectionId;
    } else {
        cb.client_initial = ngtcp2_crypto_client_initial_cb;
        cb.recv_retry = ngtcp2_crypto_recv_retry_cb;
        cb.extend_max_local_streams_bidi = cbExtendMaxLocalStreamsBidi;
    }
    cb.recv_crypto_data = ngtcp2_crypto_recv_crypto_data_cb;
    cb.encrypt = ngtcp2_crypto_encrypt_cb;
    cb.decrypt = ngtcp2_crypto_decrypt_cb;
    cb.hp_mask = ngtcp2_crypto_hp_mask_cb;
    cb.update_key = ngtcp2_crypto_update_key_cb;
    cb.delete_crypto_aead_ctx = ngtcp2_crypto_delete_crypto_aead_ctx_cb;
    cb.delete_crypto_cipher_ctx = ngtcp2_crypto_delete_crypto_cipher_ctx_cb;
    cb.get_path_challenge_data = ngtcp2_crypto_get_path_challenge_data_cb;
    cb.version_negotiation = ngtcp2_crypto_version_negotiation_cb;
    cb.rand = cbRand;
    cb.get_new_connection_id = cbGetNewConnectionId;
    cb.handshake_completed = cbHandshakeCompleted;
    cb.recv_stream_data = cbRecvStreamData;
    cb.acked_stream_data_offset = cbAckedStreamDataOffset;
    cb.stream_open = cbStreamOpen;
    cb.stream_close = cbStreamClose;
    cb.stream_reset = cbStreamReset;
    cb.stream_stop_sending = cbStreamStopSending;
    cb.extend_max_stream_data = cbExtendMaxStreamData;
    cb.recv_stateless_reset = cbRecvStatelessReset;

    ngtcp2_settings settings;
    ngtcp2_settings_default(&settings);
    settings.initial_ts = nowNs();
    settings.handshake_timeout = uint64_t(config.handshakeTimeout.count()) * kMs;
    settings.max_window = config.maxConnectionWindow;
    settings.max_stream_window = config.maxStreamWindow;
    settings.cc_algo = NGTCP2_CC_ALGO_CUBIC;
    size_t maxPayload = config.maxUdpPayloadSize;
    if (const int env = qEnvironmentVariableIntValue("QUICPOOL_MAX_UDP_PAYLOAD"); env > 0)
        maxPayload = size_t(env);  // for experiments and odd paths
    maxPayload = std::clamp<size_t>(maxPayload, NGTCP2_MAX_UDP_PAYLOAD_SIZE, 65000);
    settings.max_tx_udp_payload_size = maxPayload;
    m_pmtudProbes.clear();
    if (maxPayload > kPmtudFallbacks[0])
        m_pmtudProbes.push_back(uint16_t(maxPayload));
    for (uint16_t probe : kPmtudFallbacks)
        if (probe <= maxPayload && probe > NGTCP2_MAX_UDP_PAYLOAD_SIZE)
            m_pmtudProbes.push_back(probe);
    settings.pmtud_probes = m_pmtudProbes.data();
    settings.pmtud_probeslen = m_pmtudProbes.size();
    if (qEnvironmentVariableIsSet("QUICPOOL_NGTCP2_LOG"))
        settings.log_printf = ngtcp2Log;
    if (!config.qlogDirectory.isEmpty()) {
        // ngtcp2 1.11 overflows a stack buffer while writing transport
        // parameters into qlog (fixed in 1.22.1): only on request, with a warning.
        if (!g_qlogWarned.exchange(true))
            qCWarning(lcConn) << "qlog is on: ngtcp2 1.11 has a known qlog stack overflow "
                                 "(fixed in 1.22.1); use it only against trusted peers";
        const QString name = QDir(config.qlogDirectory).filePath(
            QString::fromLatin1(QByteArray(reinterpret_cast<const char *>(scid->data), int(scid->datalen)).toHex())
            + QStringLiteral(".sqlog"));
        m_qlog = std::fopen(QFile::encodeName(name).constData(), "wb");
        if (m_qlog) {
            settings.qlog_write = cbQlogWrite;
        } else {
            qCWarning(lcConn) << "cannot write qlog file" << name;
        }
    }

    ngtcp2_transport_params params;
    ngtcp2_transport_params_default(&params);
    params.initial_max_stream_data_bidi_local = config.streamWindow;
    params.initial_max_stream_data_bidi_remote = config.streamWindow;
    params.initial_max_stream_data_uni = config.streamWindow;
    params.initial_max_data = config.connectionWindow;
    params.initial_max_streams_bidi = config.maxIncomingBidiStreams;
    params.initial_max_streams_uni = 0;
    params.max_idle_timeout = 3 * uint64_t(config.keepAlive.count()) * kMs;
    params.active_connection_id_limit = 4;

    ngtcp2_path path{{m_local.data(), m_local.length},
                     {m_remote.data(), m_remote.length},
                     nullptr};
    int rv;
    if (server) {
        params.original_dcid = hd->dcid;
        params.original_dcid_present = 1;
        m_host->generateResetToken(params.stateless_reset_token, *scid);
        params.stateless_reset_token_present = 1;
        rv = ngtcp2_conn_server_new(&m_conn, dcid, scid, &path, hd->version, &cb, &settings,
                                    &params, nullptr, this);
    } else {
        rv = ngtcp2_conn_client_new(&m_conn, dcid, scid, &path, NGTCP2_PROTO_VER_V1, &cb,
                                    &settings, &params, nullptr, this);
    }
    if (rv != 0) {
        if (error)
            *error = Error(ErrorCode::SocketError,
                           QStringLiteral("cannot create a QUIC connection: %1").arg(ngtcp2Error(rv)));
        return false;
    }
    m_connRef.get_conn = &Connection::connOf;
    m_connRef.user_data = this;
    m_tls = TlsSession::create(*m_tlsContext, &m_connRef, error);
    if (!m_tls)
        return false;
    ngtcp2_conn_set_tls_native_handle(m_conn, m_tls->nativeHandle());
    ngtcp2_conn_set_keep_alive_timeout(m_conn, uint64_t(config.keepAlive.count()) * kMs);
    return true;
}

// ---------------------------------------------------------------- streams

Stream *Connection::openStream(QObject *parent, Error *error)
{
    if (m_state != State::Connected) {
        if (error)
            *error = Error(ErrorCode::ConnectionClosed, QStringLiteral("the connection is not established"));
        return nullptr;
    }
    int64_t sid = -1;
    const int rv = ngtcp2_conn_open_bidi_stream(m_conn, &sid, nullptr);
    if (rv != 0) {
        if (error)
            *error = rv == NGTCP2_ERR_STREAM_ID_BLOCKED
                ? Error(ErrorCode::StreamRefused, QStringLiteral("the peer's stream limit is reached"))
                : Error(ErrorCode::ConnectionLost, ngtcp2Error(rv));
        return nullptr;
    }
    Stream *stream = StreamPrivate::create(this, sid, parent);
    StreamPrivate *core = StreamPrivate::of(stream);
    ngtcp2_conn_set_stream_user_data(m_conn, sid, core);
    m_streams.emplace(sid, core);
    return stream;
}

uint64_t Connection::openableStreams() const
{
    return m_conn && m_state == State::Connected ? ngtcp2_conn_get_streams_bidi_left(m_conn) : 0;
}

void Connection::streamHasData(StreamPrivate *stream)
{
    if (!stream->inWriteQueue && !stream->blocked) {
        stream->inWriteQueue = true;
        m_writeQueue.push_back(stream);
    }
    scheduleFlush();
}

void Connection::streamConsumed(StreamPrivate *stream, size_t n)
{
    if (!m_conn || m_state >= State::Closing)
        return;
    if (stream->streamId >= 0)
        ngtcp2_conn_extend_max_stream_offset(m_conn, stream->streamId, n);
    ngtcp2_conn_extend_max_offset(m_conn, n);
    scheduleFlush();
}

void Connection::streamAbort(StreamPrivate *stream, uint64_t code)
{
    if (!m_conn || m_state >= State::Closing)
        return;
    ngtcp2_conn_shutdown_stream(m_conn, 0, stream->streamId, code);
    scheduleFlush();
}

void Connection::streamStopReading(StreamPrivate *stream, uint64_t code)
{
    if (!m_conn || m_state >= State::Closing)
        return;
    ngtcp2_conn_shutdown_stream_read(m_conn, 0, stream->streamId, code);
    scheduleFlush();
}

void Connection::streamDestroyed(StreamPrivate *stream)
{
    if (stream->inWriteQueue)
        std::erase(m_writeQueue, stream);
    if (stream->inDirty)
        std::erase(m_dirty, stream);
    for (auto &p : m_newStreams) {
        Stream *raw = p.data();
        if (raw && StreamPrivate::of(raw) == stream)
            p = nullptr;
    }
    if (m_streams.erase(stream->streamId) && m_conn && m_state < State::Closing) {
        ngtcp2_conn_set_stream_user_data(m_conn, stream->streamId, nullptr);
        // Deleted without a graceful close: like QTcpSocket's destructor, abort.
        ngtcp2_conn_shutdown_stream(m_conn, 0, stream->streamId, 0);
        scheduleFlush();
    }
}

void Connection::adoptOrphan(std::unique_ptr<StreamPrivate> core)
{
    core->orphan();
    if (core->inDirty) {
        std::erase(m_dirty, core.get());
        core->inDirty = false;
    }
    if (!core->finReceived() && m_conn && m_state < State::Closing)
        ngtcp2_conn_shutdown_stream_read(m_conn, 0, core->streamId, 0);
    const int64_t sid = core->streamId;
    m_orphans[sid] = std::move(core);
    scheduleFlush();
}

QByteArray Connection::takeRxChunk(qsizetype capacity)
{
    m_rxChunkTakenNs = nowNs();
    if (!m_rxChunks.empty()) {
        QByteArray chunk = std::move(m_rxChunks.back());
        m_rxChunks.pop_back();
        return chunk;
    }
    QByteArray chunk;
    chunk.reserve(capacity);
    return chunk;
}

void Connection::recycleRxChunk(QByteArray &&chunk, qsizetype capacity)
{
    // Enough for a handful of busy streams; more would only hold memory.
    constexpr size_t kMaxSpare = 16;
    if (m_rxChunks.size() >= kMaxSpare || chunk.capacity() < capacity || chunk.capacity() > 2 * capacity
        || !chunk.isDetached())
        return;
    chunk.resize(0);   // keeps the allocation
    m_rxChunks.push_back(std::move(chunk));
}

void Connection::markDirty(StreamPrivate *stream)
{
    if (!stream->q() || stream->inDirty)
        return;  // an orphan owes no signals to anyone
    stream->inDirty = true;
    m_dirty.push_back(stream);
}

// ---------------------------------------------------------------- reading

void Connection::receive(const uint8_t *data, size_t len, const SocketAddress &from, unsigned ecn)
{
    if (!m_conn || m_state == State::Closed)
        return;
    if (m_state == State::Closing) {
        // Still closing: answer the peer's packets with our CONNECTION_CLOSE.
        if (!m_closePacket.isEmpty() && !ngtcp2_conn_in_draining_period(m_conn))
            socket()->send(m_remote, reinterpret_cast<const uint8_t *>(m_closePacket.constData()),
                           size_t(m_closePacket.size()), size_t(m_closePacket.size()));
        return;
    }
    ngtcp2_path path{{m_local.data(), m_local.length},
                     {const_cast<sockaddr *>(from.data()), from.length},
                     nullptr};
    ngtcp2_pkt_info pi{};
    pi.ecn = uint8_t(ecn);
    m_inCallback = true;
    const int rv = ngtcp2_conn_read_pkt(m_conn, &path, &pi, data, len, nowNs());
    m_inCallback = false;
    if (rv != 0) {
        checkError(rv, "read");
        return;
    }
    // The peer may have moved (NAT rebinding): report where it is now.
    const ngtcp2_path *current = ngtcp2_conn_get_path(m_conn);
    if (current->remote.addrlen <= sizeof(m_remote.storage)) {
        m_remote.length = socklen_t(current->remote.addrlen);
        std::memcpy(&m_remote.storage, current->remote.addr, current->remote.addrlen);
    }
}

// Returns false when the connection is finished with.
bool Connection::checkError(int rv, const char *where)
{
    switch (rv) {
    case 0:
        return true;
    case NGTCP2_ERR_DRAINING:
        setCloseReason(m_statelessReset
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
                                 .arg(3 * m_config.keepAlive.count())));
        finalize();
        return false;
    case NGTCP2_ERR_HANDSHAKE_TIMEOUT:
        setCloseReason(Error(ErrorCode::HandshakeTimeout,
                             QStringLiteral("the QUIC handshake did not finish within %1 ms")
                                 .arg(m_config.handshakeTimeout.count())));
        finalize();
        return false;
    case NGTCP2_ERR_DISCARD_PKT:
        return true;
    case NGTCP2_ERR_CRYPTO: {
        Error e = m_tls ? m_tls->failure() : Error();
        const uint8_t alert = ngtcp2_conn_get_tls_alert(m_conn);
        if (!e.isError())
            e = Error(ErrorCode::TlsHandshakeFailed,
                      QStringLiteral("TLS handshake failed (alert %1)").arg(alert));
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

Error Connection::errorFromPeer() const
{
    const ngtcp2_ccerr *cc = ngtcp2_conn_get_ccerr(m_conn);
    const QString reason = QString::fromUtf8(reinterpret_cast<const char *>(cc->reason), int(cc->reasonlen));
    if (cc->type == NGTCP2_CCERR_TYPE_APPLICATION) {
        if (reason == QLatin1String("unauthorized IP"))
            return Error(ErrorCode::Unauthorized, QStringLiteral("the server refused this client's IP (unauthorized IP)"));
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
    if (cc->type == NGTCP2_CCERR_TYPE_VERSION_NEGOTIATION)
        return Error(ErrorCode::ConnectionLost, QStringLiteral("the peer does not speak QUIC version 1"));
    return Error(ErrorCode::ConnectionLost,
                 QStringLiteral("the peer closed the connection with transport error 0x%1%2")
                     .arg(cc->error_code, 0, 16)
                     .arg(reason.isEmpty() ? QString() : QStringLiteral(": ") + reason));
}

// ---------------------------------------------------------------- writing

void Connection::scheduleFlush()
{
    if (m_flushScheduled || m_state == State::Closed)
        return;
    m_flushScheduled = true;
    QMetaObject::invokeMethod(this, [this] {
        m_flushScheduled = false;
        QPointer<Connection> self(this);
        flush();
        if (self)
            dispatch();
    }, Qt::QueuedConnection);
}

void Connection::process()
{
    // Signals first: what the application writes in its slots then leaves
    // in the same packets as our ACKs (one datagram per echo, not two).
    QPointer<Connection> self(this);
    dispatch();
    if (self)
        flush();
}

void Connection::flush()
{
    if (m_state == State::Closed || m_state == State::Closing || !m_conn)
        return;
    writeLoop();
}

bool Connection::sendBatch(const SocketAddress &to, const uint8_t *data, size_t len, size_t gsoSize)
{
    if (m_sendBlocked) {
        // Keep order: behind what the kernel already refused.
        m_pending.push_back(PendingBatch{std::vector<uint8_t>(data, data + len), gsoSize, to});
        return false;
    }
    const UdpSocket::SendResult r = socket()->send(to, data, len, gsoSize);
    if (r != UdpSocket::SendResult::WouldBlock)
        return true;
    m_pending.push_back(PendingBatch{std::vector<uint8_t>(data, data + len), gsoSize, to});
    m_sendBlocked = true;
    if (m_host) {
        // The listener's socket is shared: retry on a short timer rather
        // than taking its write notifier from other connections.
        QTimer::singleShot(1, this, &Connection::onWritable);
    } else {
        socket()->setWritable([this] { onWritable(); });
        socket()->waitForWritable();
    }
    return false;
}

void Connection::onWritable()
{
    if (!m_sendBlocked)
        return;
    m_sendBlocked = false;
    std::deque<PendingBatch> pending;
    pending.swap(m_pending);
    while (!pending.empty()) {
        const PendingBatch &b = pending.front();
        if (!sendBatch(b.to, b.data.data(), b.data.size(), b.gsoSize)) {
            // Blocked again: the failed batch is queued; the rest follows it.
            pending.pop_front();
            for (PendingBatch &rest : pending)
                m_pending.push_back(std::move(rest));
            return;
        }
        pending.pop_front();
    }
    process();
}

StreamPrivate *Connection::nextWritableStream()
{
    while (!m_writeQueue.empty()) {
        StreamPrivate *s = m_writeQueue.front();
        if (s->hasWork() && !s->blocked)
            return s;
        s->inWriteQueue = false;
        m_writeQueue.pop_front();
    }
    return nullptr;
}

void Connection::writeLoop()
{
    if (m_sendBlocked || m_inCallback)
        return;
    const uint64_t ts = nowNs();
    // writev wants room for the largest packet we may send; batches are
    // bounded by the send quantum (pacing) and by what one GSO send carries.
    const size_t maxPacket = ngtcp2_conn_get_max_tx_udp_payload_size(m_conn);
    const size_t budget = std::max(std::min(ngtcp2_conn_get_send_quantum(m_conn), kMaxGsoBytes), maxPacket);
    if (m_sendBuffer.size() < budget + maxPacket)
        m_sendBuffer.resize(budget + maxPacket);

    ngtcp2_path_storage ps;
    ngtcp2_path_storage_zero(&ps);
    ngtcp2_pkt_info pi{};
    uint8_t *buf = m_sendBuffer.data();
    size_t offset = 0;      // bytes in the batch
    size_t gsoSize = 0;     // size of the batch's packets (the last may be shorter)
    size_t packets = 0;
    SocketAddress batchTo;
    ngtcp2_vec vecs[kMaxVecs];

    for (;;) {
        StreamPrivate *stream = nextWritableStream();
        int64_t sid = -1;
        size_t vcnt = 0;
        uint32_t flags = NGTCP2_WRITE_STREAM_FLAG_MORE;
        if (stream) {
            sid = stream->streamId;
            vcnt = stream->sendBuffer().unsent(vecs, kMaxVecs);
            // FIN rides with the last data when close() was asked and these
            // vectors hold everything still unsent (or there is nothing left).
            if (stream->finRequested()) {
                uint64_t total = 0;
                for (size_t i = 0; i < vcnt; ++i)
                    total += vecs[i].len;
                if (stream->sendBuffer().sent() + total == stream->sendBuffer().written())
                    flags |= NGTCP2_WRITE_STREAM_FLAG_FIN;
            }
        }

        ngtcp2_ssize ndatalen = -1;
        const ngtcp2_ssize nwrite = ngtcp2_conn_writev_stream(
            m_conn, &ps.path, &pi, buf + offset, maxPacket, &ndatalen, flags, sid, vecs, vcnt, ts);

        if (stream && ndatalen >= 0) {
            stream->sendBuffer().markSent(size_t(ndatalen));
            if ((flags & NGTCP2_WRITE_STREAM_FLAG_FIN) && !stream->sendBuffer().hasUnsent())
                stream->markFinSent();
            if (!stream->hasWork()) {
                stream->inWriteQueue = false;
                m_writeQueue.pop_front();
            }
        }
        if (nwrite < 0) {
            if (nwrite == NGTCP2_ERR_WRITE_MORE)
                continue;
            if (nwrite == NGTCP2_ERR_STREAM_DATA_BLOCKED && stream) {
                stream->blocked = true;   // extend_max_stream_data unblocks it
                stream->inWriteQueue = false;
                m_writeQueue.pop_front();
                continue;
            }
            if ((nwrite == NGTCP2_ERR_STREAM_SHUT_WR || nwrite == NGTCP2_ERR_STREAM_NOT_FOUND) && stream) {
                // The peer sent STOP_SENDING (ngtcp2 answered with a reset):
                // whatever is still queued will never be delivered.
                stream->onWriteRefused();
                markDirty(stream);
                stream->inWriteQueue = false;
                m_writeQueue.pop_front();
                continue;
            }
            if (offset > 0)
                sendBatch(batchTo, buf, offset, gsoSize);
            checkError(int(nwrite), "write");
            return;
        }
        if (nwrite == 0) {
            // Nothing more now: congestion, pacing, flow control, or done.
            if (offset > 0)
                sendBatch(batchTo, buf, offset, gsoSize);
            break;
        }

        // Where this packet goes: ngtcp2 picks the path (a migrated peer, a
        // path being validated), so take it from ps.path every time.
        SocketAddress to;
        to.length = socklen_t(ps.path.remote.addrlen);
        std::memcpy(&to.storage, ps.path.remote.addr, ps.path.remote.addrlen);
        const size_t len = size_t(nwrite);
        // A GSO batch is packets of one size to one address, the last one
        // possibly shorter. A packet that does not fit (bigger, or for
        // another address) sends the batch so far and starts the next one.
        if (packets > 0 && (len > gsoSize || !(to == batchTo))) {
            const bool ok = sendBatch(batchTo, buf, offset, gsoSize);
            std::memmove(buf, buf + offset, len);
            offset = 0;
            packets = 0;
            if (!ok) {
                sendBatch(to, buf, len, len);   // queued behind the refused batch
                break;
            }
            if (len > gsoSize) {
                // Most likely a PMTUD probe: alone, so that if the path
                // refuses its size, no data packet is lost with it.
                if (!sendBatch(to, buf, len, len))
                    break;
                continue;
            }
        }
        if (packets == 0) {
            batchTo = to;
            gsoSize = len;
        }
        offset += len;
        ++packets;
        const bool batchFull = packets >= kMaxGsoSegments || offset + gsoSize > budget;
        if (len < gsoSize || batchFull) {
            const bool ok = sendBatch(batchTo, buf, offset, gsoSize);
            offset = 0;
            packets = 0;
            if (!ok || batchFull) {
                // A full batch used the send quantum: the rest waits for the
                // pacing timer. Rotate so the next batch starts with another stream.
                if (stream && stream->inWriteQueue && m_writeQueue.size() > 1 && m_writeQueue.front() == stream) {
                    m_writeQueue.pop_front();
                    m_writeQueue.push_back(stream);
                }
                break;
            }
        }
    }
    ngtcp2_conn_update_pkt_tx_time(m_conn, ts);
    armTimer();
}

void Connection::armTimer()
{
    if (!m_conn || m_state == State::Closed)
        return;
    const uint64_t expiry = ngtcp2_conn_get_expiry(m_conn);
    if (expiry == UINT64_MAX) {
        m_timer->stop();
        return;
    }
    const uint64_t now = nowNs();
    // QTimer counts whole milliseconds; a sub-millisecond wait (pacing on a
    // fast path) fires on the next loop turn instead.
    const int ms = expiry <= now ? 0 : int((expiry - now) / kMs);
    m_timer->start(ms);
}

void Connection::handleExpiry()
{
    if (!m_conn || m_state >= State::Closing)
        return;
    const int rv = ngtcp2_conn_handle_expiry(m_conn, nowNs());
    if (rv != 0 && !checkError(rv, "expiry"))
        return;
    // No chunk taken for a second (seen at an idle connection's keep-alive
    // or idle timer, at the latest): the spares only hold memory now.
    if (!m_rxChunks.empty() && nowNs() - m_rxChunkTakenNs > 1000 * kMs)
        std::vector<QByteArray>().swap(m_rxChunks);
    QPointer<Connection> self(this);
    writeLoop();
    if (self)
        dispatch();
}

// ---------------------------------------------------------------- closing

void Connection::close(uint64_t applicationErrorCode, const QByteArray &reason)
{
    if (!m_conn || m_state >= State::Closing)
        return;
    setCloseReason(Error(ErrorCode::ConnectionClosed,
                         QStringLiteral("closed locally (%1)").arg(QString::fromUtf8(reason))));
    if (!ngtcp2_conn_in_draining_period(m_conn) && !ngtcp2_conn_in_closing_period(m_conn)) {
        ngtcp2_ccerr ccerr;
        ngtcp2_ccerr_default(&ccerr);
        ngtcp2_ccerr_set_application_error(&ccerr, applicationErrorCode,
                                           reinterpret_cast<const uint8_t *>(reason.constData()),
                                           size_t(reason.size()));
        writeClosePacket(ccerr);
    }
    startClosing(m_closeReason);
}

void Connection::writeClosePacket(const ngtcp2_ccerr &ccerr)
{
    // Kept: while closing, every packet from the peer is answered with it.
    ngtcp2_path_storage ps;
    ngtcp2_path_storage_zero(&ps);
    ngtcp2_pkt_info pi;
    uint8_t buf[NGTCP2_MAX_UDP_PAYLOAD_SIZE];
    const ngtcp2_ssize n = ngtcp2_conn_write_connection_close(m_conn, &ps.path, &pi, buf, sizeof buf,
                                                              &ccerr, nowNs());
    if (n > 0)
        m_closePacket = QByteArray(reinterpret_cast<const char *>(buf), int(n));
}

void Connection::abort()
{
    setCloseReason(Error(ErrorCode::ConnectionClosed, QStringLiteral("aborted locally")));
    finalize();
}

void Connection::setCloseReason(const Error &reason)
{
    if (!m_closeReason.isError())
        m_closeReason = reason;
}

void Connection::startClosing(const Error &reason)
{
    if (m_state >= State::Closing)
        return;
    setCloseReason(reason);
    m_state = State::Closing;
    m_timer->stop();
    if (!m_closePacket.isEmpty())
        socket()->send(m_remote, reinterpret_cast<const uint8_t *>(m_closePacket.constData()),
                       size_t(m_closePacket.size()), size_t(m_closePacket.size()));
    // Streams are on their own from here: they forget us, we forget them.
    for (auto &[sid, core] : m_streams)
        core->detach(m_closeReason);
    m_streams.clear();
    m_writeQueue.clear();
    m_dirty.clear();
    m_orphans.clear();
    // Keep routing (and answering) the peer's packets for three PTOs, then go.
    const uint64_t pto = ngtcp2_conn_get_pto(m_conn);
    const int ms = int(std::clamp<uint64_t>(3 * pto / kMs, 10, 3000));
    QTimer::singleShot(ms, this, &Connection::finalize);
    dispatch();
}

void Connection::enterDraining()
{
    m_closePacket.clear();
    startClosing(m_closeReason);
}

void Connection::finalize()
{
    if (m_state == State::Closed)
        return;
    m_state = State::Closed;
    m_timer->stop();
    for (auto &[sid, core] : m_streams)
        core->detach(m_closeReason.isError() ? m_closeReason : Error(ErrorCode::ConnectionClosed));
    m_streams.clear();
    m_writeQueue.clear();
    m_dirty.clear();
    m_orphans.clear();
    if (m_host)
        deleteLater(); // the listener forgets us in our destructor
    if (m_ownSocket)
        m_ownSocket->close();
    if (m_host) {
        for (const ngtcp2_cid &cid : m_scids)
            m_host->removeConnectionId(cid);
        if (m_initialDcidRouted)
            m_host->removeConnectionId(m_initialDcid);
        m_scids.clear();
        m_initialDcidRouted = false;
    }
    dispatch();
}

// ---------------------------------------------------------------- signals

void Connection::dispatch()
{
    if (m_inCallback)
        return;
    QPointer<Connection> self(this);
    if (m_connectedPending && m_state == State::Connected) {
        m_connectedPending = false;
        qCDebug(lcConn) << "connected" << m_remote.toString();
        Q_EMIT connected();
        if (!self)
            return;
    }
    while (!m_newStreams.empty()) {
        std::vector<QPointer<Stream>> fresh;
        fresh.swap(m_newStreams);
        for (const QPointer<Stream> &s : fresh) {
            if (Stream *raw = s.data()) {
                if (!m_parentlessStreams)
                    raw->setParent(this);
                Q_EMIT newStream(raw);
            }
            if (!self)
                return;
        }
    }
    if (m_streamsAvailablePending) {
        m_streamsAvailablePending = false;
        Q_EMIT streamsAvailable();
        if (!self)
            return;
    }
    while (!m_dirty.empty()) {
        StreamPrivate *core = m_dirty.back();
        m_dirty.pop_back();
        core->inDirty = false;
        core->emitPending();   // may delete the stream
        if (!self)
            return;
    }
    if (m_conn) {
        ngtcp2_conn_info ci;
        ngtcp2_conn_get_conn_info(m_conn, &ci);
        if (m_lastCwnd && ci.cwnd < m_lastCwnd && ci.ssthresh != UINT64_MAX && ci.cwnd <= ci.ssthresh)
            ++m_congestionEvents;
        m_lastCwnd = ci.cwnd;
    }
    if (m_state >= State::Closing && !m_closedEmitted) {
        m_closedEmitted = true;
        qCDebug(lcConn) << "closed" << m_remote.toString() << m_closeReason.toString();
        Q_EMIT closed(m_closeReason);
    }
}

// ---------------------------------------------------------------- figures

ConnectionStats Connection::stats() const
{
    ConnectionStats s;
    // Before the handshake completes ngtcp2 reports its initial guesses
    // (333 ms RTT, a 12 KiB window): not figures anyone measured.
    if (!m_conn || m_state != State::Connected)
        return s;
    ngtcp2_conn_info ci;
    ngtcp2_conn_get_conn_info(m_conn, &ci);
    s.setSmoothedRttUs(qint64(ci.smoothed_rtt / 1000));
    s.setMinRttUs(ci.min_rtt == UINT64_MAX ? 0 : qint64(ci.min_rtt / 1000));
    s.setLatestRttUs(qint64(ci.latest_rtt / 1000));
    s.setRttVarUs(qint64(ci.rttvar / 1000));
    s.setCongestionWindow(qint64(ci.cwnd));
    s.setBytesInFlight(qint64(ci.bytes_in_flight));
    s.setCongestionEvents(m_congestionEvents);
    if (m_ownSocket) {
        s.setBytesSent(qint64(m_ownSocket->bytesSent()));
        s.setBytesReceived(qint64(m_ownSocket->bytesReceived()));
        s.setPacketsSent(qint64(m_ownSocket->datagramsSent()));
        s.setPacketsReceived(qint64(m_ownSocket->datagramsReceived()));
    }
    return s;
}

ConnectionInfo Connection::info() const
{
    ConnectionInfo info;
    info.setValid(m_conn && m_state == State::Connected);
    if (m_tls) {
        const TlsDetails d = m_tls->details();
        info.setTlsVersion(d.version);
        info.setCipher(d.cipher);
        info.setAlpn(d.alpn);
        info.setPeerCertificates(d.peerCertificates);
    }
    if (m_tlsContext)
        info.setLocalCertificate(m_tlsContext->localCertificate());
    info.setLocalAddress(m_local.address());
    info.setLocalPort(m_local.port());
    info.setPeerAddress(m_remote.address());
    info.setPeerPort(m_remote.port());
    info.setStats(stats());
    return info;
}

// ---------------------------------------------------------------- callbacks

int Connection::cbHandshakeCompleted(ngtcp2_conn *, void *user)
{
    auto *c = static_cast<Connection *>(user);
    c->m_state = State::Connected;
    c->m_connectedPending = true;
    return 0;
}

int Connection::cbRecvStreamData(ngtcp2_conn *conn, uint32_t flags, int64_t sid, uint64_t,
                                 const uint8_t *data, size_t len, void *user, void *suser)
{
    auto *c = static_cast<Connection *>(user);
    auto *core = static_cast<StreamPrivate *>(suser);
    if (!core || !core->q()) {
        // A stream the application already let go of: consume and forget.
        ngtcp2_conn_extend_max_stream_offset(conn, sid, len);
        ngtcp2_conn_extend_max_offset(conn, len);
        return 0;
    }
    core->onData(data, len, flags & NGTCP2_STREAM_DATA_FLAG_FIN);
    c->markDirty(core);
    return 0;
}

int Connection::cbAckedStreamDataOffset(ngtcp2_conn *, int64_t, uint64_t offset, uint64_t len,
                                        void *user, void *suser)
{
    auto *c = static_cast<Connection *>(user);
    if (auto *core = static_cast<StreamPrivate *>(suser)) {
        core->onAcked(offset, len);
        if (core->q())
            c->markDirty(core);
    }
    return 0;
}

int Connection::cbStreamOpen(ngtcp2_conn *conn, int64_t sid, void *user)
{
    auto *c = static_cast<Connection *>(user);
    if (!ngtcp2_is_bidi_stream(sid))
        return 0;  // we never grant unidirectional streams
    // Parentless until announced: reparenting later would scan the old
    // parent's child list, which grows with every stream (quadratic fills).
    Stream *stream = StreamPrivate::create(c, sid, nullptr);
    StreamPrivate *core = StreamPrivate::of(stream);
    ngtcp2_conn_set_stream_user_data(conn, sid, core);
    c->m_streams.emplace(sid, core);
    c->m_newStreams.emplace_back(stream);
    return 0;
}

int Connection::cbStreamClose(ngtcp2_conn *conn, uint32_t flags, int64_t sid, uint64_t code,
                              void *user, void *suser)
{
    auto *c = static_cast<Connection *>(user);
    if (auto *core = static_cast<StreamPrivate *>(suser)) {
        // Bytes still unread will be read after ngtcp2 forgot the stream, so
        // no read can return their connection credit later: return it now.
        if (core->available() > 0)
            ngtcp2_conn_extend_max_offset(conn, uint64_t(core->available()));
        core->onClosed(code, flags & NGTCP2_STREAM_CLOSE_FLAG_APP_ERROR_CODE_SET);
        c->m_streams.erase(sid);
        if (core->inWriteQueue) {
            std::erase(c->m_writeQueue, core);
            core->inWriteQueue = false;
        }
        if (core->q())
            c->markDirty(core);
    }
    c->m_orphans.erase(sid);
    // Give the peer its stream credit back (ngtcp2 does not do it alone).
    const bool localStream = c->isServer() ? (sid & 1) == 1 : (sid & 1) == 0;
    if (ngtcp2_is_bidi_stream(sid) && !localStream)
        ngtcp2_conn_extend_max_streams_bidi(conn, 1);
    return 0;
}

int Connection::cbStreamReset(ngtcp2_conn *, int64_t, uint64_t, uint64_t code, void *user, void *suser)
{
    auto *c = static_cast<Connection *>(user);
    if (auto *core = static_cast<StreamPrivate *>(suser)) {
        core->onPeerReset(code);
        c->markDirty(core);
    }
    return 0;
}

int Connection::cbStreamStopSending(ngtcp2_conn *, int64_t, uint64_t, void *, void *)
{
    // ngtcp2 calls this when *our* read side stops early (shutdown_stream_read
    // or abort): nothing for the write side, nothing to tell the application.
    return 0;
}

int Connection::cbExtendMaxLocalStreamsBidi(ngtcp2_conn *, uint64_t, void *user)
{
    static_cast<Connection *>(user)->m_streamsAvailablePending = true;
    return 0;
}

int Connection::cbExtendMaxStreamData(ngtcp2_conn *, int64_t, uint64_t, void *user, void *suser)
{
    auto *c = static_cast<Connection *>(user);
    if (auto *core = static_cast<StreamPrivate *>(suser)) {
        core->blocked = false;
        if (core->hasWork() && !core->inWriteQueue) {
            core->inWriteQueue = true;
            c->m_writeQueue.push_back(core);
        }
    }
    return 0;
}

void Connection::cbRand(uint8_t *dest, size_t len, const ngtcp2_rand_ctx *)
{
    randomBytes(dest, len);
}

int Connection::cbGetNewConnectionId(ngtcp2_conn *, ngtcp2_cid *cid, uint8_t *token, size_t len,
                                     void *user)
{
    auto *c = static_cast<Connection *>(user);
    randomCid(cid, len);
    if (c->m_host) {
        c->m_host->generateResetToken(token, *cid);
        c->m_host->addConnectionId(*cid, c);
        c->m_scids.push_back(*cid);
    } else {
        randomBytes(token, NGTCP2_STATELESS_RESET_TOKENLEN);
    }
    return 0;
}

int Connection::cbRemoveConnectionId(ngtcp2_conn *, const ngtcp2_cid *cid, void *user)
{
    auto *c = static_cast<Connection *>(user);
    if (c->m_host) {
        c->m_host->removeConnectionId(*cid);
        std::erase_if(c->m_scids, [cid](const ngtcp2_cid &x) {
            return x.datalen == cid->datalen && std::memcmp(x.data, cid->data, x.datalen) == 0;
        });
    }
    return 0;
}

int Connection::cbRecvStatelessReset(ngtcp2_conn *, const ngtcp2_pkt_stateless_reset *, void *user)
{
    static_cast<Connection *>(user)->m_statelessReset = true;
    return 0;
}

void Connection::cbQlogWrite(void *user, uint32_t flags, const void *data, size_t len)
{
    auto *c = static_cast<Connection *>(user);
    if (!c->m_qlog)
        return;
    std::fwrite(data, 1, len, c->m_qlog);
    if (flags & NGTCP2_QLOG_WRITE_FLAG_FIN) {
        std::fclose(c->m_qlog);
        c->m_qlog = nullptr;
    }
}

} // namespace quicpool::transport
