#include "loadtestresult.h"

#include <QtCore/QJsonArray>
#include <QtCore/QJsonDocument>
#include <QtCore/QJsonObject>

#include <algorithm>
#include <cmath>

namespace quicpool::diag {

double percentile(QList<double> values, double p)
{
    if (values.isEmpty())
        return 0;
    std::sort(values.begin(), values.end());
    const double clamped = std::clamp(p, 0.0, 100.0);
    qsizetype rank = qsizetype(std::ceil(clamped / 100.0 * double(values.size())));
    rank = std::clamp<qsizetype>(rank, 1, values.size());
    return values.at(rank - 1);
}

double LoadTestResult::megabytesPerSecond() const
{
    if (seconds <= 0)
        return 0;
    return double(bytesSent + bytesReceived) / 1e6 / seconds;
}

double LoadTestResult::latencyPercentile(double p) const
{
    return percentile(latenciesMs, p);
}

QString LoadTestResult::summary() const
{
    if (!error.isEmpty())
        return QStringLiteral("Load test failed to run: %1").arg(error);
    QString s = QStringLiteral("%1%2 streams ok, %3 failed in %4 s · %5 MB/s · latency p50 %6 ms, p90 %7 ms, p99 %8 ms")
                    .arg(cancelled ? QStringLiteral("Cancelled: ") : QString())
                    .arg(ok).arg(failed)
                    .arg(seconds, 0, 'f', 2)
                    .arg(megabytesPerSecond(), 0, 'f', 2)
                    .arg(latencyPercentile(50), 0, 'f', 1)
                    .arg(latencyPercentile(90), 0, 'f', 1)
                    .arg(latencyPercentile(99), 0, 'f', 1);
    if (maxGuiDelayMs >= 0)
        s += QStringLiteral(" · GUI delay max %1 ms").arg(maxGuiDelayMs);
    return s;
}

QByteArray LoadTestResult::toJson() const
{
    QJsonObject c;
    c[QStringLiteral("target")] = config.target == LoadTestConfig::Target::Remote ? config.remoteAddress
                                                                                  : QStringLiteral("embedded");
    c[QStringLiteral("mode")] = workload::modeName(config.mode);
    c[QStringLiteral("streams")] = config.streams;
    c[QStringLiteral("bytes")] = double(config.bytes);
    c[QStringLiteral("parallelism")] = config.parallelism;
    QJsonObject o;
    o[QStringLiteral("config")] = c;
    o[QStringLiteral("ok")] = ok;
    o[QStringLiteral("failed")] = failed;
    o[QStringLiteral("cancelled")] = cancelled;
    if (!error.isEmpty())
        o[QStringLiteral("error")] = error;
    o[QStringLiteral("bytesSent")] = double(bytesSent);
    o[QStringLiteral("bytesReceived")] = double(bytesReceived);
    o[QStringLiteral("seconds")] = seconds;
    o[QStringLiteral("megabytesPerSecond")] = megabytesPerSecond();
    QJsonObject lat;
    lat[QStringLiteral("p50")] = latencyPercentile(50);
    lat[QStringLiteral("p90")] = latencyPercentile(90);
    lat[QStringLiteral("p99")] = latencyPercentile(99);
    lat[QStringLiteral("max")] = latencyPercentile(100);
    o[QStringLiteral("latencyMs")] = lat;
    o[QStringLiteral("maxGuiDelayMs")] = double(maxGuiDelayMs);
    o[QStringLiteral("failures")] = QJsonArray::fromStringList(failures);
    return QJsonDocument(o).toJson(QJsonDocument::Indented);
}

QByteArray LoadTestResult::toCsv() const
{
    QByteArray out = "mode,streams,bytes,parallelism,ok,failed,cancelled,seconds,mb_per_s,"
                     "p50_ms,p90_ms,p99_ms,bytes_sent,bytes_received,max_gui_delay_ms\n";
    out += QStringLiteral("%1,%2,%3,%4,%5,%6,%7,%8,%9,%10,%11,%12,%13,%14,%15\n")
               .arg(workload::modeName(config.mode)).arg(config.streams).arg(config.bytes)
               .arg(config.parallelism).arg(ok).arg(failed).arg(cancelled ? 1 : 0)
               .arg(seconds, 0, 'f', 3).arg(megabytesPerSecond(), 0, 'f', 3)
               .arg(latencyPercentile(50), 0, 'f', 2).arg(latencyPercentile(90), 0, 'f', 2)
               .arg(latencyPercentile(99), 0, 'f', 2).arg(bytesSent).arg(bytesReceived)
               .arg(maxGuiDelayMs)
               .toUtf8();
    return out;
}

} // namespace quicpool::diag
