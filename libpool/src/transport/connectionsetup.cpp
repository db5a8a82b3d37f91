// How a connection is set up: ngtcp2's settings and our transport
// parameters (the NodePass values in PROTOCOL terms: idle timeout 3 x
// keep-alive, initial_max_streams_bidi = maxCap), Path MTU probes, the
// environment knobs for experiments, and the qlog file.
#include "transport/connection_p.h"

#include "common/logging.h"
#include "transport/clock.h"

#include <QtCore/QDir>
#include <algorithm>
#include <cstdarg>
#include <cstdio>

namespace quicpool::transport {

namespace {

// Payload sizes PMTUD tries after the configured maximum, largest first:
// Ethernet, PPPoE, a common fibre MTU, tunnels, the IPv6 minimum (48 bytes
// of IPv6 + UDP headers off each).
constexpr uint16_t kPmtudFallbacks[] = {1500 - 48, 1492 - 48, 1454 - 48, 1390 - 48, 1280 - 48};

// printf-checked: the format is ngtcp2's own, passed through.
[[gnu::format(printf, 2, 3)]] void ngtcp2Log(void *, const char *format, ...)
{
    va_list ap;
    va_start(ap, format);
    char line[1024];
    std::vsnprintf(line, sizeof line, format, ap);
    va_end(ap);
    qCDebug(lcConn).noquote() << line;
}

void qlogWrite(void *user, uint32_t flags, const void *data, size_t len)
{
    auto *d = static_cast<ConnectionPrivate *>(user);
    if (!d->qlog)
        return;
    std::fwrite(data, 1, len, d->qlog);
    if (flags & NGTCP2_QLOG_WRITE_FLAG_FIN) {
        std::fclose(d->qlog);
        d->qlog = nullptr;
    }
}

} // namespace

bool ConnectionPrivate::init(bool server, const ngtcp2_pkt_hd *hd, const ngtcp2_cid *dcid,
                             const ngtcp2_cid *scid, std::shared_ptr<TlsContext> tlsCtx,
                             const TransportConfig &cfg, Error *error, const ServerAdmission *how)
{
    config = cfg;
    // What only the listener needs stays with it: not a copy per connection.
    config.acceptSource = nullptr;
    config.refusalReason.clear();
    config.initialToken.clear();
    tlsContext = std::move(tlsCtx);

    ngtcp2_settings settings;
    ngtcp2_settings_default(&settings);
    settings.initial_ts = nowNs();
    settings.handshake_timeout = uint64_t(config.handshakeTimeout.count()) * kNsPerMs;
    settings.max_window = config.maxConnectionWindow;
    settings.max_stream_window = config.maxStreamWindow;
    switch (config.congestionControl) {
    case CongestionControl::Reno:
        settings.cc_algo = NGTCP2_CC_ALGO_RENO;
        break;
    case CongestionControl::Bbr:
        settings.cc_algo = NGTCP2_CC_ALGO_BBR;
        break;
    case CongestionControl::Cubic:
        settings.cc_algo = NGTCP2_CC_ALGO_CUBIC;
        break;
    }
    size_t maxPayload = config.maxUdpPayloadSize;
    // QUICPOOL_MAX_UDP_PAYLOAD (docs/ARCHITECTURE.md, "Environment"): for
    // experiments and odd paths.
    if (const int env = qEnvironmentVariableIntValue("QUICPOOL_MAX_UDP_PAYLOAD"); env > 0)
        maxPayload = size_t(env);
    maxPayload = std::clamp<size_t>(maxPayload, NGTCP2_MAX_UDP_PAYLOAD_SIZE, 65000);
    settings.max_tx_udp_payload_size = maxPayload;
    pmtudProbes.clear();
    if (maxPayload > kPmtudFallbacks[0])
        pmtudProbes.push_back(uint16_t(maxPayload));
    for (uint16_t probe : kPmtudFallbacks)
        if (probe <= maxPayload && probe > NGTCP2_MAX_UDP_PAYLOAD_SIZE)
            pmtudProbes.push_back(probe);
    settings.pmtud_probes = pmtudProbes.data();
    settings.pmtud_probeslen = pmtudProbes.size();
    if (qEnvironmentVariableIsSet("QUICPOOL_NGTCP2_LOG"))
        settings.log_printf = ngtcp2Log;
    if (!config.qlogDirectory.isEmpty()) {
        // One JSON-SEQ file per connection, named by our first connection
        // ID, for qvis (https://qvis.quictools.info).
        const QString name = QDir(config.qlogDirectory).filePath(
            QString::fromLatin1(QByteArray(reinterpret_cast<const char *>(scid->data), int(scid->datalen)).toHex())
            + QStringLiteral(".sqlog"));
        qlog = std::fopen(QFile::encodeName(name).constData(), "wb");
        if (qlog)
            settings.qlog_write = qlogWrite;
        else
            qCWarning(lcConn) << "cannot write qlog file" << name;
    }

    ngtcp2_transport_params params;
    ngtcp2_transport_params_default(&params);
    params.initial_max_stream_data_bidi_local = config.streamWindow;
    params.initial_max_stream_data_bidi_remote = config.streamWindow;
    params.initial_max_stream_data_uni = config.streamWindow;
    params.initial_max_data = config.connectionWindow;
    params.initial_max_streams_bidi = config.maxIncomingBidiStreams;
    params.initial_max_streams_uni = 0;
    params.max_idle_timeout = 3 * uint64_t(config.keepAlive.count()) * kNsPerMs;
    params.active_connection_id_limit = 4;

    ngtcp2_path path{{local.data(), local.length}, {remote.data(), remote.length}, nullptr};
    int rv;
    if (server) {
        params.original_dcid = hd->dcid;
        params.original_dcid_present = 1;
        if (how && !how->token.isEmpty()) {
            // A token of ours proved the address: no 3x limit (ngtcp2 lifts
            // it for a connection made with a token). After our Retry the
            // client's first DCID is in the token, and the Retry's is ours.
            settings.token = reinterpret_cast<const uint8_t *>(how->token.constData());
            settings.tokenlen = size_t(how->token.size());
            settings.token_type = how->retried ? NGTCP2_TOKEN_TYPE_RETRY : NGTCP2_TOKEN_TYPE_NEW_TOKEN;
            if (how->retried) {
                params.original_dcid = toNgtcp2Cid(how->originalDcid);
                params.retry_scid = hd->dcid;
                params.retry_scid_present = 1;
            }
        }
        host->generateResetToken(params.stateless_reset_token, toConnectionId(*scid));
        params.stateless_reset_token_present = 1;
        rv = ngtcp2_conn_server_new(&conn, dcid, scid, &path, hd->version, &connectionCallbacks(true),
                                    &settings, &params, nullptr, this);
    } else {
        if (!cfg.initialToken.isEmpty()) {
            // A NEW_TOKEN token from an earlier connection: no Retry for us.
            settings.token = reinterpret_cast<const uint8_t *>(cfg.initialToken.constData());
            settings.tokenlen = size_t(cfg.initialToken.size());
        }
        rv = ngtcp2_conn_client_new(&conn, dcid, scid, &path, NGTCP2_PROTO_VER_V1,
                                    &connectionCallbacks(false), &settings, &params, nullptr, this);
    }
    if (rv != 0) {
        if (error)
            *error = Error(ErrorCode::SocketError, QStringLiteral("cannot create a QUIC connection: %1")
                                                       .arg(QString::fromUtf8(ngtcp2_strerror(rv))));
        return false;
    }
    connRef.get_conn = &ConnectionPrivate::connOf;
    connRef.user_data = this;
    tls = TlsSession::create(*tlsContext, &connRef, error);
    if (!tls)
        return false;
    ngtcp2_conn_set_tls_native_handle(conn, tls->nativeHandle());
    ngtcp2_conn_set_keep_alive_timeout(conn, uint64_t(config.keepAlive.count()) * kNsPerMs);
    return true;
}

} // namespace quicpool::transport
