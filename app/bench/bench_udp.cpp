#include "bench_udp.h"

#include "bench_resources.h"

#include <QtCore/QEventLoop>
#include <QtCore/QSocketNotifier>
#include <QtCore/QTimer>

#include <arpa/inet.h>
#include <cerrno>
#include <cstring>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

namespace quicpool::cli::bench {

namespace {

/// A non-blocking UDP socket on 127.0.0.1, port chosen by the kernel; -1 on failure.
int openLoopbackSocket(sockaddr_in *bound, QString *error)
{
    const int fd = ::socket(AF_INET, SOCK_DGRAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
    if (fd < 0) {
        *error = QStringLiteral("a UDP socket could not be opened: %1").arg(QString::fromLocal8Bit(std::strerror(errno)));
        return -1;
    }
    sockaddr_in a{};
    a.sin_family = AF_INET;
    a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    socklen_t len = sizeof a;
    if (::bind(fd, reinterpret_cast<const sockaddr *>(&a), sizeof a) != 0
        || ::getsockname(fd, reinterpret_cast<sockaddr *>(&a), &len) != 0) {
        *error = QStringLiteral("a UDP socket could not be bound to 127.0.0.1: %1")
                     .arg(QString::fromLocal8Bit(std::strerror(errno)));
        ::close(fd);
        return -1;
    }
    *bound = a;
    return fd;
}

/// The echoing end, on the worker thread: every datagram goes back to its sender.
class UdpEchoer
{
public:
    explicit UdpEchoer(int fd) : m_fd(fd), m_notifier(fd, QSocketNotifier::Read)
    {
        QObject::connect(&m_notifier, &QSocketNotifier::activated, &m_notifier, [this] { echo(); });
    }
    ~UdpEchoer() { ::close(m_fd); }
    UdpEchoer(const UdpEchoer &) = delete;
    UdpEchoer &operator=(const UdpEchoer &) = delete;

private:
    void echo()
    {
        char buffer[2048];
        for (;;) {
            sockaddr_in from{};
            socklen_t len = sizeof from;
            const ssize_t n = ::recvfrom(m_fd, buffer, sizeof buffer, 0, reinterpret_cast<sockaddr *>(&from), &len);
            if (n < 0)
                return;   // EAGAIN: drained
            (void)::sendto(m_fd, buffer, size_t(n), 0, reinterpret_cast<const sockaddr *>(&from), len);
        }
    }

    int m_fd;
    QSocketNotifier m_notifier;
};

} // namespace

RunOutcome runUdpPingPong(const WorkloadContext &context)
{
    // Against a --connect server the echo crosses another path: a loopback
    // ping-pong here would be no baseline for it.
    if (!context.connect.isEmpty())
        return RunOutcome::skip(QStringLiteral("a loopback baseline, for the in-process echo only"));
    QString error;
    sockaddr_in serverAddress{};
    const int serverFd = openLoopbackSocket(&serverAddress, &error);
    if (serverFd < 0)
        return RunOutcome::failure(error);
    UdpEchoer *echoer = nullptr;
    // The echoer (and its notifier) must be made and deleted on the worker thread.
    if (!context.worker->run([&echoer, serverFd] { echoer = new UdpEchoer(serverFd); }))
        return RunOutcome::failure(QStringLiteral("the worker thread did not answer"));   // it owns the socket if it ever does
    const auto stopEchoer = [&] { context.worker->run([echoer] { delete echoer; }); };

    sockaddr_in clientAddress{};
    const int fd = openLoopbackSocket(&clientAddress, &error);
    if (fd < 0 || ::connect(fd, reinterpret_cast<const sockaddr *>(&serverAddress), sizeof serverAddress) != 0) {
        if (fd >= 0) {
            error = QStringLiteral("the ping socket could not be connected: %1").arg(QString::fromLocal8Bit(std::strerror(errno)));
            ::close(fd);
        }
        stopEchoer();
        return RunOutcome::failure(error);
    }

    const int warmup = context.sizes.echoWarmup;
    const int trips = context.sizes.echoTrips;
    context.progress(QStringLiteral("udp: %1 ping-pongs of %2 bytes").arg(trips).arg(kUdpPingSize));
    char ping[kUdpPingSize];
    std::memset(ping, 0x5a, sizeof ping);
    std::vector<double> rtts;
    rtts.reserve(size_t(trips));
    int done = 0;
    int64_t sentNs = 0;
    QString failure;
    QEventLoop loop;
    auto send = [&] {
        sentNs = nowNs();
        if (::send(fd, ping, sizeof ping, 0) != ssize_t(sizeof ping)) {
            failure = QStringLiteral("a ping could not be sent: %1").arg(QString::fromLocal8Bit(std::strerror(errno)));
            loop.quit();
        }
    };
    QSocketNotifier notifier(fd, QSocketNotifier::Read);
    QObject::connect(&notifier, &QSocketNotifier::activated, &loop, [&] {
        char pong[2048];
        for (;;) {
            const ssize_t n = ::recv(fd, pong, sizeof pong, 0);
            if (n < 0)
                return;
            const int64_t now = nowNs();
            if (n != ssize_t(sizeof ping) || std::memcmp(pong, ping, sizeof ping) != 0) {
                failure = QStringLiteral("ping-pong %1 came back altered").arg(done);
                loop.quit();
                return;
            }
            if (done >= warmup)
                rtts.push_back(double(now - sentNs) / 1e3);
            if (++done == warmup + trips) {
                loop.quit();
                return;
            }
            send();
        }
    });
    const int limitMs = 20000 + trips * 5;
    QTimer::singleShot(limitMs, &loop, [&] { loop.quit(); });
    send();
    if (failure.isEmpty())
        loop.exec();
    notifier.setEnabled(false);
    ::close(fd);
    stopEchoer();
    if (!failure.isEmpty())
        return RunOutcome::failure(failure);
    if (int(rtts.size()) < trips)
        return RunOutcome::failure(QStringLiteral("only %1 of %2 ping-pongs within %3 s (loopback dropped a datagram)")
                                       .arg(rtts.size())
                                       .arg(trips)
                                       .arg(limitMs / 1000));
    RunOutcome out = roundTripOutcome(std::move(rtts));
    out.note(QStringLiteral("%1 ping-pongs of one %2-byte UDP datagram after %3 unmeasured; each end a "
                            "QSocketNotifier in a Qt event loop, as QuicPool's are")
                 .arg(trips)
                 .arg(kUdpPingSize)
                 .arg(warmup));
    return out;
}

} // namespace quicpool::cli::bench
