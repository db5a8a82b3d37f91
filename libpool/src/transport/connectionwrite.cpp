// The write path: ngtcp2 packs stream data into packets round-robin over the
// streams that have some, PacketBatcher groups the packets into GSO sends
// (one path: source, destination and ECN mark each), and sends the kernel
// refuses wait, in order: for the socket to drain (EAGAIN), or a short
// growing delay (ENOBUFS). One precise timer drives retransmission, pacing
// and keep-alive.
#include "transport/connection_p.h"

#include "common/logging.h"
#include "transport/clock.h"
#include "transport/packetbatcher.h"
#include "transport/stream_p.h"
#include "transport/turnhooks.h"
#include "transport/udpsocket.h"

#include <QtCore/QTimer>
#include <algorithm>
#include <cstring>

namespace quicpool::transport {

namespace {
constexpr size_t kMaxVecs = 16;

/// The buffer a write loop packs one GSO batch into: one per thread, not
/// one per connection (a pending handshake must not hold 64 KiB for a
/// batch it writes once). A batch leaves for the kernel, or is copied into
/// PendingBatch, before the loop ends, so nothing lives in it between
/// loops; a loop that starts inside another (it should not) gets its own.
class BatchScratch
{
public:
    explicit BatchScratch(size_t size)
    {
        if (s_busy) {
            m_own.resize(size);
            m_data = m_own.data();
            return;
        }
        s_busy = true;
        m_shared = true;
        if (s_buffer.size() < size)
            s_buffer.resize(size);
        m_data = s_buffer.data();
    }
    ~BatchScratch()
    {
        if (m_shared)
            s_busy = false;
    }
    BatchScratch(const BatchScratch &) = delete;
    BatchScratch &operator=(const BatchScratch &) = delete;
    uint8_t *data() { return m_data; }

private:
    static thread_local std::vector<uint8_t> s_buffer;
    static thread_local bool s_busy;
    std::vector<uint8_t> m_own;
    uint8_t *m_data = nullptr;
    bool m_shared = false;
};

thread_local std::vector<uint8_t> BatchScratch::s_buffer;
thread_local bool BatchScratch::s_busy = false;

} // namespace

void ConnectionPrivate::scheduleFlush()
{
    if (flushScheduled || state == State::Closed)
        return;
    if (processing > 0) {
        // process() flushes once its slots return; should a slot run an
        // event loop of its own first, the flush is posted as that loop
        // starts its next turn (turnhooks.h).
        if (flushOwed)
            return;
        flushOwed = turnhooks::defer(this, [](void *self) {
            auto *d = static_cast<ConnectionPrivate *>(self);
            d->flushOwed = false;
            d->postFlush();
        });
        if (flushOwed)
            return;
    }
    postFlush();
}

void ConnectionPrivate::postFlush()
{
    if (flushScheduled || state == State::Closed)
        return;
    flushScheduled = true;
    turnhooks::notePostedWork();
    QMetaObject::invokeMethod(q, [this] {
        flushScheduled = false;
        QPointer<Connection> self(q);
        flush();
        if (self)
            dispatch();
    }, Qt::QueuedConnection);
}

bool ConnectionPrivate::sendBatch(const UdpPath &path, const uint8_t *data, size_t len, size_t gsoSize)
{
    if (sendBlocked) {
        // Keep order: behind what the kernel already refused.
        pending.push_back(PendingBatch{std::vector<uint8_t>(data, data + len), gsoSize, path});
        return false;
    }
    const UdpSocket::SendResult r = socket()->send(path, data, len, gsoSize);
    if (r == UdpSocket::SendResult::Sent)
        countUnvalidated(0, len);
    if (r != UdpSocket::SendResult::WouldBlock && r != UdpSocket::SendResult::NoBuffers) {
        noBufferStreak = 0;
        return true;
    }
    pending.push_back(PendingBatch{std::vector<uint8_t>(data, data + len), gsoSize, path});
    sendBlocked = true;
    if (r == UdpSocket::SendResult::NoBuffers) {
        // The socket stays writable while the kernel has no buffers below
        // it: a writable notifier would fire at once, again and again.
        retryAfter(UdpSocket::noBufferDelay(++noBufferStreak));
    } else if (host) {
        // The listener's socket is shared: retry on a short timer rather
        // than taking its write notifier from other connections.
        retryAfter(std::chrono::milliseconds(1));
    } else {
        socket()->setWritable([this] { onWritable(); });
        socket()->waitForWritable();
    }
    return false;
}

void ConnectionPrivate::retryAfter(std::chrono::milliseconds delay)
{
    QTimer::singleShot(delay, q, [this] { onWritable(); });
}

void ConnectionPrivate::onWritable()
{
    if (!sendBlocked)
        return;
    sendBlocked = false;
    std::deque<PendingBatch> waiting;
    waiting.swap(pending);
    while (!waiting.empty()) {
        const PendingBatch &b = waiting.front();
        if (!sendBatch(b.path, b.data.data(), b.data.size(), b.gsoSize)) {
            // Blocked again: the failed batch is queued; the rest follows it.
            waiting.pop_front();
            for (PendingBatch &rest : waiting)
                pending.push_back(std::move(rest));
            return;
        }
        waiting.pop_front();
    }
    process();
}

void ConnectionPrivate::writeLoop()
{
    if (sendBlocked || inCallback)
        return;
    const uint64_t ts = nowNs();
    // writev wants room for the largest packet we may send; batches are
    // bounded by the send quantum (pacing) and by what one GSO send carries.
    const size_t maxPacket = ngtcp2_conn_get_max_tx_udp_payload_size(conn);
    const size_t budget = std::max(std::min(ngtcp2_conn_get_send_quantum(conn), PacketBatcher::kMaxBytes), maxPacket);
    BatchScratch scratch(budget + maxPacket);

    ngtcp2_path_storage ps;
    ngtcp2_path_storage_zero(&ps);
    ngtcp2_pkt_info pi{};
    uint8_t *buf = scratch.data();
    PacketBatcher batch(budget);
    ngtcp2_vec vecs[kMaxVecs];
    bool drained = false;

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
            conn, &ps.path, &pi, buf + batch.bytes(), maxPacket, &ndatalen, flags, sid, vecs, vcnt, ts);

