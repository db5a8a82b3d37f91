#include "loadtestresult.h"

#include <workload/throughput.h>

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
// The CLI's formula (its mbps and interval lines), so the two agree.
double mbps(qint64 bytes, double seconds)
{
    return workload::megabytesPerSecond(bytes, seconds);
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
    return mbps(bytesSent, seconds());
}

double LoadTestInterval::receivedMegabytesPerSecond() const
{
    return mbps(bytesReceived, seconds());
}

double LoadTestInterval::bufferedMegabytesPerSecond() const
{
    return mbps(bytesBuffered, seconds());
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
    // Say what the rates count: what the peer acknowledged and what the
    // application read, not what went into the send buffers.
    QString s = QStringLiteral("%1%2 streams ok, %3 failed in %4 s · payload sent %5 MB/s, received %9 MB/s "
                               "(delivered: acknowledged by the server, read by the app) · "
                               "latency p50 %6 ms, p90 %7 ms, p99 %8 ms")
                    .arg(cancelled ? QStringLiteral("Cancelled: ") : QString())
                    .arg(ok).arg(failed)
                    .arg(seconds, 0, 'f', 2)
                    .arg(sentMegabytesPerSecond(), 0, 'f', 2)
                    .arg(latencyPercentile(50), 0, 'f', 1)
                    .arg(latencyPercentile(90), 0, 'f', 1)
                    .arg(latencyPercentile(99), 0, 'f', 1)
                    .arg(receivedMegabytesPerSecond(), 0, 'f', 2);
    if (refusedStreams > 0)
        s += QStringLiteral(" · the server refused %1 streams (its pool or stream limit was full)").arg(refusedStreams);
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
    o[QStringLiteral("deliveredSent")] = double(deliveredSent);
    o[QStringLiteral("deliveredReceived")] = double(deliveredReceived);
    o[QStringLiteral("bufferedSent")] = double(bufferedSent);
    o[QStringLiteral("refusedStreams")] = double(refusedStreams);
    // What each figure counts, so a reader of the file need not guess.
    QJsonObject counting;
    counting[QStringLiteral("sent")] = QStringLiteral("payload bytes the peer acknowledged");
    counting[QStringLiteral("received")] = QStringLiteral("payload bytes the application read");
    counting[QStringLiteral("buffered")] = QStringLiteral("payload bytes handed to the streams (send buffers)");
    counting[QStringLiteral("bytesSent")] = QStringLiteral("bytes handed to the streams, protocol bytes included");
    counting[QStringLiteral("bytesReceived")] = QStringLiteral("bytes read from the streams, protocol bytes included");
    o[QStringLiteral("counting")] = counting;
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
        j[QStringLiteral("seconds")] = i.seconds();
        j[QStringLiteral("bytesSent")] = double(i.bytesSent);
        j[QStringLiteral("bytesReceived")] = double(i.bytesReceived);
        j[QStringLiteral("bytesBuffered")] = double(i.bytesBuffered);
        j[QStringLiteral("sentMegabytesPerSecond")] = i.sentMegabytesPerSecond();
        j[QStringLiteral("receivedMegabytesPerSecond")] = i.receivedMegabytesPerSecond();
        j[QStringLiteral("bufferedMegabytesPerSecond")] = i.bufferedMegabytesPerSecond();
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
                     "p50_ms,p90_ms,p99_ms,bytes_sent,bytes_received,max_gui_delay_ms,"
                     "delivered_sent,delivered_received,buffered_sent,refused_streams\n";
    out += QStringLiteral("%1,%2,%3,%4,%5,%6,%7,%8,%9,%10,%11,%12,%13,%14,%15,%16,%17,%18,%19,%20,%21,%22,%23\n")
               .arg(workload::modeName(effectiveMode(config))).arg(config.streams).arg(config.bytes)
               .arg(config.parallelism).arg(ok).arg(failed).arg(cancelled ? 1 : 0)
               .arg(seconds, 0, 'f', 3).arg(transferSeconds, 0, 'f', 3)
               .arg(payloadSent).arg(payloadReceived)
               .arg(sentMegabytesPerSecond(), 0, 'f', 3).arg(receivedMegabytesPerSecond(), 0, 'f', 3)
               .arg(latencyPercentile(50), 0, 'f', 2).arg(latencyPercentile(90), 0, 'f', 2)
               .arg(latencyPercentile(99), 0, 'f', 2).arg(bytesSent).arg(bytesReceived)
               .arg(maxGuiDelayMs)
               .arg(deliveredSent).arg(deliveredReceived).arg(bufferedSent).arg(refusedStreams)
               .toUtf8();
    return out;
}

QByteArray LoadTestResult::intervalsCsv() const
{
    // bytes_sent: acknowledged by the peer; bytes_received: read by the
    // app; bytes_buffered: handed to the streams (see LoadTestInterval).
    QByteArray out = "start_s,end_s,bytes_sent,bytes_received,sent_mb_per_s,received_mb_per_s,completed,failed,"
                     "measured_s,bytes_buffered,buffered_mb_per_s\n";
    for (const LoadTestInterval &i : intervals) {
        out += QStringLiteral("%1,%2,%3,%4,%5,%6,%7,%8,%9,%10,%11\n")
                   .arg(i.start, 0, 'f', 3).arg(i.end, 0, 'f', 3).arg(i.bytesSent).arg(i.bytesReceived)
                   .arg(i.sentMegabytesPerSecond(), 0, 'f', 3).arg(i.receivedMegabytesPerSecond(), 0, 'f', 3)
                   .arg(i.completed).arg(i.failed)
                   .arg(i.seconds(), 0, 'f', 3).arg(i.bytesBuffered).arg(i.bufferedMegabytesPerSecond(), 0, 'f', 3)
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
