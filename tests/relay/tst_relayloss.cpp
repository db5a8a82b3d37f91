// Loss, measured against what was asked for: the rate within a statistical
// bound for a fixed seed, the relay's count equal to what the receiver
// missed, up and down independent, the same seed dropping the same
// datagrams, and blackholes (the configured window and the manual switch).
#include "relaytestkit.h"

#include <QtCore/QSet>
#include <QtTest/QtTest>

using namespace quicpool::relay;
using namespace quicpool::relay::testkit;
using namespace std::chrono_literals;

namespace {

const QHostAddress kLocal(QHostAddress::LocalHost);

QSet<quint32> seqs(const QList<Received> &received)
{
    QSet<quint32> out;
    for (const Received &r : received)
        out.insert(seqOf(r.data));
    return out;
}

/// The sequence numbers a fresh relay with this seed and loss lets through
/// of n datagrams up.
QSet<quint32> survivorsUp(quint64 seed, double loss, int n, bool withTrafficDown)
{
    UdpPeer server, client;
    RelayConfig c = configTo(server.port(), seed);
    c.lossUp = loss;
    c.lossDown = 0.5;
    RelayThread relay(c);
    if (!relay.start() || !sendThrough(client, relay, 0, n))
        return {};
    const QList<Received> up = server.receiveFor(300);
    if (withTrafficDown) {
        // Traffic the other way draws from the other direction's dice only.
        for (const Received &r : up)
            server.sendTo(r.data, r.from, r.fromPort);
        client.receiveFor(200);
    }
    return seqs(up);
}

} // namespace

