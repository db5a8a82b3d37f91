// The pure parts of `quicpool bench`: percentiles, summaries, the plan,
// the report's bookkeeping (runs, failures, TLS ratios, targets, JSON).
// (The pattern check the sink servers use is the workload library's:
// tests/workload/tst_protocol.)
#include "bench_harness.h"
#include "bench_plan.h"
#include "bench_report.h"
#include "bench_resources.h"
#include "bench_stats.h"
#include "bench_wan.h"

#include <QtCore/QJsonArray>
#include <QtCore/QRegularExpression>
#include <QtTest/QTest>

using namespace quicpool;
using namespace quicpool::cli;
using namespace quicpool::cli::bench;

class TestBenchLogic : public QObject
{
    Q_OBJECT

    static RunOutcome throughput(double mbPerS, double cpu)
    {
        RunOutcome o;
        o.add(QStringLiteral("mb_per_s"), QStringLiteral("MB/s"), mbPerS);
        o.add(QStringLiteral("cpu_s_per_gib"), QStringLiteral("s/GiB"), cpu);
        return o;
    }
    static RunOutcome roundTrips(double p50, double p99)
    {
        RunOutcome o;
        o.add(QStringLiteral("rtt_p50_us"), QStringLiteral("us"), p50);
        o.add(QStringLiteral("rtt_p99_us"), QStringLiteral("us"), p99);
        return o;
    }
    static WorkloadReport workload(const QString &name, const QList<RunOutcome> &runs)
    {
        WorkloadReport w;
        w.name = name;
        for (const RunOutcome &r : runs)
            w.addRun(r);
        return w;
    }

private Q_SLOTS:
    void percentileIsNearestRank()
    {
        std::vector<double> v;
        for (int i = 1; i <= 10000; ++i)
            v.push_back(double(10001 - i));   // unsorted on purpose
        QCOMPARE(percentile(v, 0.50), 5000.0);
        QCOMPARE(percentile(v, 0.99), 9900.0);
        QCOMPARE(percentile(v, 0.999), 9990.0);
        QCOMPARE(percentile(v, 1.0), 10000.0);
        QCOMPARE(percentile(v, 0.0), 1.0);
        QCOMPARE(percentile({7.0}, 0.99), 7.0);
        QCOMPARE(percentile({}, 0.5), 0.0);
        QCOMPARE(percentile({1, 2, 3, 4}, 0.5), 2.0);
        QCOMPARE(percentile({1, 2, 3, 4}, 0.51), 3.0);
        QCOMPARE(percentile({3, 1, 2}, 2.0), 3.0);    // clamped
        QCOMPARE(percentile({3, 1, 2}, -1.0), 1.0);
    }

    void summaryOfRuns()
    {
        const Summary odd = summarize({3, 1, 2});
        QCOMPARE(odd.count, 3);
        QCOMPARE(odd.min, 1.0);
        QCOMPARE(odd.median, 2.0);
        QCOMPARE(odd.max, 3.0);
        const Summary even = summarize({4, 1, 3, 2});
        QCOMPARE(even.median, 2.5);
        const Summary none = summarize({});
        QCOMPARE(none.count, 0);
        QCOMPARE(none.median, 0.0);
    }

