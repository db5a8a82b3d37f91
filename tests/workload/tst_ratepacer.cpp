// RateBucket, the pacing rule of `quicpool client --rate`, on a made-up
// clock: the start burst, the refill at the rate, debt and its payback,
// the cap on saved-up time, and the long-run rate it holds a greedy
// sender to.
#include <workload/ratepacer.h>

#include <QtTest/QTest>

using namespace quicpool::workload;

namespace {
constexpr qint64 kSecond = 1000000000;
}

class TestRatePacer : public QObject
{
    Q_OBJECT
private Q_SLOTS:
    void startsFullAndRefillsAtTheRate()
    {
        RateBucket bucket(1000, 100);
        QCOMPARE(bucket.available(0), 100);
        bucket.consume(0, 100);
        QCOMPARE(bucket.available(0), 0);
        QCOMPARE(bucket.available(kSecond / 20), 50);   // 50 ms at 1000 B/s
        QCOMPARE(bucket.available(kSecond), 100);       // capped at the burst
    }

    void debtIsPaidBackBeforeTheNextSend()
    {
        RateBucket bucket(1000, 100);
        bucket.consume(0, 600);                           // a source request of 600 bytes
        QCOMPARE(bucket.available(0), -500);
        // 501 bytes of time (501 ms) until one byte is available again.
        QCOMPARE(bucket.nanosUntilAvailable(0), 501 * kSecond / 1000);
        QCOMPARE(bucket.available(kSecond / 2), 0);
        QVERIFY(bucket.nanosUntilAvailable(kSecond / 2) > 0);
        QCOMPARE(bucket.nanosUntilAvailable(501 * kSecond / 1000), 0);
        QCOMPARE(bucket.available(501 * kSecond / 1000), 1);
    }

    void timeNeverGoesBack()
    {
        RateBucket bucket(1000, 1000);
        bucket.consume(kSecond, 1000);
        QCOMPARE(bucket.available(kSecond / 2), 0);       // earlier: as at 1 s
        QCOMPARE(bucket.available(kSecond + kSecond / 10), 100);
    }

    void greedySenderGetsTheRate_data()
    {
        QTest::addColumn<qint64>("rate");
        QTest::addColumn<qint64>("chunk");
        QTest::newRow("50MB/s in 64KiB writes") << qint64(50000000) << qint64(65536);
        QTest::newRow("1kB/s in 1200-byte writes") << qint64(1000) << qint64(1200);
        QTest::newRow("5MB/s in paced chunks") << qint64(5000000) << RateBucket::pacedChunk(5000000);
    }

    void greedySenderGetsTheRate()
    {
        QFETCH(qint64, rate);
        QFETCH(qint64, chunk);
        const qint64 burst = RateBucket::pacedChunk(rate);
        RateBucket bucket(rate, burst);
        // A sender that writes whenever allowed and otherwise sleeps
        // exactly as long as the bucket says, for 10 s.
        qint64 now = 0, sent = 0;
        while (now < 10 * kSecond) {
            if (bucket.available(now) > 0) {
                bucket.consume(now, chunk);
                sent += chunk;
            } else {
                now += bucket.nanosUntilAvailable(now);
            }
        }
        const double expected = double(rate) * 10;
        // Never more than rate x time + burst + one write in debt...
        QVERIFY2(double(sent) <= expected + double(burst + chunk), qPrintable(QString::number(sent)));
        // ... and no less than 1% under it.
        QVERIFY2(double(sent) >= expected * 0.99, qPrintable(QString::number(sent)));
    }

    void pacedChunkKeepsWholePackets()
    {
        QCOMPARE(RateBucket::pacedChunk(1), 1200);
        QCOMPARE(RateBucket::pacedChunk(50000000), 500000);
    }
};

QTEST_GUILESS_MAIN(TestRatePacer)
#include "tst_ratepacer.moc"