        if (stream && ndatalen >= 0) {
            stream->onSent(size_t(ndatalen));
            if (ndatalen > 0)
                markDirty(stream);   // bytesWritten()
            if ((flags & NGTCP2_WRITE_STREAM_FLAG_FIN) && !stream->sendBuffer().hasUnsent())
                stream->markFinSent();
            if (!stream->hasWork()) {
                stream->inWriteQueue = false;
                writeQueue.pop_front();
            }
        }
        if (nwrite < 0) {
            if (nwrite == NGTCP2_ERR_WRITE_MORE)
                continue;
            if (nwrite == NGTCP2_ERR_STREAM_DATA_BLOCKED && stream) {
                stream->blocked = true;   // extend_max_stream_data unblocks it
                stream->inWriteQueue = false;
                writeQueue.pop_front();
                continue;
            }
            if ((nwrite == NGTCP2_ERR_STREAM_SHUT_WR || nwrite == NGTCP2_ERR_STREAM_NOT_FOUND) && stream) {
                // The peer sent STOP_SENDING (ngtcp2 answered with a reset):
                // whatever is still queued will never be delivered.
                stream->onWriteRefused();
                markDirty(stream);
                stream->inWriteQueue = false;
                writeQueue.pop_front();
                continue;
            }
            if (!batch.isEmpty())
                sendBatch(batch.destination(), buf, batch.bytes(), batch.segmentSize());
            checkError(int(nwrite), "write");
            return;
        }
        if (nwrite == 0) {
            // Nothing more now: congestion, pacing, flow control, or done.
            if (!batch.isEmpty())
                sendBatch(batch.destination(), buf, batch.bytes(), batch.segmentSize());
            drained = writeQueue.empty();
            break;
        }

