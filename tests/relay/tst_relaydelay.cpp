// Delay and jitter, measured: every datagram carries its send time, the
// receiving socket stamps its arrival in the kernel, and the difference is
// the one-way delay the relay added (loopback itself takes microseconds).
// The relay runs on its own thread, as an application would run it.
#include "relaytestkit.h"
#include "timingbounds.h"

#include <QtTest/QtTest>
#include <algorithm>

using namespace quicpool::relay;
using namespace quicpool::relay::testkit;
using namespace std::chrono_literals;

namespace {

const QHostAddress kLocal(QHostAddress::LocalHost);

double percentile(QList<double> values, double p)
{
    if (values.isEmpty())
        return 0;
    std::sort(values.begin(), values.end());
    return values[std::min<qsizetype>(values.size() - 1, qsizetype(p * double(values.size())))];
}

QList<double> oneWayMs(const QList<Received> &received)
{
    QList<double> out;
    for (const Received &r : received)
        out.append(r.oneWayMs());
    return out;
}

QString describe(const QList<double> &ms)
{
    return QStringLiteral("min %1 p50 %2 p95 %3 p99 %4 max %5 ms over %6")
        .arg(percentile(ms, 0), 0, 'f', 3)
        .arg(percentile(ms, 0.5), 0, 'f', 3)
        .arg(percentile(ms, 0.95), 0, 'f', 3)
        .arg(percentile(ms, 0.99), 0, 'f', 3)
        .arg(percentile(ms, 1), 0, 'f', 3)
        .arg(ms.size());
}

/// Datagrams that arrived after one sent later than them: what the relay
/// counts as reordered.
int overtaken(const QList<Received> &received)
{
    int count = 0;
    quint32 newest = 0;
    bool any = false;
    for (const Received &r : received) {
        const quint32 seq = seqOf(r.data);
        if (any && seq < newest)
            ++count;
        else
            newest = seq;
        any = true;
    }
    return count;
}

} // namespace