    void planDefaultsAndErrors()
    {
        BenchOptions o;
        Plan p = makePlan(o);
        QVERIFY(p.error.isEmpty());
        // Everything but the relay, which measures the test tool, and wan,
        // which takes minutes: they run when named.
        QCOMPARE(p.workloads.size(), workloadCatalog().size() - 2);
        QVERIFY(std::none_of(p.workloads.begin(), p.workloads.end(),
                             [](const WorkloadInfo &w) { return w.name == u"relay" || w.name == u"wan"; }));
        QVERIFY(p.wanCases.isEmpty());
        QVERIFY(!p.congestionControl);
        QCOMPARE(p.sizes.bytes, 1024LL * 1024 * 1024);
        QCOMPARE(p.sizes.fillStreams, (QList<int>{100, 1000, 10000}));
        QCOMPARE(p.sizes.echoTrips, 10000);
        QCOMPARE(p.sizes.memoryStreams, 10000);
        QCOMPARE(p.runsOf(workloadCatalog().at(3)), 3);   // sink1: medians of three

        o.quick = true;
        p = makePlan(o);
        QCOMPARE(p.sizes.bytes, 16LL * 1024 * 1024);
        QCOMPARE(p.sizes.fillStreams, QList<int>{100});
        QCOMPARE(p.sizes.echoTrips, 1000);
        for (const WorkloadInfo &w : p.workloads)
            QCOMPARE(p.runsOf(w), 1);

        o.repeat = 5;
        o.bytes = 12345;
        o.workload = QStringLiteral("sink8");
        p = makePlan(o);
        QCOMPARE(p.workloads.size(), 1);
        QCOMPARE(p.workloads.first().name, QStringLiteral("sink8"));
        QCOMPARE(p.runsOf(p.workloads.first()), 5);
        QCOMPARE(p.sizes.bytes, 12345);

        o.workload = QStringLiteral("relay");
        p = makePlan(o);
        QCOMPARE(p.workloads.size(), 1);
        QCOMPARE(p.workloads.first().name, QStringLiteral("relay"));
        QCOMPARE(p.sizes.relaySeconds, 1.0);  // --quick

        o.workload = QStringLiteral("sink9");
        p = makePlan(o);
        QVERIFY(p.error.contains(u"sink9"));
        QVERIFY(p.error.contains(u"memory"));

        o.workload.clear();
        o.bytes = 0;
        QVERIFY(!makePlan(o).error.isEmpty());
    }

    void wanPlan()
    {
        const QList<quicpool::relay::PathProfile> profiles = quicpool::relay::pathProfiles();
        BenchOptions o;
        o.workload = QStringLiteral("wan");
        Plan p = makePlan(o);
        QVERIFY2(p.error.isEmpty(), qPrintable(p.error));
        // Every profile once, with the library's default controller.
        QCOMPARE(p.wanCases.size(), profiles.size());
        const CongestionControl standard = ClientPoolConfig().congestionControl();
        for (int i = 0; i < profiles.size(); ++i) {
            const WanCase &c = p.wanCases.at(i);
            QCOMPARE(c.profile.name, profiles.at(i).name);
            QCOMPARE(c.congestionControl, standard);
            QCOMPARE(c.bytes, wanBytes(c.profile, false));
            QCOMPARE(c.name(), QStringLiteral("wan.%1.%2").arg(c.profile.name, congestionControlName(standard)));
            QVERIFY(c.timeout >= std::chrono::seconds(30) && c.timeout <= std::chrono::minutes(10));
        }
        QCOMPARE(p.runsOf(p.workloads.first()), 1);
        QVERIFY(!p.congestionControl);

        // Clean paths send enough to fill the window; lossy ones less, so
        // loss-based controllers end in minutes.
        const auto lan = *quicpool::relay::pathProfile(QStringLiteral("lan"));
        const auto satellite = *quicpool::relay::pathProfile(QStringLiteral("satellite"));
        QCOMPARE(wanBytes(lan, false), 128LL << 20);
        QCOMPARE(wanBytes(satellite, false), 8LL << 20);
        QCOMPARE(wanBytes(*quicpool::relay::pathProfile(QStringLiteral("lossy")), false), 16LL << 20);
        QVERIFY(wanBytes(lan, true) < wanBytes(lan, false));
        QVERIFY(wanBytes(satellite, true) < wanBytes(satellite, false));
        QCOMPARE(wanTimeout(16LL << 20).count(), 30000 + 16 * 25000);
        QCOMPARE(wanTimeout(1LL << 40).count(), 600000);

        // --profile in the order given, --cc all, --bytes for every path.
        o.profiles = {QStringLiteral("satellite"), QStringLiteral("lan")};
        o.congestionControl = QStringLiteral("all");
        o.bytes = 1000;
        p = makePlan(o);
        QVERIFY2(p.error.isEmpty(), qPrintable(p.error));
        QStringList names;
        for (const WanCase &c : p.wanCases) {
            names << c.name();
            QCOMPARE(c.bytes, 1000);
        }
        QCOMPARE(names, (QStringList{"wan.satellite.bbr", "wan.satellite.cubic", "wan.satellite.reno",
                                     "wan.lan.bbr", "wan.lan.cubic", "wan.lan.reno"}));

        // One controller applies to every QUIC workload.
        o.congestionControl = QStringLiteral("reno");
        p = makePlan(o);
        QCOMPARE(p.wanCases.size(), 2);
        QVERIFY(p.congestionControl == CongestionControl::Reno);
        o.workload = QStringLiteral("sink1");
        o.profiles.clear();
        p = makePlan(o);
        QVERIFY(p.error.isEmpty());
        QVERIFY(p.congestionControl == CongestionControl::Reno);

        // Usage errors: a path or "all" without the wan workload.
        o.congestionControl = QStringLiteral("all");
        QVERIFY(makePlan(o).error.contains(u"--workload wan"));
        o.congestionControl.clear();
        o.profiles = {QStringLiteral("lan")};
        QVERIFY(makePlan(o).error.contains(u"--workload wan"));
        o.workload.clear();
        QVERIFY(makePlan(o).error.contains(u"--profile"));
    }