        // Where this packet goes and how: ngtcp2 picks the path (a migrated
        // peer, a path being validated) and the ECN mark, so take them from
        // ps.path and pi every time.
        UdpPath to;
        to.peer.length = socklen_t(ps.path.remote.addrlen);
        std::memcpy(&to.peer.storage, ps.path.remote.addr, ps.path.remote.addrlen);
        to.local.length = socklen_t(ps.path.local.addrlen);
        std::memcpy(&to.local.storage, ps.path.local.addr, ps.path.local.addrlen);
        to.ecn = pi.ecn & 3;
        ++ecnSent[to.ecn];
        const size_t len = size_t(nwrite);
        const PacketBatcher::Placement placement = batch.place(len, to);
        if (placement != PacketBatcher::Placement::Append) {
            const bool ok = sendBatch(batch.destination(), buf, batch.bytes(), batch.segmentSize());
            std::memmove(buf, buf + batch.bytes(), len);
            batch.clear();
            if (!ok) {
                sendBatch(to, buf, len, len);   // queued behind the refused batch
                break;
            }
            if (placement == PacketBatcher::Placement::AloneAfterFlush) {
                if (!sendBatch(to, buf, len, len))
                    break;
                continue;
            }
        }
        if (batch.append(len, to)) {
            const bool full = batch.isFull();
            const bool ok = sendBatch(batch.destination(), buf, batch.bytes(), batch.segmentSize());
            batch.clear();
            if (!ok || full) {
                // A full batch used the send quantum: the rest waits for the
                // pacing timer. Rotate so the next batch starts with another stream.
                if (stream && stream->inWriteQueue && writeQueue.size() > 1 && writeQueue.front() == stream) {
                    writeQueue.pop_front();
                    writeQueue.push_back(stream);
                }
                break;
            }
        }
    }
    // The pacer's next send time is only worth a wake-up when there is a
    // next packet. Drained (ngtcp2 had nothing more, no stream has data),
    // the timer waits for the rest of ngtcp2's deadlines (loss, ACK delay,
    // keep-alive), taken before the pacer sets its own; a write that comes
    // earlier than the pacer allows finds it blocked and arms it then.
    // (An echo's answer otherwise cost a timer re-arm and a wake-up on each
    // side for every round trip: docs/PERFORMANCE.md.)
    const uint64_t unpacedExpiry = drained && conn ? ngtcp2_conn_get_expiry(conn) : 0;
    ngtcp2_conn_update_pkt_tx_time(conn, ts);
    armTimer(drained ? unpacedExpiry : ngtcp2_conn_get_expiry(conn));
}

void ConnectionPrivate::writeClosePacket(const ngtcp2_ccerr &ccerr)
{
    // Kept: while closing, every packet from the peer is answered with it.
    ngtcp2_path_storage ps;
    ngtcp2_path_storage_zero(&ps);
    ngtcp2_pkt_info pi;
    uint8_t buf[NGTCP2_MAX_UDP_PAYLOAD_SIZE];
    const ngtcp2_ssize n = ngtcp2_conn_write_connection_close(conn, &ps.path, &pi, buf, sizeof buf, &ccerr, nowNs());
    if (n > 0)
        closePacket = QByteArray(reinterpret_cast<const char *>(buf), int(n));
}

void ConnectionPrivate::sendClosePacket()
{
    if (closePacket.isEmpty() || !mayAnswerUnvalidated(size_t(closePacket.size())))
        return;
    const auto *data = reinterpret_cast<const uint8_t *>(closePacket.constData());
    if (socket()->send(UdpPath{local, remote, 0}, data, size_t(closePacket.size()), size_t(closePacket.size()))
        == UdpSocket::SendResult::Sent)
        countUnvalidated(0, size_t(closePacket.size()));
}

bool ConnectionPrivate::mayAnswerUnvalidated(size_t len) const
{
    return !host || addressValidated || unvalidatedOut + len <= 3 * unvalidatedIn;
}

void ConnectionPrivate::countUnvalidated(size_t received, size_t sent)
{
    if (!host || addressValidated)
        return;
    unvalidatedIn += received;
    unvalidatedOut += sent;
    host->noteUnvalidated(received, sent);
}

void ConnectionPrivate::armTimer(uint64_t expiry)
{
    if (!conn || state == State::Closed)
        return;
    if (expiry == UINT64_MAX)
        timer->stop();
    else
        timer->armAt(expiry);
}

void ConnectionPrivate::handleExpiry()
{
    if (!conn || state >= State::Closing)
        return;
    const int rv = ngtcp2_conn_handle_expiry(conn, nowNs());
    if (rv != 0 && !checkError(rv, "expiry"))
        return;
    // No chunk taken for a second (seen at an idle connection's keep-alive
    // or idle timer, at the latest): the spares only hold memory now.
    m_rxChunks.trim(nowNs());
    QPointer<Connection> self(q);
    writeLoop();
    if (self)
        dispatch();
}

} // namespace quicpool::transport
