#include "clientcommand.h"

#include "cliout.h"
#include "metricsserver.h"
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
#include <climits>
#include <csignal>
#include <memory>

namespace quicpool::cli {

namespace {

using namespace std::chrono_literals;

class ClientCommand : public QObject
{
public:
    explicit ClientCommand(const ClientOptions &options) : m_options(options)
    {
        m_starve.setSingleShot(true);
        // A coarse timer may fire up to 5 % early: "no connection after 3s"
        // must not come at 2.85 s.
        m_starve.setTimerType(Qt::PreciseTimer);
        // --timeout is the whole wait: dials that fail meanwhile (handshake
        // timeouts, nothing listening) are the pool's to retry, and when
        // the time is up the last cause is the answer.
        connect(&m_starve, &QTimer::timeout, this, [this] {
            const bool connected = m_everTaken || (m_pool && m_pool->isConnected());
            abandon(waitExpiredReason(m_options.timeout, connected, m_pool ? m_pool->lastError() : Error()));
        });
        m_timeUp.setSingleShot(true);
        m_timeUp.setTimerType(Qt::PreciseTimer);
        connect(&m_timeUp, &QTimer::timeout, this, [this] {
            // The run lasted at least this long, even if no stream was
            // running at the moment (waiting for the next pooled one).
            m_lastEndNs = std::max(m_lastEndNs, m_clock.nsecsElapsed());
            m_stopStarting = true;
            m_starve.stop();
            if (m_running == 0)
                finishAll();
        });
        m_intervalTimer.setTimerType(Qt::PreciseTimer);
        connect(&m_intervalTimer, &QTimer::timeout, this, [this] {
            // Acknowledgements that came in since the runners last looked
            // belong to the interval that ends now.
            for (auto *run : findChildren<workload::StreamRunner *>(Qt::FindDirectChildrenOnly))
                run->pollAcknowledged();
            const IntervalFigures interval = m_meter.close(elapsedSeconds());
            if (!m_options.json)
                printLine(stdout, formatIntervalLine(interval));
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
        // The endpoint first: a port in use stops the run before any dial.
        if (!m_options.metrics.isEmpty()) {
            m_metrics = new MetricsServer(
                [this] {
                    PoolMetrics m = poolMetrics(*m_pool, QStringLiteral("client"), m_options.connect);
                    m.streamsServed = m_ok;
                    m.streamsFailed = m_failed;
                    return QList<PoolMetrics>{m};
                },
                this);
            if (!m_metrics->listen(m_options.metrics)) {
                printLine(stderr, QStringLiteral("quicpool: cannot serve metrics on %1: %2")
                                      .arg(m_options.metrics, m_metrics->errorString()));
                m_failed = timed() ? 1 : m_options.streams;
                m_started = timed() ? 0 : m_options.streams;
                m_stopStarting = true;
                return false;
            }
            printLine(stderr, QStringLiteral("metrics on http://%1/metrics")
                                  .arg(formatHostPort(m_metrics->address(), m_metrics->port())));
        }
        if (!m_pool->start()) {
            printLine(stderr, QStringLiteral("quicpool: cannot start the client pool: %1")
                                  .arg(m_pool->lastError().toString()));
            m_failed = timed() ? 1 : m_options.streams;
            m_started = timed() ? 0 : m_options.streams;
            m_stopStarting = true;
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

    int exitCode() const
    {
        if (timed())
            return (m_failed == 0 && !m_abandoned && m_ok > 0 && m_ok == m_started) ? 0 : 1;
        return (m_failed == 0 && m_ok == m_options.streams) ? 0 : 1;
    }

    /// Prints the summary (or the JSON object) and closes the pool.
    void finishAll()
    {
        if (m_done)
            return;
        m_done = true;
        m_starve.stop();
        m_timeUp.stop();
        m_intervalTimer.stop();
        ClientSummary summary;
        summary.streams = timed() ? m_started : m_options.streams;
        summary.ok = m_ok;
        summary.failed = m_failed;
        summary.bytes = m_bytes;
        summary.seconds = m_everTaken ? double(m_lastEndNs) / 1e9 : 0.0;
        IntervalSummary intervals;
        const bool withIntervals = m_options.interval.count() > 0;
        if (withIntervals) {
            // The last interval ends with the run, however short it is.
            if (m_everTaken) {
                const IntervalFigures last = m_meter.close(summary.seconds);
                if ((last.end > last.start || last.sent > 0 || last.received > 0) && !m_options.json)
                    printLine(stdout, formatIntervalLine(last));
            }
            for (const IntervalFigures &interval : m_meter.closed()) {
                if (interval.end > interval.start || interval.sent > 0 || interval.received > 0)
                    intervals.intervals.push_back(interval);
            }
            intervals.sentBytes = m_meter.totalSent();
            intervals.receivedBytes = m_meter.totalReceived();
        }
        if (m_options.json)
            printLine(stdout, QString::fromUtf8(summaryJson(summary, withIntervals ? &intervals : nullptr)));
        else
            printLine(stdout, summaryLine(summary));
        if (m_pool)
            m_pool->close();
        // One more turn of the loop lets the close go out before we leave.
        QTimer::singleShot(0, qApp, [code = exitCode()] { QCoreApplication::exit(code); });
    }

private:
    bool timed() const { return m_options.duration.count() > 0; }
    /// Streams still to start: --streams minus those started, or while
    /// --time lasts, any number.
    bool moreToStart() const
    {
        if (m_stopStarting)
            return false;
        return timed() || m_started < m_options.streams;
    }
    double elapsedSeconds() const { return double(m_clock.nsecsElapsed()) / 1e9; }

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
        if (timed()) {
            if (!m_stopStarting || !m_everTaken) {
                printLine(stderr, QStringLiteral("quicpool: run stopped after %1 streams: %2").arg(m_started).arg(why));
                if (!m_everTaken)
                    m_failed += 1;   // nothing ran at all: that is a failure
            }
            m_abandoned = true;
            m_stopStarting = true;
            m_timeUp.stop();
            m_starve.stop();
            if (m_running == 0)
                finishAll();
            return;
        }
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
        while (m_running < m_options.parallel && moreToStart()) {
            Stream *stream = takeAny();
            if (!stream)
                break;
            if (!m_everTaken) {
                // Time, rate and intervals all count from the first stream:
                // the handshake is not part of the run.
                m_everTaken = true;
                m_clock.start();
                if (timed())
                    m_timeUp.start(int(m_options.duration.count()));
                if (m_options.interval.count() > 0)
                    m_intervalTimer.start(int(m_options.interval.count()));
                if (m_options.rate > 0)
                    m_pace = std::make_shared<workload::SharedPace>(m_options.rate);
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
            run->setPace(m_pace);
            connect(run, &workload::StreamRunner::payloadTransferred, this,
                    [this](qint64 sent, qint64 received) { m_meter.add(sent, received); });
            run->start();
        }
        // Starved: a free slot and no stream. The timer runs only while
        // that lasts, so a pool that stops refilling cannot hang us.
        const bool starving = m_running < m_options.parallel && moreToStart();
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
        // Failures always; streams that checked out only when asked.
        if (!result.ok || m_options.verbose)
            printLine(lineOutput(), formatStreamLine(result.id, result.bytes, result.milliseconds, result.ok, result.why));
        if (!moreToStart() && m_running == 0) {
            finishAll();
            return;
        }
        pump();
    }

    ClientOptions m_options;
    ClientPool *m_pool = nullptr;
    MetricsServer *m_metrics = nullptr;
    QTimer m_starve;
    QTimer m_timeUp;          ///< --time: no new streams after it fires
    QTimer m_intervalTimer;   ///< --interval
    IntervalMeter m_meter;
    std::shared_ptr<workload::SharedPace> m_pace;  ///< --rate
    QElapsedTimer m_clock;
    bool m_everTaken = false;
    bool m_stopStarting = false;
    bool m_abandoned = false;
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
