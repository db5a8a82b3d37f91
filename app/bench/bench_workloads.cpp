#include "bench_workloads.h"

#include "bench_resources.h"
#include "bench_stats.h"
#include "units.h"

#include <QtCore/QEventLoop>
#include <QtCore/QHash>
#include <QtCore/QMutex>
#include <QtCore/QTimer>
#include <vector>

#include <workload/streamrunner.h>

namespace quicpool::cli::bench {

namespace {

constexpr double kGiB = 1024.0 * 1024.0 * 1024.0;
constexpr qint64 kEchoSize = 64;
/// Refill interval for pools that must not refill while we measure.
constexpr Milliseconds kQuietInterval{60000};

double microseconds(int64_t ns) { return double(ns) / 1e3; }
double milliseconds(int64_t ns) { return double(ns) / 1e6; }

std::unique_ptr<ClientPool> startClient(const QString &address, int capacity, Milliseconds interval,
                                        QString *error,
                                        std::optional<CongestionControl> congestionControl = std::nullopt,
                                        std::chrono::microseconds busyPoll = std::chrono::microseconds(0))
{
    ClientPoolConfig config = benchClientConfig(address, capacity, interval, congestionControl);
    config.setBusyPoll(busyPoll);
    auto client = std::make_unique<ClientPool>(config);
    if (!client->start()) {
        *error = QStringLiteral("the client pool did not start: %1").arg(client->lastError().toString());
        return nullptr;
    }
    return client;
}

/// Waits until the client (and the in-process server, if any) pool enough streams.
bool waitForPools(ClientPool *client, int clientStreams, const QuicServer *server, int serverStreams,
                  std::chrono::milliseconds timeout, QString *error)
{
    const bool ok = spinUntil([&] {
        return client->active() >= clientStreams && (!server || server->active() >= serverStreams);
    }, timeout);
    if (!ok) {
        *error = QStringLiteral("only %1 of %2 streams were pooled after %3 s%4")
                     .arg(client->active())
                     .arg(clientStreams)
                     .arg(double(timeout.count()) / 1000.0)
                     .arg(client->lastError().isError()
                              ? QStringLiteral(" (last error: %1)").arg(client->lastError().toString())
                              : QString());
    }
    return ok;
}

/// Quits loop when the deadline passes; remembers that it did.
struct Deadline
{
    QTimer timer;
    bool expired = false;
    Deadline(QEventLoop *loop, std::chrono::milliseconds timeout)
    {
        timer.setSingleShot(true);
        QObject::connect(&timer, &QTimer::timeout, loop, [this, loop] {
            expired = true;
            loop->quit();
        });
        timer.start(int(std::min<qint64>(timeout.count(), std::numeric_limits<int>::max())));
    }
};

} // namespace

// ---------------------------------------------------------------- fill

RunOutcome runFill(const WorkloadContext &context)
{
    if (!context.connect.isEmpty())
        return RunOutcome::skip(QStringLiteral("needs the in-process server (its capacity must match each pool size)"));
    RunOutcome out;
    out.note(QStringLiteral("from ClientPool::start() (dial and TLS handshake included) to active() == N; "
                            "fill_N_streams_ms counts from the handshake's end, fill_N_first_ms from there to the first pooled stream; "
                            "close_N_ms is close() and delete of the full client pool"));
    for (int n : context.sizes.fillStreams) {
        context.progress(QStringLiteral("fill: %1 streams").arg(n));
        QuicServer server(context.worker);
        QString error;
        if (!server.start(n, workload::Mode::Hold, &error))
            return RunOutcome::failure(error);
        auto owned = std::make_unique<ClientPool>(benchClientConfig(server.address(), n, kQuietInterval));
        ClientPool &client = *owned;
        QEventLoop loop;
        QObject ctx;
        int64_t connectedNs = 0, firstNs = 0, fullNs = 0;
        QString poolError;
        QObject::connect(&client, &Pool::connected, &ctx, [&] { connectedNs = nowNs(); });
        QObject::connect(&client, &Pool::streamPooled, &ctx, [&] {
            if (!firstNs)
                firstNs = nowNs();
            if (!fullNs && client.active() >= n) {
                fullNs = nowNs();
                loop.quit();
            }
        });
        QObject::connect(&client, &Pool::errorOccurred, &ctx, [&](const Error &e) {
            poolError = e.toString();
            loop.quit();
        });
        Deadline deadline(&loop, std::chrono::milliseconds(10000 + 5 * qint64(n)));
        const int64_t startNs = nowNs();
        if (!client.start())
            return RunOutcome::failure(client.lastError().toString());
        loop.exec();
        if (!fullNs) {
            const QString why = !poolError.isEmpty() ? poolError
                : QStringLiteral("%1 of %2 streams after %3 s").arg(client.active()).arg(n)
                      .arg(double(deadline.timer.interval()) / 1000.0);
            return RunOutcome::failure(QStringLiteral("fill %1: %2").arg(n).arg(why));
        }
        out.add(QStringLiteral("fill_%1_ms").arg(n), QStringLiteral("ms"), milliseconds(fullNs - startNs));
        out.add(QStringLiteral("fill_%1_streams_ms").arg(n), QStringLiteral("ms"), milliseconds(fullNs - connectedNs));
        out.add(QStringLiteral("fill_%1_first_ms").arg(n), QStringLiteral("ms"), milliseconds(firstNs - connectedNs));
        // Teardown too: closing and deleting a full pool once took O(N^2).
        QObject::disconnect(&client, nullptr, &ctx, nullptr);
        const int64_t closeNs = nowNs();
        client.close();
        owned.reset();
        out.add(QStringLiteral("close_%1_ms").arg(n), QStringLiteral("ms"), milliseconds(nowNs() - closeNs));
    }
    return out;
}

// ---------------------------------------------------------------- sink

SinkTransfer sinkTransfer(ClientPool *client, int streams, qint64 total, std::chrono::milliseconds timeout,
                          qint64 sendBuffer)
{
    // One workload::StreamRunner per stream, in sink mode: it writes the
    // pattern, FINs, reads the server's 16-byte reply and judges it. The
    // transfer ends with the last verdict; the first failure ends it at once.
    SinkTransfer result;
    QEventLoop loop;
    struct Sender
    {
        workload::StreamRunner *runner = nullptr;
        bool done = false;
        int64_t endNs = 0;
    };
    std::vector<Sender> senders(static_cast<size_t>(streams));
    int pending = streams;
    QString failure;
    QObject owner;   // the runners: one that has no verdict yet resets its stream as it goes
    const QStringList ids = client->readyIds();
    for (int i = 0; i < streams; ++i) {
        Stream *s = client->tryOutgoingGet(ids.value(i));
        if (!s) {
            result.failure = QStringLiteral("pooled stream %1 could not be taken").arg(ids.value(i));
            return result;
        }
        if (sendBuffer > 0)
            s->setSendBufferSize(sendBuffer);
        // The first total % streams streams carry one byte more.
        const qint64 share = total / streams + (i < total % streams ? 1 : 0);
        senders[size_t(i)].runner = new workload::StreamRunner(s, workload::Mode::Sink, share,
                                                   [&, i](const workload::RunResult &run) {
                                                       Sender &done = senders[size_t(i)];
                                                       done.endNs = nowNs();
                                                       done.done = true;
                                                       if (!run.ok && failure.isEmpty())
                                                           failure = QStringLiteral("stream %1: %2 (is the server in sink mode?)")
                                                                         .arg(run.id, run.why);
                                                       if (--pending == 0 || !failure.isEmpty())
                                                           loop.quit();
                                                   },
                                                   &owner);
        QObject::connect(senders[size_t(i)].runner, &workload::StreamRunner::transferred, &owner,
                         [&result](qint64 sent, qint64) { result.written += sent; });
    }

    Deadline deadline(&loop, timeout);
    const double cpuStart = processCpuSeconds();
    const int64_t startNs = nowNs();
    for (Sender &s : senders)
        s.runner->start();
    loop.exec();
    result.cpuSeconds = processCpuSeconds() - cpuStart;

    if (!failure.isEmpty()) {
        result.failure = failure;
        return result;
    }
    if (pending > 0) {
        result.seconds = double(nowNs() - startNs) / 1e9;
        result.failure = QStringLiteral("the transfer did not finish within %1 s (%2 of %3 written)")
                             .arg(double(deadline.timer.interval()) / 1000.0)
                             .arg(formatBytes(result.written), formatBytes(total));
        return result;
    }
    int64_t endNs = 0;
    for (const Sender &s : senders)
        endNs = std::max(endNs, s.endNs);
    result.seconds = double(endNs - startNs) / 1e9;
    return result;
}

RunOutcome runSink(const WorkloadContext &context, int streams)
{
    const bool remote = !context.connect.isEmpty();
    const qint64 total = context.sizes.bytes;
    QuicServer server(context.worker);
    QString address = context.connect;
    QString error;
    if (!remote) {
        if (!server.start(streams + 8, workload::Mode::Sink, &error, context.congestionControl))
            return RunOutcome::failure(error);
        address = server.address();
    }
    auto client = startClient(address, streams, kQuietInterval, &error, context.congestionControl);
    if (!client || !waitForPools(client.get(), streams, nullptr, 0, 15s, &error))
        return RunOutcome::failure(error);

    context.progress(QStringLiteral("sink: %1 over %2 stream%3%4")
                         .arg(formatBytes(total))
                         .arg(streams)
                         .arg(streams == 1 ? QString() : QStringLiteral("s"))
                         .arg(remote ? QStringLiteral(" to ") + address : QString()));
    const qint64 overrideBuffer = sendBufferOverride();
    const SinkTransfer t = sinkTransfer(client.get(), streams, total, std::chrono::milliseconds(30000 + total / 4000),
                                        overrideBuffer);
    if (!t.failure.isEmpty())
        return RunOutcome::failure(t.failure);
    const double seconds = t.seconds;
    const double cpu = t.cpuSeconds;
    const ConnectionInfo info = client->connectionInfo();

    RunOutcome out;
    out.add(QStringLiteral("mb_per_s"), QStringLiteral("MB/s"), double(total) / 1e6 / seconds);
    out.add(QStringLiteral("cpu_s_per_gib"), QStringLiteral("s/GiB"), cpu / (double(total) / kGiB));
    out.add(QStringLiteral("seconds"), QStringLiteral("s"), seconds);
    out.add(QStringLiteral("client_datagrams_sent"), QStringLiteral("count"), double(info.stats().packetsSent()));
    out.add(QStringLiteral("client_datagrams_received"), QStringLiteral("count"), double(info.stats().packetsReceived()));
    out.note(QStringLiteral("%1 bytes per run%2; timed from the first write to the last 16-byte reply")
                 .arg(total)
                 .arg(streams > 1 ? QStringLiteral(", split evenly over %1 streams on one connection").arg(streams)
                                  : QString()));
    out.note(remote ? QStringLiteral("server %1: CPU counts this client process only").arg(address)
                    : QStringLiteral("in-process: server pool on a second thread; CPU (getrusage) counts both ends"));
    if (!info.cipher().isEmpty())
        out.note(QStringLiteral("QUIC cipher %1").arg(info.cipher()));
    if (overrideBuffer > 0)
        out.note(QStringLiteral("stream send buffer set to %1 bytes (QUICPOOL_BENCH_SEND_BUFFER)").arg(overrideBuffer));
    if (context.congestionControl)
        out.note(QStringLiteral("congestion control %1 (--cc)").arg(congestionControlName(*context.congestionControl)));
    client->close();
    return out;
}

// ---------------------------------------------------------------- echo

RunOutcome runEcho(const WorkloadContext &context)
{
    // A --connect server has one mode: echo runs against it only when asked
    // for by name (against "quicpool server --mode echo").
    const bool remote = !context.connect.isEmpty();
    if (remote && !context.chosen)
        return RunOutcome::skip(QStringLiteral("needs the in-process server, or run it alone (--workload echo) "
                                               "against quicpool server --mode echo"));
    QuicServer server(context.worker);
    QString error;
    if (!remote && !server.start(8, workload::Mode::Echo, &error, std::nullopt, context.busyPoll))
        return RunOutcome::failure(error);
    auto client = startClient(remote ? context.connect : server.address(), 1, kQuietInterval, &error, std::nullopt,
                              context.busyPoll);
    if (!client || !waitForPools(client.get(), 1, nullptr, 0, 15s, &error))
        return RunOutcome::failure(error);
    Stream *stream = client->tryOutgoingGet(client->readyIds().value(0));
    if (!stream)
        return RunOutcome::failure(QStringLiteral("the pooled stream could not be taken"));

    const int warmup = context.sizes.echoWarmup;
    const int trips = context.sizes.echoTrips;
    context.progress(QStringLiteral("echo: %1 round trips of %2 bytes").arg(trips).arg(kEchoSize));
    const QByteArray message = workload::patternBytes(0, kEchoSize);
    std::vector<double> rtts;
    rtts.reserve(size_t(trips));
    QEventLoop loop;
    QObject ctx;
    QByteArray received;
    int done = 0;
    int64_t sentNs = 0;
    QString failure;
    auto send = [&] {
        received.clear();
        sentNs = nowNs();
        if (stream->write(message) != kEchoSize) {
            failure = QStringLiteral("the stream did not take a 64-byte write");
            loop.quit();
        }
    };
    QObject::connect(stream, &QIODevice::readyRead, &ctx, [&] {
        received += stream->readAll();
        if (received.size() < kEchoSize)
            return;
        const int64_t now = nowNs();
        if (received != message) {
            failure = QStringLiteral("round trip %1 came back altered (is the server in echo mode?)").arg(done);
            loop.quit();
            return;
        }
        if (done >= warmup)
            rtts.push_back(microseconds(now - sentNs));
        if (++done == warmup + trips) {
            loop.quit();
            return;
        }
        send();
    });
    QObject::connect(stream, &Stream::errorOccurred, &ctx, [&](const Error &streamError) {
        failure = QStringLiteral("the stream failed: %1").arg(streamError.toString());
        loop.quit();
    });
    QObject::connect(stream, &QIODevice::readChannelFinished, &ctx, [&] {
        failure = QStringLiteral("the server ended the stream after %1 round trips").arg(done);
        loop.quit();
    });
    Deadline deadline(&loop, std::chrono::milliseconds(20000 + trips * 5LL));
    send();
    if (failure.isEmpty())
        loop.exec();
    if (!failure.isEmpty())
        return RunOutcome::failure(failure);
    if (int(rtts.size()) < trips)
        return RunOutcome::failure(QStringLiteral("only %1 of %2 round trips within %3 s (is the server in echo mode?)")
                                       .arg(rtts.size())
                                       .arg(trips)
                                       .arg(double(deadline.timer.interval()) / 1000.0));
    RunOutcome out = roundTripOutcome(std::move(rtts));
    out.note(QStringLiteral("%1 round trips of 64 bytes on one taken stream after %2 unmeasured; %3")
                 .arg(trips)
                 .arg(warmup)
                 .arg(remote ? QStringLiteral("against the echo server %1").arg(context.connect)
                             : QStringLiteral("client and server threads in one process")));
    QObject::disconnect(stream, nullptr, &ctx, nullptr);
    client->close();
    return out;
}

// ---------------------------------------------------------------- get

namespace {

/// Latencies of the three forms of a get, in microseconds.
struct GetLatencies
{
    std::vector<double> tryUs, asyncUs, blockingUs;
    QString error;
};

void addLatencies(RunOutcome *out, const QString &prefix, std::vector<double> values)
{
    std::sort(values.begin(), values.end());
    out->add(prefix + QStringLiteral("_p50_us"), QStringLiteral("us"), percentileSorted(values, 0.50));
    out->add(prefix + QStringLiteral("_p99_us"), QStringLiteral("us"), percentileSorted(values, 0.99));
}

/// Times `count` gets of each form; get(form, done) must call done(stream)
/// (possibly later, from the event loop) exactly once.
template <typename Get>
void timeGets(int count, Get get, GetLatencies *result)
{
    struct Form
    {
        int index;
        std::vector<double> *into;
    };
    const Form forms[] = {{0, &result->tryUs}, {1, &result->asyncUs}, {2, &result->blockingUs}};
    for (const Form &form : forms) {
        form.into->reserve(size_t(count));
        for (int i = 0; i < count; ++i) {
            const int64_t start = nowNs();
            Stream *s = get(form.index);
            const int64_t end = nowNs();
            if (!s) {
                result->error = QStringLiteral("a get with streams ready returned none (form %1, get %2)")
                                    .arg(form.index)
                                    .arg(i);
                return;
            }
            form.into->push_back(microseconds(end - start));
        }
    }
}

/// Runs an asynchronous get to completion in a local loop; the stream or nullptr.
template <typename AsyncGet>
Stream *awaitAsync(AsyncGet asyncGet)
{
    QEventLoop loop;
    QObject ctx;
    Stream *got = nullptr;
    bool called = false;
    asyncGet(&ctx, [&](Stream *s, const Error &) {
        got = s;
        called = true;
        loop.quit();
    });
    if (!called) {
        Deadline deadline(&loop, 5s);
        loop.exec();
    }
    return got;
}

} // namespace

RunOutcome runGet(const WorkloadContext &context)
{
    if (!context.connect.isEmpty())
        return RunOutcome::skip(QStringLiteral("needs the in-process server (both pools are measured)"));
    const int n = context.sizes.getStreams;
    const int perForm = n / 3;
    QString error;
    RunOutcome out;

    {
        context.progress(QStringLiteral("get: %1 gets of each form on each side").arg(perForm));
        QuicServer server(context.worker);
        if (!server.start(n + 8, workload::Mode::Hold, &error))
            return RunOutcome::failure(error);
        auto client = startClient(server.address(), n, kQuietInterval, &error);
        if (!client || !waitForPools(client.get(), n, &server, n, 30s, &error))
            return RunOutcome::failure(error);

        // Client side, on this thread: outgoingGet by ID.
        const QStringList ids = client->readyIds();
        int next = 0;
        GetLatencies outgoing;
        ClientPool *c = client.get();
        timeGets(perForm, [&](int form) -> Stream * {
            const QString id = ids.value(next++);
            if (form == 0)
                return c->tryOutgoingGet(id);
            if (form == 1)
                return awaitAsync([&](QObject *ctx, GetCallback cb) { c->outgoingGetAsync(id, 2000ms, ctx, cb); });
            return c->outgoingGet(id, 2000ms);
        }, &outgoing);
        if (!outgoing.error.isEmpty())
            return RunOutcome::failure(QStringLiteral("outgoing: ") + outgoing.error);

        // Server side, on its thread: incomingGet, oldest first.
        auto incoming = std::make_shared<GetLatencies>();
        ServerPool *pool = server.pool();
        const bool ran = context.worker->run([incoming, pool, perForm] {
            timeGets(perForm, [&](int form) -> Stream * {
                if (form == 0)
                    return pool->tryIncomingGet();
                if (form == 1)
                    return awaitAsync([&](QObject *ctx, GetCallback cb) { pool->incomingGetAsync(2000ms, ctx, cb); });
                return pool->incomingGet(2000ms);
            }, incoming.get());
        }, 60s);
        if (!ran)
            return RunOutcome::failure(QStringLiteral("the server thread did not finish its gets in time"));
        if (!incoming->error.isEmpty())
            return RunOutcome::failure(QStringLiteral("incoming: ") + incoming->error);

        addLatencies(&out, QStringLiteral("incoming_try"), incoming->tryUs);
        addLatencies(&out, QStringLiteral("incoming_async"), incoming->asyncUs);
        addLatencies(&out, QStringLiteral("incoming_blocking"), incoming->blockingUs);
        addLatencies(&out, QStringLiteral("outgoing_try"), outgoing.tryUs);
        addLatencies(&out, QStringLiteral("outgoing_async"), outgoing.asyncUs);
        addLatencies(&out, QStringLiteral("outgoing_blocking"), outgoing.blockingUs);
        out.note(QStringLiteral("get latencies: %1 gets per form and side from %2 ready streams; try = tryIncomingGet/"
                                "tryOutgoingGet, async = *GetAsync until its callback, blocking = incomingGet/"
                                "outgoingGet on the pool's own thread")
                     .arg(perForm)
                     .arg(n));
        client->close();
    }

    // The wake-up of a waiting outgoingGetAsync. The server's streamPooled
    // hook runs before the new stream's ID leaves (the write is flushed on a
    // later turn of its loop), and blocks until this thread has registered
    // the waiting get for exactly that ID: so the get waits, and the ID's
    // arrival is what wakes it.
    const int trials = context.sizes.wakeTrials;
    context.progress(QStringLiteral("get: %1 wake-ups of a waiting outgoingGetAsync").arg(trials));
    QuicServer server(context.worker);
    if (!server.start(trials + 16, workload::Mode::Hold, &error))
        return RunOutcome::failure(error);
    auto client = startClient(server.address(), 1, 5ms, &error);
    if (!client || !waitForPools(client.get(), 1, nullptr, 0, 15s, &error))
        return RunOutcome::failure(error);
    client->tryOutgoingGet(client->readyIds().value(0));   // the pool refills towards the waiting gets

    struct Shared
    {
        QMutex lock;
        QHash<QString, int64_t> released;   // ID -> when the server let its ID go
    };
    auto shared = std::make_shared<Shared>();
    QObject mainContext;                     // lives on this thread: the hook's target
    QHash<QString, int64_t> pooledAt;        // client side streamPooled times
    std::vector<double> wakeUs, deliveryUs;
    int misses = 0;
    bool armed = true;
    QEventLoop loop;
    ClientPool *c = client.get();
    QObject::connect(c, &Pool::streamPooled, &mainContext, [&](const QString &id) { pooledAt.insert(id, nowNs()); });
    auto registerWaiter = [&](const QString &id) {
        if (!armed)
            return;
        if (c->tryOutgoingGet(id)) {
            ++misses;   // it arrived before we could wait for it
            return;
        }
        c->outgoingGetAsync(id, 5000ms, &mainContext, [&, id](Stream *s, const Error &) {
            const int64_t now = nowNs();
            if (!s || !armed)
                return;
            int64_t released = 0;
            {
                QMutexLocker lock(&shared->lock);
                released = shared->released.value(id);
            }
            wakeUs.push_back(microseconds(now - pooledAt.value(id, now)));
            if (released)
                deliveryUs.push_back(microseconds(now - released));
            if (int(wakeUs.size()) >= trials)
                loop.quit();
        });
    };
    QObject *target = &mainContext;
    context.worker->run([&server, shared, target, registerWaiter] {
        server.pooledHook = [shared, target, registerWaiter](const QString &id) {
            QMetaObject::invokeMethod(target, [registerWaiter, id] { registerWaiter(id); },
                                      Qt::BlockingQueuedConnection);
            QMutexLocker lock(&shared->lock);
            shared->released.insert(id, nowNs());
        };
    });
    Deadline deadline(&loop, std::chrono::milliseconds(10000 + trials * 50LL));
    loop.exec();
    armed = false;
    // Unhook before anything here goes away; run() keeps this loop turning,
    // so a hook waiting on us right now still gets its answer.
    context.worker->run([&server] { server.pooledHook = nullptr; });
    if (int(wakeUs.size()) < trials)
        return RunOutcome::failure(QStringLiteral("only %1 of %2 waiting gets woke within %3 s (%4 IDs arrived early)")
                                       .arg(wakeUs.size())
                                       .arg(trials)
                                       .arg(double(deadline.timer.interval()) / 1000.0)
                                       .arg(misses));
    addLatencies(&out, QStringLiteral("wake"), wakeUs);
    addLatencies(&out, QStringLiteral("id_delivery_wake"), deliveryUs);
    out.note(QStringLiteral("wake: from the client pool's streamPooled(id) to the waiting outgoingGetAsync's "
                            "callback, %1 trials; id_delivery_wake: from the server releasing the ID (its "
                            "streamPooled) to that callback, across threads and loopback UDP")
                 .arg(trials));
    client->close();
    return out;
}

// ---------------------------------------------------------------- memory

RunOutcome runMemory(const WorkloadContext &context)
{
    if (!context.connect.isEmpty())
        return RunOutcome::skip(QStringLiteral("needs the in-process server (both pools are measured)"));
    const int n = context.sizes.memoryStreams;
    context.progress(QStringLiteral("memory: %1 idle pooled streams per side").arg(n));
    QuicServer server(context.worker);
    QString error;
    if (!server.start(n, workload::Mode::Hold, &error))
        return RunOutcome::failure(error);
    // Let the server settle, then measure from a trimmed heap so the delta
    // is new memory, not pages freed earlier and reused.
    spinUntil([] { return false; }, 100ms);
    trimHeap();
    const qint64 rssBefore = residentBytes();
    const qint64 heapBefore = heapInUseBytes();
    auto client = startClient(server.address(), n, kQuietInterval, &error);
    if (!client || !waitForPools(client.get(), n, &server, n, std::chrono::milliseconds(30000 + 10LL * n), &error))
        return RunOutcome::failure(error);
    spinUntil([] { return false; }, 300ms);   // ACKs, deferred deletes
    trimHeap();
    const qint64 rssAfter = residentBytes();
    const qint64 heapAfter = heapInUseBytes();
    if (rssBefore < 0 || rssAfter < 0)
        return RunOutcome::failure(QStringLiteral("/proc/self/statm is not readable"));

    RunOutcome out;
    const double pooled = 2.0 * n;   // n on the client and n on the server
    out.add(QStringLiteral("rss_bytes_per_stream"), QStringLiteral("B"), double(rssAfter - rssBefore) / pooled);
    if (heapBefore >= 0 && heapAfter >= 0)
        out.add(QStringLiteral("heap_bytes_per_stream"), QStringLiteral("B"), double(heapAfter - heapBefore) / pooled);
    out.add(QStringLiteral("rss_delta_mib"), QStringLiteral("MiB"), double(rssAfter - rssBefore) / 1048576.0);
    out.note(QStringLiteral("both pools are in this process: the delta covers %1 pooled streams on each side "
                            "(and one connection) and is divided by %2; per-side figures of two processes "
                            "would be about the same")
                 .arg(n)
                 .arg(2 * n));
    client->close();
    return out;
}

} // namespace quicpool::cli::bench
