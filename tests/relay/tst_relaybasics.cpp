// The relay with no impairment, over real UDP on loopback: everything
// passes both ways, in order, byte for byte (up to the largest datagram);
// the counts add up in every snapshot, even read from another thread under
// load; start() fails with a sentence when it cannot listen; stop, restart
// and destruction with datagrams in flight are clean.
#include "relaytestkit.h"

#include <QtTest/QSignalSpy>
#include <QtTest/QtTest>
#include <atomic>
#include <thread>

using namespace quicpool::relay;
using namespace quicpool::relay::testkit;

namespace {

const QHostAddress kLocal(QHostAddress::LocalHost);

/// Sends back everything the server peer receives until told to stop.
class EchoServer
{
public:
    EchoServer() : m_thread([this] { run(); }) {}
    ~EchoServer()
    {
        m_stop = true;
        m_thread.join();
    }
    quint16 port() const { return m_peer.port(); }
    int echoed() const { return m_echoed; }

private:
    void run()
    {
        while (!m_stop) {
            for (const Received &r : m_peer.receive(64, 20)) {
                m_peer.sendTo(r.data, r.from, r.fromPort);
                ++m_echoed;
            }
        }
    }
    UdpPeer m_peer;
    std::atomic<bool> m_stop{false};
    std::atomic<int> m_echoed{0};
    std::thread m_thread;
};

} // namespace

