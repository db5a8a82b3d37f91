#include "bench_report.h"

#include <QtCore/QJsonArray>
#include <QtCore/QMap>
#include <QtCore/QTextStream>
#include <algorithm>
#include <cmath>

namespace quicpool::cli::bench {

namespace {

// Six significant digits are plenty for a benchmark and keep the JSON readable.
double tidy(double v)
{
    if (v == 0 || !std::isfinite(v))
        return std::isfinite(v) ? v : 0;
    const double scale = std::pow(10.0, 5 - int(std::floor(std::log10(std::fabs(v)))));
    return std::round(v * scale) / scale;
}

QString statusName(WorkloadReport::Status status)
{
    switch (status) {
    case WorkloadReport::Status::Ok:
        return QStringLiteral("ok");
    case WorkloadReport::Status::Skipped:
        return QStringLiteral("skipped");
    case WorkloadReport::Status::Failed:
        return QStringLiteral("failed");
    }
    return QString();
}

const QString kVs = QStringLiteral("_vs_");

/// "mb_per_s_vs_tcp" -> {"mb_per_s", "tcp"}; empty when the key is no ratio.
std::pair<QString, QString> splitRatioKey(const QString &key)
{
    const qsizetype at = key.lastIndexOf(kVs);
    if (at <= 0)
        return {};
    return {key.left(at), key.mid(at + kVs.size())};
}

} // namespace

RunOutcome roundTripOutcome(std::vector<double> rttsUs)
{
    std::sort(rttsUs.begin(), rttsUs.end());
    RunOutcome out;
    if (rttsUs.empty())
        return out;
    out.add(QStringLiteral("rtt_p50_us"), QStringLiteral("us"), percentileSorted(rttsUs, 0.50));
    out.add(QStringLiteral("rtt_p99_us"), QStringLiteral("us"), percentileSorted(rttsUs, 0.99));
    out.add(QStringLiteral("rtt_p999_us"), QStringLiteral("us"), percentileSorted(rttsUs, 0.999));
    out.add(QStringLiteral("rtt_max_us"), QStringLiteral("us"), rttsUs.back());
    return out;
}

// ---------------------------------------------------------------- WorkloadReport

void WorkloadReport::addRun(const RunOutcome &outcome)
{
    for (const QString &n : outcome.notes)
        if (!notes.contains(n))
            notes.append(n);
    if (!outcome.error.isEmpty()) {
        status = Status::Failed;
        if (!reason.isEmpty() && reason != outcome.error)
            reason += QStringLiteral("; ");
        if (reason != outcome.error)
            reason += outcome.error;
        return;
    }
    if (!outcome.skipped.isEmpty()) {
        if (status == Status::Ok && runs == 0) {
            status = Status::Skipped;
            reason = outcome.skipped;
        }
        return;
    }
    ++runs;
    for (const Sample &s : outcome.samples) {
        auto it = std::find_if(figures.begin(), figures.end(), [&](const Figure &f) { return f.key == s.key; });
        if (it == figures.end()) {
            figures.append(Figure{s.key, s.unit, {}});
            it = figures.end() - 1;
        }
        it->values.append(s.value);
    }
}

const WorkloadReport::Ratio *WorkloadReport::ratio(const QString &baseline, const QString &key) const
{
    for (const Ratio &r : ratios)
        if (r.baseline == baseline && r.key == key)
            return &r;
    return nullptr;
}

const Figure *WorkloadReport::figure(const QString &key) const
{
    for (const Figure &f : figures)
        if (f.key == key)
            return &f;
    return nullptr;
}

// ---------------------------------------------------------------- targets
// The project's loopback goals, as docs/PERFORMANCE.md lists them: figures
// the Go original reaches or that NodePass tunnels need, with margin.

QList<Target> performanceTargets()
{
    return {
        {QStringLiteral("sink1"), QStringLiteral("mb_per_s"), true, 800, QStringLiteral("one stream >= 800 MB/s")},
        {QStringLiteral("sink1"), QStringLiteral("cpu_s_per_gib"), false, 2.5,
         QStringLiteral("one stream <= 2.5 s CPU per GiB")},
        {QStringLiteral("sink1"), QStringLiteral("mb_per_s_vs_tls"), true, 0.8,
         QStringLiteral("one stream >= 0.8x TLS over TCP")},
        {QStringLiteral("sink1"), QStringLiteral("mb_per_s_vs_tcp"), true, 0.6,
         QStringLiteral("one stream >= 0.6x plain TCP")},
        {QStringLiteral("sink1"), QStringLiteral("cpu_s_per_gib_vs_tcp"), false, 1.7,
         QStringLiteral("one stream <= 1.7x plain TCP's CPU per GiB")},
        {QStringLiteral("sink8"), QStringLiteral("mb_per_s_vs_sink1"), true, 1.0,
         QStringLiteral("8 streams >= one stream")},
        // Issue 21 counts a fill from the handshake's end (the handshake is
        // the handshake workload's figure).
        {QStringLiteral("fill"), QStringLiteral("fill_1000_streams_ms"), false, 3,
         QStringLiteral("fill 1000 <= 3 ms after the handshake")},
        {QStringLiteral("fill"), QStringLiteral("fill_10000_streams_ms"), false, 30,
         QStringLiteral("fill 10,000 <= 30 ms after the handshake")},
        {QStringLiteral("echo"), QStringLiteral("rtt_p50_us_vs_udp"), false, 1.3,
         QStringLiteral("echo p50 <= 1.3x the UDP ping-pong")},
        {QStringLiteral("echo"), QStringLiteral("rtt_p99_us_vs_udp"), false, 3,
         QStringLiteral("echo p99 <= 3x the UDP ping-pong")},
        {QStringLiteral("get"), QStringLiteral("wake_p99_us"), false, 50,
         QStringLiteral("waiting outgoingGet wakes <= 50 us")},
        {QStringLiteral("memory"), QStringLiteral("rss_bytes_per_stream"), false, 1024,
         QStringLiteral("<= 1 KiB resident per idle pooled stream")},
        {QStringLiteral("handshake"), QStringLiteral("handshakes_per_server_core_s"), true, 2000,
         QStringLiteral(">= 2,000 handshakes per second of one server core")},
    };
}

bool measuredValue(const BenchReport &report, const Target &target, double *value)
{
    const WorkloadReport *w = report.workload(target.workload);
    if (!w || w->status != WorkloadReport::Status::Ok)
        return false;
    if (target.key == u"mb_per_s_vs_sink1") {
        const WorkloadReport *one = report.workload(QStringLiteral("sink1"));
        const Figure *mine = w->figure(QStringLiteral("mb_per_s"));
        const Figure *theirs = one && one->status == WorkloadReport::Status::Ok
            ? one->figure(QStringLiteral("mb_per_s")) : nullptr;
        if (!mine || !theirs || theirs->summary().median <= 0)
            return false;
        *value = mine->summary().median / theirs->summary().median;
        return true;
    }
    if (const auto [key, baseline] = splitRatioKey(target.key); !baseline.isEmpty()) {
        const WorkloadReport::Ratio *r = w->ratio(baseline, key);
        if (r)
            *value = r->value;
        return r != nullptr;
    }
    const Figure *f = w->figure(target.key);
    if (!f || f->values.isEmpty())
        return false;
    *value = f->summary().median;
    return true;
}

// ---------------------------------------------------------------- BenchReport

const WorkloadReport *BenchReport::workload(const QString &name) const
{
    for (const WorkloadReport &w : workloads)
        if (w.name == name)
            return &w;
    return nullptr;
}

QList<BaselineComparison> baselineComparisons()
{
    const QStringList sinks{QStringLiteral("sink1"), QStringLiteral("sink8")};
    const QStringList throughput{QStringLiteral("mb_per_s"), QStringLiteral("cpu_s_per_gib")};
    return {
        {sinks, QStringLiteral("tcp"), throughput},
        {sinks, QStringLiteral("tls"), throughput},
        {{QStringLiteral("echo")}, QStringLiteral("udp"), {QStringLiteral("rtt_p50_us"), QStringLiteral("rtt_p99_us")}},
    };
}

void BenchReport::compareWithBaselines()
{
    for (WorkloadReport &w : workloads)
        w.ratios.clear();
    for (const BaselineComparison &c : baselineComparisons()) {
        const WorkloadReport *base = workload(c.baseline);
        if (!base || base->status != WorkloadReport::Status::Ok)
            continue;
        for (WorkloadReport &w : workloads) {
            if (!c.workloads.contains(w.name) || w.status != WorkloadReport::Status::Ok)
                continue;
            for (const QString &key : c.keys) {
                const Figure *mine = w.figure(key);
                const Figure *theirs = base->figure(key);
                if (mine && theirs && theirs->summary().median > 0)
                    w.ratios.append({c.baseline, key, mine->summary().median / theirs->summary().median});
            }
        }
    }
}

bool BenchReport::ok() const
{
    return std::none_of(workloads.begin(), workloads.end(),
                        [](const WorkloadReport &w) { return w.status == WorkloadReport::Status::Failed; });
}

// ---------------------------------------------------------------- JSON

QJsonObject toJson(const BenchReport &report)
{
    const MachineInfo &m = report.machine;
    QJsonObject machine{
        {QStringLiteral("cpu_model"), m.cpuModel},
        {QStringLiteral("cores"), m.cores},
        {QStringLiteral("kernel"), m.kernel},
        {QStringLiteral("os"), m.os},
        {QStringLiteral("qt"), m.qtVersion},
        {QStringLiteral("quicpool"), m.quicpoolVersion},
        {QStringLiteral("ngtcp2"), m.ngtcp2Version},
        {QStringLiteral("tls"), m.tlsLibrary},
        {QStringLiteral("qt_tls_backend"), m.sslBackend},
        {QStringLiteral("optimized_build"), m.optimized},
        {QStringLiteral("load_average"), QJsonArray{tidy(m.loadAverage[0]), tidy(m.loadAverage[1]),
                                                    tidy(m.loadAverage[2])}},
    };
    const BenchSettings &s = report.settings;
    QJsonObject settings{
        {QStringLiteral("quick"), s.quick},
        {QStringLiteral("repeat"), s.repeat > 0 ? QJsonValue(s.repeat) : QJsonValue()},
        {QStringLiteral("bytes"), double(s.bytes)},
        {QStringLiteral("connect"), s.connect.isEmpty() ? QJsonValue() : QJsonValue(s.connect)},
        {QStringLiteral("workloads"), QJsonArray::fromStringList(s.workloads)},
        {QStringLiteral("cc"), s.congestionControl.isEmpty() ? QJsonValue() : QJsonValue(s.congestionControl)},
        {QStringLiteral("busy_poll_us"), s.busyPollUs},
    };

    QJsonObject workloads;
    for (const WorkloadReport &w : report.workloads) {
        QJsonObject o{
            {QStringLiteral("title"), w.title},
            {QStringLiteral("status"), statusName(w.status)},
            {QStringLiteral("runs"), w.runs},
        };
        if (!w.reason.isEmpty())
            o.insert(QStringLiteral("reason"), w.reason);
        for (auto it = w.attributes.begin(); it != w.attributes.end(); ++it)
            o.insert(it.key(), it.value());
        if (!w.notes.isEmpty())
            o.insert(QStringLiteral("notes"), QJsonArray::fromStringList(w.notes));
        QJsonObject figures;
        for (const Figure &f : w.figures) {
            const Summary sum = f.summary();
            QJsonArray values;
            for (double v : f.values)
                values.append(tidy(v));
            figures.insert(f.key, QJsonObject{
                                      {QStringLiteral("unit"), f.unit},
                                      {QStringLiteral("min"), tidy(sum.min)},
                                      {QStringLiteral("median"), tidy(sum.median)},
                                      {QStringLiteral("max"), tidy(sum.max)},
                                      {QStringLiteral("values"), values},
                                  });
        }
        o.insert(QStringLiteral("figures"), figures);
        // "vs_tcp": {"mb_per_s": 0.45, ...}, one object per baseline.
        QMap<QString, QJsonObject> byBaseline;
        for (const WorkloadReport::Ratio &r : w.ratios)
            byBaseline[QStringLiteral("vs_") + r.baseline].insert(r.key, tidy(r.value));
        for (auto it = byBaseline.cbegin(); it != byBaseline.cend(); ++it)
            o.insert(it.key(), it.value());
        workloads.insert(w.name, o);
    }

    QJsonArray targets;
    for (const Target &t : performanceTargets()) {
        if (!report.workload(t.workload))
            continue;
        double value = 0;
        const bool measured = measuredValue(report, t, &value);
        targets.append(QJsonObject{
            {QStringLiteral("workload"), t.workload},
            {QStringLiteral("figure"), t.key},
            {QStringLiteral("op"), t.atLeast ? QStringLiteral(">=") : QStringLiteral("<=")},
            {QStringLiteral("value"), t.value},
            {QStringLiteral("text"), t.text},
            {QStringLiteral("measured"), measured ? QJsonValue(tidy(value)) : QJsonValue()},
            {QStringLiteral("met"), measured ? QJsonValue(t.atLeast ? value >= t.value : value <= t.value)
                                             : QJsonValue()},
        });
    }

    return QJsonObject{
        {QStringLiteral("tool"), QStringLiteral("quicpool bench")},
        {QStringLiteral("schema"), 1},
        {QStringLiteral("ok"), report.ok()},
        {QStringLiteral("wall_seconds"), tidy(report.wallSeconds)},
        {QStringLiteral("machine"), machine},
        {QStringLiteral("settings"), settings},
        {QStringLiteral("workloads"), workloads},
        {QStringLiteral("targets"), targets},
    };
}

// ---------------------------------------------------------------- table

QString formatFigure(double value)
{
    const double a = std::fabs(value);
    if (a >= 100 || a == 0)
        return QString::number(value, 'f', 0);
    if (a >= 10)
        return QString::number(value, 'f', 1);
    if (a >= 1)
        return QString::number(value, 'f', 2);
    return QString::number(value, 'g', 3);
}

QString toTable(const BenchReport &report)
{
    QString out;
    QTextStream ts(&out);
    const MachineInfo &m = report.machine;
    ts << "quicpool bench " << m.quicpoolVersion << (m.optimized ? "" : " (unoptimized build: figures are low)")
       << "\n";
    ts << "machine: " << (m.cpuModel.isEmpty() ? QStringLiteral("unknown CPU") : m.cpuModel) << ", " << m.cores
       << " cores, " << m.kernel << (m.os.isEmpty() ? QString() : QStringLiteral(", ") + m.os) << "\n";
    ts << "libraries: Qt " << m.qtVersion << ", ngtcp2 " << m.ngtcp2Version << ", " << m.tlsLibrary
       << ", Qt TLS " << m.sslBackend << "\n";
    ts << "load average at start: " << QString::number(m.loadAverage[0], 'f', 2) << " "
       << QString::number(m.loadAverage[1], 'f', 2) << " " << QString::number(m.loadAverage[2], 'f', 2) << "\n";
    if (!report.settings.connect.isEmpty())
        ts << "server: " << report.settings.connect << " (client side measured here)\n";
    ts << "\n";

    struct Row
    {
        QStringList cells;
    };
    QList<Row> rows;
    rows.append({{QStringLiteral("workload"), QStringLiteral("figure"), QStringLiteral("median"),
                  QStringLiteral("min"), QStringLiteral("max"), QStringLiteral("unit"), QStringLiteral("vs baseline"),
                  QStringLiteral("target")}});
    const QList<Target> targets = performanceTargets();
    for (const WorkloadReport &w : report.workloads) {
        if (w.status != WorkloadReport::Status::Ok) {
            rows.append({{w.name, statusName(w.status) + QStringLiteral(": ") + w.reason}});
            continue;
        }
        bool first = true;
        for (const Figure &f : w.figures) {
            const Summary sum = f.summary();
            QStringList vs;   // "0.45x tcp 1.20x tls"
            for (const WorkloadReport::Ratio &r : w.ratios)
                if (r.key == f.key)
                    vs.append(QString::number(r.value, 'f', 2) + QStringLiteral("x ") + r.baseline);
            QString target;
            for (const Target &t : targets) {
                if (t.workload != w.name)
                    continue;
                // A figure's row shows its own targets and those of its ratios.
                const bool here = t.key == f.key || splitRatioKey(t.key).first == f.key;
                if (!here)
                    continue;
                double value = 0;
                if (!measuredValue(report, t, &value))
                    continue;
                const bool met = t.atLeast ? value >= t.value : value <= t.value;
                if (!target.isEmpty())
                    target += QStringLiteral("; ");
                target += t.text + (met ? QStringLiteral(": met") : QStringLiteral(": missed"));
            }
            rows.append({{first ? w.name : QString(), f.key, formatFigure(sum.median), formatFigure(sum.min),
                          formatFigure(sum.max), f.unit, vs.join(u' '), target}});
            first = false;
        }
    }

    QList<int> widths(8, 0);
    for (const Row &r : rows)
        if (r.cells.size() == 8)
            for (int i = 0; i < 8; ++i)
                widths[i] = std::max(widths[i], int(r.cells[i].size()));
    for (const Row &r : rows) {
        if (r.cells.size() != 8) {
            ts << r.cells.value(0).leftJustified(widths[0]) << "  " << r.cells.value(1) << "\n";
            continue;
        }
        QString line;
        for (int i = 0; i < 8; ++i) {
            const bool numeric = i >= 2 && i <= 4;
            const QString cell = numeric ? r.cells[i].rightJustified(widths[i]) : r.cells[i].leftJustified(widths[i]);
            line += cell + (i < 7 ? QStringLiteral("  ") : QString());
        }
        while (line.endsWith(u' '))
            line.chop(1);
        ts << line << "\n";
    }
    for (const WorkloadReport &w : report.workloads)
        for (const QString &n : w.notes)
            ts << "note (" << w.name << "): " << n << "\n";
    if (const QString wan = wanTable(report); !wan.isEmpty())
        ts << "\n" << wan;
    ts << "\nMB/s = 10^6 bytes per second. Targets are the project's loopback goals (two processes, medians; docs/PERFORMANCE.md); shown, never asserted.\n";
    return out;
}

QString wanTable(const BenchReport &report)
{
    QList<QStringList> rows;
    rows.append({QStringLiteral("path"), QStringLiteral("rtt"), QStringLiteral("loss"), QStringLiteral("cc"),
                 QStringLiteral("MB/s"), QStringLiteral("of link"), QStringLiteral("peak cwnd"),
                 QStringLiteral("peak flight"), QStringLiteral("lost pkts"), QStringLiteral("bytes")});
    auto median = [](const WorkloadReport &w, const char *key) {
        const Figure *f = w.figure(QLatin1String(key));
        return f && !f->values.isEmpty() ? f->summary().median : 0.0;
    };
    auto mib = [](double bytes) { return QString::number(bytes / (1024.0 * 1024.0), 'f', 1) + QStringLiteral(" MiB"); };
    for (const WorkloadReport &w : report.workloads) {
        if (!w.attributes.contains(QStringLiteral("profile")))
            continue;
        QStringList row{w.attributes.value(QStringLiteral("profile")).toString(),
                        QString::number(w.attributes.value(QStringLiteral("round_trip_ms")).toDouble())
                            + QStringLiteral(" ms"),
                        QString::number(w.attributes.value(QStringLiteral("loss_percent")).toDouble())
                            + QStringLiteral("%"),
                        w.attributes.value(QStringLiteral("cc")).toString()};
        if (w.status != WorkloadReport::Status::Ok) {
            row << statusName(w.status) + QStringLiteral(": ") + w.reason;
        } else {
            row << formatFigure(median(w, "mb_per_s"))
                << QString::number(median(w, "link_fraction") * 100.0, 'f', 0) + QStringLiteral("%")
                << mib(median(w, "peak_cwnd_bytes")) << mib(median(w, "peak_in_flight_bytes"))
                << QString::number(qRound64(median(w, "lost_packets")))
                << mib(w.attributes.value(QStringLiteral("bytes")).toDouble());
        }
        rows.append(row);
    }
    if (rows.size() == 1)
        return {};
    const int columns = int(rows.first().size());
    QList<int> widths(columns, 0);
    for (const QStringList &r : rows)
        if (r.size() == columns)
            for (int i = 0; i < columns; ++i)
                widths[i] = std::max(widths[i], int(r[i].size()));
    QString out = QStringLiteral("WAN paths (one stream through the in-process relay; medians):\n");
    for (const QStringList &r : rows) {
        QString line;
        for (int i = 0; i < r.size(); ++i) {
            const bool last = i == r.size() - 1;
            const bool numeric = i == 1 || i == 2 || (i >= 4 && r.size() == columns);
            const QString cell = last ? r[i] : numeric ? r[i].rightJustified(widths[i]) : r[i].leftJustified(widths[i]);
            line += cell + (last ? QString() : QStringLiteral("  "));
        }
        while (line.endsWith(u' '))
            line.chop(1);
        out += line + QStringLiteral("\n");
    }
    return out;
}

} // namespace quicpool::cli::bench
