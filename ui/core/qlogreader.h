// Reads qlog files (draft-ietf-quic-qlog-main-schema and -quic-events) into
// what the app's qlog viewer draws: one connection's congestion window,
// bytes in flight, RTTs, packets sent / received / lost and stream data
// over time. QuicPool writes them through ngtcp2 (`--qlog DIR`, the pool
// forms' "Write qlog"); quic-go, quiche and others write the same schema.
//
// Forms read: JSON text sequences (`.sqlog`: RFC 7464, records after 0x1E;
// qlog 0.3 and later, and newline-delimited JSON) and one JSON document
// (`.qlog`: "qlog_version" 0.3 or the drafts before it, traces[].events[],
// events as objects or, in the oldest drafts, as arrays named by
// "event_fields"). Event names with the older categories
// ("recovery:metrics_updated", "transport:packet_sent") and the later
// "quic:" ones ("quic:recovery_metrics_updated") both count. Times follow
// the trace's time_format (relative, absolute, delta) and time units.
//
// Bounded whatever the file: the bytes stream through JsonStream, each
// event is built into a record of bounded size and dropped after use, and
// every series lives in AdaptiveBuckets, so a 1 GB file takes the memory of
// a 1 MB one. Bad input (not JSON, truncated, nested too deep, wrong types,
// numbers out of range, a storm of 0x1E) ends in a sentence or in warnings,
// never in a crash. Pure: Qt Core only, no I/O but readQlogFile().
#pragma once

#include <QtCore/QDateTime>
#include <QtCore/QList>
#include <QtCore/QMetaType>
#include <QtCore/QPointF>
#include <QtCore/QString>
#include <QtCore/QStringList>

#include <functional>
#include <memory>

namespace quicpool::diag {

/// One connection's figures over time, as the viewer draws them. Times are
/// seconds since the trace's first event.
struct QlogTrace
{
    QString fileFormat;              ///< "JSON-SEQ" or "JSON"
    QString qlogVersion;             ///< "0.3", "draft-02", "" when the file does not say
    QString title;
    QString producer;                ///< vantage_point.name: "ngtcp2", "quic-go", …
    QString vantagePoint;            ///< "client", "server", "network", ""
    QString groupId;                 ///< group_id or ODCID, hex
    QDateTime startedAt;             ///< wall-clock time of t = 0, invalid when the file does not say
    double durationSeconds = 0;      ///< from the first event to the last
    int traceCount = 0;              ///< traces in the file; only the first is read

    QList<QPointF> congestionWindow; ///< bytes
    QList<QPointF> bytesInFlight;    ///< bytes
    QList<QPointF> smoothedRtt;      ///< ms
    QList<QPointF> latestRtt;        ///< ms
    QList<QPointF> minRtt;           ///< ms
    QList<QPointF> packetsSent;      ///< packets per second
    QList<QPointF> packetsReceived;  ///< packets per second
    QList<QPointF> packetsLost;      ///< packets per second
    QList<QPointF> streamBytesSent;  ///< STREAM frame payload, bytes per second
    QList<QPointF> streamBytesReceived;

    qint64 events = 0;               ///< events read (every name)
    qint64 eventsUsed = 0;           ///< events that fed a chart
    qint64 packetsSentTotal = 0;
    qint64 packetsReceivedTotal = 0;
    qint64 packetsLostTotal = 0;
    qint64 streamBytesSentTotal = 0;
    qint64 streamBytesReceivedTotal = 0;
    double maxCongestionWindow = 0;  ///< bytes
    double lowestMinRtt = -1;        ///< ms, -1 when none was logged
    /// Things a reader should know (records skipped, times out of order,
    /// values ignored), one sentence each, the first few of each kind.
    QStringList warnings;

    /// Whether any chart has a point.
    bool hasFigures() const;
};

struct QlogParseResult
{
    QlogTrace trace;
    QString error;                   ///< a sentence when the file could not be read as a qlog
    bool ok() const { return error.isEmpty(); }
};

/// Limits that keep any file's cost bounded.
struct QlogLimits
{
    int bucketsPerSeries = 2048;     ///< gauge samples kept per series (see AdaptiveBuckets)
    int rateBins = 400;              ///< points of the per-second series
    int maxRecordNodes = 20000;      ///< JSON values in one event or header; larger ones are skipped
    qsizetype maxRecordText = 1 << 20;
    int maxDepth = 256;              ///< nesting anywhere in the file
};

/// Reads a qlog file fed in chunks of any size (the file, a socket, a
/// fuzzer's input). Holds no byte of the input after feed() returns.
class QlogParser
{
public:
    explicit QlogParser(const QlogLimits &limits = {});
    ~QlogParser();
    QlogParser(const QlogParser &) = delete;
    QlogParser &operator=(const QlogParser &) = delete;

    void feed(QByteArrayView bytes);
    /// The input has ended: the result (call once).
    QlogParseResult finish();
    qint64 bytesRead() const;

private:
    class Private;
    std::unique_ptr<Private> d;
};

/// The whole of a qlog file's bytes in, a trace or a sentence out: the
/// plain entry point for tests and fuzzers (QlogParser underneath).
QlogParseResult parseQlog(QByteArrayView bytes, const QlogLimits &limits = {});

/// Reads the file at `path` in 1 MiB chunks. `progress` (optional) is
/// called after each chunk with the bytes read and the file's size; when
/// it returns false the read stops and the result says it was cancelled.
QlogParseResult readQlogFile(const QString &path,
                             const std::function<bool(qint64 done, qint64 total)> &progress = {},
                             const QlogLimits &limits = {});

/// The trace's series as CSV, one row per point: "series,unit,time_s,value".
QByteArray qlogSeriesCsv(const QlogTrace &trace);

} // namespace quicpool::diag

Q_DECLARE_METATYPE(quicpool::diag::QlogParseResult)
