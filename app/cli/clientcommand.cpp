#include "clientcommand.h"

#include "cliout.h"
#include "runcheck.h"
#include "signalwatcher.h"
#include "units.h"

#include <workload/streamrunner.h>

#include <quicpool/pool.h>
#include <quicpool/stream.h>
#include <QtCore/QCoreApplication>
#include <QtCore/QElapsedTimer>
#include <QtCore/QPointer>
#include <QtCore/QTimer>
#include <algorithm>
#include <csignal>

namespace quicpool::cli {

namespace {

using namespace std::chrono_literals;

class ClientCommand : public QObject
{
public:
    explicit ClientCommand(const ClientOptions &options) : m_options(options)
    {
        m_starve.setSingleShot(true);
        // --timeout is the whole wait: dials that fail meanwhile (handshake
        // timeouts, nothing listening) are the pool's to retry, and when
        // the time is up the last cause is the answer.
        connect(&m_starve, &QTimer::timeout, this, [this] {
            const bool connected = m_everTaken || (m_pool && m_pool->isConnected());
            abandon(waitExpiredReason(m_options.timeout, connected, m_pool ? m_pool->lastError() : Error()));
        });
    }

    /// Starts the pool; false when it cannot even start (reported already).
    bool start()
    {
        ClientPoolConfig config = toClientPoolConfig(m_options);
        // --parallel streams must be ready at once, not grow one by one
        // from a single stream.
        config.setMinCapacity(std::max(config.minCapacity(), std::min(m_options.parallel, config.maxCapacity())));
        m_pool = new ClientPool(config, this);
        connect(m_pool, &Pool::errorOccurred, this, [this](const Error &error) { onPoolError(error); });
        // Queued: a run starts outside the pool's own bookkeeping.
        connect(m_pool, &Pool::streamPooled, this, [this] { pump(); }, Qt::QueuedConnection);
        if (!m_pool->start()) {
            printLine(stderr, QStringLiteral("quicpool: cannot start the client pool: %1")
                                  .arg(m_pool->lastError().toString()));
            m_failed = m_options.streams;
            m_started = m_options.streams;
            return false;
        }
        m_starve.start(m_options.timeout);
        return true;
    }

    void interrupt(int signalNumber)
    {
        if (m_done)
            return;
        abandon(QStringLiteral("interrupted by %1").arg(signalNumber == SIGINT ? QStringLiteral("SIGINT")
                                                                               : QStringLiteral("SIGTERM")));
        // Runs in flight count as failed: they did not check out.
        if (m_running > 0)
            m_lastEndNs = m_clock.nsecsElapsed();
        m_failed += m_running;
        m_running = 0;
        finishAll();
    }

    int exitCode() const { return (m_failed == 0 && m_ok == m_options.streams) ? 0 : 1; }

    /// Prints the summary (or the JSON object) and closes the pool.
    void finishAll()
    {
        if (m_done)
            return;
        m_done = true;
        m_starve.stop();
        ClientSummary summary;
        summary.streams = m_options.streams;
        summary.ok = m_ok;
        summary.failed = m_failed;
        summary.bytes = m_bytes;
        summary.seconds = m_everTaken ? double(m_lastEndNs) / 1e9 : 0.0;
        if (m_options.json)
            printLine(stdout, QString::fromUtf8(summaryJson(summary)));
        else
            printLine(stdout, summaryLine(summary));
        if (m_pool)
            m_pool->close();
        // One more turn of the loop lets the close go out before we leave.
        QTimer::singleShot(0, qApp, [code = exitCode()] { QCoreApplication::exit(code); });
    }

private:
    std::FILE *lineOutput() const { return m_options.json ? stderr : stdout; }

    void onPoolError(const Error &error)
    {
        if (m_done || !isFatalStartError(error.code()))
            return;
        // The pool would retry for ever; nothing will come of it.
        abandon(error.toString());
    }

    /// Counts every run not started yet as failed, with one sentence.
    void abandon(const QString &why)
    {
        const int notStarted = m_options.streams - m_started;
        if (notStarted > 0) {
            printLine(stderr, QStringLiteral("quicpool: %1 of %2 streams not run: %3")
                                  .arg(notStarted)
                                  .arg(m_options.streams)
                                  .arg(why));
            m_failed += notStarted;
            m_started = m_options.streams;
        }
        m_starve.stop();
        if (m_running == 0)
            finishAll();
    }

    /// Takes any ready stream: the oldest that is still there.
    Stream *takeAny()
    {
        const QStringList ids = m_pool->readyIds();
        for (const QString &id : ids) {
            if (Stream *stream = m_pool->tryOutgoingGet(id))
                return stream;
        }
        return nullptr;
    }

    void pump()
    {
        if (m_done)
            return;
        while (m_running < m_options.parallel && m_started < m_options.streams) {
            Stream *stream = takeAny();
            if (!stream)
                break;
            if (!m_everTaken) {
                m_everTaken = true;
                m_clock.start();
            }
            ++m_started;
            ++m_running;
            QPointer<ClientCommand> self(this);
            auto *run = new workload::StreamRunner(stream, m_options.mode, m_options.bytes,
                                                   [self](const workload::RunResult &result) {
                                                       if (self)
                                                           self->runDone(result);
                                                   },
                                                   this);
            run->setIdleTimeout(m_options.timeout);
            run->start();
        }
        // Starved: a free slot and no stream. The timer runs only while
        // that lasts, so a pool that stops refilling cannot hang us.
        const bool starving = m_running < m_options.parallel && m_started < m_options.streams;
        if (!starving)
            m_starve.stop();
        else if (m_everTaken && !m_starve.isActive())
            m_starve.start(m_options.timeout);
    }

    void runDone(const workload::RunResult &result)
    {
        if (m_done)
            return;
        --m_running;
        m_lastEndNs = m_clock.nsecsElapsed();
        if (result.ok) {
            ++m_ok;
            m_bytes += result.bytes;
        } else {
            ++m_failed;
        }
        printLine(lineOutput(), formatStreamLine(result.id, result.bytes, result.milliseconds, result.ok, result.why));
        if (m_started >= m_options.streams && m_running == 0) {
            finishAll();
            return;
        }
        pump();
    }

    ClientOptions m_options;
    ClientPool *m_pool = nullptr;
    QTimer m_starve;
    QElapsedTimer m_clock;
    bool m_everTaken = false;
    bool m_done = false;
    int m_started = 0;
    int m_running = 0;
    int m_ok = 0;
    int m_failed = 0;
    qint64 m_bytes = 0;
    qint64 m_lastEndNs = 0;
};

} // namespace

int runClient(const ClientOptions &options)
{
    auto command = std::make_unique<ClientCommand>(options);
    SignalWatcher watcher;
    QObject::connect(&watcher, &SignalWatcher::received, command.get(),
                     [&command](int number) { command->interrupt(number); });
    if (!command->start()) {
        command->finishAll();
    }
    const int code = QCoreApplication::exec();
    // Pool (and its streams) go before the runs that watch them.
    command.reset();
    return code;
}

} // namespace quicpool::cli
