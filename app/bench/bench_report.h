// The results of `quicpool bench`: what each run of a workload measured,
// gathered over repeats into min / median / max, compared with the
// TLS-over-TCP baseline and the performance targets (performanceTargets()
// below; docs/PERFORMANCE.md shows them beside the results), and written
// out as one JSON object or a table. No measuring here.
#pragma once

#include "bench_resources.h"
#include "bench_stats.h"

#include <QtCore/QJsonObject>
#include <QtCore/QList>
#include <QtCore/QString>
#include <QtCore/QStringList>

namespace quicpool::cli::bench {

/// One figure of one run, e.g. {"mb_per_s", "MB/s", 312.4}.
struct Sample
{
    QString key;
    QString unit;
    double value = 0;
};

/// What one run of a workload produced. Either samples, or a reason it
/// could not run (skipped) or went wrong (error).
struct RunOutcome
{
    QList<Sample> samples;
    QStringList notes;          ///< facts worth reporting once (cipher, sizes, method)
    QString error;              ///< the run failed: why
    QString skipped;            ///< the workload cannot run in this setting: why

    void add(const QString &key, const QString &unit, double value) { samples.append({key, unit, value}); }
    void note(const QString &text)
    {
        if (!notes.contains(text))
            notes.append(text);
    }
    static RunOutcome failure(const QString &why)
    {
        RunOutcome o;
        o.error = why;
        return o;
    }
    static RunOutcome skip(const QString &why)
    {
        RunOutcome o;
        o.skipped = why;
        return o;
    }
};

/// The round-trip figures the echo and its UDP baseline share, from
/// microsecond samples: rtt_p50_us, rtt_p99_us, rtt_p999_us, rtt_max_us
/// (nearest rank); none for no samples.
RunOutcome roundTripOutcome(std::vector<double> rttsUs);

/// A figure over all runs of its workload.
struct Figure
{
    QString key;
    QString unit;
    QList<double> values;
    Summary summary() const { return summarize(values); }
};

struct WorkloadReport
{
    enum class Status { Ok, Skipped, Failed };

    QString name;               ///< "sink1"
    QString title;              ///< "one stream, sink"
    Status status = Status::Ok;
    QString reason;             ///< why skipped or failed
    int runs = 0;               ///< runs that produced figures
    QList<Figure> figures;      ///< in first-seen order
    QStringList notes;
    /// This workload's median of a figure over a baseline's median of the
    /// same figure in the same run (baselineComparisons()).
    struct Ratio
    {
        QString baseline;   ///< "tcp"
        QString key;        ///< "mb_per_s"
        double value = 0;
    };
    QList<Ratio> ratios;
    /// The ratio of `key` to `baseline`, if it was measured.
    const Ratio *ratio(const QString &baseline, const QString &key) const;
    /// Labels written into the workload's JSON object beside "figures"
    /// (the wan workload's profile, cc, ...); empty for most workloads.
    QJsonObject attributes;

    /// Folds one run in: samples append to their figures; a failure or skip
    /// sets the status (a failure wins over everything).
    void addRun(const RunOutcome &outcome);
    const Figure *figure(const QString &key) const;
};

/// One performance target, checked for the report (never asserted).
struct Target
{
    QString workload;
    QString key;                ///< a figure key, or "<key>_vs_<baseline>" for a ratio
    bool atLeast = false;       ///< true: measured >= value; false: measured <= value
    double value = 0;
    QString text;               ///< "one stream >= 800 MB/s"
};
/// Which workloads are read as ratios to which baseline of the same run,
/// and on which figures: the QUIC sinks to plain TCP and to TLS over TCP
/// (MB/s, CPU per GiB), the QUIC echo to the bare UDP ping-pong (round
/// trip percentiles).
struct BaselineComparison
{
    QStringList workloads;      ///< "sink1", "sink8"
    QString baseline;           ///< "tcp"
    QStringList keys;           ///< "mb_per_s", "cpu_s_per_gib"
};
QList<BaselineComparison> baselineComparisons();

/// The targets the project set for itself, for two processes on a 2-vCPU
/// machine, as medians: the "target" column of docs/PERFORMANCE.md. The
/// quic-go figures beside them there are what they were chosen against.
QList<Target> performanceTargets();

struct BenchSettings
{
    bool quick = false;
    int repeat = 0;             ///< 0: each workload's default
    qint64 bytes = 0;           ///< sink/baseline payload
    QString connect;            ///< empty: in-process server
    QStringList workloads;      ///< names, in run order
    QString congestionControl;  ///< --cc as given; empty: the library's default
    int busyPollUs = 0;         ///< --busy-poll (echo); 0: off
};

struct BenchReport
{
    MachineInfo machine;
    BenchSettings settings;
    QList<WorkloadReport> workloads;
    double wallSeconds = 0;

    const WorkloadReport *workload(const QString &name) const;
    /// Fills every workload's ratios from the baselines that ran
    /// (baselineComparisons()); none for a baseline that did not run.
    void compareWithBaselines();
    /// False when any workload failed.
    bool ok() const;
};

/// The median a target refers to, if it was measured.
bool measuredValue(const BenchReport &report, const Target &target, double *value);

QJsonObject toJson(const BenchReport &report);
/// A fixed-width table for a terminal, with the machine on top, and a
/// summary of the wan workload's paths when it ran.
QString toTable(const BenchReport &report);
/// The wan summary alone: one row per path and controller (profile, cc,
/// MB/s, share of the link, peak window and flight, lost packets); empty
/// when no workload has a "profile" attribute.
QString wanTable(const BenchReport &report);
/// A number as the table prints it: 3 significant digits, at least 0 decimals.
QString formatFigure(double value);

} // namespace quicpool::cli::bench
