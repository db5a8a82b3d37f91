#include "bench_relay.h"

#include "bench_resources.h"

#include <quicpool/relay/relay.h>
#include <array>
#include <cerrno>
#include <ctime>
#include <netinet/in.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

namespace quicpool::cli::bench {

namespace {

constexpr int kDatagram = 1452;
constexpr int kBatch = 32;
/// Datagrams in flight per direction: enough to keep the relay busy,
/// 370 KB per direction, far below the sockets' buffers.
constexpr quint64 kWindow = 512;
/// A direction with nothing arriving for this long has lost what is in flight.
constexpr int64_t kStallNs = 100000000;

double threadCpuSeconds()
{
    timespec ts{};
    ::clock_gettime(CLOCK_THREAD_CPUTIME_ID, &ts);
    return double(ts.tv_sec) + double(ts.tv_nsec) / 1e9;
}

/// A non-blocking UDP socket on 127.0.0.1, connected to `to` if it is given.
int loopbackSocket(quint16 connectTo, quint16 *boundPort)
{
    const int fd = ::socket(AF_INET, SOCK_DGRAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
    if (fd < 0)
        return -1;
    const int buffer = 4 * 1024 * 1024;
    ::setsockopt(fd, SOL_SOCKET, SO_RCVBUF, &buffer, sizeof buffer);
    ::setsockopt(fd, SOL_SOCKET, SO_SNDBUF, &buffer, sizeof buffer);
    sockaddr_in a{};
    a.sin_family = AF_INET;
    a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    socklen_t length = sizeof a;
    if (::bind(fd, reinterpret_cast<sockaddr *>(&a), sizeof a) != 0
        || ::getsockname(fd, reinterpret_cast<sockaddr *>(&a), &length) != 0) {
        ::close(fd);
        return -1;
    }
    *boundPort = ntohs(a.sin_port);
    if (connectTo != 0) {
        sockaddr_in to{};
        to.sin_family = AF_INET;
        to.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
        to.sin_port = htons(connectTo);
        if (::connect(fd, reinterpret_cast<sockaddr *>(&to), sizeof to) != 0) {
            ::close(fd);
            return -1;
        }
    }
    return fd;
}

/// One end of the blast: sends from a connected socket, counts what arrives.
struct End
{
    int fd = -1;
    quint64 sent = 0;
    quint64 received = 0;       ///< by the other end, from this end
    quint64 writtenOff = 0;     ///< in flight when a stall showed them lost
    int64_t lastProgressNs = 0;
    std::array<mmsghdr, kBatch> messages{};
    std::array<iovec, kBatch> vectors{};

    quint64 inFlight() const { return sent - received - writtenOff; }
};

/// Sends up to the window; true if anything went.
bool sendSome(End &e, char *payload, bool sending)
{
    if (!sending || e.inFlight() >= kWindow)
        return false;
    const int n = int(std::min<quint64>(kBatch, kWindow - e.inFlight()));
    for (int i = 0; i < n; ++i) {
        e.vectors[size_t(i)] = {payload, size_t(kDatagram)};
        e.messages[size_t(i)].msg_hdr = {};
        e.messages[size_t(i)].msg_hdr.msg_iov = &e.vectors[size_t(i)];
        e.messages[size_t(i)].msg_hdr.msg_iovlen = 1;
    }
    const int sent = ::sendmmsg(e.fd, e.messages.data(), unsigned(n), MSG_DONTWAIT);
    if (sent <= 0)
        return false;
    e.sent += quint64(sent);
    return true;
}

/// Reads what arrived at `at`, crediting `from`; true if anything came.
bool receiveSome(int at, End &from, char *buffers, int64_t now)
{
    std::array<mmsghdr, kBatch> messages{};
    std::array<iovec, kBatch> vectors{};
    for (int i = 0; i < kBatch; ++i) {
        vectors[size_t(i)] = {buffers + size_t(i) * 2048, 2048};
        messages[size_t(i)].msg_hdr.msg_iov = &vectors[size_t(i)];
        messages[size_t(i)].msg_hdr.msg_iovlen = 1;
    }
    const int n = ::recvmmsg(at, messages.data(), kBatch, MSG_DONTWAIT, nullptr);
    if (n <= 0)
        return false;
    from.received += quint64(n);
    from.lastProgressNs = now;
    return true;
}

} // namespace

RunOutcome runRelayBlast(const WorkloadContext &context)
{
    if (!context.connect.isEmpty())
        return RunOutcome::skip(QStringLiteral("measures the relay on loopback; it takes no --connect"));

    quint16 serverPort = 0, clientPort = 0;
    const int serverFd = loopbackSocket(0, &serverPort);
    if (serverFd < 0)
        return RunOutcome::failure(QStringLiteral("cannot make a UDP socket on 127.0.0.1"));

    relay::RelayConfig config;
    config.listenAddress = QHostAddress(QHostAddress::LocalHost);
    config.upstreamAddress = QHostAddress(QHostAddress::LocalHost);
    config.upstreamPort = serverPort;
    // The relay runs on the worker thread, as an application would run it.
    relay::Relay *relay = nullptr;
    QString error;
    double cpuAtStart = 0;
    context.worker->run([&] {
        relay = new relay::Relay(config);
        if (!relay->start())
            error = relay->errorString();
        cpuAtStart = threadCpuSeconds();
    });
    auto finish = [&](RunOutcome outcome) {
        context.worker->run([relay] { delete relay; });
        ::close(serverFd);
        return outcome;
    };
    if (!relay || !error.isEmpty())
        return finish(RunOutcome::failure(QStringLiteral("the relay did not start: %1").arg(error)));

    End up, down;
    up.fd = loopbackSocket(relay->listenPort(), &clientPort);
    down.fd = serverFd;
    if (up.fd < 0)
        return finish(RunOutcome::failure(QStringLiteral("cannot make the client's UDP socket")));

    // The server learns the client's mapping from a first datagram and
    // answers it there from then on.
    QByteArray payload(kDatagram, '\x5a');
    ::send(up.fd, payload.constData(), size_t(payload.size()), 0);
    sockaddr_in mapped{};
    socklen_t mappedLength = sizeof mapped;
    pollfd wait{serverFd, POLLIN, 0};
    if (::poll(&wait, 1, 2000) <= 0
        || ::recvfrom(serverFd, payload.data(), size_t(payload.size()), 0, reinterpret_cast<sockaddr *>(&mapped),
                      &mappedLength) != kDatagram
        || ::connect(serverFd, reinterpret_cast<sockaddr *>(&mapped), mappedLength) != 0) {
        ::close(up.fd);
        return finish(RunOutcome::failure(QStringLiteral("the first datagram did not come through the relay")));
    }

    const double seconds = context.sizes.relaySeconds;
    auto buffers = std::make_unique_for_overwrite<char[]>(size_t(kBatch) * 2048);
    const relay::RelayStats before = relay->stats();
    const int64_t start = nowNs();
    const int64_t stopSending = start + int64_t(seconds * 1e9);
    int64_t now = start;
    up.lastProgressNs = down.lastProgressNs = start;
    int64_t lastArrival = start;
    // Both ends on this thread: send what the windows allow, read what came,
    // sleep in poll only when nothing moved.
    for (;;) {
        now = nowNs();
        const bool sending = now < stopSending;
        if (!sending && up.inFlight() == 0 && down.inFlight() == 0)
            break;
        bool moved = sendSome(up, payload.data(), sending);
        moved = sendSome(down, payload.data(), sending) || moved;
        if (receiveSome(serverFd, up, buffers.get(), now)) {
            moved = true;
            lastArrival = now;
        }
        if (receiveSome(up.fd, down, buffers.get(), now)) {
            moved = true;
            lastArrival = now;
        }
        for (End *e : {&up, &down}) {
            if (e->inFlight() > 0 && now - e->lastProgressNs > kStallNs) {
                e->writtenOff += e->inFlight();
                e->lastProgressNs = now;
            }
        }
        if (!sending && now - lastArrival > 2 * kStallNs)
            break;
        if (!moved) {
            pollfd fds[2] = {{serverFd, POLLIN, 0}, {up.fd, POLLIN, 0}};
            ::poll(fds, 2, 1);
        }
    }
    const double elapsed = double(lastArrival - start) / 1e9;
    double relayCpu = 0;
    context.worker->run([&] { relayCpu = threadCpuSeconds() - cpuAtStart; });
    const relay::RelayStats after = relay->stats();
    ::close(up.fd);

    RunOutcome out;
    const double bits = double(kDatagram) * 8.0;
    out.add(QStringLiteral("gbit_per_s_up"), QStringLiteral("Gbit/s"), double(up.received) * bits / elapsed / 1e9);
    out.add(QStringLiteral("gbit_per_s_down"), QStringLiteral("Gbit/s"),
            double(down.received) * bits / elapsed / 1e9);
    out.add(QStringLiteral("lost_up"), QStringLiteral("datagrams"), double(up.sent - up.received));
    out.add(QStringLiteral("lost_down"), QStringLiteral("datagrams"), double(down.sent - down.received));
    out.add(QStringLiteral("relay_dropped"), QStringLiteral("datagrams"),
            double(after.up.dropped() - before.up.dropped() + after.down.dropped() - before.down.dropped()));
    out.add(QStringLiteral("relay_cpu_percent"), QStringLiteral("%"), relayCpu / elapsed * 100.0);
    out.add(QStringLiteral("seconds"), QStringLiteral("s"), elapsed);
    out.note(QStringLiteral("%1-byte datagrams both ways at once, at most %2 in flight each way; the relay on its "
                            "own thread, both ends of the blast on another; Gbit/s of UDP payload")
                 .arg(kDatagram)
                 .arg(kWindow));
    return finish(out);
}

} // namespace quicpool::cli::bench
