// The fault-injection relay the transport and pool suites lean on: if it lies
// about what it drops or delays, those suites test nothing. A plain UDP echo
// "server" and a plain UDP client talk through it on loopback.
#include "udprelay.h"

#include <QElapsedTimer>
#include <QNetworkDatagram>
#include <QSet>
#include <QSignalSpy>
#include <QTest>
#include <QUdpSocket>

#include <algorithm>
#include <limits>
#include <memory>

using quicpool::testing::GarbageDatagram;
using quicpool::testing::GarbageKind;
using quicpool::testing::RelayCounters;
using quicpool::testing::RelayFaults;
using quicpool::testing::UdpRelay;

namespace {

constexpr int kWaitMs = 10000;
constexpr auto C2S = UdpRelay::ClientToServer;
constexpr auto S2C = UdpRelay::ServerToClient;

QByteArray payload(int id)
{
    return "dgram-" + QByteArray::number(id);
}

int idOf(const QByteArray &datagram)
{
    bool ok = false;
    const int id = datagram.mid(6).toInt(&ok);
    return ok && datagram.startsWith("dgram-") ? id : -1;
}

// One UDP endpoint that records what it gets and, as the "server", echoes it.
class Peer
{
public:
    explicit Peer(bool echo, const QHostAddress &bindAddress = QHostAddress(QHostAddress::LocalHost))
        : m_echo(echo)
    {
        bound = socket.bind(bindAddress, 0);
        QObject::connect(&socket, &QUdpSocket::readyRead, &socket, [this] { drain(); });
    }

    void sendTo(const QByteArray &data, const QHostAddress &address, quint16 port)
    {
        QCOMPARE(socket.writeDatagram(data, address, port), qint64(data.size()));
    }

    QList<int> receivedIds() const
    {
        QList<int> ids;
        for (const QByteArray &d : received)
            ids.append(idOf(d));
        return ids;
    }

    QUdpSocket socket;
    bool bound = false;
    QList<QByteArray> received;
    QList<quint16> senderPorts;
    QList<qint64> arrivalMs; // on `clock`, for delay checks
    QElapsedTimer clock;

private:
    void drain()
    {
        while (socket.hasPendingDatagrams()) {
            const QNetworkDatagram d = socket.receiveDatagram();
            if (!d.isValid())
                break;
            received.append(d.data());
            senderPorts.append(quint16(d.senderPort()));
            arrivalMs.append(clock.isValid() ? clock.elapsed() : -1);
            if (m_echo)
                socket.writeDatagram(d.data(), d.senderAddress(), quint16(d.senderPort()));
        }
    }

    bool m_echo;
};

// Sends payload(from..to-1) through the relay in bursts small enough for the
// default socket buffers, waiting for the relay to read each burst, so that
// every loss the test sees is one the relay made.
bool sendNumbered(Peer &client, const UdpRelay &relay, int from, int to)
{
    constexpr int kBurst = 32;
    for (int i = from; i < to;) {
        const int end = std::min(to, i + kBurst);
        const quint64 target = relay.counters(C2S).received + quint64(end - i);
        for (; i < end; ++i) {
            if (client.socket.writeDatagram(payload(i), relay.address(), relay.port()) != payload(i).size())
                return false;
        }
        if (!QTest::qWaitFor([&] { return relay.counters(C2S).received >= target; }, kWaitMs))
            return false;
    }
    return true;
}

QList<int> range(int from, int to)
{
    QList<int> ids;
    for (int i = from; i < to; ++i)
        ids.append(i);
    return ids;
}

bool accountsAddUp(const RelayCounters &c)
{
    return c.forwarded == c.received - c.dropped + c.duplicated;
}

} // namespace

class TestUdpRelay : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void listenFailsOnAForeignAddress();
    void clampsSettings();
    void passesEverythingInOrder();
    void passesOverIPv6();
    void dropsAboutHalfReproducibly();
    void dropAllDropsEverything();
    void blackholeDropsEverythingAndResumes();
    void blackholeOneDirectionOnly();
    void reorderSwapsNeighbours();
    void randomReorderDeliversEverything();
    void delayHoldsDatagramsAtLeastTheDelay();
    void fixedDelayKeepsOrder();
    void rebindShowsTheServerANewPort();
    void rebindWithoutClients();
    void ignoresDatagramsFromStrangers();
    void survivesAVanishedClient();
    void duplicateMakesExtraCopies();
    void closeAndDestroyWithDatagramsPending();
    void garbageIsDeterministicAndMixed();
    void sendGarbageSendsTheAskedCount();
    void sendGarbageRejectsBadTargets();
};

