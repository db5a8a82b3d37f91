// IntervalMeter and the interval lines of `quicpool client --interval`:
// intervals back to back, bytes in the interval they arrived in, totals
// that are the sums, and the line and JSON forms.
#include "intervalreport.h"

#include <QtTest/QtTest>

using namespace quicpool::cli;

class TestIntervalReport : public QObject
{
    Q_OBJECT
private Q_SLOTS:
    void intervalsAreBackToBackAndAddUp()
    {
        IntervalMeter meter;
        meter.add(100, 0);
        meter.add(50, 20);
        IntervalFigures first = meter.close(1.0);
        QCOMPARE(first.start, 0.0);
        QCOMPARE(first.end, 1.0);
        QCOMPARE(first.sent, 150);
        QCOMPARE(first.received, 20);
        meter.add(0, 5);
        IntervalFigures second = meter.close(2.0);
        QCOMPARE(second.start, 1.0);
        QCOMPARE(second.sent, 0);
        QCOMPARE(second.received, 5);
        // A close at an earlier time (a timer that fired late for a run
        // that already ended) makes an empty interval, never a negative one.
        IntervalFigures late = meter.close(1.5);
        QCOMPARE(late.start, 2.0);
        QCOMPARE(late.end, 2.0);
        QCOMPARE(meter.closed().size(), size_t(3));
        QCOMPARE(meter.totalSent(), 150);
        QCOMPARE(meter.totalReceived(), 25);
    }

    void line()
    {
        IntervalFigures f;
        f.start = 1;
        f.end = 1.5;
        f.sent = 1000000;
        f.received = 250000;
        QCOMPARE(formatIntervalLine(f),
                 QStringLiteral("interval 1.000-1.500 sent=1000000 sent_mbps=2.00 received=250000 received_mbps=0.50"));
        f.end = 1;   // an empty interval has no rate, not a division by zero
        QCOMPARE(formatIntervalLine(f),
                 QStringLiteral("interval 1.000-1.000 sent=1000000 sent_mbps=0.00 received=250000 received_mbps=0.00"));
    }

    void json()
    {
        IntervalFigures f;
        f.start = 0;
        f.end = 2;
        f.sent = 4000000;
        f.received = 0;
        const QJsonObject o = intervalJson(f);
        QCOMPARE(o.keys(), (QStringList{"end", "received_bytes", "received_mbps", "sent_bytes", "sent_mbps", "start"}));
        QCOMPARE(o.value(u"sent_mbps").toDouble(), 2.0);
        QCOMPARE(o.value(u"sent_bytes").toInteger(), 4000000);
        QCOMPARE(o.value(u"end").toDouble(), 2.0);
    }
};

QTEST_GUILESS_MAIN(TestIntervalReport)
#include "tst_intervalreport.moc"
