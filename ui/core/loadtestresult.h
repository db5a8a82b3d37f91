// What a load test is asked to do and what it found, with the pure maths
// (percentiles, MB/s) and the JSON / CSV exports.
#pragma once

#include <workload/protocol.h>

#include <QtCore/QByteArray>
#include <QtCore/QList>
#include <QtCore/QMetaType>
#include <QtCore/QString>
#include <QtCore/QStringList>

namespace quicpool::diag {

struct LoadTestConfig
{
    /// EmbeddedPair: a fresh loopback server+client pair made for the test.
    /// Remote: a client pool towards remoteAddress. Existing: a client pool
    /// the caller owns (its server must serve `mode`); it is not closed.
    enum class Target { EmbeddedPair, Remote, Existing };
    Target target = Target::EmbeddedPair;
    QString remoteAddress;          ///< Remote: "host:port" of `quicpool server --mode X`
    int tlsMode = 1;
    QString hostname;
    QByteArray pinSha256;
    int streams = 200;              ///< ignored when durationMs > 0
    /// Run for this long instead of a number of streams (iperf3's -t):
    /// streams start until it has passed, those running then finish.
    int durationMs = 0;
    qint64 bytes = 64 * 1024;       ///< per stream (echo / sink: sent; source: asked for)
    int parallelism = 8;
    workload::Mode mode = workload::Mode::Echo;
    /// A target payload rate in bytes per second (iperf3's -b): streams start
    /// no faster than that; 0: as fast as they go.
    qint64 rateBytesPerSecond = 0;
    /// The other direction (iperf3's -R): the server sends (sink becomes
    /// source and source sink; echo goes both ways already).
    bool reverse = false;
    /// The path between the test's client and server, through an in-process
    /// impairment relay (quicpool::relay::Relay): empty for none, a name of
    /// quicpool::relay::pathProfiles(), or "custom" with the three below.
    QString path;
    int pathRoundTripMs = 0;        ///< custom: added round trip
    double pathLossPercent = 0;     ///< custom: random loss each way, 0..100
    qint64 pathRateBytes = 0;       ///< custom: link rate each way in bytes/s, 0: unlimited
    int streamTimeoutMs = 15000;    ///< per stream, from taking it to its end
    int connectTimeoutMs = 10000;   ///< until the first stream is pooled
};

/// The mode the streams run: `mode`, turned around when `reverse` is set.
workload::Mode effectiveMode(const LoadTestConfig &config);

struct LoadTestProgress
{
    int total = 0;
    int ok = 0;
    int failed = 0;
    int running = 0;
    qint64 bytesSent = 0;           ///< handed to the streams, protocol bytes included
    qint64 bytesReceived = 0;       ///< read from the streams, protocol bytes included
    /// Payload delivered so far (LoadTestInterval's bytesSent and
    /// bytesReceived, added up), and payload handed to the streams.
    qint64 deliveredSent = 0;
    qint64 deliveredReceived = 0;
    qint64 bufferedSent = 0;
    double elapsedSeconds = 0;
    int done() const { return ok + failed; }
};

/// One second of a run (iperf3's interval), counted from the first stream
/// taken. Bytes are payload as delivered (workload::StreamRunner's
/// payloadTransferred): sent is what the peer acknowledged, received what
/// the application read; a buffer filling faster than the link shows only
/// in bytesBuffered, never in the throughput.
struct LoadTestInterval
{
    double start = 0;               ///< seconds since the first stream, on whole seconds
    double end = 0;                 ///< start + 1, or the run's end for the last one
    qint64 bytesSent = 0;           ///< payload the peer acknowledged
    qint64 bytesReceived = 0;       ///< payload the application read
    int completed = 0;              ///< streams that ended ok in it
    int failed = 0;
    /// The time the bytes were counted over: end - start, unless the timer
    /// that closes intervals ran late (then a little more, and the next
    /// one a little less). The rates divide by it; 0: end - start.
    double measuredSeconds = 0;
    qint64 bytesBuffered = 0;       ///< payload handed to the streams (the sender's buffers)
    double seconds() const { return measuredSeconds > 0 ? measuredSeconds : end - start; }
    double sentMegabytesPerSecond() const;
    double receivedMegabytesPerSecond() const;
    double bufferedMegabytesPerSecond() const;
};

/// One stream of a run, as `quicpool client` prints it per stream.
struct LoadTestStream
{
    QString id;
    double startSeconds = 0;        ///< since the first stream
    double milliseconds = 0;        ///< from taking it to its verdict
    qint64 payloadBytes = 0;        ///< one direction, as RunResult::bytes
    bool ok = false;
    QString error;
};

struct LoadTestResult
{
    LoadTestConfig config;
    int ok = 0;
    int failed = 0;
    bool cancelled = false;
    QString error;                  ///< set when the test could not run at all
    qint64 bytesSent = 0;           ///< handed to the streams, protocol bytes included
    qint64 bytesReceived = 0;       ///< read from the streams, protocol bytes included
    /// Payload delivered each way, failed streams included: the intervals'
    /// figures added up (acknowledged by the peer / read by the app).
    qint64 deliveredSent = 0;
    qint64 deliveredReceived = 0;
    qint64 bufferedSent = 0;        ///< payload handed to the streams
    /// Streams the server refused while the test ran (closed before their
    /// ID: a full server pool or its stream limit), as the client pool
    /// counted them. Zero for the embedded pair, which is never the bottleneck.
    qint64 refusedStreams = 0;
    double seconds = 0;             ///< the whole test, connecting included
    /// Payload of the streams that succeeded, each way, and the time from
    /// the first stream taken to the last stream's end: what `quicpool
    /// client` divides (echo: both ways; sink: sent; source: received).
    qint64 payloadSent = 0;
    qint64 payloadReceived = 0;
    double transferSeconds = 0;
    QList<double> latenciesMs;      ///< of the streams that succeeded
    QList<LoadTestInterval> intervals;
    QList<LoadTestStream> streams;
    QStringList failures;           ///< first few reasons, for the summary
    qint64 maxGuiDelayMs = -1;      ///< filled in by the GUI, -1 when unknown

    /// Payload MB (10^6) per second each way, as the CLI computes its mbps:
    /// never the two directions added together.
    double sentMegabytesPerSecond() const;
    double receivedMegabytesPerSecond() const;
    double latencyPercentile(double p) const;
    QString summary() const;
    /// Summary, "intervals" and "streams" in one document.
    QByteArray toJson() const;
    /// The summary: a header and one row.
    QByteArray toCsv() const;
    /// One row per interval.
    QByteArray intervalsCsv() const;
    /// One row per stream (id, start, latency, bytes, ok, error).
    QByteArray streamsCsv() const;
};

/// Payload bytes each way of one successful stream of `mode` whose
/// RunResult::bytes is `bytes` (the payload, one direction).
qint64 payloadSentFor(workload::Mode mode, qint64 bytes);
qint64 payloadReceivedFor(workload::Mode mode, qint64 bytes);

/// A CSV field: quoted when it holds a comma, quote or line break.
QString csvField(const QString &text);

/// Nearest-rank percentile (p in 0..100) of unsorted values; 0 when empty.
double percentile(QList<double> values, double p);

} // namespace quicpool::diag

Q_DECLARE_METATYPE(quicpool::diag::LoadTestProgress)
Q_DECLARE_METATYPE(quicpool::diag::LoadTestResult)