    void wanArguments()
    {
        auto bench = [](const QStringList &args) {
            return parseArguments(QStringList{QStringLiteral("bench")} + args);
        };
        ParseResult r = bench({"--workload", "wan", "--profile", "LAN,lossy,lan", "--cc", "CUBIC"});
        QVERIFY2(r.ok(), qPrintable(r.error));
        BenchOptions o = std::get<BenchOptions>(r.command);
        QCOMPARE(o.profiles, (QStringList{"lan", "lossy"}));   // as the library spells them, once each
        QCOMPARE(o.congestionControl, QStringLiteral("cubic"));
        r = bench({"--cc", "all"});
        QVERIFY(r.ok());
        QCOMPARE(std::get<BenchOptions>(r.command).congestionControl, QStringLiteral("all"));

        r = bench({"--workload", "echo", "--busy-poll", "100"});
        QVERIFY2(r.ok(), qPrintable(r.error));
        QCOMPARE(std::get<BenchOptions>(r.command).busyPollUs, 100);
        QCOMPARE(std::get<BenchOptions>(bench({}).command).busyPollUs, 0);
        r = bench({"--busy-poll", "2000"});
        QVERIFY(!r.ok());
        QVERIFY2(r.error.contains(u"--busy-poll takes 0 (off) to 1000"), qPrintable(r.error));

        r = bench({"--profile", "lan,moon"});
        QVERIFY(!r.ok());
        QVERIFY2(r.error.contains(u"\"moon\"") && r.error.contains(u"satellite"), qPrintable(r.error));
        r = bench({"--cc", "vegas"});
        QVERIFY(!r.ok());
        QVERIFY2(r.error.contains(u"cubic, reno, bbr or all"), qPrintable(r.error));
        QVERIFY(usageText(u"bench").contains(u"--profile NAME[,NAME]"));
        QVERIFY(usageText(u"bench").contains(quicpool::relay::pathProfileNames()));
        QVERIFY(usageText(u"bench").contains(u"link_fraction"));
    }