void TestUdpRelay::listenFailsOnAForeignAddress()
{
    Peer server(true);
    QVERIFY(server.bound);
    UdpRelay relay(QHostAddress::LocalHost, server.socket.localPort());
    // TEST-NET-1 is never assigned to a local interface.
    QVERIFY(!relay.listen(QHostAddress(QStringLiteral("192.0.2.1"))));
    QVERIFY(!relay.isListening());
    QCOMPARE(relay.port(), quint16(0));
    QVERIFY2(relay.errorString().contains(QStringLiteral("192.0.2.1")), qPrintable(relay.errorString()));

    QVERIFY(relay.listen());
    QVERIFY(relay.isListening());
    QVERIFY(relay.port() != 0);
    QCOMPARE(relay.address(), QHostAddress(QHostAddress::LocalHost));
    QVERIFY(relay.errorString().isEmpty());
}

void TestUdpRelay::clampsSettings()
{
    UdpRelay relay(QHostAddress::LocalHost, 9);
    relay.setDropProbability(C2S, 2.0);
    relay.setDropProbability(S2C, -1.0);
    QCOMPARE(relay.faults(C2S).drop, 1.0);
    QCOMPARE(relay.faults(S2C).drop, 0.0);
    relay.setReorderProbability(std::numeric_limits<double>::quiet_NaN());
    QCOMPARE(relay.faults(C2S).reorder, 0.0);
    QCOMPARE(relay.faults(S2C).reorder, 0.0);
    relay.setDuplicateProbability(0.25);
    QCOMPARE(relay.faults(S2C).duplicate, 0.25);
    relay.setDelay(-5, -1);
    QCOMPARE(relay.faults(C2S).delayMs, 0);
    QCOMPARE(relay.faults(C2S).jitterMs, 0);
    relay.setDelay(S2C, 30, 7);
    QCOMPARE(relay.faults(S2C).delayMs, 30);
    QCOMPARE(relay.faults(S2C).jitterMs, 7);
    QCOMPARE(relay.faults(C2S).delayMs, 0);
    relay.setReorderHoldMs(-3);
    QCOMPARE(relay.reorderHoldMs(), 0);

    RelayFaults f;
    f.drop = 7;
    f.duplicate = -2;
    f.delayMs = -10;
    f.blackhole = true;
    relay.setFaults(C2S, f);
    QCOMPARE(relay.faults(C2S).drop, 1.0);
    QCOMPARE(relay.faults(C2S).duplicate, 0.0);
    QCOMPARE(relay.faults(C2S).delayMs, 0);
    QVERIFY(relay.faults(C2S).blackhole);
    QVERIFY(!relay.faults(S2C).blackhole);
}

void TestUdpRelay::passesEverythingInOrder()
{
    Peer server(true), client(false);
    QVERIFY(server.bound && client.bound);
    UdpRelay relay(QHostAddress::LocalHost, server.socket.localPort(), 1);
    QSignalSpy added(&relay, &UdpRelay::clientAdded);
    QVERIFY(relay.listen());

    QVERIFY(sendNumbered(client, relay, 0, 100));
    QTRY_COMPARE_WITH_TIMEOUT(client.received.size(), 100, kWaitMs);
    QCOMPARE(server.receivedIds(), range(0, 100));
    QCOMPARE(client.receivedIds(), range(0, 100));

    // The server sees the relay's per-client socket, never the client itself.
    QCOMPARE(added.size(), 1);
    QCOMPARE(relay.clientCount(), 1);
    const quint16 upstreamPort = relay.upstreamPortFor(QHostAddress::LocalHost, client.socket.localPort());
    QVERIFY(upstreamPort != 0);
    QVERIFY(upstreamPort != client.socket.localPort());
    QVERIFY(upstreamPort != relay.port());
    QVERIFY(std::all_of(server.senderPorts.begin(), server.senderPorts.end(),
                        [&](quint16 p) { return p == upstreamPort; }));
    // And the client hears from the relay's public port.
    QVERIFY(std::all_of(client.senderPorts.begin(), client.senderPorts.end(),
                        [&](quint16 p) { return p == relay.port(); }));

    for (const auto direction : {C2S, S2C}) {
        const RelayCounters c = relay.counters(direction);
        QCOMPARE(c.received, quint64(100));
        QCOMPARE(c.forwarded, quint64(100));
        QCOMPARE(c.dropped, quint64(0));
        QCOMPARE(c.reordered, quint64(0));
        QCOMPARE(c.duplicated, quint64(0));
    }
    QCOMPARE(relay.pending(), 0);

    relay.resetCounters();
    QCOMPARE(relay.counters(C2S).received, quint64(0));
    QCOMPARE(relay.counters(S2C).forwarded, quint64(0));
}

