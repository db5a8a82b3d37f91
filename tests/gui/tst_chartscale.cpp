// The charts' arithmetic without a chart: nearest sample, wall-clock labels
// and ticks, logarithmic ranges (ui/core/chartscale.h).
#include "chartscale.h"

#include <QtCore/QTimeZone>
#include <QtTest/QtTest>

#include <limits>

using namespace quicpool::diag;

class TestChartScale : public QObject
{
    Q_OBJECT
private Q_SLOTS:
    void nearestSample();
    void wallClockLabels();
    void wallClockTicksLandOnRoundTimes();
    void logRangeSpansDecades();
    void logRangeLeavesOutZeroAndNegatives();
};

void TestChartScale::nearestSample()
{
    QCOMPARE(nearestSampleIndex({}, 3.0), qsizetype(-1));
    const QList<QPointF> pts{{0, 10}, {1, 11}, {2, 12}, {4, 14}};
    QCOMPARE(nearestSampleIndex(pts, -5), qsizetype(0));   // before the first
    QCOMPARE(nearestSampleIndex(pts, 99), qsizetype(3));   // after the last
    QCOMPARE(nearestSampleIndex(pts, 1.0), qsizetype(1));  // exactly on one
    QCOMPARE(nearestSampleIndex(pts, 1.4), qsizetype(1));
    QCOMPARE(nearestSampleIndex(pts, 1.6), qsizetype(2));
    QCOMPARE(nearestSampleIndex(pts, 3.0), qsizetype(2));  // a tie: the earlier
    QCOMPARE(nearestSampleIndex(pts, 3.1), qsizetype(3));
    QCOMPARE(nearestSampleIndex({{7, 1}}, 0), qsizetype(0));
}

void TestChartScale::wallClockLabels()
{
    const QDateTime origin(QDate(2026, 11, 27), QTime(23, 59, 58), QTimeZone::utc());
    QCOMPARE(wallClockLabel(origin, 0), QStringLiteral("23:59:58"));
    QCOMPARE(wallClockLabel(origin, 1.4), QStringLiteral("23:59:59"));
    QCOMPARE(wallClockLabel(origin, 2.0), QStringLiteral("00:00:00")); // past midnight
    QCOMPARE(wallClockLabel(origin, 65), QStringLiteral("00:01:03"));
}

void TestChartScale::wallClockTicksLandOnRoundTimes()
{
    // The chart started at 12:00:07.250; a 10 s step puts the ticks at
    // 12:00:10, :20, :30 whatever the start.
    const QDateTime origin(QDate(2026, 1, 2), QTime(12, 0, 7, 250), QTimeZone::utc());
    const QList<double> ticks = wallClockTicks(origin, 0, 30, 10);
    QCOMPARE(ticks.size(), 3);
    QCOMPARE(ticks.at(0), 2.75);
    QCOMPARE(wallClockLabel(origin, ticks.at(0)), QStringLiteral("12:00:10"));
    QCOMPARE(wallClockLabel(origin, ticks.at(2)), QStringLiteral("12:00:30"));
    // A minute step in a zone an odd half hour from UTC: the local clock's :00.
    const QDateTime india(QDate(2026, 1, 2), QTime(12, 0, 40), QTimeZone(5 * 3600 + 1800));
    const QList<double> minutes = wallClockTicks(india, 0, 130, 60);
    QCOMPARE(minutes.size(), 2);
    QCOMPARE(wallClockLabel(india, minutes.first()), QStringLiteral("12:01:00"));
    // Nothing for an empty or inverted range or an invalid origin; a step
    // under a second is a second; never more than 100 ticks.
    QVERIFY(wallClockTicks(origin, 5, 4, 1).isEmpty());
    QVERIFY(wallClockTicks(QDateTime(), 0, 10, 1).isEmpty());
    QCOMPARE(wallClockTicks(origin, 0, 3, 0.1).size(), 3);
    QCOMPARE(wallClockTicks(origin, 0, 1e6, 1).size(), 100);
}

void TestChartScale::logRangeSpansDecades()
{
    LogRange r = logRange({3, 40, 700});
    QCOMPARE(r.lo, 1.0);
    QCOMPARE(r.hi, 1000.0);
    r = logRange({0.02, 0.5});
    QCOMPARE(r.lo, 0.01);
    QCOMPARE(r.hi, 1.0);
    r = logRange({100});           // a single exact decade is widened
    QCOMPARE(r.lo, 100.0);
    QCOMPARE(r.hi, 1000.0);
}

void TestChartScale::logRangeLeavesOutZeroAndNegatives()
{
    const double nan = std::numeric_limits<double>::quiet_NaN();
    LogRange r = logRange({0, -5, nan, 20, 0});
    QCOMPARE(r.lo, 10.0);
    QCOMPARE(r.hi, 100.0);
    r = logRange({0, -1, nan});    // nothing positive: a default decade
    QCOMPARE(r.lo, 1.0);
    QCOMPARE(r.hi, 10.0);
    r = logRange({});
    QCOMPARE(r.lo, 1.0);
    QCOMPARE(r.hi, 10.0);
}

QTEST_GUILESS_MAIN(TestChartScale)
#include "tst_chartscale.moc"