    void wanTableRowsPerPath()
    {
        BenchReport report;
        WorkloadReport w;
        w.name = QStringLiteral("wan.lossy.bbr");
        w.attributes = wanAttributes({*quicpool::relay::pathProfile(QStringLiteral("lossy")), CongestionControl::Bbr,
                                      16LL << 20, std::chrono::seconds(60)});
        RunOutcome run;
        run.add(QStringLiteral("mb_per_s"), QStringLiteral("MB/s"), 25);
        run.add(QStringLiteral("link_fraction"), QStringLiteral("of link"), 0.5);
        run.add(QStringLiteral("peak_cwnd_bytes"), QStringLiteral("bytes"), 3 * 1024 * 1024);
        run.add(QStringLiteral("peak_in_flight_bytes"), QStringLiteral("bytes"), 2 * 1024 * 1024);
        run.add(QStringLiteral("lost_packets"), QStringLiteral("packets"), 321);
        w.addRun(run);
        report.workloads.append(w);
        const QString table = wanTable(report);
        QVERIFY2(table.contains(QRegularExpression(QStringLiteral(
                     "lossy\\s+50 ms\\s+1%\\s+bbr\\s+25.0\\s+50%\\s+3.0 MiB\\s+2.0 MiB\\s+321\\s+16.0 MiB"))),
                 qPrintable(table));
        QVERIFY(toTable(report).contains(table));
        const QJsonObject json = toJson(report).value(QStringLiteral("workloads")).toObject()
                                     .value(QStringLiteral("wan.lossy.bbr")).toObject();
        QCOMPARE(json.value(QStringLiteral("profile")).toString(), QStringLiteral("lossy"));
        QCOMPARE(json.value(QStringLiteral("cc")).toString(), QStringLiteral("bbr"));
        QCOMPARE(json.value(QStringLiteral("round_trip_ms")).toDouble(), 50.0);
        QCOMPARE(json.value(QStringLiteral("loss_percent")).toDouble(), 1.0);
        QCOMPARE(json.value(QStringLiteral("link_mb_per_s")).toDouble(), 50.0);
        QCOMPARE(json.value(QStringLiteral("bytes")).toDouble(), double(16LL << 20));
        // No wan workload, no wan table.
        QVERIFY(wanTable(BenchReport()).isEmpty());
    }

    void roundTripFiguresByNearestRank()
    {
        std::vector<double> rtts;
        for (int i = 1000; i >= 1; --i)   // unsorted on purpose
            rtts.push_back(double(i));
        const RunOutcome out = roundTripOutcome(rtts);
        QCOMPARE(out.samples.size(), 4);
        QCOMPARE(out.samples.at(0).key, QStringLiteral("rtt_p50_us"));
        QCOMPARE(out.samples.at(0).value, 500.0);
        QCOMPARE(out.samples.at(1).value, 990.0);
        QCOMPARE(out.samples.at(2).key, QStringLiteral("rtt_p999_us"));
        QCOMPARE(out.samples.at(2).value, 999.0);
        QCOMPARE(out.samples.at(3).value, 1000.0);
        QVERIFY(roundTripOutcome({}).samples.isEmpty());
    }

    void runsFoldIntoFigures()
    {
        WorkloadReport w = workload(QStringLiteral("sink1"), {throughput(100, 3), throughput(300, 1), throughput(200, 2)});
        QCOMPARE(w.status, WorkloadReport::Status::Ok);
        QCOMPARE(w.runs, 3);
        QCOMPARE(w.figures.size(), 2);
        const Summary s = w.figure(QStringLiteral("mb_per_s"))->summary();
        QCOMPARE(s.min, 100.0);
        QCOMPARE(s.median, 200.0);
        QCOMPARE(s.max, 300.0);
        QVERIFY(!w.figure(QStringLiteral("nope")));

        // A failure wins over earlier good runs and keeps its reason.
        w.addRun(RunOutcome::failure(QStringLiteral("the transfer stalled")));
        QCOMPARE(w.status, WorkloadReport::Status::Failed);
        QCOMPARE(w.reason, QStringLiteral("the transfer stalled"));

        // A skip only counts when nothing ran.
        WorkloadReport skipped = workload(QStringLiteral("fill"), {RunOutcome::skip(QStringLiteral("remote"))});
        QCOMPARE(skipped.status, WorkloadReport::Status::Skipped);
        QCOMPARE(skipped.runs, 0);
    }