void TestUdpRelay::passesOverIPv6()
{
    Peer server(true, QHostAddress::LocalHostIPv6), client(false, QHostAddress::LocalHostIPv6);
    if (!server.bound || !client.bound)
        QSKIP("no IPv6 loopback here");
    UdpRelay relay(QHostAddress::LocalHostIPv6, server.socket.localPort());
    QVERIFY(relay.listen());
    QCOMPARE(relay.address(), QHostAddress(QHostAddress::LocalHostIPv6));
    QVERIFY(sendNumbered(client, relay, 0, 10));
    QTRY_COMPARE_WITH_TIMEOUT(client.received.size(), 10, kWaitMs);
    QCOMPARE(client.receivedIds(), range(0, 10));
}

void TestUdpRelay::dropsAboutHalfReproducibly()
{
    constexpr int kCount = 400;
    // One round: which ids got through with this seed.
    auto round = [](quint32 seed) -> QSet<int> {
        Peer server(true), client(false);
        if (!server.bound || !client.bound)
            return {};
        UdpRelay relay(QHostAddress::LocalHost, server.socket.localPort(), seed);
        relay.setDropProbability(C2S, 0.5);
        if (!relay.listen() || !sendNumbered(client, relay, 0, kCount))
            return {};
        const RelayCounters c = relay.counters(C2S);
        const bool echoed = QTest::qWaitFor(
            [&] { return client.received.size() == server.received.size() && server.received.size() == qsizetype(c.forwarded); },
            kWaitMs);
        if (!echoed || c.received != quint64(kCount) || !accountsAddUp(c) || c.dropped == 0)
            return {};
        // Roughly half: 200 +- 60 is six standard deviations either way.
        if (c.forwarded < 140 || c.forwarded > 260)
            return {};
        // Nothing came back that did not go out.
        if (relay.counters(S2C).received != c.forwarded || relay.counters(S2C).dropped != 0)
            return {};
        const QList<int> ids = server.receivedIds();
        return QSet<int>(ids.begin(), ids.end());
    };

    const QSet<int> first = round(42);
    QVERIFY2(!first.isEmpty(), "the first round's counters did not add up");
    QCOMPARE(round(42), first);
    const QSet<int> other = round(43);
    QVERIFY(!other.isEmpty());
    QVERIFY(other != first);
}

void TestUdpRelay::dropAllDropsEverything()
{
    Peer server(true), client(false);
    QVERIFY(server.bound && client.bound);
    UdpRelay relay(QHostAddress::LocalHost, server.socket.localPort());
    QSignalSpy dropped(&relay, &UdpRelay::datagramDropped);
    relay.setDropProbability(C2S, 1.0);
    QVERIFY(relay.listen());
    QVERIFY(sendNumbered(client, relay, 0, 10));
    // The relay has read all ten and forwarded none: nothing is in flight.
    QCOMPARE(relay.counters(C2S).dropped, quint64(10));
    QCOMPARE(relay.counters(C2S).forwarded, quint64(0));
    QCOMPARE(dropped.size(), 10);
    QCOMPARE(dropped.first().at(0).value<UdpRelay::Direction>(), C2S);
    QCOMPARE(relay.pending(), 0);
    QVERIFY(server.received.isEmpty());
}

