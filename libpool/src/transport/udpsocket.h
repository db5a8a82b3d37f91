// A non-blocking UDP socket on a raw fd, driven by QSocketNotifier.
// Reads are drained to EAGAIN in batches (UDP GRO where the kernel has it);
// sends use sendmsg with UDP GSO for runs of equal-sized packets, falling
// back to one datagram per call when the kernel refuses GSO.
#pragma once

#include "transport/socketaddress.h"
#include <quicpool/error.h>
#include <QtCore/QObject>
#include <cstdint>
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
    /// One received datagram. ecn is the IP ECN codepoint (0..3).
    using Receiver = std::function<void(const uint8_t *data, size_t len, const SocketAddress &from,
                                        unsigned ecn)>;
    enum class SendResult { Sent, WouldBlock, Failed };

    explicit UdpSocket(QObject *parent = nullptr);
    ~UdpSocket() override;

    /// Binds (port 0 picks one). An IPv6 any-address socket is dual-stack.
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
    /// shorter). segmentSize >= len sends a single datagram.
    SendResult send(const SocketAddress &to, const uint8_t *data, size_t len, size_t segmentSize);
    /// Asks for one writable callback.
    void waitForWritable();

    /// Process-wide counters are not kept: these are per socket, single-thread.
    uint64_t bytesSent() const { return m_bytesSent; }
    uint64_t bytesReceived() const { return m_bytesReceived; }
    uint64_t datagramsSent() const { return m_datagramsSent; }
    uint64_t datagramsReceived() const { return m_datagramsReceived; }
    UdpCounters counters() const { return {m_bytesSent, m_bytesReceived, m_datagramsSent, m_datagramsReceived}; }
    bool gsoEnabled() const { return m_gso; }

private:
    void onReadable();
    void drainErrorQueue();
    void onWritableNotifier();
    SendResult sendOne(const SocketAddress &to, const uint8_t *data, size_t len, size_t segmentSize);
    void tuneBuffers();

    int m_fd = -1;
    SocketAddress m_local;
    QSocketNotifier *m_readNotifier = nullptr;
    QSocketNotifier *m_writeNotifier = nullptr;
    Receiver m_receiver;
    std::function<void()> m_batchDone;
    std::function<void()> m_writable;
    IcmpError m_icmpError;
    std::vector<uint8_t> m_recvBuffer;
    bool m_gso = false;
    bool m_gro = false;
    uint64_t m_bytesSent = 0, m_bytesReceived = 0, m_datagramsSent = 0, m_datagramsReceived = 0;
};

} // namespace quicpool::transport