    void ratiosToBaselinesAndTargets()
    {
        BenchReport report;
        report.workloads = {workload(QStringLiteral("tcp"), {throughput(1000, 2.5)}),
                            workload(QStringLiteral("tls"), {throughput(500, 2)}),
                            workload(QStringLiteral("sink1"), {throughput(400, 4)}),
                            workload(QStringLiteral("sink8"), {throughput(600, 3)}),
                            workload(QStringLiteral("echo"), {roundTrips(52, 120)}),
                            workload(QStringLiteral("udp"), {roundTrips(40, 30)})};
        report.compareWithBaselines();
        const WorkloadReport *one = report.workload(QStringLiteral("sink1"));
        QCOMPARE(one->ratios.size(), 4);
        QCOMPARE(one->ratio(QStringLiteral("tls"), QStringLiteral("mb_per_s"))->value, 0.8);
        QCOMPARE(one->ratio(QStringLiteral("tls"), QStringLiteral("cpu_s_per_gib"))->value, 2.0);
        QCOMPARE(one->ratio(QStringLiteral("tcp"), QStringLiteral("mb_per_s"))->value, 0.4);
        QCOMPARE(one->ratio(QStringLiteral("tcp"), QStringLiteral("cpu_s_per_gib"))->value, 1.6);
        const WorkloadReport *echo = report.workload(QStringLiteral("echo"));
        QCOMPARE(echo->ratios.size(), 2);
        QCOMPARE(echo->ratio(QStringLiteral("udp"), QStringLiteral("rtt_p50_us"))->value, 1.3);
        QCOMPARE(echo->ratio(QStringLiteral("udp"), QStringLiteral("rtt_p99_us"))->value, 4.0);
        QVERIFY(!echo->ratio(QStringLiteral("tcp"), QStringLiteral("mb_per_s")));
        // Baselines are not compared with each other.
        for (const char *base : {"tcp", "tls", "udp"})
            QVERIFY(report.workload(QString::fromLatin1(base))->ratios.isEmpty());

        QHash<QString, double> measured;
        QHash<QString, bool> met;
        for (const Target &t : performanceTargets()) {
            double v = 0;
            if (measuredValue(report, t, &v)) {
                measured.insert(t.workload + u'.' + t.key, v);
                met.insert(t.workload + u'.' + t.key, t.atLeast ? v >= t.value : v <= t.value);
            }
        }
        QCOMPARE(measured.value(QStringLiteral("sink1.mb_per_s_vs_tls")), 0.8);
        QCOMPARE(met.value(QStringLiteral("sink1.mb_per_s_vs_tls")), true);   // 0.8 is the bound itself
        QCOMPARE(met.value(QStringLiteral("sink1.mb_per_s_vs_tcp")), false);   // 0.4 < 0.6
        QCOMPARE(met.value(QStringLiteral("sink1.cpu_s_per_gib_vs_tcp")), true);   // 1.6 <= 1.7
        QCOMPARE(met.value(QStringLiteral("echo.rtt_p50_us_vs_udp")), true);   // 1.3, the bound itself
        QCOMPARE(met.value(QStringLiteral("echo.rtt_p99_us_vs_udp")), false);   // 4 > 3
        QCOMPARE(met.value(QStringLiteral("sink1.mb_per_s")), false);
        QCOMPARE(measured.value(QStringLiteral("sink8.mb_per_s_vs_sink1")), 1.5);
        QVERIFY(!measured.contains(QStringLiteral("fill.fill_1000_streams_ms")));   // not run: not measured
        // Fills are held to their time from the handshake's end (issue 21).
        int fillTargets = 0;
        for (const Target &t : performanceTargets()) {
            if (t.workload == QLatin1String("fill")) {
                ++fillTargets;
                QVERIFY2(t.key.endsWith(QLatin1String("_streams_ms")), qPrintable(t.key));
            }
        }
        QCOMPARE(fillTargets, 2);

        // Without the baselines there is nothing to compare with; a failed
        // baseline is no baseline.
        BenchReport alone;
        alone.workloads = {workload(QStringLiteral("sink1"), {throughput(400, 4)}),
                           workload(QStringLiteral("echo"), {roundTrips(52, 120)}),
                           workload(QStringLiteral("udp"), {RunOutcome::failure(QStringLiteral("no socket"))})};
        alone.compareWithBaselines();
        QVERIFY(alone.workload(QStringLiteral("sink1"))->ratios.isEmpty());
        QVERIFY(alone.workload(QStringLiteral("echo"))->ratios.isEmpty());
        double unmeasured = 0;
        QVERIFY(!measuredValue(alone, {QStringLiteral("echo"), QStringLiteral("rtt_p50_us_vs_udp"), false, 1.3, {}},
                               &unmeasured));
        alone.workloads.removeLast();
        QVERIFY(alone.ok());
        alone.workloads.append(workload(QStringLiteral("echo"), {RunOutcome::failure(QStringLiteral("x"))}));
        QVERIFY(!alone.ok());
    }