void TestUdpRelay::blackholeDropsEverythingAndResumes()
{
    Peer server(true), client(false);
    QVERIFY(server.bound && client.bound);
    UdpRelay relay(QHostAddress::LocalHost, server.socket.localPort());
    QVERIFY(relay.listen());

    // Traffic flows first, so the blackhole cuts an established path.
    QVERIFY(sendNumbered(client, relay, 0, 5));
    QTRY_COMPARE_WITH_TIMEOUT(client.received.size(), 5, kWaitMs);

    relay.setBlackhole(true);
    QVERIFY(sendNumbered(client, relay, 5, 25));
    QCOMPARE(relay.counters(C2S).received, quint64(25));
    QCOMPARE(relay.counters(C2S).dropped, quint64(20));
    QCOMPARE(relay.counters(C2S).forwarded, quint64(5));
    QCOMPARE(server.received.size(), 5);

    relay.setBlackhole(false);
    QVERIFY(sendNumbered(client, relay, 25, 45));
    QTRY_COMPARE_WITH_TIMEOUT(client.received.size(), 25, kWaitMs);
    QList<int> expected = range(0, 5) + range(25, 45);
    QCOMPARE(server.receivedIds(), expected);
    QCOMPARE(client.receivedIds(), expected);
    QVERIFY(accountsAddUp(relay.counters(C2S)));
}

void TestUdpRelay::blackholeOneDirectionOnly()
{
    Peer server(true), client(false);
    QVERIFY(server.bound && client.bound);
    UdpRelay relay(QHostAddress::LocalHost, server.socket.localPort());
    relay.setBlackhole(S2C, true);
    QVERIFY(relay.listen());
    QVERIFY(sendNumbered(client, relay, 0, 10));
    QTRY_COMPARE_WITH_TIMEOUT(server.received.size(), 10, kWaitMs);
    // Every echo reached the relay and died there.
    QTRY_COMPARE_WITH_TIMEOUT(relay.counters(S2C).received, quint64(10), kWaitMs);
    QCOMPARE(relay.counters(S2C).dropped, quint64(10));
    QVERIFY(client.received.isEmpty());
}

void TestUdpRelay::reorderSwapsNeighbours()
{
    Peer server(false), client(false);
    QVERIFY(server.bound && client.bound);
    UdpRelay relay(QHostAddress::LocalHost, server.socket.localPort());
    // Always reorder, with a hold long enough that each held datagram waits
    // for its successor: 0 is held, 1 passes and releases 0, 2 is held...
    relay.setReorderProbability(C2S, 1.0);
    relay.setReorderHoldMs(300);
    QVERIFY(relay.listen());
    QVERIFY(sendNumbered(client, relay, 0, 9));
    QTRY_COMPARE_WITH_TIMEOUT(server.received.size(), 8, kWaitMs);
    QCOMPARE(relay.pending(), 1);
    // ...and the last one, with no successor, goes after the hold time.
    QTRY_COMPARE_WITH_TIMEOUT(server.received.size(), 9, kWaitMs);
    QCOMPARE(server.receivedIds(), QList<int>({1, 0, 3, 2, 5, 4, 7, 6, 8}));
    QCOMPARE(relay.counters(C2S).reordered, quint64(5));
    QCOMPARE(relay.counters(C2S).forwarded, quint64(9));
    QCOMPARE(relay.pending(), 0);
}

void TestUdpRelay::randomReorderDeliversEverything()
{
    constexpr int kCount = 200;
    Peer server(true), client(false);
    QVERIFY(server.bound && client.bound);
    UdpRelay relay(QHostAddress::LocalHost, server.socket.localPort(), 7);
    relay.setReorderProbability(C2S, 0.3);
    QVERIFY(relay.listen());
    QVERIFY(sendNumbered(client, relay, 0, kCount));
    QTRY_COMPARE_WITH_TIMEOUT(client.received.size(), kCount, kWaitMs);

    const QList<int> ids = server.receivedIds();
    QVERIFY(ids != range(0, kCount));
    QList<int> sorted = ids;
    std::sort(sorted.begin(), sorted.end());
    QCOMPARE(sorted, range(0, kCount));
    const RelayCounters c = relay.counters(C2S);
    QVERIFY(c.reordered > 0 && c.reordered < quint64(kCount));
    QCOMPARE(c.forwarded, quint64(kCount));
    QCOMPARE(c.dropped, quint64(0));
    QCOMPARE(relay.counters(S2C).reordered, quint64(0));
    QCOMPARE(relay.pending(), 0);
}

