// The ngtcp2 callbacks of every connection, in one table per role filled
// once. They only record what happened (data into a stream's queue,
// acknowledgements, new and closed streams); the signals go out later from
// ConnectionPrivate::dispatch(), so no application code runs inside ngtcp2.
#include "transport/connection_p.h"

#include "transport/stream_p.h"

#include <cstring>

namespace quicpool::transport {

namespace {

ConnectionPrivate *self(void *user) { return static_cast<ConnectionPrivate *>(user); }

int handshakeCompleted(ngtcp2_conn *conn, void *user)
{
    ConnectionPrivate *c = self(user);
    c->state = Connection::State::Connected;
    c->connectedPending = true;
    if (c->host) {
        // The client answered from its address: proven. A token for next
        // time spares it a Retry when it comes back (RFC 9000 8.1.3).
        c->addressValidated = true;
        const QByteArray token = c->host->makeNewToken(c->remote);
        if (!token.isEmpty())
            ngtcp2_conn_submit_new_token(conn, reinterpret_cast<const uint8_t *>(token.constData()),
                                         size_t(token.size()));
    }
    return 0;
}

int recvNewToken(ngtcp2_conn *, const uint8_t *token, size_t len, void *user)
{
    ConnectionPrivate *c = self(user);
    c->receivedToken = QByteArray(reinterpret_cast<const char *>(token), qsizetype(len));
    c->tokenPending = true;
    return 0;
}

int recvStreamData(ngtcp2_conn *conn, uint32_t flags, int64_t sid, uint64_t, const uint8_t *data,
                   size_t len, void *user, void *suser)
{
    auto *core = static_cast<StreamPrivate *>(suser);
    if (!core || !core->hasOwner()) {
        // A stream the application already let go of: consume and forget.
        ngtcp2_conn_extend_max_stream_offset(conn, sid, len);
        ngtcp2_conn_extend_max_offset(conn, len);
        return 0;
    }
    core->onData(data, len, flags & NGTCP2_STREAM_DATA_FLAG_FIN);
    self(user)->markDirty(core);
    return 0;
}

int ackedStreamDataOffset(ngtcp2_conn *, int64_t, uint64_t offset, uint64_t len, void *user, void *suser)
{
    if (auto *core = static_cast<StreamPrivate *>(suser)) {
        core->onAcked(offset, len);
        self(user)->markDirty(core);
    }
    return 0;
}

int streamOpen(ngtcp2_conn *, int64_t sid, void *user)
{
    if (!ngtcp2_is_bidi_stream(sid))
        return 0;  // we never grant unidirectional streams
    ConnectionPrivate *c = self(user);
    // No Stream yet: dispatch() hands it to the pool, or makes its Stream
    // for newStream(). (Which one is only known then: a client's first
    // streams come in the packet that completes its handshake, before the
    // pool hears of the connection.)
    StreamPrivate *core = StreamPrivate::createPooled(c, sid);
    c->unannounced.push_back(core);
    c->registerStream(core);
    return 0;
}

int streamClose(ngtcp2_conn *conn, uint32_t flags, int64_t sid, uint64_t code, void *user, void *suser)
{
    ConnectionPrivate *c = self(user);
    if (auto *core = static_cast<StreamPrivate *>(suser)) {
        // Bytes still unread will be read after ngtcp2 forgot the stream, so
        // no read can return their connection credit later: return it now.
        // The core stays registered until its Stream goes (streamDestroyed).
        if (const uint64_t owed = core->onClosed(code, flags & NGTCP2_STREAM_CLOSE_FLAG_APP_ERROR_CODE_SET))
            ngtcp2_conn_extend_max_offset(conn, owed);
        if (core->inWriteQueue) {
            std::erase(c->writeQueue, core);
            core->inWriteQueue = false;
        }
        c->markDirty(core);
    }
    c->orphans.erase(sid);
    // Give the peer its stream credit back (ngtcp2 does not do it alone).
    const bool localStream = c->host ? (sid & 1) == 1 : (sid & 1) == 0;
    if (ngtcp2_is_bidi_stream(sid) && !localStream)
        ngtcp2_conn_extend_max_streams_bidi(conn, 1);
    return 0;
}

int streamReset(ngtcp2_conn *, int64_t, uint64_t, uint64_t code, void *user, void *suser)
{
    if (auto *core = static_cast<StreamPrivate *>(suser)) {
        core->onPeerReset(code);
        self(user)->markDirty(core);
    }
    return 0;
}

int recvStopSending(ngtcp2_conn *, int64_t, uint64_t code, void *user, void *suser)
{
    if (auto *core = static_cast<StreamPrivate *>(suser)) {
        core->onStopSending(code);
        if (core->inWriteQueue) {
            std::erase(self(user)->writeQueue, core);
            core->inWriteQueue = false;
        }
        self(user)->markDirty(core);
    }
    return 0;
}

int streamStopSending(ngtcp2_conn *, int64_t, uint64_t, void *, void *)
{
    // ngtcp2 calls this when *our* read side stops early (shutdown_stream_read
    // or abort): nothing for the write side, nothing to tell the application.
    return 0;
}

int extendMaxLocalStreamsBidi(ngtcp2_conn *, uint64_t, void *user)
{
    self(user)->streamsAvailablePending = true;
    return 0;
}

int extendMaxStreamData(ngtcp2_conn *, int64_t, uint64_t, void *user, void *suser)
{
    ConnectionPrivate *c = self(user);
    if (auto *core = static_cast<StreamPrivate *>(suser)) {
        core->blocked = false;
        if (core->hasWork() && !core->inWriteQueue) {
            core->inWriteQueue = true;
            c->writeQueue.push_back(core);
        }
    }
    return 0;
}

void rand(uint8_t *dest, size_t len, const ngtcp2_rand_ctx *)
{
    randomBytes(dest, len);
}

int getNewConnectionId(ngtcp2_conn *, ngtcp2_cid *cid, uint8_t *token, size_t len, void *user)
{
    ConnectionPrivate *c = self(user);
    cid->datalen = len;
    randomBytes(cid->data, len);
    if (c->host) {
        c->host->generateResetToken(token, toConnectionId(*cid));
        c->host->addConnectionId(toConnectionId(*cid), c->q);
        c->scids.push_back(*cid);
    } else {
        randomBytes(token, NGTCP2_STATELESS_RESET_TOKENLEN);
    }
    return 0;
}

int removeConnectionId(ngtcp2_conn *, const ngtcp2_cid *cid, void *user)
{
    ConnectionPrivate *c = self(user);
    if (c->host) {
        c->host->removeConnectionId(toConnectionId(*cid), c->q);
        std::erase_if(c->scids, [cid](const ngtcp2_cid &x) {
            return x.datalen == cid->datalen && std::memcmp(x.data, cid->data, x.datalen) == 0;
        });
    }
    return 0;
}

int recvStatelessReset(ngtcp2_conn *, const ngtcp2_pkt_stateless_reset *, void *user)
{
    self(user)->statelessReset = true;
    return 0;
}

ngtcp2_callbacks makeCallbacks(bool server)
{
    ngtcp2_callbacks cb{};
    if (server) {
        cb.recv_client_initial = ngtcp2_crypto_recv_client_initial_cb;
        cb.remove_connection_id = removeConnectionId;
    } else {
        cb.client_initial = ngtcp2_crypto_client_initial_cb;
        cb.recv_retry = ngtcp2_crypto_recv_retry_cb;
        cb.recv_new_token = recvNewToken;
        cb.extend_max_local_streams_bidi = extendMaxLocalStreamsBidi;
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
    cb.rand = rand;
    cb.get_new_connection_id = getNewConnectionId;
    cb.handshake_completed = handshakeCompleted;
    cb.recv_stream_data = recvStreamData;
    cb.acked_stream_data_offset = ackedStreamDataOffset;
    cb.stream_open = streamOpen;
    cb.stream_close = streamClose;
    cb.stream_reset = streamReset;
    cb.stream_stop_sending = streamStopSending;
    cb.recv_stop_sending = recvStopSending;
    cb.extend_max_stream_data = extendMaxStreamData;
    cb.recv_stateless_reset = recvStatelessReset;
    return cb;
}

} // namespace

const ngtcp2_callbacks &connectionCallbacks(bool server)
{
    static const ngtcp2_callbacks serverTable = makeCallbacks(true);
    static const ngtcp2_callbacks clientTable = makeCallbacks(false);
    return server ? serverTable : clientTable;
}

} // namespace quicpool::transport
