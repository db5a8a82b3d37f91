// What the relay suites share: raw UDP endpoints that stamp what they send
// and read the kernel's arrival time of what they receive, and a Relay
// running on a thread of its own, as an application would run it. With the
// relay on its own thread and arrival times taken by the kernel, a measured
// delay is the relay's doing, not the test's event loop.
#pragma once

#include <quicpool/relay/relay.h>

#include "schedulelog.h"

#include <QtCore/QByteArray>
#include <QtCore/QList>
#include <QtCore/QMetaObject>
#include <QtCore/QThread>
#include <QtNetwork/QHostAddress>
#include <algorithm>
#include <cerrno>
#include <chrono>
#include <cstring>
#include <ctime>
#include <netinet/in.h>
#include <poll.h>
#include <sys/socket.h>
#include <thread>
#include <type_traits>
#include <unistd.h>

namespace quicpool::relay::testkit {

using namespace std::chrono_literals;

/// CLOCK_REALTIME in ns: what SO_TIMESTAMPNS stamps arrivals with.
inline int64_t realtimeNs()
{
    timespec ts{};
    ::clock_gettime(CLOCK_REALTIME, &ts);
    return int64_t(ts.tv_sec) * 1000000000 + ts.tv_nsec;
}

/// A test datagram: 4-byte sequence number, 8-byte send time, then filler
/// up to `size` bytes (at least 12).
inline QByteArray stamped(quint32 seq, int size = 64)
{
    QByteArray d(std::max(size, 12), char(seq & 0xff));
    const int64_t now = realtimeNs();
    std::memcpy(d.data(), &seq, 4);
    std::memcpy(d.data() + 4, &now, 8);
    return d;
}
inline quint32 seqOf(const QByteArray &d)
{
    quint32 seq = 0;
    if (d.size() >= 4)
        std::memcpy(&seq, d.constData(), 4);
    return seq;
}
inline int64_t sentNsOf(const QByteArray &d)
{
    int64_t ns = 0;
    if (d.size() >= 12)
        std::memcpy(&ns, d.constData() + 4, 8);
    return ns;
}

struct Received
{
    QByteArray data;
    QHostAddress from;
    quint16 fromPort = 0;
    int64_t arrivalNs = 0;      ///< kernel arrival time, CLOCK_REALTIME
    double oneWayMs() const { return double(arrivalNs - sentNsOf(data)) / 1e6; }
};

/// One UDP socket on loopback, driven by blocking waits with a timeout (no
/// event loop needed).
class UdpPeer
{
public:
    explicit UdpPeer(const QHostAddress &bindAddress = QHostAddress(QHostAddress::LocalHost))
    {
        const bool v6 = bindAddress.protocol() == QAbstractSocket::IPv6Protocol;
        m_fd = ::socket(v6 ? AF_INET6 : AF_INET, SOCK_DGRAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
        if (m_fd < 0)
            return;
        const int on = 1, buffer = 4 * 1024 * 1024;
        ::setsockopt(m_fd, SOL_SOCKET, SO_TIMESTAMPNS, &on, sizeof on);
        ::setsockopt(m_fd, SOL_SOCKET, SO_RCVBUF, &buffer, sizeof buffer);
        ::setsockopt(m_fd, SOL_SOCKET, SO_SNDBUF, &buffer, sizeof buffer);
        sockaddr_storage a{};
        const socklen_t length = fill(bindAddress, 0, &a);
        if (::bind(m_fd, reinterpret_cast<sockaddr *>(&a), length) != 0) {
            ::close(m_fd);
            m_fd = -1;
            return;
        }
        socklen_t l = sizeof a;
        ::getsockname(m_fd, reinterpret_cast<sockaddr *>(&a), &l);
        m_port = ntohs(a.ss_family == AF_INET6 ? reinterpret_cast<sockaddr_in6 *>(&a)->sin6_port
                                               : reinterpret_cast<sockaddr_in *>(&a)->sin_port);
    }
    ~UdpPeer()
    {
        if (m_fd >= 0)
            ::close(m_fd);
    }
    UdpPeer(const UdpPeer &) = delete;
    UdpPeer &operator=(const UdpPeer &) = delete;

    bool isValid() const { return m_fd >= 0; }
    quint16 port() const { return m_port; }

    bool sendTo(const QByteArray &data, const QHostAddress &address, quint16 port)
    {
        sockaddr_storage a{};
        const socklen_t length = fill(address, port, &a);
        // A full send buffer drains in microseconds on loopback; give up
        // after 5 s rather than hang a test.
        for (int attempt = 0; attempt < 50; ++attempt) {
            const ssize_t n = ::sendto(m_fd, data.constData(), size_t(data.size()), 0,
                                       reinterpret_cast<sockaddr *>(&a), length);
            if (n == data.size())
                return true;
            if (n >= 0 || errno != EAGAIN)
                return false;
            pollfd p{m_fd, POLLOUT, 0};
            ::poll(&p, 1, 100);
        }
        return false;
    }

    /// Reads until `count` datagrams arrived in total or no datagram came
    /// for `quietMs`; returns what arrived in this call.
    QList<Received> receive(int count, int quietMs = 2000)
    {
        QList<Received> out;
        while (out.size() < count) {
            if (!readOne(&out)) {
                pollfd p{m_fd, POLLIN, 0};
                if (::poll(&p, 1, quietMs) <= 0)
                    break;
            }
        }
        return out;
    }
    /// Everything that arrives within ms.
    QList<Received> receiveFor(int ms)
    {
        QList<Received> out;
        const auto end = std::chrono::steady_clock::now() + std::chrono::milliseconds(ms);
        for (;;) {
            while (readOne(&out)) {
            }
            const auto left = std::chrono::duration_cast<std::chrono::milliseconds>(
                end - std::chrono::steady_clock::now()).count();
            if (left <= 0)
                break;
            pollfd p{m_fd, POLLIN, 0};
            ::poll(&p, 1, int(left));
        }
        return out;
    }

private:
    static socklen_t fill(const QHostAddress &address, quint16 port, sockaddr_storage *out)
    {
        if (address.protocol() == QAbstractSocket::IPv6Protocol) {
            auto *in6 = reinterpret_cast<sockaddr_in6 *>(out);
            in6->sin6_family = AF_INET6;
            in6->sin6_port = htons(port);
            const Q_IPV6ADDR raw = address.toIPv6Address();
            std::memcpy(&in6->sin6_addr, raw.c, 16);
            return sizeof(sockaddr_in6);
        }
        auto *in = reinterpret_cast<sockaddr_in *>(out);
        in->sin_family = AF_INET;
        in->sin_port = htons(port);
        in->sin_addr.s_addr = htonl(address.toIPv4Address());
        return sizeof(sockaddr_in);
    }

    bool readOne(QList<Received> *out)
    {
        char buffer[65536];
        char control[256];
        sockaddr_storage from{};
        iovec v{buffer, sizeof buffer};
        msghdr h{};
        h.msg_name = &from;
        h.msg_namelen = sizeof from;
        h.msg_iov = &v;
        h.msg_iovlen = 1;
        h.msg_control = control;
        h.msg_controllen = sizeof control;
        const ssize_t n = ::recvmsg(m_fd, &h, MSG_DONTWAIT);
        if (n < 0)
            return false;
        Received r;
        r.data = QByteArray(buffer, int(n));
        r.from = QHostAddress(reinterpret_cast<sockaddr *>(&from));
        r.fromPort = ntohs(from.ss_family == AF_INET6 ? reinterpret_cast<sockaddr_in6 *>(&from)->sin6_port
                                                      : reinterpret_cast<sockaddr_in *>(&from)->sin_port);
        for (cmsghdr *c = CMSG_FIRSTHDR(&h); c; c = CMSG_NXTHDR(&h, c)) {
            if (c->cmsg_level == SOL_SOCKET && c->cmsg_type == SCM_TIMESTAMPNS) {
                timespec ts{};
                std::memcpy(&ts, CMSG_DATA(c), sizeof ts);
                r.arrivalNs = int64_t(ts.tv_sec) * 1000000000 + ts.tv_nsec;
            }
        }
        out->append(std::move(r));
        return true;
    }

    int m_fd = -1;
    quint16 m_port = 0;
};

/// A config that relays to a peer on loopback.
inline RelayConfig configTo(quint16 upstreamPort, quint64 seed = 1)
{
    RelayConfig c;
    c.listenAddress = QHostAddress(QHostAddress::LocalHost);
    c.upstreamAddress = QHostAddress(QHostAddress::LocalHost);
    c.upstreamPort = upstreamPort;
    c.seed = seed;
    return c;
}

/// A Relay living on its own thread; every call runs there and waits.
class RelayThread
{
public:
    explicit RelayThread(const RelayConfig &config)
    {
        m_thread.start();
        m_relay = new Relay(config);
        m_relay->moveToThread(&m_thread);
    }
    ~RelayThread()
    {
        QMetaObject::invokeMethod(m_relay, [this] { delete m_relay; }, Qt::BlockingQueuedConnection);
        m_thread.quit();
        m_thread.wait();
    }
    RelayThread(const RelayThread &) = delete;
    RelayThread &operator=(const RelayThread &) = delete;