    void jsonCarriesEverything()
    {
        BenchReport report;
        report.machine.cpuModel = QStringLiteral("Test CPU");
        report.machine.cores = 2;
        report.settings.quick = true;
        report.settings.workloads = {QStringLiteral("tls"), QStringLiteral("sink1"), QStringLiteral("fill"),
                                     QStringLiteral("echo"), QStringLiteral("udp")};
        report.workloads = {workload(QStringLiteral("tls"), {throughput(500, 2)}),
                            workload(QStringLiteral("sink1"), {throughput(400, 4), throughput(1.0 / 3.0, 4)}),
                            workload(QStringLiteral("fill"), {RunOutcome::skip(QStringLiteral("remote server"))}),
                            workload(QStringLiteral("echo"), {roundTrips(50, 100)}),
                            workload(QStringLiteral("udp"), {roundTrips(25, 40)})};
        report.compareWithBaselines();
        const QJsonObject o = toJson(report);
        QCOMPARE(o.value(QStringLiteral("ok")).toBool(), true);
        QCOMPARE(o.value(QStringLiteral("machine")).toObject().value(QStringLiteral("cpu_model")).toString(),
                 QStringLiteral("Test CPU"));
        QVERIFY(o.value(QStringLiteral("settings")).toObject().value(QStringLiteral("repeat")).isNull());
        QCOMPARE(o.value(QStringLiteral("settings")).toObject().value(QStringLiteral("busy_poll_us")).toInt(-1), 0);
        const QJsonObject sink = o.value(QStringLiteral("workloads")).toObject().value(QStringLiteral("sink1")).toObject();
        const QJsonObject mb = sink.value(QStringLiteral("figures")).toObject().value(QStringLiteral("mb_per_s")).toObject();
        QCOMPARE(mb.value(QStringLiteral("values")).toArray().size(), 2);
        QCOMPARE(mb.value(QStringLiteral("values")).toArray().at(1).toDouble(), 0.333333);   // six digits
        QCOMPARE(sink.value(QStringLiteral("vs_tls")).toObject().value(QStringLiteral("cpu_s_per_gib")).toDouble(), 2.0);
        QVERIFY(!sink.contains(QStringLiteral("vs_tcp")));   // tcp did not run
        const QJsonObject echo = o.value(QStringLiteral("workloads")).toObject().value(QStringLiteral("echo")).toObject();
        QCOMPARE(echo.value(QStringLiteral("vs_udp")).toObject().value(QStringLiteral("rtt_p50_us")).toDouble(), 2.0);
        QCOMPARE(echo.value(QStringLiteral("vs_udp")).toObject().value(QStringLiteral("rtt_p99_us")).toDouble(), 2.5);
        const QJsonObject fill = o.value(QStringLiteral("workloads")).toObject().value(QStringLiteral("fill")).toObject();
        QCOMPARE(fill.value(QStringLiteral("status")).toString(), QStringLiteral("skipped"));
        QCOMPARE(fill.value(QStringLiteral("reason")).toString(), QStringLiteral("remote server"));
        // Targets of workloads that ran; fill's are there but unmeasured.
        bool sawFill = false;
        for (const QJsonValue &t : o.value(QStringLiteral("targets")).toArray()) {
            const QJsonObject target = t.toObject();
            QVERIFY(target.value(QStringLiteral("workload")).toString() != u"memory");
            if (target.value(QStringLiteral("workload")).toString() == u"fill") {
                sawFill = true;
                QVERIFY(target.value(QStringLiteral("met")).isNull());
            }
        }
        QVERIFY(sawFill);
        const QString table = toTable(report);
        QVERIFY(table.contains(u"Test CPU"));
        QVERIFY(table.contains(u"skipped: remote server"));
        QVERIFY(table.contains(u"0.40x tls"));   // median of 400 and 1/3 over 500
        QVERIFY(table.contains(u"2.00x udp"));
        QVERIFY(table.contains(u"echo p50 <= 1.3x the UDP ping-pong: missed"));
    }