class TestRelayDelay : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void oneWayDelayWithinAMillisecondEachWay()
    {
        UdpPeer server, client;
        RelayConfig c = configTo(server.port());
        c.delay = 20ms;
        RelayThread relay(c);
        QVERIFY(relay.start());

        // Up: paced 2 ms apart, so the release timer works for every one.
        constexpr int n = 200;
        QVERIFY(sendThrough(client, relay, 0, n, 100, 2ms));
        const QList<Received> up = server.receive(n);
        QCOMPARE(up.size(), n);
        // Down: the server answers through the client's mapping.
        const QHostAddress mappedAddress = up.first().from;
        const quint16 mappedPort = up.first().fromPort;
        for (quint32 i = 0; i < n; ++i) {
            QVERIFY(server.sendTo(stamped(i, 100), mappedAddress, mappedPort));
            std::this_thread::sleep_for(2ms);
        }
        const QList<Received> down = client.receive(n);
        QCOMPARE(down.size(), n);

        for (const auto &[name, received] : {std::pair{"up", up}, std::pair{"down", down}}) {
            const QList<double> ms = oneWayMs(received);
            qInfo("%s: %s", name, qPrintable(describe(ms)));
            // Never early (the send stamp is taken before sendto, so a
            // measured delay is if anything longer than the real one)...
            QVERIFY2(percentile(ms, 0) >= 20.0, qPrintable(describe(ms)));
            // ...and within a millisecond. Asked of most, not all: on a
            // 2-core machine shared with parallel builds the scheduler alone
            // sometimes runs a thread several milliseconds late.
            QVERIFY2(percentile(ms, 0.5) < 20.5, qPrintable(describe(ms)));
            QVERIFY2(percentile(ms, 0.8) < 21.0, qPrintable(describe(ms)));
            QCOMPARE(overtaken(received), 0);
        }
    }

    void roundTripGrowsByTwiceTheDelay()
    {
        UdpPeer server, client;
        RelayConfig c = configTo(server.port());
        c.delay = 15ms;
        RelayThread relay(c);
        QVERIFY(relay.start());
        QList<double> rtt;
        for (quint32 i = 0; i < 20; ++i) {
            const int64_t sent = realtimeNs();
            QVERIFY(client.sendTo(stamped(i), kLocal, relay.port()));
            const QList<Received> at = server.receive(1);
            QCOMPARE(at.size(), 1);
            QVERIFY(server.sendTo(at.first().data, at.first().from, at.first().fromPort));
            const QList<Received> back = client.receive(1);
            QCOMPARE(back.size(), 1);
            rtt.append(double(back.first().arrivalNs - sent) / 1e6);
        }
        qInfo("round trip: %s", qPrintable(describe(rtt)));
        QVERIFY2(percentile(rtt, 0) >= 30.0, qPrintable(describe(rtt)));
        QVERIFY2(percentile(rtt, 0.5) < 31.5, qPrintable(describe(rtt)));
    }

    void fixedDelayKeepsOrder()
    {
        UdpPeer server, client;
        RelayConfig c = configTo(server.port());
        c.delay = 10ms;
        RelayThread relay(c);
        QVERIFY(relay.start());
        QVERIFY(sendThrough(client, relay, 0, 2000, 200));
        const QList<Received> up = server.receive(2000);
        QCOMPARE(up.size(), 2000);
        QCOMPARE(overtaken(up), 0);
        for (int i = 0; i < up.size(); ++i)
            QCOMPARE(seqOf(up[i].data), quint32(i));
        QCOMPARE(relay.stats().up.reordered, quint64(0));
    }

    void jitterStaysWithinItsBoundsAndReorders()
    {
        UdpPeer server, client;
        RelayConfig c = configTo(server.port(), 3);
        c.delay = 30ms;
        c.jitter = 10ms;
        RelayThread relay(c);
        QVERIFY(relay.start());
        constexpr int n = 600;
        QVERIFY(sendThrough(client, relay, 0, n, 100, 1ms));
        const QList<Received> up = server.receive(n);
        QCOMPARE(up.size(), n);
        const QList<double> ms = oneWayMs(up);
        qInfo("jitter: %s", qPrintable(describe(ms)));
        // Uniform in 30 +- 10 ms: never outside, and the draws reach both ends.
        QVERIFY2(percentile(ms, 0) >= 20.0, qPrintable(describe(ms)));
        QVERIFY2(percentile(ms, 0.95) < 40.5, qPrintable(describe(ms)));  // 39 ms for a uniform draw
        QVERIFY2(percentile(ms, 0) < 21.5 && percentile(ms, 1) > 38.5, qPrintable(describe(ms)));
        QVERIFY2(std::abs(percentile(ms, 0.5) - 30.0) < 2.0, qPrintable(describe(ms)));
        // Datagrams 1 ms apart with +-10 ms each overtake each other; the
        // relay counts exactly the overtaken ones the server saw.
        const int seen = overtaken(up);
        QVERIFY(seen > n / 4);
        QVERIFY(relay.waitFor([](const RelayStats &s) { return s.up.queued == 0; }));
        QCOMPARE(relay.stats().up.reordered, quint64(seen));
        QCOMPARE(relay.stats().up.datagramsOut, quint64(n));
    }

    void jitterNeverMakesADelayNegative()
    {
        UdpPeer server, client;
        RelayConfig c = configTo(server.port(), 4);
        c.delay = 2ms;
        c.jitter = 10ms;
        RelayThread relay(c);
        QVERIFY(relay.start());
        QVERIFY(sendThrough(client, relay, 0, 300, 100, 500us));
        const QList<Received> up = server.receive(300);
        QCOMPARE(up.size(), 300);
        const QList<double> ms = oneWayMs(up);
        qInfo("clamped: %s", qPrintable(describe(ms)));
        // 2 +- 10 ms: about 40% would be below zero and go at once instead.
        int immediate = 0;
        for (double v : ms)
            immediate += v < 1.0;
        QVERIFY2(immediate > 60 && immediate < 180, qPrintable(QString::number(immediate)));
        QVERIFY2(percentile(ms, 0.9) < 12.5, qPrintable(describe(ms)));  // 10 ms for the clamped draw
    }

    void delayChangesWhileRunning()
    {
        UdpPeer server, client;
        RelayConfig c = configTo(server.port());
        RelayThread relay(c);
        QVERIFY(relay.start());
        QVERIFY(client.sendTo(stamped(0), kLocal, relay.port()));
        QList<Received> r = server.receive(1);
        QCOMPARE(r.size(), 1);
        if (quicpool::testing::kTightTiming)
            QVERIFY2(r.first().oneWayMs() < 5.0, qPrintable(QString::number(r.first().oneWayMs())));
        c.delay = 40ms;
        relay.setConfig(c);
        QVERIFY(client.sendTo(stamped(1), kLocal, relay.port()));
        r = server.receive(1);
        QCOMPARE(r.size(), 1);
        QVERIFY2(r.first().oneWayMs() >= 40.0 && r.first().oneWayMs() < 45.0,
                 qPrintable(QString::number(r.first().oneWayMs())));
    }
};

QTEST_GUILESS_MAIN(TestRelayDelay)
#include "tst_relaydelay.moc"