void TestUdpRelay::delayHoldsDatagramsAtLeastTheDelay()
{
    Peer server(true), client(false);
    QVERIFY(server.bound && client.bound);
    UdpRelay relay(QHostAddress::LocalHost, server.socket.localPort(), 3);
    relay.setDelay(C2S, 150, 50);
    relay.setDelay(S2C, 100);
    QVERIFY(relay.listen());
    client.clock.start();

    for (int i = 0; i < 3; ++i) {
        const qint64 sentAt = client.clock.elapsed();
        client.sendTo(payload(i), relay.address(), relay.port());
        // The relay holds it rather than passing it on.
        QTRY_COMPARE_WITH_TIMEOUT(relay.counters(C2S).received, quint64(i + 1), kWaitMs);
        QCOMPARE(relay.pending(), 1);
        QTRY_COMPARE_WITH_TIMEOUT(client.received.size(), i + 1, kWaitMs);
        const qint64 roundTrip = client.arrivalMs.last() - sentAt;
        QVERIFY2(roundTrip >= 250, qPrintable(QStringLiteral("round trip %1 ms").arg(roundTrip)));
    }
    QCOMPARE(client.receivedIds(), range(0, 3));
    QCOMPARE(relay.pending(), 0);
}

void TestUdpRelay::fixedDelayKeepsOrder()
{
    Peer server(false), client(false);
    QVERIFY(server.bound && client.bound);
    UdpRelay relay(QHostAddress::LocalHost, server.socket.localPort());
    relay.setDelay(C2S, 40);
    QVERIFY(relay.listen());
    QVERIFY(sendNumbered(client, relay, 0, 50));
    QTRY_COMPARE_WITH_TIMEOUT(server.received.size(), 50, kWaitMs);
    QCOMPARE(server.receivedIds(), range(0, 50));
}

void TestUdpRelay::rebindShowsTheServerANewPort()
{
    Peer server(true), alice(false), bob(false);
    QVERIFY(server.bound && alice.bound && bob.bound);
    UdpRelay relay(QHostAddress::LocalHost, server.socket.localPort());
    QVERIFY(relay.listen());

    alice.sendTo(payload(1), relay.address(), relay.port());
    QTRY_COMPARE_WITH_TIMEOUT(alice.received.size(), 1, kWaitMs);
    bob.sendTo(payload(2), relay.address(), relay.port());
    QTRY_COMPARE_WITH_TIMEOUT(bob.received.size(), 1, kWaitMs);
    QCOMPARE(relay.clientCount(), 2);
    const quint16 alice1 = server.senderPorts.at(0);
    const quint16 bob1 = server.senderPorts.at(1);
    QVERIFY(alice1 != bob1);
    QCOMPARE(relay.upstreamPortFor(QHostAddress::LocalHost, alice.socket.localPort()), alice1);

    QCOMPARE(relay.rebindClient(), 2);

    alice.sendTo(payload(3), relay.address(), relay.port());
    QTRY_COMPARE_WITH_TIMEOUT(alice.received.size(), 2, kWaitMs);
    bob.sendTo(payload(4), relay.address(), relay.port());
    QTRY_COMPARE_WITH_TIMEOUT(bob.received.size(), 2, kWaitMs);
    const quint16 alice2 = server.senderPorts.at(2);
    const quint16 bob2 = server.senderPorts.at(3);
    QVERIFY(alice2 != alice1 && alice2 != bob1);
    QVERIFY(bob2 != bob1 && bob2 != alice1);
    QVERIFY(alice2 != bob2);
    QCOMPARE(relay.upstreamPortFor(QHostAddress::LocalHost, alice.socket.localPort()), alice2);
    // Each client still gets only its own replies, through the new mapping.
    QCOMPARE(alice.receivedIds(), QList<int>({1, 3}));
    QCOMPARE(bob.receivedIds(), QList<int>({2, 4}));
    QCOMPARE(relay.clientCount(), 2);

    // One client alone; the other keeps its port.
    QVERIFY(relay.rebindClient(QHostAddress::LocalHost, bob.socket.localPort()));
    QCOMPARE(relay.upstreamPortFor(QHostAddress::LocalHost, alice.socket.localPort()), alice2);
    QVERIFY(relay.upstreamPortFor(QHostAddress::LocalHost, bob.socket.localPort()) != bob2);
    QVERIFY(!relay.rebindClient(QHostAddress::LocalHost, 9));
}

