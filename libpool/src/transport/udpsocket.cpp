#include "transport/udpsocket.h"
#include "common/logging.h"
#include "transport/clock.h"
#include "transport/turnhooks.h"

#include <QtCore/QPointer>
#include <QtCore/QSocketNotifier>
#include <algorithm>
#include <atomic>
#include <cerrno>
#include <cstring>
#include <fcntl.h>
#include <linux/errqueue.h>
#include <netinet/ip.h>
#include <netinet/udp.h>
#include <unistd.h>
#include <utility>

#ifndef UDP_SEGMENT
#define UDP_SEGMENT 103
#endif
#ifndef UDP_GRO
#define UDP_GRO 104
#endif

namespace quicpool::transport {

namespace {
constexpr size_t kRecvBufferSize = 65536;       // one GRO super-datagram at most
constexpr int kWantedBufferBytes = 7 * 1024 * 1024; // what quic-go asks for too
constexpr int kMaxReadsPerTurn = 256;           // yield to the event loop eventually
constexpr unsigned kEcnMask = 0x3;              // the two low bits of the TOS / traffic class byte
constexpr uint64_t kMaxBusyTurnNs = kNsPerMs;    // busy-polling yields to the event loop at least this often

// A socket of this thread has busy-polled in this turn of its event loop
// (turnhooks.h clears it when the next turn starts).
thread_local bool t_spunThisTurn = false;
std::atomic_bool g_warnedBuffers{false};

QString errnoSentence(const char *what, int err)
{
    return QStringLiteral("%1: %2").arg(QString::fromUtf8(what), QString::fromLocal8Bit(strerror(err)));
}
} // namespace

UdpSocket::UdpSocket(QObject *parent) : QObject(parent), m_recvBuffer(kRecvBufferSize) {}

UdpSocket::~UdpSocket() { close(); }

bool UdpSocket::bind(const QHostAddress &address, quint16 port, Error *error)
{
    close();
    SocketAddress sa = SocketAddress::fromQt(address, port);
    m_fd = ::socket(sa.family(), SOCK_DGRAM | SOCK_NONBLOCK | SOCK_CLOEXEC, IPPROTO_UDP);
    if (m_fd < 0) {
        if (error)
            *error = Error(ErrorCode::SocketError, errnoSentence("cannot create a UDP socket", errno));
        return false;
    }
    if (sa.family() == AF_INET6) {
        int v6only = address.isEqual(QHostAddress::AnyIPv6, QHostAddress::StrictConversion) ? 0 : 1;
        ::setsockopt(m_fd, IPPROTO_IPV6, IPV6_V6ONLY, &v6only, sizeof v6only);
    }
    if (::bind(m_fd, sa.data(), sa.length) != 0) {
        const int err = errno;
        ::close(m_fd);
        m_fd = -1;
        if (error) {
            const QString where = sa.toString();
            *error = err == EADDRINUSE
                ? Error(ErrorCode::AddressInUse, QStringLiteral("%1 is already in use").arg(where))
                : Error(ErrorCode::SocketError,
                        errnoSentence(qPrintable(QStringLiteral("cannot bind %1").arg(where)), err));
        }
        return false;
    }
    m_local.length = sizeof(m_local.storage);
    ::getsockname(m_fd, m_local.data(), &m_local.length);

    // Don't let the kernel fragment: QUIC sizes its own packets.
    if (sa.family() == AF_INET) {
        int val = IP_PMTUDISC_DO;
        ::setsockopt(m_fd, IPPROTO_IP, IP_MTU_DISCOVER, &val, sizeof val);
    } else {
        int val = IPV6_PMTUDISC_DO;
        ::setsockopt(m_fd, IPPROTO_IPV6, IPV6_MTU_DISCOVER, &val, sizeof val);
    }
    int one = 1;
    m_gro = ::setsockopt(m_fd, IPPROTO_UDP, UDP_GRO, &one, sizeof one) == 0;
    m_gso = qEnvironmentVariableIntValue("QUICPOOL_DISABLE_GSO") == 0;
    m_gsoRefused.clear();
    askForPathInfo();
    tuneBuffers();

    m_readNotifier = new QSocketNotifier(m_fd, QSocketNotifier::Read, this);
    connect(m_readNotifier, &QSocketNotifier::activated, this, &UdpSocket::onReadable);
    m_writeNotifier = new QSocketNotifier(m_fd, QSocketNotifier::Write, this);
    m_writeNotifier->setEnabled(false);
    connect(m_writeNotifier, &QSocketNotifier::activated, this, &UdpSocket::onWritableNotifier);
    qCDebug(lcUdp) << "bound" << m_local.toString() << "gro" << m_gro;
    return true;
}

void UdpSocket::askForPathInfo()
{
    // Each datagram's destination address (so a socket on an any-address
    // can answer from the address its peer dialled) and its TOS / traffic
    // class byte (ECN). A dual-stack socket hears IPv4 peers too: their
    // destination comes as an IPv4-mapped IPV6_PKTINFO, their TOS only
    // with IP_RECVTOS.
    const int on = 1;
    if (m_local.family() == AF_INET) {
        ::setsockopt(m_fd, IPPROTO_IP, IP_PKTINFO, &on, sizeof on);
        ::setsockopt(m_fd, IPPROTO_IP, IP_RECVTOS, &on, sizeof on);
    } else {
        ::setsockopt(m_fd, IPPROTO_IPV6, IPV6_RECVPKTINFO, &on, sizeof on);
        ::setsockopt(m_fd, IPPROTO_IPV6, IPV6_RECVTCLASS, &on, sizeof on);
        ::setsockopt(m_fd, IPPROTO_IP, IP_RECVTOS, &on, sizeof on);
    }
}

void UdpSocket::tuneBuffers()
{
    // Raise the kernel buffers so bursts at loopback/LAN speed are not
    // dropped. As root SO_*BUFFORCE passes net.core.*mem_max; otherwise we
    // get what the caps allow and say so once per process.
    for (int opt : {SO_RCVBUF, SO_SNDBUF}) {
        const int force = opt == SO_RCVBUF ? SO_RCVBUFFORCE : SO_SNDBUFFORCE;
        int want = kWantedBufferBytes;
        if (::setsockopt(m_fd, SOL_SOCKET, force, &want, sizeof want) != 0)
            ::setsockopt(m_fd, SOL_SOCKET, opt, &want, sizeof want);
        int got = 0;
        socklen_t len = sizeof got;
        ::getsockopt(m_fd, SOL_SOCKET, opt, &got, &len);
        if (got < want && !g_warnedBuffers.exchange(true)) {
            qCWarning(lcUdp).nospace()
                << "the kernel capped the UDP " << (opt == SO_RCVBUF ? "receive" : "send")
                << " buffer at " << got << " bytes (wanted " << want
                << "); raise net.core.rmem_max/wmem_max for full speed";
        }
    }
}

void UdpSocket::close()
{
    delete m_readNotifier;
    m_readNotifier = nullptr;
    delete m_writeNotifier;
    m_writeNotifier = nullptr;
    if (m_fd >= 0) {
        ::close(m_fd);
        m_fd = -1;
    }
}

void UdpSocket::setIcmpErrorReceiver(IcmpError cb)
{
    m_icmpError = std::move(cb);
    if (m_fd < 0)
        return;
    const int on = m_icmpError ? 1 : 0;
    // Without IP_RECVERR the kernel keeps ICMP errors of an unconnected UDP
    // socket to itself (ip(7)); with it, they wait in the error queue. An
    // IPv6 socket also carries IPv4-mapped peers, whose errors come as IPv4.
    ::setsockopt(m_fd, IPPROTO_IP, IP_RECVERR, &on, sizeof on);
    if (m_local.family() == AF_INET6)
        ::setsockopt(m_fd, IPPROTO_IPV6, IPV6_RECVERR, &on, sizeof on);
}

void UdpSocket::drainErrorQueue()
{
    // Drained whole each time: a non-empty error queue keeps the socket
    // readable (POLLERR), which would spin the event loop.
    for (int i = 0; i < kMaxReadsPerTurn && m_fd >= 0; ++i) {
        SocketAddress to;
        char payload[1];
        iovec iov{payload, sizeof payload};
        alignas(cmsghdr) char control[512];
        msghdr msg{};
        msg.msg_name = &to.storage;
        msg.msg_namelen = sizeof to.storage;
        msg.msg_iov = &iov;
        msg.msg_iovlen = 1;
        msg.msg_control = control;
        msg.msg_controllen = sizeof control;
        ++m_errorQueueReads;
        if (::recvmsg(m_fd, &msg, MSG_ERRQUEUE | MSG_DONTWAIT) < 0) {
            if (errno == EINTR)
                continue;
            return;   // EAGAIN: empty
        }
        to.length = msg.msg_namelen;
        for (cmsghdr *c = CMSG_FIRSTHDR(&msg); c; c = CMSG_NXTHDR(&msg, c)) {
            const bool v4 = c->cmsg_level == IPPROTO_IP && c->cmsg_type == IP_RECVERR;
            const bool v6 = c->cmsg_level == IPPROTO_IPV6 && c->cmsg_type == IPV6_RECVERR;
            if (!v4 && !v6)
                continue;
            sock_extended_err ee;
            std::memcpy(&ee, CMSG_DATA(c), sizeof ee);
            // Only what a router or the peer's host said: local errors
            // (a datagram too big for our own interface) are not news of the peer.
            if (ee.ee_origin != SO_EE_ORIGIN_ICMP && ee.ee_origin != SO_EE_ORIGIN_ICMP6)
                continue;
            qCDebug(lcUdp) << "ICMP error for" << to.toString() << ":" << strerror(int(ee.ee_errno));
            if (m_icmpError)
                m_icmpError(to, int(ee.ee_errno));
        }
    }
}

namespace {

/// The path of a received datagram from its control messages: the address
/// it was sent to (with our port) and its ECN codepoint.
void readPathInfo(msghdr &msg, const SocketAddress &bound, UdpPath *path, size_t *segment)
{
    path->local = bound;
    for (cmsghdr *c = CMSG_FIRSTHDR(&msg); c; c = CMSG_NXTHDR(&msg, c)) {
        if (c->cmsg_level == IPPROTO_UDP && c->cmsg_type == UDP_GRO) {
            int gso = 0;
            std::memcpy(&gso, CMSG_DATA(c), sizeof gso);
            if (gso > 0)
                *segment = size_t(gso);
        } else if (c->cmsg_level == IPPROTO_IP && c->cmsg_type == IP_PKTINFO && bound.family() == AF_INET) {
            in_pktinfo info;
            std::memcpy(&info, CMSG_DATA(c), sizeof info);
            reinterpret_cast<sockaddr_in *>(&path->local.storage)->sin_addr = info.ipi_addr;
        } else if (c->cmsg_level == IPPROTO_IPV6 && c->cmsg_type == IPV6_PKTINFO && bound.family() == AF_INET6) {
            in6_pktinfo info;
            std::memcpy(&info, CMSG_DATA(c), sizeof info);
            auto *in6 = reinterpret_cast<sockaddr_in6 *>(&path->local.storage);
            in6->sin6_addr = info.ipi6_addr;
            // A link-local address means nothing without its interface.
            in6->sin6_scope_id = IN6_IS_ADDR_LINKLOCAL(&info.ipi6_addr) ? info.ipi6_ifindex : 0;
        } else if (c->cmsg_level == IPPROTO_IP && c->cmsg_type == IP_TOS) {
            uint8_t tos = 0;   // one byte on receive (ip(7))
            std::memcpy(&tos, CMSG_DATA(c), sizeof tos);
            path->ecn = tos & kEcnMask;
        } else if (c->cmsg_level == IPPROTO_IPV6 && c->cmsg_type == IPV6_TCLASS) {
            int tclass = 0;
            std::memcpy(&tclass, CMSG_DATA(c), sizeof tclass);
            path->ecn = unsigned(tclass) & kEcnMask;
        }
    }
}

} // namespace

void UdpSocket::onReadable()
{
    QPointer<UdpSocket> self(this);
    const ReadOutcome first = readBatch(false);
    if (first == ReadOutcome::Closed)
        return;
    if (m_batchDone)
        m_batchDone();   // may delete us (a slot of the pool above)
    if (!self || m_busyPoll.count() <= 0 || first != ReadOutcome::Read || t_spunThisTurn)
        return;
    // Busy-polling (setBusyPoll()): the next datagram of a request/response
    // exchange usually comes within tens of microseconds, sooner than the
    // event loop's poll() and the thread's wake-up take. Read again until
    // the socket has been quiet for the budget. The loop gets its turn at
    // least every kMaxBusyTurnNs: one socket of a thread spins per turn
    // (a pool's sockets share its thread), and a spin ends as soon as work
    // is posted for the next turn (a flush of a write made outside the
    // processing, a queued call), which only the loop can run.
    if (!turnhooks::defer(&t_spunThisTurn, [](void *flag) { *static_cast<bool *>(flag) = false; }))
        return;
    t_spunThisTurn = true;
    const uint64_t budget = uint64_t(m_busyPoll.count()) * 1000;
    const uint64_t posted = turnhooks::postedWork();
    const uint64_t start = nowNs();
    uint64_t lastData = start;
    for (;;) {
        // Read first: a thread preempted past the deadline still looks once.
        const ReadOutcome more = readBatch(true);
        if (more == ReadOutcome::Closed)
            return;
        if (more != ReadOutcome::Nothing) {
            ++m_busyPollHits;
            if (m_batchDone)
                m_batchDone();
            if (!self || m_fd < 0 || more == ReadOutcome::Limited)
                return;
            lastData = nowNs();
        }
        if (turnhooks::postedWork() != posted)
            return;
        const uint64_t now = nowNs();
        if (now - lastData >= budget || now - start >= kMaxBusyTurnNs)
            return;
    }
}

UdpSocket::ReadOutcome UdpSocket::readBatch(bool spinning)
{
    // The error queue is read only when the kernel says there is something
    // in it, not on every wake-up (one system call per datagram more, on a
    // client): a queued error is reported once by the next plain read
    // (sock_error() before any data), and a queue that holds one keeps the
    // socket readable (POLLERR), so a wake-up that finds no datagram may be
    // one too. (A busy-poll read that finds none is not a wake-up.)
    bool errorQueued = std::exchange(m_errorPending, false);
    bool readAny = false;
    bool limited = true;
    alignas(cmsghdr) char control[CMSG_SPACE(sizeof(int)) * 3 + CMSG_SPACE(sizeof(in6_pktinfo))
                                  + CMSG_SPACE(sizeof(in_pktinfo))];
    for (int i = 0; i < kMaxReadsPerTurn && m_fd >= 0; ++i) {
        UdpPath path;
        iovec iov{m_recvBuffer.data(), m_recvBuffer.size()};
        msghdr msg{};
        msg.msg_name = &path.peer.storage;
        msg.msg_namelen = sizeof path.peer.storage;
        msg.msg_iov = &iov;
        msg.msg_iovlen = 1;
        msg.msg_control = control;
        msg.msg_controllen = sizeof control;
        const ssize_t n = ::recvmsg(m_fd, &msg, 0);
        if (n < 0) {
            if (errno == EINTR)
                continue;
            if (errno == EAGAIN || errno == EWOULDBLOCK) {
                errorQueued = errorQueued || (!readAny && !spinning);
                limited = false;
                break;
            }
            // With IP_RECVERR a queued error (ICMP, or a local one such as
            // EMSGSIZE) comes back here once, its details in the error queue.
            errorQueued = true;
            if (errno == ECONNREFUSED || errno == EHOSTUNREACH || errno == ENETUNREACH || errno == EMSGSIZE)
                continue;
            qCDebug(lcUdp) << "recvmsg:" << strerror(errno);
            limited = false;
            break;
        }
        readAny = true;
        path.peer.length = msg.msg_namelen;
        size_t segment = size_t(n);
        readPathInfo(msg, m_local, &path, &segment);
        m_bytesReceived += uint64_t(n);
        // A GRO read holds several datagrams of `segment` bytes back to back.
        for (size_t off = 0; off < size_t(n); off += segment) {
            const size_t len = std::min(segment, size_t(n) - off);
            ++m_datagramsReceived;
            if (m_receiver)
                m_receiver(m_recvBuffer.data() + off, len, path);
            if (m_fd < 0)
                return ReadOutcome::Closed;  // closed by the receiver
        }
    }
    if (m_fd < 0)
        return ReadOutcome::Closed;
    if (errorQueued && m_icmpError) {
        drainErrorQueue();
        if (m_fd < 0)
            return ReadOutcome::Closed;  // closed by the receiver
        readAny = true;   // the batch-done callback hears of it
    }
    if (!readAny)
        return ReadOutcome::Nothing;
    return limited ? ReadOutcome::Limited : ReadOutcome::Read;
}

void UdpSocket::injectDatagram(const uint8_t *data, size_t len, const UdpPath &path)
{
    m_bytesReceived += len;
    ++m_datagramsReceived;
    UdpPath arrived = path;
    if (arrived.local.length == 0)
        arrived.local = m_local;
    if (m_receiver)
        m_receiver(data, len, arrived);
    if (m_batchDone)
        m_batchDone();
}

bool UdpSocket::gsoRefusedFor(const SocketAddress &to) const
{
    return std::find(m_gsoRefused.begin(), m_gsoRefused.end(), to) != m_gsoRefused.end();
}

void UdpSocket::refuseGso(const SocketAddress &to)
{
    if (gsoRefusedFor(to))
        return;
    // Bounded: peers (and forged sources) come and go; one forgotten here
    // costs a failed GSO send when it comes back, nothing more.
    if (m_gsoRefused.size() >= size_t(kMaxGsoRefused))
        m_gsoRefused.pop_front();
    m_gsoRefused.push_back(to);
}

std::chrono::milliseconds UdpSocket::noBufferDelay(int consecutive)
{
    const int shift = std::clamp(consecutive - 1, 0, 5);
    return std::min(std::chrono::milliseconds(1 << shift), kMaxNoBufferDelay);
}

UdpSocket::SendResult UdpSocket::send(const UdpPath &path, const uint8_t *data, size_t len,
                                      size_t segmentSize)
{
    if (m_fd < 0)
        return SendResult::Failed;
    int err = 0;
    if (segmentSize >= len)
        return sendOne(path, data, len, 0, &err);
    if (m_gso && !gsoRefusedFor(path.peer)) {
        const SendResult r = sendOne(path, data, len, segmentSize, &err);
        if (r != SendResult::Failed)
            return r;
        if (err == EOPNOTSUPP || err == ENOPROTOOPT) {
            // The kernel has no UDP_SEGMENT at all: no destination will do better.
            qCInfo(lcUdp) << "UDP GSO not supported by the kernel; sending one datagram per call";
            m_gso = false;
        } else {
            // EINVAL (a segment bigger than this path's MTU) or EIO (its
            // device cannot segment): this destination's problem, not the
            // socket's. It falls back; everyone else keeps GSO.
            qCInfo(lcUdp) << "UDP GSO refused for" << path.peer.toString() << ":" << strerror(err)
                          << "; one datagram per call to it";
            refuseGso(path.peer);
        }
    }
    // One datagram per segment.
    for (size_t off = 0; off < len; off += segmentSize) {
        const SendResult r = sendOne(path, data + off, std::min(segmentSize, len - off), 0, &err);
        if (r != SendResult::Sent)
            return r;  // caller keeps the batch; already-sent parts are a duplicate at worst
    }
    return SendResult::Sent;
}

namespace {

/// Appends one control message; false when control has no room left.
template<typename T>
bool addControl(msghdr &msg, size_t capacity, int level, int type, const T &value)
{
    const size_t used = msg.msg_controllen;
    if (used + CMSG_SPACE(sizeof(T)) > capacity)
        return false;
    auto *c = reinterpret_cast<cmsghdr *>(static_cast<char *>(msg.msg_control) + used);
    std::memset(c, 0, CMSG_SPACE(sizeof(T)));
    c->cmsg_level = level;
    c->cmsg_type = type;
    c->cmsg_len = CMSG_LEN(sizeof(T));
    std::memcpy(CMSG_DATA(c), &value, sizeof(T));
    msg.msg_controllen = used + CMSG_SPACE(sizeof(T));
    return true;
}

} // namespace

UdpSocket::SendResult UdpSocket::sendOne(const UdpPath &path, const uint8_t *data, size_t len,
                                         size_t segmentSize, int *err)
{
    const SocketAddress &to = path.peer;
    iovec iov{const_cast<uint8_t *>(data), len};
    msghdr msg{};
    msg.msg_name = const_cast<sockaddr *>(to.data());
    msg.msg_namelen = to.length;
    msg.msg_iov = &iov;
    msg.msg_iovlen = 1;
    alignas(cmsghdr) char control[CMSG_SPACE(sizeof(uint16_t)) + CMSG_SPACE(sizeof(in6_pktinfo))
                                  + CMSG_SPACE(sizeof(int))];
    msg.msg_control = control;
    msg.msg_controllen = 0;
    if (segmentSize > 0)
        addControl(msg, sizeof control, IPPROTO_UDP, UDP_SEGMENT, uint16_t(segmentSize));
    // The source address: only when one is asked for and it is of the
    // socket's kind (an IPv4 peer of a dual-stack socket needs a mapped one).
    const SocketAddress &from = path.local;
    if (!from.isUnspecified() && from.family() == m_local.family()) {
        if (from.family() == AF_INET) {
            in_pktinfo info{};
            info.ipi_spec_dst = reinterpret_cast<const sockaddr_in *>(&from.storage)->sin_addr;
            addControl(msg, sizeof control, IPPROTO_IP, IP_PKTINFO, info);
        } else if (from.isV4Mapped() == to.isV4Mapped()) {
            const auto *in6 = reinterpret_cast<const sockaddr_in6 *>(&from.storage);
            in6_pktinfo info{};
            info.ipi6_addr = in6->sin6_addr;
            info.ipi6_ifindex = in6->sin6_scope_id;
            addControl(msg, sizeof control, IPPROTO_IPV6, IPV6_PKTINFO, info);
        }
    }
    // The ECN mark (ngtcp2 chooses it per packet: ECT(0) while it tests or
    // has validated the path). An IPv4 peer, mapped or not, takes IP_TOS.
    if (path.ecn != 0) {
        const int tos = int(path.ecn & kEcnMask);
        if (to.family() == AF_INET || to.isV4Mapped())
            addControl(msg, sizeof control, IPPROTO_IP, IP_TOS, tos);
        else
            addControl(msg, sizeof control, IPPROTO_IPV6, IPV6_TCLASS, tos);
    }
    if (msg.msg_controllen == 0)
        msg.msg_control = nullptr;
    for (;;) {
        int fault = m_sendFault ? m_sendFault(path, len, segmentSize) : 0;
        const ssize_t n = fault ? -1 : ::sendmsg(m_fd, &msg, 0);
        if (n >= 0) {
            m_bytesSent += len;
            m_datagramsSent += segmentSize > 0 ? (len + segmentSize - 1) / segmentSize : 1;
            return SendResult::Sent;
        }
        *err = fault ? fault : errno;
        if (*err == EINTR)
            continue;
        if (*err == EAGAIN || *err == EWOULDBLOCK)
            return SendResult::WouldBlock;
        if (*err == ENOBUFS)
            return SendResult::NoBuffers;
        if (segmentSize > 0 && (*err == EIO || *err == EINVAL || *err == EOPNOTSUPP || *err == ENOPROTOOPT))
            return SendResult::Failed;
        // Unreachable peers, ICMP errors reported late: drop the packet,
        // QUIC's loss recovery deals with it. The error the kernel handed
        // this send instead of the next read has its details in the error
        // queue: the next read drains it.
        qCDebug(lcUdp) << "sendmsg to" << to.toString() << ":" << strerror(*err);
        m_errorPending = true;
        return SendResult::Sent;
    }
}

void UdpSocket::waitForWritable()
{
    if (m_writeNotifier)
        m_writeNotifier->setEnabled(true);
}

void UdpSocket::onWritableNotifier()
{
    if (m_writeNotifier)
        m_writeNotifier->setEnabled(false);
    if (m_writable)
        m_writable();
}

} // namespace quicpool::transport
