#include "udprelay.h"

#include <QNetworkDatagram>
#include <QUdpSocket>

#include <algorithm>
#include <limits>
#include <utility>

namespace quicpool::testing {

namespace {

constexpr qint64 kNsPerMs = 1000000;

double clampProbability(double p)
{
    // NaN compares false with everything: treat it as "never".
    if (!(p > 0.0))
        return 0.0;
    return std::min(p, 1.0);
}

QHostAddress loopbackFor(const QHostAddress &peer)
{
    return peer.protocol() == QAbstractSocket::IPv6Protocol ? QHostAddress(QHostAddress::LocalHostIPv6)
                                                            : QHostAddress(QHostAddress::LocalHost);
}

// Where to bind a socket that talks to peer: the loopback of its family when
// the peer is local, so the test never listens on a real interface.
QHostAddress bindAddressFor(const QHostAddress &peer)
{
    if (peer.isLoopback())
        return loopbackFor(peer);
    return peer.protocol() == QAbstractSocket::IPv6Protocol ? QHostAddress(QHostAddress::AnyIPv6)
                                                            : QHostAddress(QHostAddress::AnyIPv4);
}

QRandomGenerator seededGenerator(quint32 seed, quint32 stream)
{
    const quint32 seedBuffer[2] = {seed, stream};
    return QRandomGenerator(seedBuffer);
}

} // namespace

UdpRelay::UdpRelay(const QHostAddress &upstreamAddress, quint16 upstreamPort, quint32 seed,
                   QObject *parent)
    : QObject(parent), m_upstreamAddress(upstreamAddress), m_upstreamPort(upstreamPort)
{
    reseed(seed);
    m_clock.start();
    m_delayTimer.setSingleShot(true);
    // Delays are the point of a delay test: a coarse timer could fire early.
    m_delayTimer.setTimerType(Qt::PreciseTimer);
    connect(&m_delayTimer, &QTimer::timeout, this, &UdpRelay::sendDueDatagrams);
}

UdpRelay::~UdpRelay()
{
    m_delayTimer.stop();
    m_delayed.clear();
    // The sockets are children and go with the QObject; nothing else is live.
}

bool UdpRelay::listen(const QHostAddress &bindAddress)
{
    close();
    const QHostAddress address = bindAddress.isNull() ? loopbackFor(m_upstreamAddress) : bindAddress;
    auto *socket = new QUdpSocket(this);
    if (!socket->bind(address, 0)) {
        m_errorString = tr("Cannot bind the relay to %1: %2").arg(address.toString(), socket->errorString());
        delete socket;
        return false;
    }
    m_listener = socket;
    m_errorString.clear();
    connect(m_listener, &QUdpSocket::readyRead, this, &UdpRelay::readFromClients);
    return true;
}

void UdpRelay::close()
{
    m_delayTimer.stop();
    m_delayed.clear();
    // deleteLater: close() may run from a slot fed by one of these sockets.
    for (auto &[key, client] : m_clients) {
        if (client->upstream) {
            client->upstream->disconnect(this);
            client->upstream->close();
            client->upstream->deleteLater();
        }
    }
    m_clients.clear();
    if (m_listener) {
        m_listener->disconnect(this);
        m_listener->close();
        m_listener->deleteLater();
        m_listener = nullptr;
    }
}

bool UdpRelay::isListening() const
{
    return m_listener != nullptr;
}

QHostAddress UdpRelay::address() const
{
    return m_listener ? m_listener->localAddress() : QHostAddress();
}

quint16 UdpRelay::port() const
{
    return m_listener ? m_listener->localPort() : 0;
}

void UdpRelay::setFaults(Direction direction, const RelayFaults &faults)
{
    RelayFaults &f = m_dir[direction].faults;
    f.drop = clampProbability(faults.drop);
    f.reorder = clampProbability(faults.reorder);
    f.duplicate = clampProbability(faults.duplicate);
    f.delayMs = std::max(0, faults.delayMs);
    f.jitterMs = std::max(0, faults.jitterMs);
    f.blackhole = faults.blackhole;
}

void UdpRelay::setDropProbability(Direction direction, double probability)
{
    m_dir[direction].faults.drop = clampProbability(probability);
}

void UdpRelay::setDropProbability(double probability)
{
    setDropProbability(ClientToServer, probability);
    setDropProbability(ServerToClient, probability);
}

void UdpRelay::setReorderProbability(Direction direction, double probability)
{
    m_dir[direction].faults.reorder = clampProbability(probability);
}

void UdpRelay::setReorderProbability(double probability)
{
    setReorderProbability(ClientToServer, probability);
    setReorderProbability(ServerToClient, probability);
}

void UdpRelay::setDuplicateProbability(Direction direction, double probability)
{
    m_dir[direction].faults.duplicate = clampProbability(probability);
}

void UdpRelay::setDuplicateProbability(double probability)
{
    setDuplicateProbability(ClientToServer, probability);
    setDuplicateProbability(ServerToClient, probability);
}

void UdpRelay::setDelay(Direction direction, int delayMs, int jitterMs)
{
    m_dir[direction].faults.delayMs = std::max(0, delayMs);
    m_dir[direction].faults.jitterMs = std::max(0, jitterMs);
}

void UdpRelay::setDelay(int delayMs, int jitterMs)
{
    setDelay(ClientToServer, delayMs, jitterMs);
    setDelay(ServerToClient, delayMs, jitterMs);
}

void UdpRelay::setBlackhole(Direction direction, bool on)
{
    m_dir[direction].faults.blackhole = on;
}

void UdpRelay::setBlackhole(bool on)
{
    setBlackhole(ClientToServer, on);
    setBlackhole(ServerToClient, on);
}

void UdpRelay::setReorderHoldMs(int ms)
{
    m_reorderHoldMs = std::max(0, ms);
}

void UdpRelay::reseed(quint32 seed)
{
    m_dir[ClientToServer].rng = seededGenerator(seed, ClientToServer);
    m_dir[ServerToClient].rng = seededGenerator(seed, ServerToClient);
}

void UdpRelay::resetCounters()
{
    for (DirectionState &d : m_dir)
        d.counters = RelayCounters();
}

int UdpRelay::pending() const
{
    int count = int(m_delayed.size());
    for (const auto &[key, client] : m_clients)
        count += int(std::count_if(client->held.begin(), client->held.end(),
                                   [](const std::optional<Held> &h) { return h.has_value(); }));
    return count;
}

quint16 UdpRelay::upstreamPortFor(const QHostAddress &clientAddress, quint16 clientPort) const
{
    const auto it = m_clients.find(ClientKey{clientAddress, clientPort});
    if (it == m_clients.end() || !it->second->upstream)
        return 0;
    return it->second->upstream->localPort();
}

int UdpRelay::rebindClient()
{
    int rebound = 0;
    for (const auto &[key, client] : m_clients) {
        if (rebindClient(key.address, key.port))
            ++rebound;
    }
    return rebound;
}

bool UdpRelay::rebindClient(const QHostAddress &clientAddress, quint16 clientPort)
{
    Client *client = clientFor(ClientKey{clientAddress, clientPort}, false);
    if (!client)
        return false;
    // The new socket is bound while the old one still holds its port, so the
    // kernel cannot hand the same port back: the server really sees a move.
    QUdpSocket *fresh = openUpstreamSocket(client->key);
    if (!fresh)
        return false;
    QUdpSocket *old = std::exchange(client->upstream, fresh);
    if (old) {
        old->disconnect(this);
        old->close();
        old->deleteLater();
    }
    return true;
}

void UdpRelay::readFromClients()
{
    // m_listener is re-checked each round: a slot on our signals may close().
    while (m_listener && m_listener->hasPendingDatagrams()) {
        const QNetworkDatagram datagram = m_listener->receiveDatagram();
        if (!datagram.isValid())
            break; // a receive error; readyRead comes again if more is queued
        handleDatagram(ClientToServer, ClientKey{datagram.senderAddress(), quint16(datagram.senderPort())},
                       datagram.data());
    }
}

void UdpRelay::readFromUpstream(QUdpSocket *socket, const ClientKey &key)
{
    while (socket->state() == QAbstractSocket::BoundState && socket->hasPendingDatagrams()) {
        const QNetworkDatagram datagram = socket->receiveDatagram();
        if (!datagram.isValid())
            break;
        // Like a port-restricted NAT: only the server may answer through
        // the mapping it was sent to.
        if (!datagram.senderAddress().isEqual(m_upstreamAddress, QHostAddress::TolerantConversion)
            || datagram.senderPort() != m_upstreamPort) {
            ++m_dir[ServerToClient].counters.ignored;
            continue;
        }
        handleDatagram(ServerToClient, key, datagram.data());
    }
}

QUdpSocket *UdpRelay::openUpstreamSocket(const ClientKey &key)
{
    auto *socket = new QUdpSocket(this);
    const QHostAddress address = bindAddressFor(m_upstreamAddress);
    if (!socket->bind(address, 0)) {
        m_errorString = tr("Cannot bind an upstream socket on %1 for client %2:%3: %4")
                            .arg(address.toString(), key.address.toString())
                            .arg(key.port)
                            .arg(socket->errorString());
        delete socket;
        return nullptr;
    }
    connect(socket, &QUdpSocket::readyRead, this, [this, socket, key] { readFromUpstream(socket, key); });
    return socket;
}

UdpRelay::Client *UdpRelay::clientFor(const ClientKey &key, bool create)
{
    const auto it = m_clients.find(key);
    if (it != m_clients.end())
        return it->second.get();
    if (!create)
        return nullptr;
    QUdpSocket *socket = openUpstreamSocket(key);
    if (!socket)
        return nullptr;
    auto client = std::make_unique<Client>();
    client->key = key;
    client->upstream = socket;
    Client *raw = client.get();
    m_clients.emplace(key, std::move(client));
    Q_EMIT clientAdded(key.address, key.port);
    return raw;
}

void UdpRelay::handleDatagram(Direction direction, const ClientKey &client, QByteArray data)
{
    DirectionState &state = m_dir[direction];
    ++state.counters.received;

    // Every datagram draws the same values whatever the settings, so the
    // decisions depend only on the seed and the datagram's position in its
    // direction, and changing one option does not reshuffle the others.
    const double dropDraw = state.rng.generateDouble();
    const double duplicateDraw = state.rng.generateDouble();
    const double reorderDraw = state.rng.generateDouble();
    const quint64 jitterDraw = state.rng.generate64();
    const quint64 copyJitterDraw = state.rng.generate64();

    const RelayFaults &f = state.faults;
    if (f.blackhole || dropDraw < f.drop || !clientFor(client, direction == ClientToServer)) {
        countDrop(direction, int(data.size()));
        return;
    }

    auto delayFor = [&f](quint64 draw) {
        qint64 ns = qint64(f.delayMs) * kNsPerMs;
        if (f.jitterMs > 0)
            ns += qint64(draw % quint64(qint64(f.jitterMs) * kNsPerMs + 1));
        return ns;
    };

    const bool duplicate = duplicateDraw < f.duplicate;
    Pending copy;
    if (duplicate)
        copy = Pending{direction, client, data};
    passReorderStage(Pending{direction, client, std::move(data)}, reorderDraw < f.reorder, delayFor(jitterDraw));
    if (duplicate) {
        ++state.counters.duplicated;
        passReorderStage(std::move(copy), false, delayFor(copyJitterDraw));
    }
}

void UdpRelay::passReorderStage(Pending datagram, bool holdBack, qint64 delayNs)
{
    Client *client = clientFor(datagram.client, false);
    if (!client) {
        countDrop(datagram.direction, int(datagram.data.size()));
        return;
    }
    const Direction direction = datagram.direction;
    std::optional<Held> &slot = client->held[direction];
    if (holdBack && !slot) {
        const quint64 serial = m_nextHoldSerial++;
        const ClientKey key = datagram.client;
        slot = Held{std::move(datagram), delayNs, serial};
        ++m_dir[direction].counters.reordered;
        // No successor within the hold time: let it go anyway, late.
        QTimer::singleShot(m_reorderHoldMs, Qt::PreciseTimer, this,
                           [this, key, direction, serial] { releaseHeld(key, direction, serial); });
        return;
    }
    schedule(std::move(datagram), delayNs);
    if (slot) {
        Held held = std::move(*slot);
        slot.reset();
        schedule(std::move(held.datagram), held.delayNs);
    }
}

void UdpRelay::releaseHeld(const ClientKey &key, Direction direction, quint64 serial)
{
    Client *client = clientFor(key, false);
    if (!client)
        return; // closed meanwhile
    std::optional<Held> &slot = client->held[direction];
    if (!slot || slot->serial != serial)
        return; // already released behind a successor
    Held held = std::move(*slot);
    slot.reset();
    schedule(std::move(held.datagram), held.delayNs);
}

void UdpRelay::schedule(Pending datagram, qint64 delayNs)
{
    if (delayNs <= 0) {
        write(datagram);
        return;
    }
    m_delayed.emplace(m_clock.nsecsElapsed() + delayNs, std::move(datagram));
    armDelayTimer();
}

void UdpRelay::armDelayTimer()
{
    if (m_delayed.empty()) {
        m_delayTimer.stop();
        return;
    }
    const qint64 remainingNs = m_delayed.begin()->first - m_clock.nsecsElapsed();
    // Round up: the timer has millisecond resolution and must never let a
    // datagram out before its time.
    const qint64 ms = remainingNs <= 0 ? 0 : (remainingNs + kNsPerMs - 1) / kNsPerMs;
    m_delayTimer.start(int(std::min<qint64>(ms, std::numeric_limits<int>::max())));
}

void UdpRelay::sendDueDatagrams()
{
    const qint64 now = m_clock.nsecsElapsed();
    while (!m_delayed.empty() && m_delayed.begin()->first <= now) {
        const Pending datagram = std::move(m_delayed.begin()->second);
        m_delayed.erase(m_delayed.begin());
        write(datagram);
    }
    armDelayTimer();
}

void UdpRelay::write(const Pending &datagram)
{
    qint64 written = -1;
    if (datagram.direction == ClientToServer) {
        // Looked up now, not when received: a rebind in between applies.
        const Client *client = clientFor(datagram.client, false);
        if (client && client->upstream)
            written = client->upstream->writeDatagram(datagram.data, m_upstreamAddress, m_upstreamPort);
    } else if (m_listener) {
        written = m_listener->writeDatagram(datagram.data, datagram.client.address, datagram.client.port);
    }
    if (written != datagram.data.size()) {
        countDrop(datagram.direction, int(datagram.data.size()));
        return;
    }
    ++m_dir[datagram.direction].counters.forwarded;
    Q_EMIT datagramForwarded(datagram.direction, int(datagram.data.size()));
}

void UdpRelay::countDrop(Direction direction, int size)
{
    ++m_dir[direction].counters.dropped;
    Q_EMIT datagramDropped(direction, size);
}

namespace {

void appendRandom(QByteArray &out, qsizetype count, QRandomGenerator &rng)
{
    for (qsizetype i = 0; i < count; ++i)
        out.append(char(rng.generate() & 0xff));
}

// Pads with noise or truncates to exactly size bytes.
void fitTo(QByteArray &datagram, qsizetype size, QRandomGenerator &rng)
{
    if (datagram.size() > size)
        datagram.truncate(size);
    else
        appendRandom(datagram, size - datagram.size(), rng);
}

QByteArray makeInitialLookAlike(QRandomGenerator &rng)
{
    QByteArray d;
    // Header form 1, fixed bit 1, type 00 (Initial); reserved and packet
    // number length bits are random, as header protection makes them look.
    d.append(char(0xc0 | rng.bounded(16)));
    const quint32 version = rng.bounded(8) == 0 ? rng.generate() : 0x00000001u;
    for (int shift = 24; shift >= 0; shift -= 8)
        d.append(char((version >> shift) & 0xff));
    const int dcidLength = rng.bounded(16) == 0 ? 21 + rng.bounded(235) : rng.bounded(21);
    d.append(char(dcidLength));
    appendRandom(d, dcidLength, rng);
    const int scidLength = rng.bounded(21);
    d.append(char(scidLength));
    appendRandom(d, scidLength, rng);
    // Token length as a one-byte varint (< 64), usually empty as from a
    // fresh client.
    const int tokenLength = rng.bounded(4) == 0 ? 1 + rng.bounded(63) : 0;
    d.append(char(tokenLength));
    appendRandom(d, tokenLength, rng);
    // Length as a two-byte varint that need not match the real rest.
    const quint32 length = rng.bounded(16384);
    d.append(char(0x40 | (length >> 8)));
    d.append(char(length & 0xff));
    const int size = rng.bounded(4) != 0 ? 1200 + rng.bounded(301) : 1 + rng.bounded(1199);
    fitTo(d, size, rng);
    return d;
}

QByteArray makeShortHeaderLookAlike(QRandomGenerator &rng)
{
    QByteArray d;
    d.append(char(0x40 | rng.bounded(64))); // form 0, fixed bit 1
    fitTo(d, 1 + rng.bounded(1500), rng);
    return d;
}

QByteArray makeNoise(QRandomGenerator &rng)
{
    QByteArray d;
    fitTo(d, 1 + rng.bounded(1500), rng);
    return d;
}

} // namespace

QList<GarbageDatagram> garbageDatagrams(int count, quint32 seed)
{
    QList<GarbageDatagram> out;
    if (count <= 0)
        return out;
    out.reserve(count);
    QRandomGenerator rng(seed);
    for (int i = 0; i < count; ++i) {
        GarbageDatagram g;
        switch (rng.bounded(3)) {
        case 0:
            g.kind = GarbageKind::LongHeaderInitial;
            g.data = makeInitialLookAlike(rng);
            break;
        case 1:
            g.kind = GarbageKind::ShortHeader;
            g.data = makeShortHeaderLookAlike(rng);
            break;
        default:
            g.kind = GarbageKind::Random;
            g.data = makeNoise(rng);
            break;
        }
        out.append(std::move(g));
    }
    return out;
}

int sendGarbage(const QHostAddress &address, quint16 port, int count, quint32 seed)
{
    if (address.isNull() || port == 0 || count <= 0)
        return 0;
    QUdpSocket socket;
    if (!socket.bind(bindAddressFor(address), 0))
        return 0;
    int sent = 0;
    for (const GarbageDatagram &g : garbageDatagrams(count, seed)) {
        if (socket.writeDatagram(g.data, address, port) == g.data.size())
            ++sent;
    }
    return sent;
}

} // namespace quicpool::testing
