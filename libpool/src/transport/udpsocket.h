// A non-blocking UDP socket on a raw fd, driven by QSocketNotifier.
// Reads are drained to EAGAIN in batches (UDP GRO where the kernel has it),
// each datagram with its path: which of our addresses it reached
// (IP_PKTINFO / IPV6_PKTINFO) and its ECN mark (IP_TOS / IPV6_TCLASS).
// Sends use sendmsg with UDP GSO for runs of equal-sized packets, the source
// address and ECN mark of their path as control messages; a destination the
// kernel refuses GSO for gets one datagram per call.
#pragma once

#include "transport/socketaddress.h"
#include <quicpool/error.h>
#include <QtCore/QObject>
#include <chrono>
#include <cstdint>
#include <deque>
#include <functional>
#include <memory>
#include <vector>

class QSocketNotifier;

namespace quicpool::transport {

/// A socket's traffic since it was opened.
struct UdpCounters
{
    uint64_t bytesSent = 0, bytesReceived = 0, datagramsSent = 0, datagramsReceived = 0;
};

class UdpSocket : public QObject
{
    Q_OBJECT
public:
    /// One received datagram and its path (who sent it, which of our
    /// addresses it reached, its ECN codepoint).
    using Receiver = std::function<void(const uint8_t *data, size_t len, const UdpPath &path)>;
    enum class SendResult {
        Sent,
        WouldBlock, ///< the socket buffer is full (EAGAIN): wait for it to drain
        NoBuffers,  ///< the kernel is out of buffers below the socket (ENOBUFS): retry after noBufferDelay()
        Failed,     ///< the socket is closed
    };

    explicit UdpSocket(QObject *parent = nullptr);
    ~UdpSocket() override;

    /// Binds (port 0 picks one). An IPv6 any-address socket is dual-stack
    /// (IPv4 peers appear as ::ffff:a.b.c.d).
    bool bind(const QHostAddress &address, quint16 port, Error *error);
    void close();
    bool isOpen() const { return m_fd >= 0; }
    int descriptor() const { return m_fd; }
    const SocketAddress &localAddress() const { return m_local; }

    void setReceiver(Receiver receiver) { m_receiver = std::move(receiver); }
    /// Called after each drained batch of reads: the place to flush writes once.
    void setBatchDone(std::function<void()> cb) { m_batchDone = std::move(cb); }
    /// Called once when the kernel accepts writes again after WouldBlock.
    void setWritable(std::function<void()> cb) { m_writable = std::move(cb); }
    /// An ICMP error came back for a datagram sent to `to`, as the errno the
    /// kernel made of it (ECONNREFUSED: port unreachable, ...).
    using IcmpError = std::function<void(const SocketAddress &to, int err)>;
    /// Asks the kernel for ICMP errors (IP_RECVERR / IPV6_RECVERR, read from
    /// the error queue) and hands each to cb. For a client's own socket: a
    /// shared listening socket hears about every peer, not one server.
    void setIcmpErrorReceiver(IcmpError cb);

    /// Sends len bytes as packets of segmentSize bytes (the last may be
    /// shorter) along path: to path.peer, from path.local unless that is
    /// unspecified (a socket on 0.0.0.0 or [::] must answer from the address
    /// its peer dialled, or the peer takes the answer for a stranger's),
    /// marked with path.ecn. segmentSize >= len sends a single datagram.
    SendResult send(const UdpPath &path, const uint8_t *data, size_t len, size_t segmentSize);
    /// The same from whichever address the kernel picks, unmarked.
    SendResult send(const SocketAddress &to, const uint8_t *data, size_t len, size_t segmentSize)
    {
        return send(UdpPath{{}, to, 0}, data, len, segmentSize);
    }
    /// Asks for one writable callback.
    void waitForWritable();

    /// Busy-polling: after a batch, keep reading (non-blocking) until the
    /// socket has been quiet this long, instead of going back to the event
    /// loop to wait; the loop still gets a turn every millisecond (one
    /// socket of a thread spins per turn; a spin ends when work is posted
    /// for the next turn; a budget above 1 ms spins 1 ms). Lower
    /// round-trip latency for request/response traffic for a busy core while
    /// it flows. 0 (the default): off.
    void setBusyPoll(std::chrono::microseconds budget) { m_busyPoll = budget; }
    std::chrono::microseconds busyPoll() const { return m_busyPoll; }
    /// Batches a busy-poll found (tests).
    uint64_t busyPollHits() const { return m_busyPollHits; }

