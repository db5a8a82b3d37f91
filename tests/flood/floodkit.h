// A handshake flood, as an attacker sends it: real QUIC v1 Initial packets
// (each a fresh ngtcp2 client connection's first flight: a ClientHello with
// the post-quantum key share spans two datagrams) from many UDP source
// ports, at a steady rate, never answering anything the server sends.
// Used by tests/libpool/tst_handshakeflood and by the quicpool-flood tool
// (tests/flood/quicpool_flood.cpp), which measures the targets.
#pragma once

#include "transport/socketaddress.h"
#include "transport/tls/tlscontext.h"

#include <QtCore/QByteArray>
#include <QtCore/QList>
#include <atomic>
#include <memory>
#include <thread>
#include <vector>

namespace quicpool::flood {

/// The first flight of one fresh client connection from `from` to `to`:
/// its Initial datagrams (usually two). With a token, the Initials carry it
/// (as after a Retry or with a NEW_TOKEN token). dcid: the client's first
/// Destination Connection ID (random when empty). Empty on failure.
QList<QByteArray> clientInitials(transport::TlsContext &clientTls, const transport::SocketAddress &from,
                                 const transport::SocketAddress &to, const QByteArray &token = {},
                                 const QByteArray &dcid = {});

/// The fields of a long-header packet a test looks at.
struct LongHeader
{
    bool valid = false;
    quint8 type = 0;          ///< 0 Initial, 1 0-RTT, 2 Handshake, 3 Retry (QUIC v1)
    quint32 version = 0;
    QByteArray dcid, scid;
    QByteArray token;         ///< Initial: its token; Retry: the Retry token
};
LongHeader parseLongHeader(const QByteArray &datagram);

/// `count` first flights, each from one of `ports` source ports on `host`
/// (the i-th from port i % ports) towards `to`. Made before a flood so its
/// rate costs the sender nothing but system calls.
struct FloodPlan
{
    std::vector<int> sockets;                 ///< bound non-blocking UDP sockets, one per source port
    std::vector<QList<QByteArray>> flights;   ///< flight i goes out of sockets[i % size]
    transport::SocketAddress target;
};

/// Binds `ports` UDP sockets on `host` (port 0 each) and makes `count`
/// flights towards target. False with *why on failure.
bool makeFloodPlan(FloodPlan *plan, transport::TlsContext &clientTls, const QHostAddress &host, int ports,
                   const transport::SocketAddress &target, int count, QString *why);
void closeFloodPlan(FloodPlan *plan);

/// Sends a plan's flights at `perSecond` on a thread of its own, reading
/// nothing (what comes back stays in the sockets' buffers until the kernel
/// drops it).
class Flooder
{
public:
    Flooder(const FloodPlan &plan, double perSecond);
    ~Flooder();   ///< stops and joins
    void start();
    void stop();
    bool isDone() const { return m_done.load(); }
    int flightsSent() const { return m_sent.load(); }
    qint64 bytesSent() const { return m_bytes.load(); }

private:
    void run();

    const FloodPlan &m_plan;
    double m_rate;
    std::thread m_thread;
    std::atomic_bool m_stop{false}, m_done{false};
    std::atomic_int m_sent{0};
    std::atomic<qint64> m_bytes{0};
};

/// This process's or another's figures from /proc: resident bytes, open
/// descriptors. -1 where unreadable.
qint64 residentBytes(qint64 pid = 0);
int openDescriptors(qint64 pid = 0);
/// Bytes this process has allocated and not freed: the sanitizer
/// allocator's count under ASan/TSan, glibc's (mallinfo2) otherwise.
qint64 heapInUse();

/// Reads every datagram waiting on fd (non-blocking); adds their number
/// and bytes.
void drainSocket(int fd, int *datagrams, qint64 *bytes);

/// Sends each datagram of a flight from fd to `to` (no pacing).
void sendFlight(int fd, const QList<QByteArray> &flight, const transport::SocketAddress &to);

} // namespace quicpool::flood
