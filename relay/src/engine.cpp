#include "engine.h"

#include "clock.h"

#include <QtCore/QMetaObject>
#include <QtCore/QSocketNotifier>
#include <QtCore/QTimer>
#include <algorithm>
#include <cerrno>
#include <chrono>
#include <climits>
#include <cstring>
#include <netinet/udp.h>
#include <unistd.h>

#ifndef UDP_SEGMENT
#define UDP_SEGMENT 103  // Linux 4.18; older C library headers lack the name
#endif

namespace quicpool::relay {

namespace {

/// Datagrams the relay holds at most (queues, delay line, held back): about
/// 190 MB of 1452-byte datagrams, a second of 1.5 Gbit/s. Beyond it datagrams
/// are dropped as "queue", so a flood cannot exhaust memory.
constexpr uint32_t kMaxHeld = 131072;
/// Batches read per socket wake-up before the event loop gets a turn, so
/// one busy socket cannot starve the others or the release timer.
constexpr int kBatchesPerWake = 8;

int64_t nanoseconds(RelayConfig::Duration d)
{
    return std::chrono::duration_cast<std::chrono::nanoseconds>(d).count();
}

int milliseconds(RelayConfig::Duration d)
{
    const auto ms = std::chrono::duration_cast<std::chrono::milliseconds>(d).count();
    return int(std::clamp<qint64>(ms, 0, INT_MAX));
}

QHostAddress withoutIpv4Mapping(const QHostAddress &address)
{
    bool mapped = false;
    const quint32 v4 = address.toIPv4Address(&mapped);
    return mapped ? QHostAddress(v4) : address;
}

void closeFd(int &fd)
{
    if (fd >= 0)
        ::close(fd);
    fd = -1;
}

/// Stops a notifier before its fd closes; deleted at once, since nothing of
/// ours is ever on the stack inside its own activated() when we get here.
void dropNotifier(QSocketNotifier *&notifier)
{
    if (!notifier)
        return;
    notifier->setEnabled(false);
    delete notifier;
    notifier = nullptr;
}

} // namespace

Engine::Engine(Relay *relay, const RelayConfig &config)
    : m_relay(relay),
      m_arena(kMaxHeld + kBatchSize),
      m_releaseTimer(relay,
                     [this] {
                         const int64_t now = monotonicNs();
                         releaseDue(now);
                         finishTurn(now);
                     }),
      m_rebindTimer(new QTimer(relay)),
      m_sweepTimer(new QTimer(relay))
{
    QObject::connect(m_rebindTimer, &QTimer::timeout, relay, [this] { rebindAll(); });
    QObject::connect(m_sweepTimer, &QTimer::timeout, relay, [this] { sweepIdle(); });
    m_sendUp.direction = Direction::Up;
    m_sendDown.direction = Direction::Down;
    setConfig(config);
}

Engine::~Engine()
{
    stop(false);
}

QHostAddress Engine::listenAddress() const
{
    QMutexLocker lock(&m_mutex);
    return m_boundAddress;
}

QString Engine::errorString() const
{
    QMutexLocker lock(&m_mutex);
    return m_error;
}

void Engine::setConfig(const RelayConfig &config)
{
    m_config = config.clamped();
    for (const Direction d : {Direction::Up, Direction::Down}) {
        m_impairments[size_t(d)] = Impairments::from(m_config, d);
        m_links[size_t(d)].configure(m_config.rate, nanoseconds(m_config.queue));
    }
    m_reorderHoldNs = nanoseconds(m_config.reorderHold);
    if (isRunning())
        applyTimers();
}

void Engine::applyTimers()
{
    if (m_config.rebindEvery.count() > 0) {
        const int every = std::max(1, milliseconds(m_config.rebindEvery));
        if (!m_rebindTimer->isActive() || m_rebindTimer->interval() != every)
            m_rebindTimer->start(every);
    } else {
        m_rebindTimer->stop();
    }
    // A quarter of the idle timeout: a mapping lives at most 25% longer
    // than asked. Between 10 ms (tests) and 5 s (the 2-minute default).
    const int sweep = std::clamp(milliseconds(m_config.idleTimeout) / 4, 10, 5000);
    if (!m_sweepTimer->isActive() || m_sweepTimer->interval() != sweep)
        m_sweepTimer->start(sweep);
}

bool Engine::fail(const QString &sentence)
{
    {
        QMutexLocker lock(&m_mutex);
        m_error = sentence;
    }
    Q_EMIT m_relay->errorOccurred(sentence);
    return false;
}

void Engine::reportLater(const QString &sentence)
{
    {
        QMutexLocker lock(&m_mutex);
        m_error = sentence;
    }
    // Queued, as every signal sent while datagrams or mappings are being
    // worked on: a slot that stops or deletes the relay must not pull the
    // sockets from under the loop that is running.
    QMetaObject::invokeMethod(m_relay, [relay = m_relay, sentence] { Q_EMIT relay->errorOccurred(sentence); },
                              Qt::QueuedConnection);
}

bool Engine::start()
{
    stop();
    const QHostAddress upstream = withoutIpv4Mapping(m_config.upstreamAddress);
    if (upstream.isNull() || m_config.upstreamPort == 0)
        return fail(QStringLiteral("there is no server to relay to: the upstream address and port are not set"));
    if (m_config.listenAddress.isNull())
        return fail(QStringLiteral("there is no address to listen on"));
    m_upstream = Endpoint::from(upstream, m_config.upstreamPort);

    // QHostAddress::Any listens on every address of both families.
    const bool any = m_config.listenAddress.protocol() == QAbstractSocket::AnyIPProtocol;
    const QHostAddress listenAddress = withoutIpv4Mapping(m_config.listenAddress);
    const QString where = formatEndpoint(m_config.listenAddress, m_config.listenPort);
    QString error;
    m_listen = Endpoint::from(listenAddress, m_config.listenPort);
    int fd = openUdpSocket(m_listen.family(), any, &error);
    if (fd < 0 && any) {
        // No IPv6 on this machine: every IPv4 address then.
        m_listen = Endpoint::from(QHostAddress(QHostAddress::AnyIPv4), m_config.listenPort);
        fd = openUdpSocket(AF_INET, false, &error);
    }
    if (fd < 0)
        return fail(QStringLiteral("cannot listen on %1: %2").arg(where, error));
    if (::bind(fd, m_listen.raw(), m_listen.length) != 0) {
        const int e = errno;
        ::close(fd);
        switch (e) {
        case EADDRINUSE:
            return fail(QStringLiteral("%1 is already in use").arg(where));
        case EADDRNOTAVAIL:
            return fail(QStringLiteral("%1 is not an address of this machine").arg(listenAddress.toString()));
        case EACCES:
            return fail(QStringLiteral("%1 needs privileges (ports below 1024 do)").arg(where));
        default:
            return fail(QStringLiteral("cannot listen on %1: %2").arg(where, systemError(e)));
        }
    }
    if (!m_releaseTimer.open(&error)) {
        ::close(fd);
        return fail(QStringLiteral("cannot relay on %1: %2").arg(where, error));
    }
    m_listenFd = fd;
    m_listenNotifier = new QSocketNotifier(fd, QSocketNotifier::Read, m_relay);
    QObject::connect(m_listenNotifier, &QSocketNotifier::activated, m_relay, [this] { readClients(); });

    // A fresh run: the same seed replays the same decisions.
    m_stats = RelayStats();
    m_arrivalSeq = {};
    for (const Direction d : {Direction::Up, Direction::Down}) {
        m_dice[size_t(d)].emplace(m_config.seed, d);
        m_links[size_t(d)] = Link();
        m_links[size_t(d)].configure(m_config.rate, nanoseconds(m_config.queue));
    }
    m_startNs = monotonicNs();
    m_mappingsChanged = true;
    {
        QMutexLocker lock(&m_mutex);
        m_error.clear();
        m_boundAddress = any ? m_config.listenAddress : listenAddress;
        m_publishedRunning = true;
        m_publishedStartNs = m_startNs;
    }
    m_listenPort.store(localPort(fd), std::memory_order_release);
    m_running.store(true, std::memory_order_release);
    applyTimers();
    publish(m_startNs);
    Q_EMIT m_relay->started();
    return true;
}

void Engine::stop(bool notify)
{
    const bool wasRunning = isRunning();
    const int64_t now = monotonicNs();
    if (wasRunning) {
        QMutexLocker lock(&m_mutex);
        m_publishedRunning = false;
        m_stoppedNs = now;
        m_boundAddress = QHostAddress();
    }
    m_releaseTimer.close();
    m_rebindTimer->stop();
    m_sweepTimer->stop();
    dropNotifier(m_listenNotifier);
    closeFd(m_listenFd);
    for (uint32_t i = 0; i < m_flows.capacity(); ++i) {
        if (m_flows[i].live) {
            dropNotifier(m_flows[i].notifier);
            closeFd(m_flows[i].upstreamFd);
            m_flows.remove(i);
        }
    }
    // Whatever was queued is gone; `queued` in the last snapshot says how much.
    m_line.clear();
    m_arena.clear();
    m_sendUp.count = m_sendDown.count = 0;
    m_running.store(false, std::memory_order_release);
    m_listenPort.store(0, std::memory_order_release);
    if (!wasRunning)
        return;
    m_mappingsChanged = true;
    publish(now);
    if (notify)
        Q_EMIT m_relay->stopped();
}

// ------------------------------------------------------------ receiving

int Engine::receive(int fd, bool withNames)
{
    ReceiveBatch &b = m_receive;
    for (int i = 0; i < kBatchSize; ++i) {
        const uint32_t slot = m_arena.acquire();
        b.arenaSlots[i] = slot;
        char *overflow = b.overflow.get() + size_t(i) * kMaxDatagramSize;
        msghdr &h = b.messages[i].msg_hdr;
        if (slot == Arena::kNone) {
            // No room: read it anyway (to count it), into the spare buffer.
            b.vectors[i][0] = {overflow, size_t(kMaxDatagramSize)};
            h.msg_iovlen = 1;
        } else {
            const Slot &s = m_arena[slot];
            b.vectors[i][0] = {s.data, s.capacity};
            b.vectors[i][1] = {overflow, size_t(kMaxDatagramSize) - s.capacity};
            h.msg_iovlen = s.capacity < uint32_t(kMaxDatagramSize) ? 2 : 1;
        }
        h.msg_iov = b.vectors[i];
        h.msg_name = withNames ? &b.names[i] : nullptr;
        h.msg_namelen = withNames ? sizeof b.names[i] : 0;
        h.msg_control = nullptr;
        h.msg_controllen = 0;
        h.msg_flags = 0;
    }
    int n = -1;
    for (int attempt = 0; attempt < 4 && n < 0; ++attempt) {
        n = ::recvmmsg(fd, b.messages, kBatchSize, MSG_DONTWAIT, nullptr);
        // An upstream socket is connected: an ICMP error from an earlier
        // send (no server there yet) surfaces here once, then reading goes on.
        if (n < 0 && errno != ECONNREFUSED && errno != EINTR)
            break;
    }
    n = std::max(n, 0);
    for (int i = 0; i < kBatchSize; ++i) {
        const uint32_t slot = b.arenaSlots[i];
        if (slot == Arena::kNone)
            continue;
        if (i >= n) {
            m_arena.release(slot);
            continue;
        }
        const uint32_t size = b.messages[i].msg_len;
        Slot &s = m_arena[slot];
        if (size > s.capacity) {
            const uint32_t inSlot = s.capacity;
            m_arena.reserve(slot, size, inSlot);
            std::memcpy(m_arena[slot].data + inSlot, b.overflow.get() + size_t(i) * kMaxDatagramSize, size - inSlot);
        }
        m_arena[slot].size = size;
    }
    return n;
}

void Engine::readClients()
{
    int64_t now = monotonicNs();
    for (int round = 0; round < kBatchesPerWake && m_listenFd >= 0; ++round) {
        const int n = receive(m_listenFd, true);
        if (n == 0)
            break;
        now = monotonicNs();
        for (int i = 0; i < n; ++i) {
            const uint32_t flow = flowFor(m_receive.names[i], m_receive.messages[i].msg_hdr.msg_namelen, now);
            handle(Direction::Up, flow, m_receive.arenaSlots[i], m_receive.messages[i].msg_len, now);
        }
        releaseDue(now);
        if (n < kBatchSize)
            break;
    }
    finishTurn(now);
}

void Engine::readUpstream(uint32_t flowIndex, uint32_t generation)
{
    int64_t now = monotonicNs();
    for (int round = 0; round < kBatchesPerWake; ++round) {
        const Flow *flow = m_flows.get(flowIndex, generation);
        if (!flow || flow->upstreamFd < 0)
            break;
        const int n = receive(flow->upstreamFd, false);
        if (n == 0)
            break;
        now = monotonicNs();
        for (int i = 0; i < n; ++i)
            handle(Direction::Down, flowIndex, m_receive.arenaSlots[i], m_receive.messages[i].msg_len, now);
        releaseDue(now);
        if (n < kBatchSize)
            break;
    }
    finishTurn(now);
}

// ------------------------------------------------------------ deciding

void Engine::handle(Direction direction, uint32_t flowIndex, uint32_t slotIndex, uint32_t size, int64_t now)
{
    DirectionStats &st = counts(direction);
    ++st.datagramsIn;
    st.bytesIn += size;
    // Drawn for every datagram, whatever happens to it: see dice.h.
    const Draws draws = m_dice[size_t(direction)]->roll();
    const uint64_t seq = ++m_arrivalSeq[size_t(direction)];
    if (slotIndex == Arena::kNone) {
        ++st.droppedQueue;
        return;
    }
    if (flowIndex == FlowTable::kNone) {
        ++st.droppedFailed;  // no mapping could be made for this client
        m_arena.release(slotIndex);
        return;
    }
    Flow &flow = m_flows[flowIndex];
    flow.lastActiveNs = now;

    const Verdict v = judge(m_impairments[size_t(direction)], draws, now, now - m_startNs, size, m_blackhole,
                            m_links[size_t(direction)], seq);
    if (m_scheduleLog && v.drop != DropCause::None)
        m_scheduleLog->judged({direction, seq, size, now, v.drop}, 0);
    switch (v.drop) {
    case DropCause::None:
        break;
    case DropCause::Blackhole:
        ++st.droppedBlackhole;
        break;
    case DropCause::Mtu:
        ++st.droppedMtu;
        break;
    case DropCause::Loss:
        ++st.droppedLoss;
        break;
    case DropCause::Queue:
        ++st.droppedQueue;
        break;
    }
    if (v.drop != DropCause::None) {
        m_arena.release(slotIndex);
        return;
    }
    auto recordWait = [&st](int64_t waitNs) {
        ++st.queueDelaySamples;
        st.queueDelaySumNs += waitNs;
        st.queueDelayMaxNs = std::max<qint64>(st.queueDelayMaxNs, waitNs);
    };
    recordWait(v.queueWaitNs);

    // The copy's slot first: acquiring may grow the arena and move slots.
    uint32_t copy = Arena::kNone;
    if (v.duplicate) {
        ++st.duplicated;
        if (v.copyDrop == DropCause::None)
            copy = m_arena.acquire();
        if (copy == Arena::kNone) {
            ++st.droppedQueue;  // the link's queue, or the relay's own buffer, had no room for it
        } else {
            m_arena.reserve(copy, size, 0);
            std::memcpy(m_arena[copy].data, m_arena[slotIndex].data, size);
            recordWait(v.copyQueueWaitNs);
        }
    }
    for (const uint32_t index : {slotIndex, copy}) {
        if (index == Arena::kNone)
            continue;
        Slot &s = m_arena[index];
        s.size = size;
        s.direction = direction;
        s.flow = flowIndex;
        s.flowGeneration = flow.generation;
        s.arrivalSeq = seq;
    }
    if (v.corrupt) {
        // The original only: the copy is what was sent.
        m_arena[slotIndex].data[v.corruptBit / 8] ^= char(0x80u >> (v.corruptBit % 8));
        ++st.corrupted;
    }
    if (m_scheduleLog) {
        m_scheduleLog->judged({direction, seq, size, now, DropCause::None, false, v.queueWaitNs, v.releaseNs},
                              m_arena[slotIndex].ticket);
        if (v.duplicate) {
            const DropCause copyDrop = copy == Arena::kNone ? DropCause::Queue : DropCause::None;
            m_scheduleLog->judged({direction, seq, size, now, copyDrop, true, v.copyQueueWaitNs, v.copyReleaseNs},
                                  copy == Arena::kNone ? 0 : m_arena[copy].ticket);
        }
    }
    schedule(slotIndex, v.releaseNs, v.holdBack, true, now);
    if (copy != Arena::kNone)
        schedule(copy, v.copyReleaseNs, false, false, now);
}

void Engine::schedule(uint32_t slotIndex, int64_t releaseNs, bool holdBack, bool successor, int64_t now)
{
    const Slot &slot = m_arena[slotIndex];
    const auto d = size_t(slot.direction);
    ++counts(slot.direction).queued;
    Held &held = m_flows[slot.flow].held[d];
    if (holdBack && held.ticket == 0) {
        // Wait for the next datagram of this client to overtake it; if none
        // comes within the hold time, go anyway.
        held = Held{slotIndex, slot.ticket, releaseNs};
        m_line.push(std::max(releaseNs, now + m_reorderHoldNs), slotIndex, slot.ticket);
        return;
    }
    m_line.push(releaseNs, slotIndex, slot.ticket);
    if (successor && held.ticket != 0) {
        // Right behind this one (pushed after it, so it leaves after it at
        // an equal time). The hold-deadline entry becomes stale if this
        // one leaves first, and the other way round.
        const Slot &h = m_arena[held.slot];
        if (h.ticket == held.ticket && !h.sending)
            m_line.push(std::max(held.releaseNs, releaseNs), held.slot, held.ticket);
        held.ticket = 0;
    }
}

// ------------------------------------------------------------ sending

void Engine::releaseDue(int64_t now)
{
    DelayLine::Entry e;
    while (m_line.popDue(now, &e)) {
        Slot &slot = m_arena[e.slot];
        if (slot.ticket != e.ticket || slot.sending)
            continue;  // the other entry of a held-back datagram already took it
        const Direction d = slot.direction;
        Flow *flow = m_flows.get(slot.flow, slot.flowGeneration);
        if (!flow || (d == Direction::Up && flow->upstreamFd < 0)) {
            // Its client's mapping expired while it waited.
            DirectionStats &st = counts(d);
            --st.queued;
            ++st.droppedFailed;
            m_arena.release(e.slot);
            continue;
        }
        Held &held = flow->held[size_t(d)];
        if (held.ticket == e.ticket)
            held.ticket = 0;  // released by its hold deadline
        uint64_t &newest = flow->maxReleasedSeq[size_t(d)];
        if (slot.arrivalSeq < newest)
            ++counts(d).reordered;
        else
            newest = slot.arrivalSeq;
        slot.sending = true;
        if (m_scheduleLog)
            m_scheduleLog->released(slot.ticket, now);
        if (d == Direction::Down)
            enqueue(m_sendDown, m_listenFd, &flow->client, e.slot);
        else
            enqueue(m_sendUp, flow->upstreamFd, nullptr, e.slot);
    }
    flush(m_sendUp);
    flush(m_sendDown);
}

void Engine::enqueue(SendBatch &b, int fd, const Endpoint *to, uint32_t slotIndex)
{
    // One batch per socket: a change of socket (another client's upstream)
    // or a full batch sends what is gathered so far.
    if (b.count == kBatchSize || (b.count > 0 && b.fd != fd))
        flush(b);
    b.fd = fd;
    const int i = b.count++;
    const Slot &s = m_arena[slotIndex];
    b.arenaSlots[i] = slotIndex;
    b.sizes[i] = s.size;
    b.vectors[i] = {s.data, s.size};
    if (to) {
        std::memcpy(&b.names[i], &to->storage, to->length);
        b.nameLengths[i] = to->length;
    } else {
        b.nameLengths[i] = 0;
    }
    b.sameAsPrevious[i] = i > 0 && b.nameLengths[i] == b.nameLengths[i - 1]
                          && std::memcmp(&b.names[i], &b.names[i - 1], b.nameLengths[i]) == 0;
}

void Engine::flush(SendBatch &b)
{
    if (b.count == 0)
        return;
    DirectionStats &st = counts(b.direction);
    // Runs of equal-sized datagrams to one destination become one UDP GSO
    // send: one trip through the stack instead of one per datagram, which
    // is most of what relaying costs (the kernel splits them again).
    int runs = 0;
    for (int i = 0; i < b.count; i += b.runLength[runs++]) {
        const int length = m_segmentation ? segmentRun(b.sizes, b.sameAsPrevious, b.count, i) : 1;
        b.runFirst[runs] = i;
        b.runLength[runs] = length;
        msghdr &h = b.messages[runs].msg_hdr;
        h = msghdr{};
        h.msg_name = b.nameLengths[i] ? &b.names[i] : nullptr;
        h.msg_namelen = b.nameLengths[i];
        h.msg_iov = &b.vectors[i];
        h.msg_iovlen = size_t(length);
        if (length > 1) {
            h.msg_control = b.control[runs];
            h.msg_controllen = sizeof b.control[runs];
            cmsghdr *c = CMSG_FIRSTHDR(&h);
            c->cmsg_level = SOL_UDP;
            c->cmsg_type = UDP_SEGMENT;
            c->cmsg_len = CMSG_LEN(sizeof(uint16_t));
            const auto segment = uint16_t(b.sizes[i]);
            std::memcpy(CMSG_DATA(c), &segment, sizeof segment);
        }
    }
    auto sent = [&](int first, int length) {
        for (int i = first; i < first + length; ++i) {
            ++st.datagramsOut;
            st.bytesOut += b.sizes[i];
        }
    };
    int done = 0;
    while (done < runs) {
        const int n = ::sendmmsg(b.fd, b.messages + done, unsigned(runs - done), MSG_DONTWAIT);
        if (n > 0) {
            for (int r = done; r < done + n; ++r)
                sent(b.runFirst[r], b.runLength[r]);
            done += n;
            continue;
        }
        const int error = n < 0 ? errno : EIO;
        if (error == EINTR)
            continue;
        if (error == EAGAIN || error == EWOULDBLOCK || error == ENOBUFS) {
            // The socket's send buffer is full: like a host queue
            // overflowing, the rest of this batch is lost.
            for (int r = done; r < runs; ++r)
                st.droppedFailed += quint64(b.runLength[r]);
            break;
        }
        // This message cannot go. A run goes again one datagram at a time
        // (a route whose MTU is below the segment size refuses GSO); a
        // single datagram is lost (say, an ICMP error from an earlier send
        // is reported on it).
        const int first = b.runFirst[done], length = b.runLength[done];
        if (length == 1) {
            ++st.droppedFailed;
        } else {
            for (int i = first; i < first + length; ++i) {
                msghdr single{};
                single.msg_name = b.nameLengths[i] ? &b.names[i] : nullptr;
                single.msg_namelen = b.nameLengths[i];
                single.msg_iov = &b.vectors[i];
                single.msg_iovlen = 1;
                if (::sendmsg(b.fd, &single, MSG_DONTWAIT) >= 0)
                    sent(i, 1);
                else
                    ++st.droppedFailed;
            }
            if (error == EINVAL || error == EIO || error == EOPNOTSUPP || error == ENOPROTOOPT)
                m_segmentation = false;  // this kernel or path will not segment: stop asking
        }
        ++done;
    }
    for (int i = 0; i < b.count; ++i)
        m_arena.release(b.arenaSlots[i]);
    st.queued -= quint64(b.count);
    b.count = 0;
}

void Engine::finishTurn(int64_t now)
{
    publish(now);
    armTimer();
}

void Engine::armTimer()
{
    if (!isRunning() || m_line.empty()) {
        m_releaseTimer.disarm();
        return;
    }
    // Re-armed only when the first release time changed: one system call
    // per change, not per batch.
    const int64_t due = m_line.nextNs();
    if (!m_releaseTimer.isArmed() || m_releaseTimer.armedAt() != due)
        m_releaseTimer.armAt(due);
}

// ------------------------------------------------------------ clients

int Engine::openUpstream(QString *error) const
{
    const int fd = openUdpSocket(m_upstream.family(), false, error);
    if (fd < 0)
        return -1;
    const QHostAddress upstream = m_upstream.address();
    if (upstream.isLoopback()) {
        // Keep the socket off the real interfaces when the server is local.
        const Endpoint local = Endpoint::from(upstream.protocol() == QAbstractSocket::IPv6Protocol
                                                  ? QHostAddress(QHostAddress::LocalHostIPv6)
                                                  : QHostAddress(QHostAddress::LocalHost),
                                              0);
        if (::bind(fd, local.raw(), local.length) != 0) {
            *error = QStringLiteral("cannot bind a socket towards the server: %1").arg(systemError(errno));
            ::close(fd);
            return -1;
        }
    }
    // Connected: the kernel passes only the server's datagrams (like a
    // port-restricted NAT) and sends need no address.
    if (::connect(fd, m_upstream.raw(), m_upstream.length) != 0) {
        *error = QStringLiteral("cannot reach %1: %2")
                     .arg(formatEndpoint(upstream, m_upstream.port()), systemError(errno));
        ::close(fd);
        return -1;
    }
    return fd;
}

void Engine::watchUpstream(uint32_t flowIndex)
{
    Flow &flow = m_flows[flowIndex];
    const uint32_t generation = flow.generation;
    flow.notifier = new QSocketNotifier(flow.upstreamFd, QSocketNotifier::Read, m_relay);
    QObject::connect(flow.notifier, &QSocketNotifier::activated, m_relay,
                     [this, flowIndex, generation] { readUpstream(flowIndex, generation); });
    flow.upstreamPort = localPort(flow.upstreamFd);
}

uint32_t Engine::flowFor(const sockaddr_storage &name, socklen_t length, int64_t now)
{
    const EndpointKey key = keyOf(name);
    const uint32_t found = m_flows.find(key);
    if (found != FlowTable::kNone)
        return found;
    QString error;
    const int fd = openUpstream(&error);
    const Endpoint client = Endpoint::fromRaw(name, length);
    const QHostAddress address = client.address();
    const quint16 port = client.port();
    if (fd < 0) {
        reportLater(QStringLiteral("no mapping for client %1: %2").arg(formatEndpoint(address, port), error));
        return FlowTable::kNone;
    }
    const uint32_t index = m_flows.add(key, client);
    m_flows[index].upstreamFd = fd;
    m_flows[index].lastActiveNs = now;
    watchUpstream(index);
    ++m_stats.clientsSeen;
    m_mappingsChanged = true;
    // Visible before its first datagram leaves; between two datagrams the
    // counts add up, so this snapshot is as consistent as any.
    publish(now);
    const quint16 upstreamPort = m_flows[index].upstreamPort;
    QMetaObject::invokeMethod(
        m_relay, [relay = m_relay, address, port, upstreamPort] { Q_EMIT relay->clientAdded(address, port, upstreamPort); },
        Qt::QueuedConnection);
    return index;
}

void Engine::closeFlow(uint32_t flowIndex)
{
    Flow &flow = m_flows[flowIndex];
    dropNotifier(flow.notifier);
    closeFd(flow.upstreamFd);
    // Datagrams still queued for it find the generation changed and are
    // counted as failed when due.
    m_flows.remove(flowIndex);
    m_mappingsChanged = true;
}

int Engine::rebindAll()
{
    if (!isRunning())
        return 0;
    int moved = 0;
    for (uint32_t i = 0; i < m_flows.capacity(); ++i) {
        Flow &flow = m_flows[i];
        if (!flow.live)
            continue;
        // The new socket is bound while the old one still holds its port,
        // so the port really changes.
        QString error;
        const int fd = openUpstream(&error);
        if (fd < 0) {
            reportLater(QStringLiteral("cannot move client %1 to a new port: %2")
                            .arg(formatEndpoint(flow.client.address(), flow.client.port()), error));
            continue;
        }
        dropNotifier(flow.notifier);
        closeFd(flow.upstreamFd);
        flow.upstreamFd = fd;
        watchUpstream(i);
        ++moved;
        ++m_stats.rebinds;
        const QHostAddress address = flow.client.address();
        const quint16 port = flow.client.port();
        const quint16 upstreamPort = flow.upstreamPort;
        QMetaObject::invokeMethod(
            m_relay,
            [relay = m_relay, address, port, upstreamPort] { Q_EMIT relay->clientRebound(address, port, upstreamPort); },
            Qt::QueuedConnection);
    }
    if (moved > 0) {
        m_mappingsChanged = true;
        publish(monotonicNs());
    }
    return moved;
}

void Engine::sweepIdle()
{
    const int64_t now = monotonicNs();
    const int64_t idle = nanoseconds(m_config.idleTimeout);
    bool any = false;
    for (uint32_t i = 0; i < m_flows.capacity(); ++i) {
        const Flow &flow = m_flows[i];
        if (!flow.live || now - flow.lastActiveNs < idle)
            continue;
        const QHostAddress address = flow.client.address();
        const quint16 port = flow.client.port();
        closeFlow(i);
        ++m_stats.expired;
        any = true;
        QMetaObject::invokeMethod(
            m_relay, [relay = m_relay, address, port] { Q_EMIT relay->clientExpired(address, port); },
            Qt::QueuedConnection);
    }
    if (any)
        publish(now);
}

// ------------------------------------------------------------ snapshots

void Engine::publish(int64_t now)
{
    m_stats.clients = m_flows.size();
    QList<Mapping> mappings;
    if (m_mappingsChanged) {
        for (uint32_t i = 0; i < m_flows.capacity(); ++i) {
            const Flow &f = m_flows[i];
            if (f.live)
                mappings.append(Mapping{f.client.address(), f.client.port(), f.upstreamPort});
        }
    }
    QMutexLocker lock(&m_mutex);
    m_published = m_stats;
    m_published.elapsedNs = now - m_startNs;
    if (m_mappingsChanged) {
        m_publishedMappings = std::move(mappings);
        m_mappingsChanged = false;
    }
}

RelayStats Engine::stats() const
{
    QMutexLocker lock(&m_mutex);
    RelayStats s = m_published;
    if (m_publishedStartNs != 0)
        s.elapsedNs = (m_publishedRunning ? monotonicNs() : m_stoppedNs) - m_publishedStartNs;
    return s;
}

QList<Mapping> Engine::mappings() const
{
    QMutexLocker lock(&m_mutex);
    return m_publishedMappings;
}

void attachScheduleLog(Relay &relay, ScheduleLog *log)
{
    Engine::attachScheduleLog(relay, log);
}

} // namespace quicpool::relay