    template<typename F>
    auto call(F f)
    {
        using R = decltype(f());
        if constexpr (std::is_void_v<R>) {
            QMetaObject::invokeMethod(m_relay, f, Qt::BlockingQueuedConnection);
        } else {
            R result{};
            QMetaObject::invokeMethod(m_relay, [&] { result = f(); }, Qt::BlockingQueuedConnection);
            return result;
        }
    }
    bool start() { return call([this] { return m_relay->start(); }); }
    /// Records every verdict and release into log (before start()); the
    /// log must outlive this RelayThread.
    void attach(ScheduleLog *log) { call([this, log] { attachScheduleLog(*m_relay, log); }); }
    void setConfig(const RelayConfig &c) { call([this, c] { m_relay->setConfig(c); }); }
    /// Any thread may read these.
    Relay *relay() const { return m_relay; }
    quint16 port() const { return m_relay->listenPort(); }
    RelayStats stats() const { return m_relay->stats(); }

    /// Waits until the snapshot satisfies done.
    template<typename P>
    bool waitFor(P done, int ms = 10000) const
    {
        const auto end = std::chrono::steady_clock::now() + std::chrono::milliseconds(ms);
        while (!done(m_relay->stats())) {
            if (std::chrono::steady_clock::now() > end)
                return false;
            std::this_thread::sleep_for(1ms);
        }
        return true;
    }

private:
    QThread m_thread;
    Relay *m_relay = nullptr;
};

/// Percentile p (0..1, nearest rank below) of values; 0 when empty.
inline double percentileOf(QList<double> values, double p)
{
    if (values.isEmpty())
        return 0;
    std::sort(values.begin(), values.end());
    return values[std::min<qsizetype>(values.size() - 1, qsizetype(p * double(values.size())))];
}

/// "min X p50 X p95 X p99 X max X ms over N"
inline QString describeMs(const QList<double> &ms)
{
    return QStringLiteral("min %1 p50 %2 p95 %3 p99 %4 max %5 ms over %6")
        .arg(percentileOf(ms, 0), 0, 'f', 3)
        .arg(percentileOf(ms, 0.5), 0, 'f', 3)
        .arg(percentileOf(ms, 0.95), 0, 'f', 3)
        .arg(percentileOf(ms, 0.99), 0, 'f', 3)
        .arg(percentileOf(ms, 1), 0, 'f', 3)
        .arg(ms.size());
}

/// How late the release timer took each released datagram, in ms.
inline QList<double> latenessMs(const QList<ScheduledDatagram> &entries)
{
    QList<double> out;
    for (const ScheduledDatagram &e : entries)
        if (e.releasedNs >= 0)
            out.append(double(e.latenessNs()) / 1e6);
    return out;
}

/// The counts of one direction add up: nothing appears or vanishes.
inline bool accountsAddUp(const DirectionStats &s)
{
    return s.datagramsOut + s.dropped() + s.queued == s.datagramsIn + s.duplicated;
}

/// Sends `count` stamped datagrams of `size` bytes, seq from `first`, to
/// the relay, in bursts the socket buffers hold; waits until the relay has
/// read them all so every loss is one the relay made.
inline bool sendThrough(UdpPeer &client, const RelayThread &relay, quint32 first, int count, int size = 64,
                        std::chrono::microseconds gap = 0us)
{
    const quint64 before = relay.stats().up.datagramsIn;
    constexpr int kBurst = 256;
    for (int i = 0; i < count; ++i) {
        if (!client.sendTo(stamped(first + quint32(i), size), QHostAddress(QHostAddress::LocalHost), relay.port()))
            return false;
        if (gap.count() > 0)
            std::this_thread::sleep_for(gap);
        else if ((i + 1) % kBurst == 0
                 && !relay.waitFor([&](const RelayStats &s) { return s.up.datagramsIn >= before + quint64(i + 1); }))
            return false;
    }
    return relay.waitFor([&](const RelayStats &s) { return s.up.datagramsIn >= before + quint64(count); });
}

} // namespace quicpool::relay::testkit