    /// Process-wide counters are not kept: these are per socket, single-thread.
    uint64_t bytesSent() const { return m_bytesSent; }
    uint64_t bytesReceived() const { return m_bytesReceived; }
    uint64_t datagramsSent() const { return m_datagramsSent; }
    uint64_t datagramsReceived() const { return m_datagramsReceived; }
    UdpCounters counters() const { return {m_bytesSent, m_bytesReceived, m_datagramsSent, m_datagramsReceived}; }
    /// Reads of the error queue so far (tests: only when an error waits).
    uint64_t errorQueueReads() const { return m_errorQueueReads; }
    bool gsoEnabled() const { return m_gso; }
    /// A GSO send to `to` failed (EINVAL: the path cannot take the segment
    /// size; EIO: its device cannot segment), so it gets one datagram per
    /// call; other destinations keep GSO. At most kMaxGsoRefused are
    /// remembered, the oldest forgotten first.
    bool gsoRefusedFor(const SocketAddress &to) const;
    int gsoRefusedCount() const { return int(m_gsoRefused.size()); }
    static constexpr int kMaxGsoRefused = 256;

    /// How long a sender waits after the n-th ENOBUFS in a row (n >= 1)
    /// before it tries again: 1 ms doubling up to kMaxNoBufferDelay. ENOBUFS
    /// says nothing about the socket's buffer, so waiting for the socket to
    /// be writable would return at once, again and again.
    static std::chrono::milliseconds noBufferDelay(int consecutive);
    static constexpr std::chrono::milliseconds kMaxNoBufferDelay{32};

    // --- test seams: faults the kernel gives rarely or only on odd paths
    /// Called before every sendmsg with what it would send; a non-zero
    /// errno makes that call fail with it, without sending.
    using SendFault = std::function<int(const UdpPath &path, size_t len, size_t segmentSize)>;
    void setSendFault(SendFault fault) { m_sendFault = std::move(fault); }
    /// Hands one datagram to the receiver, then ends the batch, as a read
    /// from the socket would (the fuzz targets feed the listener so). Any
    /// bytes, even none, which a read never delivers: the receiver must
    /// cope. An unset path.local is the socket's own address.
    void injectDatagram(const uint8_t *data, size_t len, const UdpPath &path);

private:
    enum class ReadOutcome {
        Nothing,  ///< no datagram (nor error)
        Read,     ///< read to EAGAIN
        Limited,  ///< stopped at kMaxReadsPerTurn: the loop's turn comes first
        Closed,   ///< the receiver closed the socket
    };
    void onReadable();
    /// Reads to EAGAIN (or the per-turn limit), handing each datagram to the
    /// receiver; spinning: a busy-poll read, where nothing is no news.
    ReadOutcome readBatch(bool spinning);
    void drainErrorQueue();
    void onWritableNotifier();
    SendResult sendOne(const UdpPath &path, const uint8_t *data, size_t len, size_t segmentSize, int *err);
    void tuneBuffers();
    void askForPathInfo();
    void refuseGso(const SocketAddress &to);

    int m_fd = -1;
    SocketAddress m_local;
    QSocketNotifier *m_readNotifier = nullptr;
    QSocketNotifier *m_writeNotifier = nullptr;
    Receiver m_receiver;
    std::function<void()> m_batchDone;
    std::function<void()> m_writable;
    IcmpError m_icmpError;
    SendFault m_sendFault;
    std::deque<SocketAddress> m_gsoRefused;
    std::vector<uint8_t> m_recvBuffer;
    bool m_gso = false;
    bool m_gro = false;
    uint64_t m_bytesSent = 0, m_bytesReceived = 0, m_datagramsSent = 0, m_datagramsReceived = 0;
    uint64_t m_errorQueueReads = 0;
    std::chrono::microseconds m_busyPoll{0};
    uint64_t m_busyPollHits = 0;
    bool m_errorPending = false;   // a send met an error the error queue details
};

} // namespace quicpool::transport
