// The relay as a NAT: one upstream port per client, replies only to the
// client they belong to, rebinding (periodic and on demand) that the server
// sees as a new source port while replies keep reaching the client, idle
// mappings forgotten, and strangers kept out.
#include "relaytestkit.h"

#include <QtCore/QSet>
#include <QtTest/QSignalSpy>
#include <QtTest/QtTest>

using namespace quicpool::relay;
using namespace quicpool::relay::testkit;
using namespace std::chrono_literals;

namespace {

const QHostAddress kLocal(QHostAddress::LocalHost);

quint16 upstreamPortOf(const QList<Mapping> &mappings, quint16 clientPort)
{
    for (const Mapping &m : mappings)
        if (m.clientPort == clientPort)
            return m.upstreamPort;
    return 0;
}

} // namespace

class TestRelayNat : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void eachClientHasItsOwnMapping()
    {
        UdpPeer server, alice, bob;
        RelayThread relay(configTo(server.port()));
        QVERIFY(relay.start());
        // One at a time: the order tells who is who.
        QVERIFY(alice.sendTo(stamped(1), kLocal, relay.port()));
        QList<Received> up = server.receive(1);
        QVERIFY(bob.sendTo(stamped(2), kLocal, relay.port()));
        up += server.receive(1);
        QCOMPARE(up.size(), 2);
        const quint16 alicePort = up[0].fromPort, bobPort = up[1].fromPort;
        QVERIFY(alicePort != bobPort);
        const QList<Mapping> mappings = relay.relay()->mappings();
        QCOMPARE(mappings.size(), 2);
        QCOMPARE(upstreamPortOf(mappings, alice.port()), alicePort);
        QCOMPARE(upstreamPortOf(mappings, bob.port()), bobPort);
        QCOMPARE(relay.stats().clients, 2);

        // Replies go to the client whose mapping they were sent to, only.
        QVERIFY(server.sendTo("for bob", kLocal, bobPort));
        QVERIFY(server.sendTo("for alice", kLocal, alicePort));
        const QList<Received> atBob = bob.receive(2, 200);
        const QList<Received> atAlice = alice.receive(2, 200);
        QCOMPARE(atBob.size(), 1);
        QCOMPARE(atBob.first().data, QByteArray("for bob"));
        QCOMPARE(atAlice.size(), 1);
        QCOMPARE(atAlice.first().data, QByteArray("for alice"));
    }

    void rebindEveryMovesTheClientAndRepliesFollow()
    {
        UdpPeer server, client;
        RelayConfig c = configTo(server.port());
        c.rebindEvery = 300ms;
        RelayThread relay(c);
        QVERIFY(relay.start());
        // Ping every 20 ms for 1.3 s or more; the server always answers the
        // source it sees, as a QUIC server follows a migrating client.
        QList<quint16> ports;
        int answered = 0;
        auto ping = [&](quint32 i) {
            QVERIFY(client.sendTo(stamped(i), kLocal, relay.port()));
            const QList<Received> at = server.receive(1, 1000);
            QCOMPARE(at.size(), 1);
            if (ports.isEmpty() || ports.last() != at.first().fromPort)
                ports.append(at.first().fromPort);
            QVERIFY(server.sendTo(at.first().data, at.first().from, at.first().fromPort));
            answered += client.receive(1, 1000).size();
        };
        for (quint32 i = 0; i < 65; ++i) {
            ping(i);
            if (QTest::currentTestFailed())
                return;
            std::this_thread::sleep_for(20ms);
        }
        // No more moves from here; a last ping then shows the port the
        // relay keeps (a move may have come after the last ping above).
        c.rebindEvery = 0ms;
        relay.setConfig(c);
        const RelayStats s = relay.stats();
        ping(65);
        if (QTest::currentTestFailed())
            return;
        QCOMPARE(relay.stats().rebinds, s.rebinds);
        QCOMPARE(upstreamPortOf(relay.relay()->mappings(), client.port()), ports.last());
        // Every port the server saw is new, and each change of port is a
        // move the relay counted.
        QCOMPARE(QSet<quint16>(ports.begin(), ports.end()).size(), ports.size());
        QVERIFY2(quint64(ports.size() - 1) <= s.rebinds,
                 qPrintable(QStringLiteral("%1 ports, %2 moves").arg(ports.size()).arg(s.rebinds)));
        // The schedule: one move per 300 ms of the relay's clock, never more
        // (a coarse QTimer may fire 5% early)...
        qInfo("%lld ports seen, %llu moves in %.3f s", qint64(ports.size()), s.rebinds, s.seconds());
        QVERIFY2(double(s.rebinds) <= s.seconds() / 0.285,
                 qPrintable(QStringLiteral("%1 moves in %2 s").arg(s.rebinds).arg(s.seconds())));
        // ... and at least three in the 1.3 s of pings, the timer and the
        // pings late as they may be on a loaded machine (see below).
        QVERIFY2(ports.size() >= 4, qPrintable(QString::number(ports.size())));
        // Answers reached the client through whichever port was current;
        // one sent to a port the relay just gave up is lost, as with a real
        // NAT: at most one per move.
        QVERIFY2(answered >= 66 - int(s.rebinds), qPrintable(QString::number(answered)));
        QCOMPARE(s.clients, 1);
    }

    void rebindNowMovesEveryClientAndClosesTheOldPort()
    {
        UdpPeer server, alice, bob;
        Relay relay(configTo(server.port()));
        QSignalSpy rebound(&relay, &Relay::clientRebound);
        QVERIFY(relay.start());
        QCOMPARE(relay.rebindNow(), 0);  // nobody yet
        QVERIFY(alice.sendTo(stamped(1), kLocal, relay.listenPort()));
        QVERIFY(bob.sendTo(stamped(2), kLocal, relay.listenPort()));
        QTRY_COMPARE(relay.mappings().size(), 2);
        const quint16 aliceBefore = upstreamPortOf(relay.mappings(), alice.port());
        const quint16 bobBefore = upstreamPortOf(relay.mappings(), bob.port());

        QCOMPARE(relay.rebindNow(), 2);
        const quint16 aliceAfter = upstreamPortOf(relay.mappings(), alice.port());
        const quint16 bobAfter = upstreamPortOf(relay.mappings(), bob.port());
        QVERIFY(aliceAfter != 0 && aliceAfter != aliceBefore && aliceAfter != bobBefore);
        QVERIFY(bobAfter != 0 && bobAfter != bobBefore && bobAfter != aliceBefore);
        QTRY_COMPARE(rebound.size(), 2);
        QCOMPARE(relay.stats().rebinds, quint64(2));

        // The old port is gone: what the server sends there is lost; the new
        // one carries the reply.
        QVERIFY(server.sendTo("old", kLocal, aliceBefore));
        QVERIFY(server.sendTo("new", kLocal, aliceAfter));
        QTRY_COMPARE(relay.stats().down.datagramsOut, quint64(1));
        const QList<Received> got = alice.receive(2, 200);
        QCOMPARE(got.size(), 1);
        QCOMPARE(got.first().data, QByteArray("new"));
        relay.stop();
        QCOMPARE(relay.rebindNow(), 0);
    }

    void idleMappingsExpire()
    {
        UdpPeer server, client;
        RelayConfig c = configTo(server.port());
        c.idleTimeout = 200ms;
        Relay relay(c);
        QSignalSpy expired(&relay, &Relay::clientExpired);
        QVERIFY(relay.start());
        QVERIFY(client.sendTo(stamped(1), kLocal, relay.listenPort()));
        QTRY_COMPARE(relay.mappings().size(), 1);
        const quint16 first = relay.mappings().first().upstreamPort;
        // Traffic keeps it alive...
        for (int i = 0; i < 6; ++i) {
            QTest::qWait(80);
            QVERIFY(client.sendTo(stamped(2), kLocal, relay.listenPort()));
        }
        QTest::qWait(20);
        QCOMPARE(relay.mappings().size(), 1);
        QCOMPARE(expired.size(), 0);
        // ...silence ends it (within the timeout and a quarter).
        QTRY_COMPARE_WITH_TIMEOUT(relay.mappings().size(), 0, 1000);
        QTRY_COMPARE(expired.size(), 1);
        QCOMPARE(expired.first().at(1).value<quint16>(), client.port());
        QCOMPARE(relay.stats().expired, quint64(1));
        QCOMPARE(relay.stats().clients, 0);
        // The server's reply to the forgotten mapping goes nowhere; the
        // client's next datagram makes a new one.
        QVERIFY(server.sendTo("late", kLocal, first));
        QVERIFY(client.sendTo(stamped(3), kLocal, relay.listenPort()));
        QTRY_COMPARE(relay.mappings().size(), 1);
        QCOMPARE(relay.stats().clientsSeen, quint64(2));
        QVERIFY(client.receive(1, 100).isEmpty());
    }

    void datagramsOfAnExpiredMappingCountAsFailed()
    {
        UdpPeer server, client;
        RelayConfig c = configTo(server.port());
        c.idleTimeout = 50ms;
        c.delay = 400ms;  // still queued when the mapping expires
        Relay relay(c);
        QVERIFY(relay.start());
        QVERIFY(client.sendTo(stamped(1), kLocal, relay.listenPort()));
        QTRY_COMPARE(relay.stats().up.queued, quint64(1));
        QTRY_COMPARE(relay.stats().expired, quint64(1));
        QTRY_COMPARE_WITH_TIMEOUT(relay.stats().up.droppedFailed, quint64(1), 2000);
        QCOMPARE(relay.stats().up.queued, quint64(0));
        QVERIFY(server.receive(1, 50).isEmpty());
    }

    void strangersCannotUseAMapping()
    {
        UdpPeer server, client, stranger;
        RelayThread relay(configTo(server.port()));
        QVERIFY(relay.start());
        QVERIFY(client.sendTo(stamped(1), kLocal, relay.port()));
        const QList<Received> up = server.receive(1);
        QCOMPARE(up.size(), 1);
        // Only the server may answer through the mapping.
        QVERIFY(stranger.sendTo("intruder", kLocal, up.first().fromPort));
        QVERIFY(server.sendTo("server", kLocal, up.first().fromPort));
        const QList<Received> got = client.receive(2, 200);
        QCOMPARE(got.size(), 1);
        QCOMPARE(got.first().data, QByteArray("server"));
        QCOMPARE(relay.stats().down.datagramsIn, quint64(1));
    }

    void survivesAVanishedClient()
    {
        // Replies to a client that closed its port bounce (ICMP port
        // unreachable): that must not wedge the relay for anybody else.
        UdpPeer server, survivor;
        RelayConfig c = configTo(server.port());
        c.delay = 30ms;
        RelayThread relay(c);
        QVERIFY(relay.start());
        QHostAddress goneAddress;
        quint16 gonePort = 0;
        {
            UdpPeer leaver;
            QVERIFY(sendThrough(leaver, relay, 0, 5));
            const QList<Received> up = server.receive(5);
            QCOMPARE(up.size(), 5);
            goneAddress = up.first().from;
            gonePort = up.first().fromPort;
        }
        for (quint32 i = 0; i < 5; ++i)
            QVERIFY(server.sendTo(stamped(i), goneAddress, gonePort));
        QVERIFY(relay.waitFor([](const RelayStats &s) { return s.down.datagramsIn == 5 && s.down.queued == 0; }));
        QVERIFY(sendThrough(survivor, relay, 10, 10));
        const QList<Received> up = server.receive(10);
        QCOMPARE(up.size(), 10);
        for (const Received &r : up)
            QVERIFY(server.sendTo(r.data, r.from, r.fromPort));
        QCOMPARE(survivor.receive(10).size(), 10);
        QCOMPARE(relay.stats().clients, 2);
    }

    void noServerYetIsNoProblem()
    {
        // The server is not up: the kernel reports ICMP errors on the
        // upstream socket, and the relay keeps going until it is.
        quint16 port = 0;
        {
            UdpPeer placeholder;
            port = placeholder.port();
        }
        UdpPeer client;
        RelayThread relay(configTo(port));
        QVERIFY(relay.start());
        QVERIFY(sendThrough(client, relay, 0, 20));
        QVERIFY(relay.waitFor([](const RelayStats &s) { return s.up.queued == 0; }));
        const RelayStats s = relay.stats();
        QVERIFY(accountsAddUp(s.up));
        QCOMPARE(s.up.datagramsIn, quint64(20));
    }
};

QTEST_GUILESS_MAIN(TestRelayNat)
#include "tst_relaynat.moc"