void TestUdpRelay::rebindWithoutClients()
{
    UdpRelay relay(QHostAddress::LocalHost, 9);
    QVERIFY(relay.listen());
    QCOMPARE(relay.rebindClient(), 0);
    QCOMPARE(relay.upstreamPortFor(QHostAddress::LocalHost, 9), quint16(0));
}

void TestUdpRelay::ignoresDatagramsFromStrangers()
{
    Peer server(true), client(false), stranger(false);
    QVERIFY(server.bound && client.bound && stranger.bound);
    UdpRelay relay(QHostAddress::LocalHost, server.socket.localPort());
    QVERIFY(relay.listen());
    client.sendTo(payload(1), relay.address(), relay.port());
    QTRY_COMPARE_WITH_TIMEOUT(client.received.size(), 1, kWaitMs);

    const quint16 mapping = relay.upstreamPortFor(QHostAddress::LocalHost, client.socket.localPort());
    stranger.sendTo(payload(666), QHostAddress::LocalHost, mapping);
    QTRY_COMPARE_WITH_TIMEOUT(relay.counters(S2C).ignored, quint64(1), kWaitMs);
    QCOMPARE(relay.counters(S2C).received, quint64(1));
    QCOMPARE(client.receivedIds(), QList<int>({1}));
}

void TestUdpRelay::survivesAVanishedClient()
{
    // Replies to a client that closed its port bounce (ICMP port
    // unreachable); that must not wedge the relay for everybody else.
    Peer server(true), survivor(false);
    QVERIFY(server.bound && survivor.bound);
    UdpRelay relay(QHostAddress::LocalHost, server.socket.localPort());
    relay.setDelay(S2C, 50);
    QVERIFY(relay.listen());
    {
        Peer leaver(false);
        QVERIFY(leaver.bound);
        QVERIFY(sendNumbered(leaver, relay, 0, 5));
    } // gone before the delayed echoes come back
    QTRY_COMPARE_WITH_TIMEOUT(relay.counters(S2C).received, quint64(5), kWaitMs);
    QTRY_COMPARE_WITH_TIMEOUT(relay.pending(), 0, kWaitMs);
    QVERIFY(sendNumbered(survivor, relay, 5, 15));
    QTRY_COMPARE_WITH_TIMEOUT(survivor.received.size(), 10, kWaitMs);
    QCOMPARE(survivor.receivedIds(), range(5, 15));
    QCOMPARE(relay.clientCount(), 2);
}

void TestUdpRelay::duplicateMakesExtraCopies()
{
    Peer server(true), client(false);
    QVERIFY(server.bound && client.bound);
    UdpRelay relay(QHostAddress::LocalHost, server.socket.localPort(), 11);
    QSignalSpy forwarded(&relay, &UdpRelay::datagramForwarded);
    relay.setDuplicateProbability(C2S, 1.0);
    QVERIFY(relay.listen());
    QVERIFY(sendNumbered(client, relay, 0, 10));
    QTRY_COMPARE_WITH_TIMEOUT(client.received.size(), 20, kWaitMs);
    QList<int> ids = server.receivedIds();
    std::sort(ids.begin(), ids.end());
    QList<int> twice;
    for (int i = 0; i < 10; ++i)
        twice << i << i;
    QCOMPARE(ids, twice);
    RelayCounters c = relay.counters(C2S);
    QCOMPARE(c.duplicated, quint64(10));
    QCOMPARE(c.forwarded, quint64(20));
    QVERIFY(accountsAddUp(c));
    QCOMPARE(relay.counters(S2C).duplicated, quint64(0));
    QCOMPARE(forwarded.size(), 40); // 20 each way

    // Sometimes: exactly as many extra as counted.
    relay.resetCounters();
    server.received.clear();
    relay.setDuplicateProbability(C2S, 0.5);
    QVERIFY(sendNumbered(client, relay, 10, 50));
    c = relay.counters(C2S);
    QVERIFY(c.duplicated > 0 && c.duplicated < 40);
    QTRY_COMPARE_WITH_TIMEOUT(server.received.size(), qsizetype(40 + c.duplicated), kWaitMs);
    QVERIFY(accountsAddUp(relay.counters(C2S)));
}

