#include "chartscale.h"

#include <algorithm>
#include <cmath>

namespace quicpool::diag {

qsizetype nearestSampleIndex(const QList<QPointF> &points, double t)
{
    if (points.isEmpty())
        return -1;
    // Samples arrive in time order: a binary search, not a scan, because
    // the crosshair asks on every mouse move over up to maxPoints samples.
    const auto after = std::lower_bound(points.cbegin(), points.cend(), t,
                                        [](const QPointF &p, double value) { return p.x() < value; });
    if (after == points.cbegin())
        return 0;
    if (after == points.cend())
        return points.size() - 1;
    const auto before = after - 1;
    return (t - before->x()) <= (after->x() - t) ? before - points.cbegin() : after - points.cbegin();
}

QString wallClockLabel(const QDateTime &origin, double seconds)
{
    return origin.addMSecs(qint64(std::llround(seconds * 1000.0))).toString(QStringLiteral("hh:mm:ss"));
}

QList<double> wallClockTicks(const QDateTime &origin, double from, double to, double stepSeconds)
{
    QList<double> ticks;
    if (!origin.isValid() || !(to >= from))
        return ticks;
    const double step = std::max(1.0, stepSeconds);
    // Work in wall-clock seconds since the epoch, the zone's offset added,
    // so that a minute step lands on :00 of the local clock.
    const double offset = double(origin.offsetFromUtc());
    const double originWall = double(origin.toMSecsSinceEpoch()) / 1000.0 + offset;
    double wall = std::ceil((originWall + from) / step - 1e-9) * step;
    for (; wall - originWall <= to + 1e-9 && ticks.size() < 100; wall += step)
        ticks.append(wall - originWall);
    return ticks;
}

LogRange logRange(const QList<double> &values)
{
    double smallest = 0;
    double largest = 0;
    bool any = false;
    for (double v : values) {
        if (!(v > 0)) // also false for NaN
            continue;
        smallest = any ? std::min(smallest, v) : v;
        largest = any ? std::max(largest, v) : v;
        any = true;
    }
    if (!any)
        return {};
    LogRange r;
    r.lo = std::pow(10.0, std::floor(std::log10(smallest)));
    r.hi = std::pow(10.0, std::ceil(std::log10(largest)));
    if (r.hi <= r.lo)
        r.hi = r.lo * 10.0;
    return r;
}

} // namespace quicpool::diag
