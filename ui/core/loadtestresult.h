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
    int streams = 200;
    qint64 bytes = 64 * 1024;       ///< per stream (echo / sink: sent; source: asked for)
    int parallelism = 8;
    workload::Mode mode = workload::Mode::Echo;
    int streamTimeoutMs = 15000;    ///< per stream, from taking it to its end
    int connectTimeoutMs = 10000;   ///< until the first stream is pooled
};

struct LoadTestProgress
{
    int total = 0;
    int ok = 0;
    int failed = 0;
    int running = 0;
    qint64 bytesSent = 0;
    qint64 bytesReceived = 0;
    double elapsedSeconds = 0;
    int done() const { return ok + failed; }
};

struct LoadTestResult
{
    LoadTestConfig config;
    int ok = 0;
    int failed = 0;
    bool cancelled = false;
    QString error;                  ///< set when the test could not run at all
    qint64 bytesSent = 0;
    qint64 bytesReceived = 0;
    double seconds = 0;
    QList<double> latenciesMs;      ///< of the streams that succeeded
    QStringList failures;           ///< first few reasons, for the summary
    qint64 maxGuiDelayMs = -1;      ///< filled in by the GUI, -1 when unknown

    /// Application bytes moved both ways per second, in MB (10^6).
    double megabytesPerSecond() const;
    double latencyPercentile(double p) const;
    QString summary() const;
    QByteArray toJson() const;
    QByteArray toCsv() const;
};

/// Nearest-rank percentile (p in 0..100) of unsorted values; 0 when empty.
double percentile(QList<double> values, double p);

} // namespace quicpool::diag

Q_DECLARE_METATYPE(quicpool::diag::LoadTestProgress)
Q_DECLARE_METATYPE(quicpool::diag::LoadTestResult)