void TestUdpRelay::closeAndDestroyWithDatagramsPending()
{
    Peer server(true), client(false);
    QVERIFY(server.bound && client.bound);
    auto relay = std::make_unique<UdpRelay>(QHostAddress::LocalHost, server.socket.localPort());
    relay->setDelay(C2S, 100);
    QVERIFY(relay->listen());
    QVERIFY(sendNumbered(client, *relay, 0, 3));
    QCOMPARE(relay->pending(), 3);

    relay->close();
    QVERIFY(!relay->isListening());
    QCOMPARE(relay->pending(), 0);
    QCOMPARE(relay->clientCount(), 0);
    // Reusable after close.
    QVERIFY(relay->listen());
    relay->setReorderProbability(C2S, 1.0);
    relay->setReorderHoldMs(50);
    QVERIFY(sendNumbered(client, *relay, 3, 6));
    QCOMPARE(relay->pending(), 3); // one held back, two delayed
    relay.reset();
    // Past every delay and hold: nothing may go out of a destroyed relay,
    // and its timers must not fire into freed memory.
    QTest::qWait(250);
    QVERIFY(server.received.isEmpty());
}

void TestUdpRelay::garbageIsDeterministicAndMixed()
{
    const QList<GarbageDatagram> garbage = quicpool::testing::garbageDatagrams(300, 5);
    QCOMPARE(garbage.size(), 300);
    int initials = 0, fullSizeV1Initials = 0, shorts = 0, noise = 0;
    for (const GarbageDatagram &g : garbage) {
        QVERIFY(g.data.size() >= 1 && g.data.size() <= 1500);
        const auto first = quint8(g.data.at(0));
        switch (g.kind) {
        case GarbageKind::LongHeaderInitial:
            ++initials;
            QCOMPARE(first & 0xf0, 0xc0); // long form, fixed bit, type Initial
            if (g.data.size() >= 1200 && g.data.mid(1, 4) == QByteArray("\x00\x00\x00\x01", 4))
                ++fullSizeV1Initials;
            break;
        case GarbageKind::ShortHeader:
            ++shorts;
            QCOMPARE(first & 0xc0, 0x40); // short form, fixed bit
            break;
        case GarbageKind::Random:
            ++noise;
            break;
        }
    }
    QVERIFY(initials > 50 && shorts > 50 && noise > 50);
    QVERIFY(fullSizeV1Initials > 20);

    const QList<GarbageDatagram> again = quicpool::testing::garbageDatagrams(300, 5);
    const QList<GarbageDatagram> other = quicpool::testing::garbageDatagrams(300, 6);
    bool sameAsAgain = true, sameAsOther = true;
    for (int i = 0; i < 300; ++i) {
        sameAsAgain = sameAsAgain && garbage.at(i).data == again.at(i).data;
        sameAsOther = sameAsOther && garbage.at(i).data == other.at(i).data;
    }
    QVERIFY(sameAsAgain);
    QVERIFY(!sameAsOther);
    QVERIFY(quicpool::testing::garbageDatagrams(0, 5).isEmpty());
    QVERIFY(quicpool::testing::garbageDatagrams(-1, 5).isEmpty());
}

void TestUdpRelay::sendGarbageSendsTheAskedCount()
{
    Peer receiver(false);
    QVERIFY(receiver.bound);
    constexpr int kCount = 40;
    QCOMPARE(quicpool::testing::sendGarbage(QHostAddress::LocalHost, receiver.socket.localPort(), kCount, 9),
             kCount);
    QTRY_COMPARE_WITH_TIMEOUT(receiver.received.size(), kCount, kWaitMs);
    const QList<GarbageDatagram> expected = quicpool::testing::garbageDatagrams(kCount, 9);
    for (int i = 0; i < kCount; ++i)
        QCOMPARE(receiver.received.at(i), expected.at(i).data);
}

void TestUdpRelay::sendGarbageRejectsBadTargets()
{
    QCOMPARE(quicpool::testing::sendGarbage(QHostAddress(), 4433, 5, 1), 0);
    QCOMPARE(quicpool::testing::sendGarbage(QHostAddress::LocalHost, 0, 5, 1), 0);
    QCOMPARE(quicpool::testing::sendGarbage(QHostAddress::LocalHost, 4433, 0, 1), 0);
}

QTEST_GUILESS_MAIN(TestUdpRelay)
#include "tst_udprelay.moc"