class TestRelayLoss : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void lossRateWithinStatisticalBound()
    {
        UdpPeer server, client;
        RelayConfig c = configTo(server.port(), 11);
        c.lossUp = 0.10;
        RelayThread relay(c);
        QVERIFY(relay.start());
        constexpr int n = 10000;
        QVERIFY(sendThrough(client, relay, 0, n, 100));
        const QList<Received> up = server.receive(n, 500);
        const RelayStats s = relay.stats();
        QCOMPARE(s.up.datagramsIn, quint64(n));
        // 10% of 10,000: a standard deviation of 30, so 1.5% (150) is five of them.
        QVERIFY2(s.up.droppedLoss >= 850 && s.up.droppedLoss <= 1150, qPrintable(QString::number(s.up.droppedLoss)));
        // The relay's count is exactly what the server missed, and nothing
        // else was dropped.
        QCOMPARE(quint64(up.size()), n - s.up.droppedLoss);
        QCOMPARE(s.up.dropped(), s.up.droppedLoss);
        QCOMPARE(s.up.datagramsOut, quint64(up.size()));
        QVERIFY(accountsAddUp(s.up));
        // Survivors keep their order.
        for (int i = 1; i < up.size(); ++i)
            QVERIFY(seqOf(up[i].data) > seqOf(up[i - 1].data));
    }

    void upAndDownAreIndependent()
    {
        UdpPeer server, client;
        RelayConfig c = configTo(server.port(), 12);
        c.lossUp = 0.30;
        c.lossDown = 0.0;
        RelayThread relay(c);
        QVERIFY(relay.start());
        constexpr int n = 3000;
        QVERIFY(sendThrough(client, relay, 0, n));
        const QList<Received> up = server.receive(n, 500);
        // Everything the server got, it sends back: none is lost down.
        for (const Received &r : up)
            QVERIFY(server.sendTo(r.data, r.from, r.fromPort));
        const QList<Received> down = client.receive(int(up.size()), 500);
        QCOMPARE(down.size(), up.size());
        RelayStats s = relay.stats();
        QVERIFY2(s.up.droppedLoss > 800 && s.up.droppedLoss < 1000, qPrintable(QString::number(s.up.droppedLoss)));
        QCOMPARE(s.down.droppedLoss, quint64(0));

        // The other way round, changed while running.
        c.lossUp = 0.0;
        c.lossDown = 0.20;
        relay.setConfig(c);
        QVERIFY(sendThrough(client, relay, n, n));
        const QList<Received> up2 = server.receive(n, 500);
        QCOMPARE(up2.size(), n);
        for (const Received &r : up2)
            QVERIFY(server.sendTo(r.data, r.from, r.fromPort));
        const QList<Received> down2 = client.receive(n, 500);
        s = relay.stats();
        const quint64 lostDown = s.down.droppedLoss;
        QVERIFY2(lostDown > 500 && lostDown < 700, qPrintable(QString::number(lostDown)));
        QCOMPARE(quint64(down2.size()), n - lostDown);
        QVERIFY(s.up.droppedLoss < 1000);  // nothing more up
    }

    void setLossShorthandChangesOneDirection()
    {
        Relay relay(configTo(9));
        relay.setLoss(Direction::Down, 0.25);
        QCOMPARE(relay.config().lossDown, 0.25);
        QCOMPARE(relay.config().lossUp, 0.0);
        relay.setLoss(Direction::Up, 7.0);  // clamped
        QCOMPARE(relay.config().lossUp, 1.0);
    }

    void allOrNothing()
    {
        UdpPeer server, client;
        RelayConfig c = configTo(server.port());
        c.lossUp = 1.0;
        RelayThread relay(c);
        QVERIFY(relay.start());
        QVERIFY(sendThrough(client, relay, 0, 200));
        QVERIFY(server.receive(1, 200).isEmpty());
        QCOMPARE(relay.stats().up.droppedLoss, quint64(200));
        QCOMPARE(relay.stats().up.datagramsOut, quint64(0));
    }

    void sameSeedDropsTheSameDatagrams()
    {
        constexpr int n = 2000;
        const QSet<quint32> first = survivorsUp(42, 0.25, n, false);
        QVERIFY(first.size() > 1300 && first.size() < 1700);
        QCOMPARE(survivorsUp(42, 0.25, n, false), first);
        // Traffic the other way does not move the pattern.
        QCOMPARE(survivorsUp(42, 0.25, n, true), first);
        const QSet<quint32> other = survivorsUp(43, 0.25, n, false);
        QVERIFY(!other.isEmpty());
        QVERIFY(other != first);
    }

    void blackholeWindowDropsItsSpanOnly()
    {
        UdpPeer server, client;
        RelayConfig c = configTo(server.port());
        c.blackholeAt = 400ms;
        c.blackholeFor = 300ms;
        RelayThread relay(c);
        const int64_t started = realtimeNs();
        QVERIFY(relay.start());
        // One datagram every 5 ms for a second.
        QList<double> sentAtMs;
        for (quint32 i = 0; i < 200; ++i) {
            const QByteArray d = stamped(i);
            sentAtMs.append(double(sentNsOf(d) - started) / 1e6);
            QVERIFY(client.sendTo(d, kLocal, relay.port()));
            std::this_thread::sleep_for(5ms);
        }
        const QList<Received> up = server.receive(200, 300);
        const RelayStats s = relay.stats();
        QCOMPARE(s.up.datagramsIn, quint64(200));
        // About 60 fell into the window (300 ms at one every 5 ms, or a
        // little fewer when the sender ran late).
        QVERIFY2(s.up.droppedBlackhole >= 40 && s.up.droppedBlackhole <= 62,
                 qPrintable(QString::number(s.up.droppedBlackhole)));
        QCOMPARE(quint64(up.size()), 200 - s.up.droppedBlackhole);
        // Nothing sent clearly inside [400, 700) ms passed, nothing sent
        // clearly outside was lost (20 ms of slack for the clocks).
        const QSet<quint32> passed = seqs(up);
        for (quint32 i = 0; i < 200; ++i) {
            const double at = sentAtMs[int(i)];
            if (at > 420 && at < 680)
                QVERIFY2(!passed.contains(i), qPrintable(QStringLiteral("%1 sent at %2 ms").arg(i).arg(at)));
            if (at < 380 || at > 720)
                QVERIFY2(passed.contains(i), qPrintable(QStringLiteral("%1 sent at %2 ms").arg(i).arg(at)));
        }
        // The gap in arrivals is the window.
        qint64 widestGap = 0;
        for (int i = 1; i < up.size(); ++i)
            widestGap = std::max<qint64>(widestGap, (up[i].arrivalNs - up[i - 1].arrivalNs) / 1000000);
        QVERIFY2(widestGap >= 280 && widestGap <= 340, qPrintable(QString::number(widestGap)));
    }

    void manualBlackholeCutsBothWaysAndResumes()
    {
        UdpPeer server, client;
        RelayThread relay(configTo(server.port()));
        QVERIFY(relay.start());
        QVERIFY(sendThrough(client, relay, 0, 5));
        const QList<Received> before = server.receive(5);
        QCOMPARE(before.size(), 5);
        const QHostAddress mappedAddress = before.first().from;
        const quint16 mappedPort = before.first().fromPort;

        relay.call([&] { relay.relay()->setBlackhole(true); });
        QVERIFY(relay.call([&] { return relay.relay()->blackhole(); }));
        QVERIFY(sendThrough(client, relay, 5, 20));
        for (quint32 i = 0; i < 20; ++i)
            QVERIFY(server.sendTo(stamped(i), mappedAddress, mappedPort));
        QVERIFY(relay.waitFor([](const RelayStats &s) { return s.down.datagramsIn == 20; }));
        QVERIFY(server.receive(1, 100).isEmpty());
        QVERIFY(client.receive(1, 100).isEmpty());
        RelayStats s = relay.stats();
        QCOMPARE(s.up.droppedBlackhole, quint64(20));
        QCOMPARE(s.down.droppedBlackhole, quint64(20));

        relay.call([&] { relay.relay()->setBlackhole(false); });
        QVERIFY(sendThrough(client, relay, 25, 20));
        QCOMPARE(server.receive(20).size(), 20);
        QVERIFY(server.sendTo(stamped(99), mappedAddress, mappedPort));
        QCOMPARE(client.receive(1).size(), 1);
        s = relay.stats();
        QCOMPARE(s.up.droppedBlackhole, quint64(20));
        QVERIFY(accountsAddUp(s.up) && accountsAddUp(s.down));
    }
};

QTEST_GUILESS_MAIN(TestRelayLoss)
#include "tst_relayloss.moc"
