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

namespace {
double mbps(qint64 bytes, double seconds)
{
    return seconds > 0 ? double(bytes) / 1e6 / seconds : 0.0;
}
} // namespace

workload::Mode effectiveMode(const LoadTestConfig &config)
{
    if (!config.reverse)
        return config.mode;
    switch (config.mode) {
    case workload::Mode::Sink: return workload::Mode::Source;
    case workload::Mode::Source: return workload::Mode::Sink;
    case workload::Mode::Echo:
    case workload::Mode::Hold: break;
    }
    return config.mode;
}

qint64 payloadSentFor(workload::Mode mode, qint64 bytes)
{
    return mode == workload::Mode::Source ? 0 : bytes;
}

qint64 payloadReceivedFor(workload::Mode mode, qint64 bytes)
{
    return mode == workload::Mode::Sink || mode == workload::Mode::Hold ? 0 : bytes;
}

QString csvField(const QString &text)
{
    if (!text.contains(QLatin1Char(',')) && !text.contains(QLatin1Char('"')) && !text.contains(QLatin1Char('\n'))
        && !text.contains(QLatin1Char('\r')))
        return text;
    QString quoted = text;
    quoted.replace(QLatin1String("\""), QLatin1String("\"\""));
    return QLatin1Char('"') + quoted + QLatin1Char('"');
}

double LoadTestInterval::sentMegabytesPerSecond() const
{
    return mbps(bytesSent, end - start);
}

double LoadTestInterval::receivedMegabytesPerSecond() const
{
    return mbps(bytesReceived, end - start);
}

double LoadTestResult::sentMegabytesPerSecond() const
{
    return mbps(payloadSent, transferSeconds);
}

double LoadTestResult::receivedMegabytesPerSecond() const
{
    return mbps(payloadReceived, transferSeconds);
}

double LoadTestResult::latencyPercentile(double p) const
{
    return percentile(latenciesMs, p);
}

QString LoadTestResult::summary() const
{
    if (!error.isEmpty())
        return QStringLiteral("Load test failed to run: %1").arg(error);
    QString s = QStringLiteral("%1%2 streams ok, %3 failed in %4 s · payload sent %5 MB/s, received %9 MB/s · "
                               "latency p50 %6 ms, p90 %7 ms, p99 %8 ms")
                    .arg(cancelled ? QStringLiteral("Cancelled: ") : QString())
                    .arg(ok).arg(failed)
                    .arg(seconds, 0, 'f', 2)
                    .arg(sentMegabytesPerSecond(), 0, 'f', 2)
                    .arg(latencyPercentile(50), 0, 'f', 1)
                    .arg(latencyPercentile(90), 0, 'f', 1)
                    .arg(latencyPercentile(99), 0, 'f', 1)
                    .arg(receivedMegabytesPerSecond(), 0, 'f', 2);
    if (maxGuiDelayMs >= 0)
        s += QStringLiteral(" · GUI delay max %1 ms").arg(maxGuiDelayMs);
    return s;
}

