#include "servercommand.h"

#include "cliout.h"
#include "metricsserver.h"
#include "resetkeyfile.h"
#include "runcheck.h"
#include "signalwatcher.h"

#include <workload/streamserver.h>

#include <quicpool/pool.h>
#include <QtCore/QCoreApplication>
#include <QtCore/QTimer>
#include <csignal>
#include <memory>
#include <optional>

namespace quicpool::cli {

namespace {

/// The reset key: the file given, or the user's own when the certificate
/// is generated (its key dies with the process). A given --key derives its
/// own in the library. Either way the library mixes in the address as bound
/// (port 0 resolved), so a restart on the port printed finds the same
/// secret. False after telling the user.
bool applyResetKey(const ServerOptions &options, ServerPoolConfig *config)
{
    QString path = options.resetKeyFile;
    const bool given = !path.isEmpty();
    if (!given) {
        if (!options.privateKeyFile.isEmpty())
            return true;
        path = defaultResetKeyPath();
    }
    QByteArray key;
    QString why;
    if (!(given ? readResetKey(path, &key, &why) : loadOrCreateResetKey(path, &key, &why))) {
        printLine(stderr, QStringLiteral("quicpool: %1%2").arg(why, given ? QString() : QStringLiteral(
            " (give one with --reset-key FILE)")));
        return false;
    }
    config->setStatelessResetKey(key);
    return true;
}

/// --verbose: one line when a handshake flood starts (pending handshakes
/// above the Retry threshold, or Retries going out) and one when it ends,
/// with what it came to.
void watchFloods(ServerPool *pool)
{
    auto *timer = new QTimer(pool);
    auto flooding = std::make_shared<std::optional<DefenceStats>>();
    QObject::connect(timer, &QTimer::timeout, pool, [pool, flooding] {
        const DefenceStats now = pool->defenceStats();
        if (!*flooding && now.underFlood()) {
            *flooding = now;
            printLine(stderr, QStringLiteral("handshake flood: %1 handshakes pending, %2 Retries sent so far (retry %3)")
                                  .arg(now.pendingHandshakes())
                                  .arg(now.retriesSent())
                                  .arg(retryModeName(pool->config().retryMode())));
        } else if (*flooding && !now.underFlood()) {
            const DefenceStats &then = **flooding;
            printLine(stderr, QStringLiteral("handshake flood over: %1 Retries sent, %2 handshakes started, %3 timed "
                                             "out, %4 Initials dropped at the bounds, at most %5 pending")
                                  .arg(now.retriesSent() - then.retriesSent())
                                  .arg(now.handshakesStarted() - then.handshakesStarted())
                                  .arg(now.handshakesTimedOut() - then.handshakesTimedOut())
                                  .arg(now.limitDrops() - then.limitDrops())
                                  .arg(now.pendingHandshakesPeak()));
            flooding->reset();
        }
    });
    timer->start(500);
}

} // namespace

int runServer(const ServerOptions &options)
{
    ServerPoolConfig config = toServerPoolConfig(options);
    if (!applyResetKey(options, &config))
        return 1;
    auto pool = std::make_unique<ServerPool>(config);
    if (!pool->start()) {
        printLine(stderr, QStringLiteral("quicpool: cannot start the server on %1: %2")
                              .arg(options.listen, pool->lastError().toString()));
        return 1;
    }
    printLine(stderr, QStringLiteral("listening on %1 (mode %2, max-cap %3)")
                          .arg(formatHostPort(pool->serverAddress(), pool->serverPort()), workload::modeName(options.mode))
                          .arg(pool->config().maxCapacity()));
    printLine(stderr, QStringLiteral("certificate %1").arg(pool->certificateFingerprint()));

    workload::StreamServer server(pool.get(), options.mode);
    qint64 clientsRefused = 0;
    QObject::connect(pool.get(), &ServerPool::clientRefused, pool.get(), [&clientsRefused] { ++clientsRefused; });
    std::unique_ptr<MetricsServer> metrics;
    if (!options.metrics.isEmpty()) {
        const QString address = formatHostPort(pool->serverAddress(), pool->serverPort());
        metrics = std::make_unique<MetricsServer>([&, address] {
            PoolMetrics m = poolMetrics(*pool, QStringLiteral("server"), address);
            m.connections = pool->connectionCount();
            m.streamsServed = server.served();
            m.streamsFailed = server.failed();
            m.clientsRefused = clientsRefused;
            m.defence = pool->defenceStats();
            return QList<PoolMetrics>{m};
        });
        if (!metrics->listen(options.metrics)) {
            printLine(stderr, QStringLiteral("quicpool: cannot serve metrics on %1: %2")
                                  .arg(options.metrics, metrics->errorString()));
            pool->close();
            return 1;
        }
        printLine(stderr, QStringLiteral("metrics on http://%1/metrics")
                              .arg(formatHostPort(metrics->address(), metrics->port())));
    }
    if (options.verbose) {
        // One line per stream: taken, and how it ended.
        QObject::connect(&server, &workload::StreamServer::streamTaken, &server,
                         [mode = options.mode](const QString &id, const QHostAddress &address, quint16 port) {
                             printLine(stderr, QStringLiteral("stream %1 taken from %2 (%3)")
                                                   .arg(id, formatHostPort(address, port), workload::modeName(mode)));
                         });
        QObject::connect(&server, &workload::StreamServer::streamDone, &server,
                         [](const QString &id, workload::StreamServer::Outcome outcome, const QString &detail) {
                             using Outcome = workload::StreamServer::Outcome;
                             const QString what = outcome == Outcome::Served       ? QStringLiteral("done")
                                                  : outcome == Outcome::QuietClose ? QStringLiteral("closed quietly")
                                                                                   : QStringLiteral("failed");
                             printLine(stderr, QStringLiteral("stream %1 %2: %3").arg(id, what, detail));
                         });
        QObject::connect(pool.get(), &ServerPool::clientConnected, pool.get(),
                         [](const QHostAddress &address, quint16 port) {
                             printLine(stderr, QStringLiteral("client %1 connected").arg(formatHostPort(address, port)));
                         });
        QObject::connect(pool.get(), &ServerPool::clientRefused, pool.get(),
                         [](const QHostAddress &address, const QString &reason) {
                             printLine(stderr, QStringLiteral("client %1 refused: %2").arg(address.toString(), reason));
                         });
        QObject::connect(pool.get(), &Pool::disconnected, pool.get(), [](const Error &reason) {
            printLine(stderr, QStringLiteral("no client connected any more: %1").arg(reason.toString()));
        });
        watchFloods(pool.get());
    }
    QObject::connect(pool.get(), &Pool::errorOccurred, pool.get(), [](const Error &error) {
        printLine(stderr, QStringLiteral("quicpool: %1").arg(error.toString()));
    });

    SignalWatcher watcher;
    QObject::connect(&watcher, &SignalWatcher::received, &watcher, [&](int number) {
        printLine(stderr, QStringLiteral("%1: closing the pool (%2 streams served, %3 closed empty, %4 failed)")
                              .arg(number == SIGINT ? QStringLiteral("SIGINT") : QStringLiteral("SIGTERM"))
                              .arg(server.served())
                              .arg(server.quietCloses())
                              .arg(server.failed()));
        server.stop();
        pool->close();
        // One more turn lets the CONNECTION_CLOSE frames go out.
        QTimer::singleShot(0, qApp, [] { QCoreApplication::exit(0); });
    });
    server.start();
    const int code = QCoreApplication::exec();
    pool->close();
    return code;
}

} // namespace quicpool::cli
