// What `quicpool relay` prints, from made-up counts: the path line, one
// second's figures, the summary and the --json object.
#include "relayreport.h"

#include <QtCore/QJsonDocument>
#include <QtCore/QJsonObject>
#include <QtTest/QtTest>

using namespace quicpool;
using namespace quicpool::cli;
using namespace std::chrono_literals;

namespace {

relay::DirectionStats someTraffic(quint64 scale)
{
    relay::DirectionStats d;
    d.datagramsIn = 1000 * scale;
    d.bytesIn = 1452000 * scale;
    d.datagramsOut = 990 * scale;
    d.bytesOut = 1437480 * scale;
    d.droppedLoss = 7 * scale;
    d.droppedQueue = 3 * scale;
    d.duplicated = 2 * scale;
    d.reordered = 4 * scale;
    d.corrupted = 1 * scale;
    d.queued = 2;
    d.queueDelaySamples = 990 * scale;
    d.queueDelaySumNs = 990000000LL * qint64(scale);  // 1 ms each
    d.queueDelayMaxNs = 4500000;
    return d;
}

} // namespace

class TestRelayReport : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void pathLine()
    {
        relay::RelayConfig c;
        QCOMPARE(relayPathLine(c), QStringLiteral("path: no impairment, seed 1"));
        c.delay = 20ms;
        c.jitter = 5ms;
        c.rate = 50000000;
        c.queue = 50ms;
        c.mtu = 1452;
        c.lossUp = c.lossDown = 0.01;
        c.reorder = 0.02;
        c.duplicate = 0.005;
        c.corrupt = 0.001;
        c.blackholeAt = 10s;
        c.blackholeFor = 2s;
        c.rebindEvery = 30s;
        c.seed = 7;
        QCOMPARE(relayPathLine(c),
                 QStringLiteral("path: delay 20ms each way, jitter 5ms, rate 400 Mbit/s (queue 50ms), mtu 1452, "
                                "loss 1%, reorder 2%, duplicate 0.5%, corrupt 0.1%, blackhole 10s+2s, rebind every "
                                "30s, seed 7"));
        c.lossDown = 0.03;
        QVERIFY(relayPathLine(c).contains(u"loss 1% up / 3% down"));
        c.delay = std::chrono::microseconds(1500);  // the library takes what the CLI cannot write
        QVERIFY(relayPathLine(c).contains(u"delay 1500us each way"));
    }

    void dropCausesNameOnlyWhatHappened()
    {
        relay::DirectionStats d;
        QCOMPARE(dropCauses(d), QString());
        d.droppedLoss = 86;
        QCOMPARE(dropCauses(d), QStringLiteral("loss 86"));
        d.droppedQueue = 3;
        d.droppedBlackhole = 1;
        d.droppedMtu = 2;
        d.droppedFailed = 4;
        QCOMPARE(dropCauses(d), QStringLiteral("blackhole 1, mtu 2, loss 86, queue 3, failed 4"));
    }

    void intervalLineIsOneSecondsDifference()
    {
        relay::RelayStats before, now;
        before.up = someTraffic(1);
        before.down = someTraffic(2);
        before.elapsedNs = 1000000000;
        now.up = someTraffic(3);
        now.down = someTraffic(2);  // nothing moved down
        now.elapsedNs = 2000000000;
        const QString line = relayIntervalLine(before, now);
        QCOMPARE(line, QStringLiteral("up 2000 in 1980 out 2.87 MB/s, dropped 20 (loss 14, queue 6) | down 0 in 0 "
                                      "out 0.00 MB/s, dropped 0 | queue delay up 1.00 ms (max 4.50 ms), down 0.00 ms "
                                      "(max 4.50 ms)"));
        QVERIFY(!line.contains(u'\n'));
    }

    void summaryLines()
    {
        relay::RelayStats s;
        s.up = someTraffic(1);
        s.down = someTraffic(2);
        s.elapsedNs = 12345678901;
        s.clientsSeen = 3;
        s.rebinds = 5;
        s.expired = 1;
        const QStringList lines = relaySummaryLines(s);
        QCOMPARE(lines.size(), 3);
        QCOMPARE(lines[0], QStringLiteral("up: 1000 datagrams in (1.38 MiB), 990 out (1.37 MiB); dropped 10 (loss 7, "
                                          "queue 3); duplicated 2, reordered 4, corrupted 1; queue delay avg 1.00 "
                                          "ms, max 4.50 ms"));
        QVERIFY(lines[1].startsWith(u"down: 2000 datagrams in"));
        QCOMPARE(lines[2], QStringLiteral("12.346 s, clients 3, rebinds 5, mappings expired 1"));
    }

    void json()
    {
        relay::RelayStats s;
        s.up = someTraffic(1);
        s.down = someTraffic(2);
        s.down.droppedMtu = 9;
        s.down.droppedBlackhole = 8;
        s.down.droppedFailed = 6;
        s.elapsedNs = 2500000000;
        s.clientsSeen = 1;
        const QByteArray text = relayJson(s, QStringLiteral("127.0.0.1:5000"), QStringLiteral("127.0.0.1:4433"),
                                          18446744073709551615ULL);
        QVERIFY(!text.contains('\n'));  // one object on one line
        QJsonParseError error;
        const QJsonObject o = QJsonDocument::fromJson(text, &error).object();
        QCOMPARE(error.error, QJsonParseError::NoError);
        QCOMPARE(o.value(u"listen").toString(), QStringLiteral("127.0.0.1:5000"));
        QCOMPARE(o.value(u"to").toString(), QStringLiteral("127.0.0.1:4433"));
        QCOMPARE(o.value(u"seconds").toDouble(), 2.5);
        QCOMPARE(o.value(u"seed").toString(), QStringLiteral("18446744073709551615"));
        QCOMPARE(o.value(u"clients").toInt(), 1);
        QCOMPARE(o.value(u"rebinds").toInt(), 0);
        const QJsonObject up = o.value(u"up").toObject();
        QCOMPARE(up.value(u"datagrams_in").toInteger(), 1000);
        QCOMPARE(up.value(u"bytes_in").toInteger(), 1452000);
        QCOMPARE(up.value(u"datagrams_out").toInteger(), 990);
        QCOMPARE(up.value(u"bytes_out").toInteger(), 1437480);
        QCOMPARE(up.value(u"duplicated").toInteger(), 2);
        QCOMPARE(up.value(u"reordered").toInteger(), 4);
        QCOMPARE(up.value(u"corrupted").toInteger(), 1);
        QCOMPARE(up.value(u"queued").toInteger(), 2);
        QCOMPARE(up.value(u"queue_delay_ms").toObject().value(u"avg").toDouble(), 1.0);
        QCOMPARE(up.value(u"queue_delay_ms").toObject().value(u"max").toDouble(), 4.5);
        const QJsonObject dropped = o.value(u"down").toObject().value(u"dropped").toObject();
        QCOMPARE(dropped.value(u"loss").toInteger(), 14);
        QCOMPARE(dropped.value(u"queue").toInteger(), 6);
        QCOMPARE(dropped.value(u"mtu").toInteger(), 9);
        QCOMPARE(dropped.value(u"blackhole").toInteger(), 8);
        QCOMPARE(dropped.value(u"failed").toInteger(), 6);
        QCOMPARE(dropped.keys().size(), 5);
    }
};

QTEST_GUILESS_MAIN(TestRelayReport)
#include "tst_relayreport.moc"
