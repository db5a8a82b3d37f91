#include "intervalreport.h"

#include "units.h"

#include <algorithm>

namespace quicpool::cli {

IntervalFigures IntervalMeter::close(double seconds)
{
    IntervalFigures done = m_current;
    done.end = std::max(seconds, done.start);
    m_closed.push_back(done);
    m_current = IntervalFigures{};
    m_current.start = done.end;
    return done;
}

QString formatIntervalLine(const IntervalFigures &interval)
{
    const double seconds = interval.end - interval.start;
    return QStringLiteral("interval %1-%2 sent=%3 sent_mbps=%4 received=%5 received_mbps=%6")
        .arg(QString::number(interval.start, 'f', 3), QString::number(interval.end, 'f', 3))
        .arg(interval.sent)
        .arg(QString::number(megabytesPerSecond(interval.sent, seconds), 'f', 2))
        .arg(interval.received)
        .arg(QString::number(megabytesPerSecond(interval.received, seconds), 'f', 2));
}

QJsonObject intervalJson(const IntervalFigures &interval)
{
    const double seconds = interval.end - interval.start;
    QJsonObject object;
    object.insert(QStringLiteral("start"), interval.start);
    object.insert(QStringLiteral("end"), interval.end);
    object.insert(QStringLiteral("sent_bytes"), interval.sent);
    object.insert(QStringLiteral("sent_mbps"), megabytesPerSecond(interval.sent, seconds));
    object.insert(QStringLiteral("received_bytes"), interval.received);
    object.insert(QStringLiteral("received_mbps"), megabytesPerSecond(interval.received, seconds));
    return object;
}

} // namespace quicpool::cli