class TestRelayBasics : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void passesEverythingBothWaysInOrder()
    {
        UdpPeer server, client;
        QVERIFY(server.isValid() && client.isValid());
        RelayThread relay(configTo(server.port()));
        QVERIFY(relay.start());
        QVERIFY(relay.port() != 0);
        constexpr int n = 500;
        QVERIFY(sendThrough(client, relay, 0, n, 1200));

        const QList<Received> up = server.receive(n);
        QCOMPARE(up.size(), n);
        const quint16 mapped = up.first().fromPort;
        for (int i = 0; i < n; ++i) {
            QCOMPARE(seqOf(up[i].data), quint32(i));
            QCOMPARE(up[i].data.size(), 1200);
            // The server sees the relay's socket for this client, never the client.
            QCOMPARE(up[i].fromPort, mapped);
            QVERIFY(server.sendTo(up[i].data, up[i].from, up[i].fromPort));
        }
        QVERIFY(mapped != client.port() && mapped != relay.port());

        const QList<Received> down = client.receive(n);
        QCOMPARE(down.size(), n);
        for (int i = 0; i < n; ++i) {
            QCOMPARE(seqOf(down[i].data), quint32(i));
            QCOMPARE(down[i].data, up[i].data);
            QCOMPARE(down[i].fromPort, relay.port());  // replies come from the address the client used
        }

        QVERIFY(relay.waitFor([](const RelayStats &s) { return s.down.datagramsOut == n; }));
        const RelayStats s = relay.stats();
        for (const DirectionStats &d : {s.up, s.down}) {
            QCOMPARE(d.datagramsIn, quint64(n));
            QCOMPARE(d.datagramsOut, quint64(n));
            QCOMPARE(d.bytesIn, quint64(n) * 1200);
            QCOMPARE(d.bytesOut, quint64(n) * 1200);
            QCOMPARE(d.dropped(), quint64(0));
            QCOMPARE(d.reordered, quint64(0));
            QCOMPARE(d.duplicated, quint64(0));
            QCOMPARE(d.queued, quint64(0));
            QCOMPARE(d.queueDelayMaxNs, qint64(0));
            QVERIFY(accountsAddUp(d));
        }
        QCOMPARE(s.clients, 1);
        QCOMPARE(s.clientsSeen, quint64(1));
        QVERIFY(s.seconds() > 0);
        const QList<Mapping> mappings = relay.relay()->mappings();
        QCOMPARE(mappings.size(), 1);
        QCOMPARE(mappings.first().clientPort, client.port());
        QCOMPARE(mappings.first().upstreamPort, mapped);
        QVERIFY(mappings.first().clientAddress.isEqual(kLocal));
    }

    void passesOverIPv6()
    {
        const QHostAddress v6(QHostAddress::LocalHostIPv6);
        UdpPeer server(v6), client(v6);
        if (!server.isValid() || !client.isValid())
            QSKIP("no IPv6 loopback here");
        RelayConfig c = configTo(server.port());
        c.listenAddress = v6;
        c.upstreamAddress = v6;
        RelayThread relay(c);
        QVERIFY(relay.start());
        QCOMPARE(relay.relay()->listenAddress(), v6);
        for (quint32 i = 0; i < 10; ++i)
            QVERIFY(client.sendTo(stamped(i), v6, relay.port()));
        const QList<Received> up = server.receive(10);
        QCOMPARE(up.size(), 10);
        QCOMPARE(up.first().from, v6);
        QVERIFY(server.sendTo(up.first().data, up.first().from, up.first().fromPort));
        const QList<Received> down = client.receive(1);
        QCOMPARE(down.size(), 1);
        QCOMPARE(seqOf(down.first().data), 0u);
    }

    void listensOnEveryAddress()
    {
        UdpPeer server, client;
        RelayConfig c = configTo(server.port());
        c.listenAddress = QHostAddress(QHostAddress::Any);
        RelayThread relay(c);
        QVERIFY(relay.start());
        QVERIFY(client.sendTo(stamped(1), kLocal, relay.port()));
        const QList<Received> up = server.receive(1);
        QCOMPARE(up.size(), 1);
        QVERIFY(server.sendTo(up.first().data, up.first().from, up.first().fromPort));
        // The reply reaches an IPv4 client through the dual-stack socket.
        QCOMPARE(client.receive(1).size(), 1);
    }

    void everyDatagramSizePassesIntact()
    {
        UdpPeer server, client;
        RelayThread relay(configTo(server.port()));
        QVERIFY(relay.start());
        // Around the arena's small-slot size, and the largest IPv4 UDP payload.
        const QList<int> sizes = {0, 1, 12, 1452, 2047, 2048, 2049, 9000, 65507};
        QList<QByteArray> sent;
        for (int i = 0; i < sizes.size(); ++i) {
            QByteArray d(sizes[i], Qt::Uninitialized);
            for (int b = 0; b < d.size(); ++b)
                d[b] = char((b * 7 + i) & 0xff);
            sent.append(d);
            QVERIFY(client.sendTo(d, kLocal, relay.port()));
        }
        const QList<Received> up = server.receive(int(sizes.size()));
        QCOMPARE(up.size(), sizes.size());
        for (int i = 0; i < sizes.size(); ++i) {
            QCOMPARE(up[i].data, sent[i]);
            QVERIFY(server.sendTo(up[i].data, up[i].from, up[i].fromPort));
        }
        const QList<Received> down = client.receive(int(sizes.size()));
        QCOMPARE(down.size(), sizes.size());
        for (int i = 0; i < sizes.size(); ++i)
            QCOMPARE(down[i].data, sent[i]);
        // Again: large slots are reused, not reallocated or mixed up.
        for (const QByteArray &d : sent)
            QVERIFY(client.sendTo(d, kLocal, relay.port()));
        const QList<Received> again = server.receive(int(sizes.size()));
        QCOMPARE(again.size(), sizes.size());
        for (int i = 0; i < sizes.size(); ++i)
            QCOMPARE(again[i].data, sent[i]);
    }

    void burstsKeepEveryBoundary()
    {
        // Runs of equal datagrams leave the relay as one segmented send:
        // the receivers must still get exactly what was sent, datagram by
        // datagram, each from its own mapping.
        UdpPeer server;
        UdpPeer clients[3];
        RelayThread relay(configTo(server.port()));
        QVERIFY(relay.start());
        QList<quint16> mapped;
        for (UdpPeer &c : clients) {
            QVERIFY(c.sendTo(stamped(0), kLocal, relay.port()));
            const QList<Received> hello = server.receive(1);
            QCOMPARE(hello.size(), 1);
            mapped.append(hello.first().fromPort);
        }
        // Sizes in runs, ending shorter, growing, empty; up from one client
        // and down to all three, interleaved.
        QList<int> sizes;
        for (int round = 0; round < 20; ++round)
            sizes << 1452 << 1452 << 1452 << 700 << 1452 << 1452 << 1500 << 0 << 1 << 1200 << 1200;
        QList<QByteArray> sent;
        for (int i = 0; i < sizes.size(); ++i) {
            QByteArray d(sizes[i], Qt::Uninitialized);
            for (int b = 0; b < d.size(); ++b)
                d[b] = char((b + i * 13) & 0xff);
            sent.append(d);
        }
        for (const QByteArray &d : sent)
            QVERIFY(clients[0].sendTo(d, kLocal, relay.port()));
        const QList<Received> up = server.receive(int(sent.size()));
        QCOMPARE(up.size(), sent.size());
        for (int i = 0; i < sent.size(); ++i)
            QCOMPARE(up[i].data, sent[i]);

        for (int i = 0; i < sent.size(); ++i)
            QVERIFY(server.sendTo(sent[i], kLocal, mapped[i % 3]));
        for (int c = 0; c < 3; ++c) {
            const QList<Received> down = clients[c].receive(int(sent.size() / 3 + 1), 500);
            QList<QByteArray> expected;
            for (int i = c; i < sent.size(); i += 3)
                expected.append(sent[i]);
            QCOMPARE(down.size(), expected.size());
            for (int i = 0; i < expected.size(); ++i)
                QCOMPARE(down[i].data, expected[i]);
        }
        const RelayStats s = relay.stats();
        QCOMPARE(s.up.datagramsOut, quint64(sent.size() + 3));
        QCOMPARE(s.down.datagramsOut, quint64(sent.size()));
        QCOMPARE(s.down.dropped(), quint64(0));
    }

    void startFailsOnAPortInUse()
    {
        UdpPeer holder;
        RelayConfig c = configTo(9);
        c.listenPort = holder.port();
        Relay relay(c);
        QSignalSpy errors(&relay, &Relay::errorOccurred);
        QSignalSpy started(&relay, &Relay::started);
        QVERIFY(!relay.start());
        const QString expected = QStringLiteral("127.0.0.1:%1 is already in use").arg(holder.port());
        QCOMPARE(relay.errorString(), expected);
        QCOMPARE(errors.size(), 1);
        QCOMPARE(errors.first().first().toString(), expected);
        QCOMPARE(started.size(), 0);
        QVERIFY(!relay.isRunning());
        QCOMPARE(relay.listenPort(), quint16(0));
    }

    void startFailsWithASentence_data()
    {
        QTest::addColumn<QString>("listen");
        QTest::addColumn<int>("upstreamPort");
        QTest::addColumn<QString>("sentence");
        // TEST-NET-1 is never an address of this machine.
        QTest::newRow("foreign address") << "192.0.2.1" << 9 << "192.0.2.1 is not an address of this machine";
        QTest::newRow("no upstream") << "127.0.0.1" << 0
                                     << "there is no server to relay to: the upstream address and port are not set";
        QTest::newRow("no listen address") << "" << 9 << "there is no address to listen on";
    }

    void startFailsWithASentence()
    {
        QFETCH(QString, listen);
        QFETCH(int, upstreamPort);
        QFETCH(QString, sentence);
        RelayConfig c = configTo(quint16(upstreamPort));
        c.listenAddress = QHostAddress(listen);
        Relay relay(c);
        QVERIFY(!relay.start());
        QCOMPARE(relay.errorString(), sentence);
        QVERIFY(!relay.isRunning());
    }

    void stopKeepsCountsAndRestartResetsThem()
    {
        UdpPeer server, client;
        Relay relay(configTo(server.port()));
        QSignalSpy started(&relay, &Relay::started);
        QSignalSpy stopped(&relay, &Relay::stopped);
        QSignalSpy added(&relay, &Relay::clientAdded);
        QVERIFY(relay.start());
        QCOMPARE(started.size(), 1);
        const quint16 port = relay.listenPort();
        QVERIFY(client.sendTo(stamped(1), kLocal, port));
        QTRY_COMPARE(relay.stats().up.datagramsOut, quint64(1));
        QTRY_COMPARE(added.size(), 1);
        QCOMPARE(added.first().at(1).value<quint16>(), client.port());

        relay.stop();
        QCOMPARE(stopped.size(), 1);
        QVERIFY(!relay.isRunning());
        QCOMPARE(relay.listenPort(), quint16(0));
        QCOMPARE(relay.stats().up.datagramsIn, quint64(1));
        QCOMPARE(relay.stats().clients, 0);
        QVERIFY(relay.mappings().isEmpty());
        const double seconds = relay.stats().seconds();
        QTest::qWait(20);
        QCOMPARE(relay.stats().seconds(), seconds);  // the clock stopped with the relay
        relay.stop();                                 // twice is harmless
        QCOMPARE(stopped.size(), 1);

        QVERIFY(relay.start());
        QCOMPARE(relay.stats().up.datagramsIn, quint64(0));
        QVERIFY(client.sendTo(stamped(2), kLocal, relay.listenPort()));
        QTRY_COMPARE(relay.stats().up.datagramsOut, quint64(1));
        QCOMPARE(server.receive(2).size(), 2);
        // start() while running restarts.
        QVERIFY(relay.start());
        QCOMPARE(started.size(), 3);
        QCOMPARE(stopped.size(), 2);
    }

    void snapshotsAreConsistentUnderLoad()
    {
        EchoServer server;
        UdpPeer client;
        RelayConfig c = configTo(server.port(), 5);
        c.setLoss(0.1);
        c.duplicate = 0.2;
        c.reorder = 0.1;
        c.delay = std::chrono::milliseconds(2);
        c.jitter = std::chrono::milliseconds(1);
        RelayThread relay(c);
        QVERIFY(relay.start());

        std::atomic<bool> sending{true};
        std::thread sender([&] {
            for (quint32 i = 0; i < 20000; ++i) {
                client.sendTo(stamped(i, 200), kLocal, relay.port());
                if (i % 64 == 63)
                    std::this_thread::sleep_for(1ms);
            }
            sending = false;
        });
        // Read snapshots as fast as possible from this thread meanwhile.
        RelayStats previous;
        int snapshots = 0;
        QString broken;
        while (sending && broken.isEmpty()) {
            const RelayStats s = relay.stats();
            ++snapshots;
            for (const auto &[now, before] : {std::pair{s.up, previous.up}, std::pair{s.down, previous.down}}) {
                if (!accountsAddUp(now))
                    broken = QStringLiteral("counts do not add up in snapshot %1").arg(snapshots);
                if (now.datagramsIn < before.datagramsIn || now.datagramsOut < before.datagramsOut
                    || now.dropped() < before.dropped())
                    broken = QStringLiteral("a count went backwards in snapshot %1").arg(snapshots);
            }
            previous = s;
            std::this_thread::yield();
        }
        sender.join();
        QVERIFY2(broken.isEmpty(), qPrintable(broken));
        QVERIFY(snapshots > 100);
        // The sender is done; once the delay line is empty nothing moves.
        QVERIFY(relay.waitFor([](const RelayStats &s) { return s.up.queued == 0 && s.down.queued == 0; }));
        client.receiveFor(100);
        const RelayStats s = relay.stats();
        QVERIFY(accountsAddUp(s.up) && accountsAddUp(s.down));
        QVERIFY(s.up.datagramsIn > 10000);
        QVERIFY(s.up.droppedLoss > 0 && s.up.duplicated > 0 && s.down.droppedLoss > 0);
        // What came back down is at most what went up.
        QVERIFY(s.down.datagramsIn <= s.up.datagramsOut);
    }

    void destroyedWithDatagramsInFlight()
    {
        UdpPeer server, client;
        RelayConfig c = configTo(server.port());
        c.delay = std::chrono::milliseconds(100);
        c.reorder = 1.0;
        auto relay = std::make_unique<Relay>(c);
        QVERIFY(relay->start());
        for (quint32 i = 0; i < 5; ++i)
            QVERIFY(client.sendTo(stamped(i), kLocal, relay->listenPort()));
        QTRY_COMPARE(relay->stats().up.queued, quint64(5));
        relay.reset();
        // Past every delay and hold: nothing leaves a destroyed relay, and
        // its timers do not fire into freed memory.
        QTest::qWait(200);
        QVERIFY(server.receive(1, 50).isEmpty());
    }
};

QTEST_GUILESS_MAIN(TestRelayBasics)
#include "tst_relaybasics.moc"
