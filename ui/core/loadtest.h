// The load-test engine: runs `streams` exchanges of the workload protocol
// (workload/include/workload/protocol.h) with at most `parallelism` at once,
// each through a workload::StreamRunner, over a client pool it makes itself
// (towards an embedded server pool it also makes and serves, or towards a
// remote `quicpool server --mode X`). Uses only libpool's public API and
// lives on the worker thread; cancel() works at any moment.
#pragma once

#include "loadtestresult.h"

#include <QtCore/QElapsedTimer>
#include <QtCore/QHash>
#include <QtCore/QObject>
#include <QtCore/QPointer>
#include <QtCore/QTimer>

#include <quicpool/pool.h>

namespace quicpool::workload {
class StreamRunner;
struct RunResult;
class StreamServer;
}

namespace quicpool::relay {
class Relay;
}

namespace quicpool::diag {

/// How the app serves a server pool (the embedded pair, a server pool the
/// user opened with "serve"): a started workload::StreamServer with the
/// app's limits (an idle served stream is reset after 5 minutes, a source
/// request is capped at 2^40 bytes) and a debug line per stream in the
/// quicpool.ui.serve logging category.
workload::StreamServer *startServing(ServerPool *pool, workload::Mode mode, QObject *parent);

/// The client pool a load test makes for itself: `parallelism` streams
/// ready from the start, up to twice that pooled, refilled every 10 to
/// 200 ms. The refill interval bounds the figures as much as the path
/// does: at NodePass's 100 ms .. 1 s, 16 echo streams of 1 MiB spend more
/// time waiting for pooled streams than moving bytes on loopback.
ClientPoolConfig loadTestPoolConfig(const LoadTestConfig &config);

/// The capacity (and so the QUIC stream limit, initial_max_streams_bidi)
/// of the embedded pair's server pool for a client pool `client` running
/// `parallelism` streams at once, so the pair made for a test is never its
/// bottleneck. The client holds at once up to its capacity pooled, the
/// streams in flight, and the streams closing: finished on the client, but
/// still counted against the server's limit until the server has seen the
/// acknowledgement of its FIN and granted the slot back, a round trip plus
/// the client's acknowledgement delay (25 ms) later, more after a loss. On
/// loopback a stream can finish in a millisecond, so the streams closing
/// at once can be many times the parallelism: the limit leaves room for
/// 16 times the pool and the streams in flight. A limit costs nothing
/// until streams are opened, and the client opens only what it pools.
int embeddedServerCapacity(const ClientPoolConfig &client, int parallelism);

class LoadTest : public QObject
{
    Q_OBJECT
public:
    explicit LoadTest(const LoadTestConfig &config, QObject *parent = nullptr);
    /// Target::Existing: runs over this pool (same thread), leaving it open.
    LoadTest(const LoadTestConfig &config, ClientPool *existing, QObject *parent = nullptr);
    ~LoadTest() override;

    const LoadTestConfig &config() const { return m_config; }
    void start();
    void cancel();
    bool isRunning() const { return m_running; }
    LoadTestProgress progress() const;
    /// The in-process relay of the path (null without one).
    relay::Relay *pathRelay() const { return m_relay; }
    /// The client pool in use (null before start / after the end).
    ClientPool *clientPool() const { return m_client; }

Q_SIGNALS:
    void progressed(const quicpool::diag::LoadTestProgress &progress);
    void finished(const quicpool::diag::LoadTestResult &result);

private:
    void launchJobs();
    Stream *takeReadyStream();
    void jobDone(workload::StreamRunner *job, const workload::RunResult &r);
    bool moreToStart() const;
    double sinceFirst() const;
    void closeInterval(double end);
    /// The interval timer: closes the current second at its nominal end
    /// and arms itself for the next.
    void onIntervalBoundary();
    /// Has every running stream report what the peer acknowledged since.
    void pollAcknowledged();
    void finish(const QString &error = {});
    void onTick();

    bool routeThroughPath(ClientPoolConfig *cc, const QHostAddress &upstream, quint16 upstreamPort);
    bool rateAllowsAnother() const;

    LoadTestConfig m_config;
    workload::Mode m_mode = workload::Mode::Echo; ///< effectiveMode(m_config)
    relay::Relay *m_relay = nullptr;
    QPointer<ServerPool> m_server;
    QPointer<ClientPool> m_client;
    workload::StreamServer *m_streamServer = nullptr;
    QList<workload::StreamRunner *> m_jobs;
    QTimer m_tick;
    QTimer m_intervalTimer;           ///< precise: closes intervals on whole seconds
    QElapsedTimer m_clock;
    qint64 m_lastStreamAtMs = 0;
    qint64 m_firstStreamNs = -1;      ///< m_clock time of the first stream taken
    qint64 m_lastEndNs = -1;          ///< and of the last stream's end
    QHash<workload::StreamRunner *, double> m_startedAt; ///< seconds since the first stream
    LoadTestInterval m_interval;      ///< the second being counted
    double m_intervalOpenedAt = 0;    ///< sinceFirst() when m_interval began counting
    qint64 m_refusedAtStart = 0;      ///< the client pool's refusedStreamCount() before the test
    int m_started = 0;
    int m_skippedStale = 0;
    LoadTestResult m_result;
    bool m_running = false;
    bool m_gotFirstStream = false;
    bool m_ownsClient = true;
};

} // namespace quicpool::diag
