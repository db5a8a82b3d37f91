#include "democommand.h"

#include "cliout.h"
#include "runcheck.h"
#include "signalwatcher.h"

#include <workload/streamrunner.h>
#include <workload/streamserver.h>

#include <quicpool/certificate.h>
#include <quicpool/pool.h>
#include <QtCore/QCoreApplication>
#include <QtCore/QElapsedTimer>
#include <QtCore/QTimer>
#include <array>
#include <csignal>
#include <functional>
#include <memory>

namespace quicpool::cli {

namespace {

using namespace std::chrono_literals;

constexpr int kLoadPeriodMs = 250;                  // four echo runs a second
constexpr std::array<qint64, 5> kPayloads = {512, 4096, 1200, 16384, 64};
constexpr Milliseconds kRunTimeout = 5s;
constexpr int kBurstEverySeconds = 5;
constexpr int kBurstRuns = 12;

} // namespace

int runDemo(const DemoOptions &options)
{
    ServerPoolConfig sc;
    sc.setListenAddress(QStringLiteral("127.0.0.1:0"));
    sc.setMaxCapacity(128);
    auto server = std::make_unique<ServerPool>(sc);
    if (!server->start()) {
        printLine(stderr, QStringLiteral("quicpool: cannot start the demo's server pool: %1")
                              .arg(server->lastError().toString()));
        return 1;
    }
    workload::StreamServer echo(server.get(), workload::Mode::Echo);
    echo.start();

    ClientPoolConfig cc;
    cc.setMinCapacity(8);
    cc.setMaxCapacity(64);
    cc.setMinInterval(100ms);
    cc.setMaxInterval(1000ms);
    cc.setTlsMode(TlsMode::SelfSigned);
    cc.setAddress(formatHostPort(server->serverAddress(), server->serverPort()));
    // Mode 1 verifies nothing; the pin shows how a client can still be sure.
    cc.setPinSha256(parseFingerprint(server->certificateFingerprint()));
    auto client = std::make_unique<ClientPool>(cc);
    if (!client->start()) {
        printLine(stderr, QStringLiteral("quicpool: cannot start the demo's client pool: %1")
                              .arg(client->lastError().toString()));
        return 1;
    }
    printLine(stdout, QStringLiteral("demo: server pool on %1, certificate %2")
                          .arg(cc.address(), server->certificateFingerprint()));
    printLine(stdout, QStringLiteral("demo: client pool min-cap %1 max-cap %2, interval %3..%4 ms, TLS mode 1 "
                                     "with pin; %5 echo runs a second, a burst of %6 every %7 s; %8")
                          .arg(cc.minCapacity())
                          .arg(cc.maxCapacity())
                          .arg(cc.minInterval().count())
                          .arg(cc.maxInterval().count())
                          .arg(1000 / kLoadPeriodMs)
                          .arg(kBurstRuns)
                          .arg(kBurstEverySeconds)
                          .arg(options.seconds > 0 ? QStringLiteral("%1 s").arg(options.seconds)
                                                   : QStringLiteral("Ctrl+C stops")));
    QObject::connect(client.get(), &Pool::errorOccurred, client.get(), [](const Error &error) {
        printLine(stderr, QStringLiteral("client pool: %1").arg(error.toString()));
    });

    int ok = 0;
    int failed = 0;
    int running = 0;
    bool stopping = false;
    std::function<void()> finishNow;
    size_t next = 0;
    QObject context;   // owns the runs; goes before the pools
    auto startRun = [&] {
        const QStringList ids = client->readyIds();
        if (ids.isEmpty())
            return;  // the figures show the pool running dry
        Stream *stream = client->tryOutgoingGet(ids.first());
        if (!stream)
            return;
        ++running;
        const qint64 size = kPayloads[next++ % kPayloads.size()];
        auto *run = new workload::StreamRunner(stream, workload::Mode::Echo, size, [&](const workload::RunResult &result) {
            --running;
            if (result.ok) {
                ++ok;
            } else {
                ++failed;
                printLine(stderr, formatStreamLine(result.id, result.bytes, result.milliseconds, false, result.why));
            }
            if (stopping && running == 0)
                finishNow();
        }, &context);
        run->setIdleTimeout(kRunTimeout);
        run->start();
    };
    QTimer load;
    QObject::connect(&load, &QTimer::timeout, &context, startRun);
    load.start(kLoadPeriodMs);

    QElapsedTimer clock;
    clock.start();
    QString stopReason;
    bool finished = false;
    finishNow = [&] {
        if (finished)
            return;
        finished = true;
        printLine(stdout, QStringLiteral("demo: %1 after %2 s: %3 echo runs ok, %4 failed")
                              .arg(stopReason)
                              .arg(QString::number(double(clock.elapsed()) / 1000.0, 'f', 1))
                              .arg(ok)
                              .arg(failed));
        client->close();
        echo.stop();
        server->close();
        QTimer::singleShot(0, qApp, [code = failed == 0 ? 0 : 1] { QCoreApplication::exit(code); });
    };
    // Stops the load, lets the runs in flight finish (they are short), then
    // closes both pools.
    auto stop = [&](const QString &why) {
        if (stopping)
            return;
        stopping = true;
        stopReason = why;
        load.stop();
        if (running == 0)
            finishNow();
        else
            QTimer::singleShot(kRunTimeout + 1s, &context, [&] { finishNow(); });
    };

    QTimer figures;
    qint64 tick = 0;
    auto printFigures = [&] {
        DemoFigures f;
        f.seconds = tick;
        f.clientActive = client->active();
        f.clientCapacity = client->capacity();
        f.clientIntervalMs = client->interval().count();
        f.clientErrors = client->errorCount();
        f.serverActive = server->active();
        f.serverServing = echo.serving();
        f.serverConnections = server->connectionCount();
        const ConnectionStats stats = client->stats();
        f.smoothedRttUs = stats.smoothedRttUs();
        f.cwnd = stats.congestionWindow();
        f.echoOk = ok;
        f.echoFailed = failed;
        printLine(stdout, formatDemoLine(f));
    };
    QObject::connect(&figures, &QTimer::timeout, &context, [&] {
        ++tick;
        printFigures();
        if (tick % kBurstEverySeconds == 0 && !(options.seconds > 0 && tick >= options.seconds)) {
            // Now and then a burst drains the pool, to watch it refill
            // and its capacity and interval adapt.
            for (int i = 0; i < kBurstRuns; ++i)
                startRun();
        }
        if (options.seconds > 0 && tick >= options.seconds) {
            figures.stop();
            stop(QStringLiteral("done"));
        }
    });
    figures.start(1000);
    printFigures();  // t=0: nothing pooled yet

    SignalWatcher watcher;
    QObject::connect(&watcher, &SignalWatcher::received, &context, [&](int number) {
        figures.stop();
        stop(number == SIGINT ? QStringLiteral("interrupted (SIGINT)") : QStringLiteral("stopped (SIGTERM)"));
    });

    const int code = QCoreApplication::exec();
    return code;
}

} // namespace quicpool::cli
