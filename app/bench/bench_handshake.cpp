#include "bench_handshake.h"

#include "bench_resources.h"
#include "bench_stats.h"

#include <QtCore/QElapsedTimer>
#include <QtCore/QEventLoop>
#include <QtCore/QTimer>
#include <algorithm>
#include <ctime>
#include <functional>
#include <memory>
#include <pthread.h>
#include <vector>

namespace quicpool::cli::bench {

namespace {

/// CPU seconds one thread has used so far (Linux lets any thread of the
/// process read another's clock).
double threadCpuSeconds(clockid_t clock)
{
    timespec ts{};
    if (clock_gettime(clock, &ts) != 0)
        return -1;
    return double(ts.tv_sec) + double(ts.tv_nsec) / 1e9;
}

} // namespace

RunOutcome runHandshake(const WorkloadContext &context)
{
    const bool remote = !context.connect.isEmpty();
    QuicServer server(context.worker);
    QString error;
    if (!remote && !server.start(16, workload::Mode::Echo, &error, context.congestionControl))
        return RunOutcome::failure(error);
    clockid_t serverClock{};
    bool haveServerClock = false;
    if (!remote) {
        pthread_t tid{};
        context.worker->run([&tid] { tid = pthread_self(); });
        haveServerClock = pthread_getcpuclockid(tid, &serverClock) == 0;
    }
    const QString address = remote ? context.connect : server.address();
    const int parallel = context.sizes.handshakeParallel;
    const double seconds = context.sizes.handshakeSeconds;
    context.progress(QStringLiteral("handshake: %1 s of dials, %2 at a time, to %3").arg(seconds).arg(parallel).arg(address));

    // Each slot dials, waits for the handshake, closes and dials again. A
    // pool per dial: the handshake a NodePass client makes, nothing held over.
    struct Slot
    {
        std::unique_ptr<ClientPool> pool;
        int64_t startedNs = 0;
    };
    std::vector<Slot> dialers(static_cast<size_t>(parallel));
    std::vector<double> latencies;
    int completed = 0;
    QString failure;
    QEventLoop loop;
    QObject ctx;
    bool stopping = false;
    std::function<void(size_t)> dial = [&](size_t i) {
        if (stopping)
            return;
        ClientPoolConfig config = benchClientConfig(address, 1, Milliseconds(60000), context.congestionControl);
        config.setMaxBackoff(Milliseconds(100));
        auto pool = std::make_unique<ClientPool>(config);
        ClientPool *raw = pool.get();
        QObject::connect(raw, &Pool::connected, &ctx, [&, i, raw] {
            if (dialers[i].pool.get() != raw)
                return;
            latencies.push_back(double(nowNs() - dialers[i].startedNs) / 1e3);
            ++completed;
            // Not from inside the pool's own signal: it carries on after us.
            QTimer::singleShot(0, &ctx, [&, i] {
                dialers[i].pool.reset();
                dial(i);
            });
        }, Qt::QueuedConnection);
        QObject::connect(raw, &Pool::errorOccurred, &ctx, [&](const Error &e) {
            if (failure.isEmpty() && !stopping)
                failure = QStringLiteral("a dial failed: %1").arg(e.toString());
        });
        dialers[i].startedNs = nowNs();
        dialers[i].pool = std::move(pool);
        if (!raw->start() && failure.isEmpty())
            failure = QStringLiteral("a client pool did not start: %1").arg(raw->lastError().toString());
    };

    const double cpuBefore = processCpuSeconds();
    const double serverBefore = haveServerClock ? threadCpuSeconds(serverClock) : -1;
    QElapsedTimer wall;
    wall.start();
    for (size_t i = 0; i < dialers.size(); ++i)
        dial(i);
    QTimer::singleShot(int(seconds * 1000), &loop, [&] { loop.quit(); });
    QTimer check;
    QObject::connect(&check, &QTimer::timeout, &loop, [&] {
        if (!failure.isEmpty())
            loop.quit();
    });
    check.start(50);
    loop.exec();
    stopping = true;
    const double elapsed = double(wall.nsecsElapsed()) / 1e9;
    const int done = completed;
    const double serverCpu = haveServerClock ? threadCpuSeconds(serverClock) - serverBefore : -1;
    const double processCpu = processCpuSeconds() - cpuBefore;
    dialers.clear();
    if (!failure.isEmpty())
        return RunOutcome::failure(failure);
    if (done == 0)
        return RunOutcome::failure(QStringLiteral("no handshake completed in %1 s").arg(elapsed));

    std::sort(latencies.begin(), latencies.end());
    RunOutcome out;
    out.add(QStringLiteral("handshakes_per_s"), QStringLiteral("1/s"), double(done) / elapsed);
    out.add(QStringLiteral("handshake_p50_ms"), QStringLiteral("ms"), percentileSorted(latencies, 0.50) / 1e3);
    if (serverCpu > 0) {
        const double perHandshake = serverCpu / double(done);
        out.add(QStringLiteral("server_cpu_us_per_handshake"), QStringLiteral("us"), perHandshake * 1e6);
        out.add(QStringLiteral("handshakes_per_server_core_s"), QStringLiteral("1/s"), 1.0 / perHandshake);
    }
    out.add(QStringLiteral("process_cpu_us_per_handshake"), QStringLiteral("us"), processCpu / double(done) * 1e6);
    out.note(QStringLiteral("%1 client pools dialing at once, each closed when connected; %2")
                 .arg(parallel)
                 .arg(remote ? QStringLiteral("against %1 (its CPU is not seen from here)").arg(context.connect)
                             : QStringLiteral("server on its own thread in this process, its CPU from the thread's clock")));
    return out;
}

} // namespace quicpool::cli::bench