QByteArray LoadTestResult::toJson() const
{
    QJsonObject c;
    c[QStringLiteral("target")] = config.target == LoadTestConfig::Target::Remote ? config.remoteAddress
                                                                                  : QStringLiteral("embedded");
    c[QStringLiteral("mode")] = workload::modeName(effectiveMode(config));
    if (config.reverse)
        c[QStringLiteral("reverse")] = true;
    if (config.rateBytesPerSecond > 0)
        c[QStringLiteral("rateBytesPerSecond")] = double(config.rateBytesPerSecond);
    if (!config.path.isEmpty()) {
        c[QStringLiteral("path")] = config.path;
        if (config.path == QLatin1String("custom")) {
            c[QStringLiteral("pathRoundTripMs")] = config.pathRoundTripMs;
            c[QStringLiteral("pathLossPercent")] = config.pathLossPercent;
            c[QStringLiteral("pathRateBytes")] = double(config.pathRateBytes);
        }
    }
    c[QStringLiteral("streams")] = config.streams;
    c[QStringLiteral("bytes")] = double(config.bytes);
    c[QStringLiteral("parallelism")] = config.parallelism;
    if (config.durationMs > 0)
        c[QStringLiteral("durationMs")] = config.durationMs;
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
    o[QStringLiteral("transferSeconds")] = transferSeconds;
    o[QStringLiteral("payloadSent")] = double(payloadSent);
    o[QStringLiteral("payloadReceived")] = double(payloadReceived);
    o[QStringLiteral("sentMegabytesPerSecond")] = sentMegabytesPerSecond();
    o[QStringLiteral("receivedMegabytesPerSecond")] = receivedMegabytesPerSecond();
    QJsonObject lat;
    lat[QStringLiteral("p50")] = latencyPercentile(50);
    lat[QStringLiteral("p90")] = latencyPercentile(90);
    lat[QStringLiteral("p99")] = latencyPercentile(99);
    lat[QStringLiteral("max")] = latencyPercentile(100);
    o[QStringLiteral("latencyMs")] = lat;
    o[QStringLiteral("maxGuiDelayMs")] = double(maxGuiDelayMs);
    o[QStringLiteral("failures")] = QJsonArray::fromStringList(failures);
    QJsonArray iv;
    for (const LoadTestInterval &i : intervals) {
        QJsonObject j;
        j[QStringLiteral("start")] = i.start;
        j[QStringLiteral("end")] = i.end;
        j[QStringLiteral("bytesSent")] = double(i.bytesSent);
        j[QStringLiteral("bytesReceived")] = double(i.bytesReceived);
        j[QStringLiteral("sentMegabytesPerSecond")] = i.sentMegabytesPerSecond();
        j[QStringLiteral("receivedMegabytesPerSecond")] = i.receivedMegabytesPerSecond();
        j[QStringLiteral("completed")] = i.completed;
        j[QStringLiteral("failed")] = i.failed;
        iv.append(j);
    }
    o[QStringLiteral("intervals")] = iv;
    QJsonArray st;
    for (const LoadTestStream &x : streams) {
        QJsonObject j;
        j[QStringLiteral("id")] = x.id;
        j[QStringLiteral("start")] = x.startSeconds;
        j[QStringLiteral("ms")] = x.milliseconds;
        j[QStringLiteral("bytes")] = double(x.payloadBytes);
        j[QStringLiteral("ok")] = x.ok;
        if (!x.error.isEmpty())
            j[QStringLiteral("error")] = x.error;
        st.append(j);
    }
    o[QStringLiteral("streams")] = st;
    return QJsonDocument(o).toJson(QJsonDocument::Indented);
}

QByteArray LoadTestResult::toCsv() const
{
    QByteArray out = "mode,streams,bytes,parallelism,ok,failed,cancelled,seconds,transfer_seconds,"
                     "payload_sent,payload_received,sent_mb_per_s,received_mb_per_s,"
                     "p50_ms,p90_ms,p99_ms,bytes_sent,bytes_received,max_gui_delay_ms\n";
    out += QStringLiteral("%1,%2,%3,%4,%5,%6,%7,%8,%9,%10,%11,%12,%13,%14,%15,%16,%17,%18,%19\n")
               .arg(workload::modeName(effectiveMode(config))).arg(config.streams).arg(config.bytes)
               .arg(config.parallelism).arg(ok).arg(failed).arg(cancelled ? 1 : 0)
               .arg(seconds, 0, 'f', 3).arg(transferSeconds, 0, 'f', 3)
               .arg(payloadSent).arg(payloadReceived)
               .arg(sentMegabytesPerSecond(), 0, 'f', 3).arg(receivedMegabytesPerSecond(), 0, 'f', 3)
               .arg(latencyPercentile(50), 0, 'f', 2).arg(latencyPercentile(90), 0, 'f', 2)
               .arg(latencyPercentile(99), 0, 'f', 2).arg(bytesSent).arg(bytesReceived)
               .arg(maxGuiDelayMs)
               .toUtf8();
    return out;
}

QByteArray LoadTestResult::intervalsCsv() const
{
    QByteArray out = "start_s,end_s,bytes_sent,bytes_received,sent_mb_per_s,received_mb_per_s,completed,failed\n";
    for (const LoadTestInterval &i : intervals) {
        out += QStringLiteral("%1,%2,%3,%4,%5,%6,%7,%8\n")
                   .arg(i.start, 0, 'f', 3).arg(i.end, 0, 'f', 3).arg(i.bytesSent).arg(i.bytesReceived)
                   .arg(i.sentMegabytesPerSecond(), 0, 'f', 3).arg(i.receivedMegabytesPerSecond(), 0, 'f', 3)
                   .arg(i.completed).arg(i.failed)
                   .toUtf8();
    }
    return out;
}

QByteArray LoadTestResult::streamsCsv() const
{
    QByteArray out = "id,start_s,latency_ms,payload_bytes,ok,error\n";
    for (const LoadTestStream &x : streams) {
        out += QStringLiteral("%1,%2,%3,%4,%5,%6\n")
                   .arg(csvField(x.id)).arg(x.startSeconds, 0, 'f', 3).arg(x.milliseconds, 0, 'f', 3)
                   .arg(x.payloadBytes).arg(x.ok ? 1 : 0).arg(csvField(x.error))
                   .toUtf8();
    }
    return out;
}

} // namespace quicpool::diag
