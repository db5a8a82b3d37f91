// `quicpool bench`: runs the planned workloads, each its number of times,
// with a progress line per phase on stderr, then prints the table or the
// JSON object. Measuring lives in bench_workloads / bench_baseline, the
// figures' bookkeeping and output in bench_report.
#include "bench.h"

#include "bench_baseline.h"
#include "bench_handshake.h"
#include "bench_harness.h"
#include "bench_plan.h"
#include "bench_relay.h"
#include "bench_report.h"
#include "bench_udp.h"
#include "bench_wan.h"
#include "bench_workloads.h"

#include <QtCore/QCoreApplication>
#include <QtCore/QElapsedTimer>
#include <QtCore/QJsonDocument>
#include <QtCore/QLoggingCategory>
#include <cstdio>

namespace quicpool::cli {

using namespace bench;

namespace {

RunOutcome runWorkload(const QString &name, const WorkloadContext &context)
{
    if (name == u"fill")
        return runFill(context);
    if (name == u"sink1")
        return runSink(context, 1);
    if (name == u"sink8")
        return runSink(context, 8);
    if (name == u"echo")
        return runEcho(context);
    if (name == u"udp")
        return runUdpPingPong(context);
    if (name == u"get")
        return runGet(context);
    if (name == u"memory")
        return runMemory(context);
    if (name == u"tcp")
        return runTcpSink(context, false);
    if (name == u"tls")
        return runTcpSink(context, true);
    if (name == u"relay")
        return runRelayBlast(context);
    if (name == u"handshake")
        return runHandshake(context);
    return RunOutcome::failure(QStringLiteral("no such workload"));
}

/// "mb_per_s 312 MB/s, cpu_s_per_gib 4.12 s/GiB" for the progress line.
QString briefly(const RunOutcome &outcome)
{
    if (!outcome.error.isEmpty())
        return QStringLiteral("failed: ") + outcome.error;
    if (!outcome.skipped.isEmpty())
        return QStringLiteral("skipped: ") + outcome.skipped;
    QStringList parts;
    for (const Sample &s : outcome.samples) {
        if (parts.size() == 4)
            break;
        parts.append(QStringLiteral("%1 %2 %3").arg(s.key, formatFigure(s.value), s.unit));
    }
    return parts.join(QStringLiteral(", "));
}

} // namespace

int runBench(const BenchOptions &options)
{
    if (!QCoreApplication::instance()) {
        std::fputs("quicpool: bench needs a QCoreApplication\n", stderr);
        return 1;
    }
    const Plan plan = makePlan(options);
    if (!plan.error.isEmpty()) {
        std::fprintf(stderr, "quicpool bench: %s\n", qPrintable(plan.error));
        return kUsageExitCode;
    }
    // The pool's informational lines would interleave with our progress.
    if (qEnvironmentVariableIsEmpty("QT_LOGGING_RULES"))
        QLoggingCategory::setFilterRules(QStringLiteral("quicpool.pool.info=false"));

    QElapsedTimer clock;
    clock.start();
    auto progress = [&clock](const QString &line) {
        std::fprintf(stderr, "bench [%6.1f s] %s\n", double(clock.elapsed()) / 1000.0, qPrintable(line));
        std::fflush(stderr);
    };

    BenchReport report;
    report.machine = collectMachineInfo();
    report.settings.quick = plan.quick;
    report.settings.repeat = plan.repeat;
    report.settings.bytes = plan.sizes.bytes;
    report.settings.connect = plan.connect;
    report.settings.congestionControl = options.congestionControl;
    report.settings.busyPollUs = options.busyPollUs;
    for (const WorkloadInfo &w : plan.workloads)
        report.settings.workloads.append(w.name);
    if (!report.machine.optimized)
        progress(QStringLiteral("note: this is an unoptimized (Debug) build; its figures are not representative"));

    WorkerThread worker;
    const WorkloadContext context{plan.sizes, plan.connect, &worker, progress, !options.workload.isEmpty(),
                                  plan.congestionControl, std::chrono::microseconds(options.busyPollUs)};
    for (const WorkloadInfo &w : plan.workloads) {
        if (w.name == u"wan") {
            // One report per path and controller, so each has its figures.
            for (const WanCase &c : plan.wanCases) {
                WorkloadReport result;
                result.name = c.name();
                result.title = QStringLiteral("%1 over %2 (%3)")
                                   .arg(w.title, c.profile.name, congestionControlName(c.congestionControl));
                result.attributes = wanAttributes(c);
                const int runs = plan.runsOf(w);
                for (int run = 1; run <= runs; ++run) {
                    progress(QStringLiteral("%1 run %2/%3: %4").arg(result.name).arg(run).arg(runs).arg(result.title));
                    const RunOutcome outcome = runWan(context, c);
                    progress(QStringLiteral("%1 run %2/%3: %4").arg(result.name).arg(run).arg(runs).arg(briefly(outcome)));
                    result.addRun(outcome);
                    if (!outcome.error.isEmpty() || !outcome.skipped.isEmpty())
                        break;
                }
                report.workloads.append(result);
            }
            continue;
        }
        WorkloadReport result;
        result.name = w.name;
        result.title = w.title;
        const int runs = plan.runsOf(w);
        for (int run = 1; run <= runs; ++run) {
            progress(QStringLiteral("%1 run %2/%3: %4").arg(w.name).arg(run).arg(runs).arg(w.title));
            const RunOutcome outcome = runWorkload(w.name, context);
            progress(QStringLiteral("%1 run %2/%3: %4").arg(w.name).arg(run).arg(runs).arg(briefly(outcome)));
            result.addRun(outcome);
            if (!outcome.error.isEmpty() || !outcome.skipped.isEmpty())
                break;
        }
        report.workloads.append(result);
    }
    report.compareWithBaselines();
    report.wallSeconds = double(clock.elapsed()) / 1000.0;

    if (options.json) {
        std::fputs(QJsonDocument(toJson(report)).toJson(QJsonDocument::Indented).constData(), stdout);
    } else {
        std::fputs(qPrintable(toTable(report)), stdout);
    }
    std::fflush(stdout);
    return report.ok() ? 0 : 1;
}

} // namespace quicpool::cli
