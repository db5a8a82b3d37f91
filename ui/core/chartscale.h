// The arithmetic behind the charts' readouts and axes: which sample is
// nearest a time, wall-clock labels and ticks, and the range a logarithmic
// value axis needs. Plain functions on plain values, so the tests reach
// them without a chart on screen.
#pragma once

#include <QtCore/QDateTime>
#include <QtCore/QList>
#include <QtCore/QPointF>
#include <QtCore/QString>

namespace quicpool::diag {

/// The index of the point whose x is nearest `t` in `points` (sorted by x,
/// as a chart's samples are); the earlier one on a tie; -1 when empty.
qsizetype nearestSampleIndex(const QList<QPointF> &points, double t);

/// "hh:mm:ss" of `origin` plus `seconds` (a chart's time runs in seconds
/// since its origin), in the origin's time zone.
QString wallClockLabel(const QDateTime &origin, double seconds);

/// Chart times in [from, to] where the wall clock (origin + t) is a whole
/// multiple of `stepSeconds` (at least 1 s), so wall-clock grid lines fall
/// on round times such as 12:00:10, 12:00:20 rather than wherever the
/// chart happened to start. At most 100 of them.
QList<double> wallClockTicks(const QDateTime &origin, double from, double to, double stepSeconds);

struct LogRange
{
    double lo = 1;
    double hi = 10;
};

/// The decades a logarithmic axis spans to show `values`: from the power
/// of ten at or below the smallest positive value to the one at or above
/// the largest. Values <= 0 (and NaN) have no place on a log axis and are
/// left out; with no positive value at all the range is 1..10, and a
/// single decade is widened to one full decade.
LogRange logRange(const QList<double> &values);

} // namespace quicpool::diag