    void figuresPrintWithThreeDigits()
    {
        QCOMPARE(formatFigure(1234.4), QStringLiteral("1234"));
        QCOMPARE(formatFigure(312.44), QStringLiteral("312"));
        QCOMPARE(formatFigure(31.24), QStringLiteral("31.2"));
        QCOMPARE(formatFigure(3.124), QStringLiteral("3.12"));
        QCOMPARE(formatFigure(0.03124), QStringLiteral("0.0312"));
        QCOMPARE(formatFigure(0), QStringLiteral("0"));
    }

    void cpuModelFromProcCpuinfo()
    {
        const QByteArray x86 = "processor\t: 0\nvendor_id\t: AuthenticAMD\nmodel name\t: AMD EPYC 7B13\nflags\t: fpu\n\n"
                               "processor\t: 1\nmodel name\t: other\n";
        QCOMPARE(cpuModelFromCpuinfo(x86), QStringLiteral("AMD EPYC 7B13"));
        QCOMPARE(cpuModelFromCpuinfo("processor : 0\nProcessor : ARMv7 rev 4 (v7l)\n"), QStringLiteral("ARMv7 rev 4 (v7l)"));
        QCOMPARE(cpuModelFromCpuinfo("nothing here\n"), QString());
    }

    void processFiguresAreSane()
    {
        QVERIFY(residentBytes() > 1024 * 1024);
        const double before = processCpuSeconds();
        volatile double x = 0;
        for (int i = 0; i < 20000000; ++i)
            x = x + 1.0;
        QVERIFY(processCpuSeconds() > before);
        const qint64 heap = heapInUseBytes();
        if (heap >= 0) {
            auto *block = new char[8 * 1024 * 1024];
            block[0] = 1;
            QVERIFY(heapInUseBytes() >= heap + 8 * 1024 * 1024 - 4096);
            delete[] block;
        }
        const int64_t t0 = nowNs();
        QTest::qWait(2);
        QVERIFY(nowNs() - t0 >= 1000000);
        const MachineInfo m = collectMachineInfo();
        QVERIFY(m.cores >= 1);
        QVERIFY(m.kernel.startsWith(u"Linux"));
        QVERIFY(!m.ngtcp2Version.isEmpty());
    }
};

QTEST_GUILESS_MAIN(TestBenchLogic)
#include "tst_benchlogic.moc"
