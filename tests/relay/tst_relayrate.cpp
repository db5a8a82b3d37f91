// The link: throughput held to the rate (within 5% over 2 s) when offered
// more, tail drops counted as "queue", the queue never holding more than
// rate x queue, and the mtu dropping exactly the datagrams above it.
#include "relaytestkit.h"
#include "timingbounds.h"

#include <QtTest/QtTest>
#include <atomic>
#include <thread>

using namespace quicpool::relay;
using namespace quicpool::relay::testkit;
using namespace std::chrono_literals;

namespace {

const QHostAddress kLocal(QHostAddress::LocalHost);

/// Bytes per second between the first and the last arrival (the first
/// datagram's bytes left before the clock started).
double arrivalRate(const QList<Received> &r)
{
    if (r.size() < 2)
        return 0;
    qint64 bytes = 0;
    for (int i = 1; i < r.size(); ++i)
        bytes += r[i].data.size();
    return double(bytes) / (double(r.last().arrivalNs - r.first().arrivalNs) / 1e9);
}

} // namespace

class TestRelayRate : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void throughputHoldsToTheRate()
    {
        UdpPeer server, client;
        RelayConfig c = configTo(server.port());
        c.rate = 2000000;  // 16 Mbit/s
        c.queue = 50ms;
        RelayThread relay(c);
        QVERIFY(relay.start());
        // Offer 3 MB/s for 2 s from a second thread (this one reads, or the
        // server socket's buffer would overflow): 1000-byte datagrams on a
        // schedule that catches up when the sender runs late.
        constexpr int kSize = 1000;
        std::atomic<quint32> sentCount{0};
        std::thread sender([&] {
            const auto begin = std::chrono::steady_clock::now();
            quint32 sent = 0;
            for (;;) {
                const double elapsed = std::chrono::duration<double>(std::chrono::steady_clock::now() - begin).count();
                if (elapsed >= 2.0)
                    break;
                while (sent < quint32(elapsed * 3000))
                    client.sendTo(stamped(sent++, kSize), kLocal, relay.port());
                std::this_thread::sleep_for(2ms);
            }
            sentCount = sent;
        });
        const QList<Received> up = server.receive(6000, 300);
        sender.join();
        const quint32 sent = sentCount;
        const double rate = arrivalRate(up);
        const RelayStats s = relay.stats();
        qInfo("offered %u datagrams, %lld arrived at %.0f B/s in %.3f s; in %llu out %llu queued %llu dropped %llu (queue); "
              "queue delay avg %.1f ms max %.1f ms",
              sent, qint64(up.size()), rate, double(up.last().arrivalNs - up.first().arrivalNs) / 1e9,
              s.up.datagramsIn, s.up.datagramsOut, s.up.queued, s.up.droppedQueue, s.up.queueDelayAverageMs(),
              s.up.queueDelayMaxMs());
        QVERIFY2(std::abs(rate - 2000000) <= 100000, qPrintable(QString::number(rate)));
        // The rest was tail-dropped, and only that.
        QVERIFY(s.up.droppedQueue > sent / 4);
        QCOMPARE(s.up.dropped(), s.up.droppedQueue);
        QCOMPARE(quint64(up.size()), s.up.datagramsOut);
        QVERIFY(accountsAddUp(s.up));
        // Backlogged all along: the queue stayed nearly full.
        QVERIFY2(s.up.queueDelayAverageMs() > 35 && s.up.queueDelayMaxMs() <= 50.0,
                 qPrintable(QString::number(s.up.queueDelayAverageMs())));
        // Order kept.
        for (int i = 1; i < up.size(); ++i)
            QVERIFY(seqOf(up[i].data) > seqOf(up[i - 1].data));
    }

    void queueHoldsAtMostRateTimesQueue()
    {
        UdpPeer server, client;
        RelayConfig c = configTo(server.port());
        c.rate = 1000000;  // 1000 bytes per ms
        c.queue = 20ms;    // 20,000 bytes
        RelayThread relay(c);
        QVERIFY(relay.start());
        // A burst of 100 at once: the link takes the first and queues up to
        // 20,000 bytes; the rest is a tail drop.
        for (quint32 i = 0; i < 100; ++i)
            QVERIFY(client.sendTo(stamped(i, 1000), kLocal, relay.port()));
        const QList<Received> up = server.receive(100, 300);
        const RelayStats s = relay.stats();
        QCOMPARE(s.up.datagramsIn, quint64(100));
        // 20 when the burst is read in one go; a little more if the link
        // drained while the relay was still reading.
        QVERIFY2(up.size() >= 20 && up.size() <= 24, qPrintable(QString::number(up.size())));
        QCOMPARE(s.up.droppedQueue, quint64(100 - up.size()));
        QVERIFY2(s.up.queueDelayMaxMs() < 20.0, qPrintable(QString::number(s.up.queueDelayMaxMs())));
        // The first ones got through: tail drop, not head drop.
        for (int i = 0; i < 20; ++i)
            QCOMPARE(seqOf(up[i].data), quint32(i));
        // Paced by the link: one datagram per millisecond.
        const double spreadMs = double(up.last().arrivalNs - up.first().arrivalNs) / 1e6;
        QVERIFY2(spreadMs >= double(up.size() - 1) - 0.5 && spreadMs < double(up.size() - 1) + 3.0,
                 qPrintable(QString::number(spreadMs)));
    }

    void rateAndDelayAddUp()
    {
        UdpPeer server, client;
        RelayConfig c = configTo(server.port());
        c.rate = 1000000;
        c.delay = 10ms;
        RelayThread relay(c);
        QVERIFY(relay.start());
        QVERIFY(client.sendTo(stamped(0, 5000), kLocal, relay.port()));
        const QList<Received> up = server.receive(1);
        QCOMPARE(up.size(), 1);
        // 5 ms to serialise 5000 bytes, then the 10 ms delay.
        QVERIFY2(up.first().oneWayMs() >= 15.0, qPrintable(QString::number(up.first().oneWayMs())));
        if (quicpool::testing::kTightTiming)
            QVERIFY2(up.first().oneWayMs() < 17.0, qPrintable(QString::number(up.first().oneWayMs())));
    }

    void mtuDropsExactlyTheOversizeDatagrams()
    {
        UdpPeer server, client;
        RelayConfig c = configTo(server.port());
        c.mtu = 1200;
        RelayThread relay(c);
        QVERIFY(relay.start());
        const QList<int> sizes = {100, 1199, 1200, 1201, 1252, 1472, 9000, 1200, 12};
        for (int i = 0; i < sizes.size(); ++i)
            QVERIFY(client.sendTo(stamped(quint32(i), sizes[i]), kLocal, relay.port()));
        const QList<Received> up = server.receive(int(sizes.size()), 300);
        QList<int> passed;
        for (const Received &r : up)
            passed.append(r.data.size());
        QCOMPARE(passed, (QList<int>{100, 1199, 1200, 1200, 12}));
        QCOMPARE(relay.stats().up.droppedMtu, quint64(4));

        // Down too: the server's replies above the mtu die the same way.
        for (const int size : {1200, 1201, 64})
            QVERIFY(server.sendTo(stamped(0, size), up.first().from, up.first().fromPort));
        const QList<Received> down = client.receive(3, 300);
        QCOMPARE(down.size(), 2);
        QCOMPARE(down[0].data.size(), 1200);
        QCOMPARE(down[1].data.size(), 64);
        QCOMPARE(relay.stats().down.droppedMtu, quint64(1));
    }
};

QTEST_GUILESS_MAIN(TestRelayRate)
#include "tst_relayrate.moc"
