// `quicpool bench` as CI runs it: the quick mode finishes, its JSON parses
// and holds every figure; usage errors, --connect against a real
// `quicpool server` (two processes) and a server in the wrong mode behave.
#include <QtCore/QDeadlineTimer>
#include <QtCore/QFileInfo>
#include <quicpool/global.h>
#include <QtCore/QJsonArray>
#include <QtCore/QJsonDocument>
#include <QtCore/QJsonObject>
#include <QtCore/QProcess>
#include <QtCore/QRegularExpression>
#include <QtTest/QTest>
#include <cmath>
#include <memory>

class TestBench : public QObject
{
    Q_OBJECT

    struct Result
    {
        bool finished = false;
        int exitCode = -1;
        QByteArray out;
        QByteArray err;
    };

    QString m_cli;

    Result runCli(const QStringList &args, int timeoutMs)
    {
        QProcess p;
        p.start(m_cli, args);
        Result r;
        if (!p.waitForStarted(10000))
            return r;
        r.finished = p.waitForFinished(timeoutMs);
        if (!r.finished) {
            p.kill();
            p.waitForFinished(5000);
        }
        r.exitCode = p.exitStatus() == QProcess::NormalExit ? p.exitCode() : -1;
        r.out = p.readAllStandardOutput();
        r.err = p.readAllStandardError();
        return r;
    }

    static QJsonObject parseObject(const QByteArray &json)
    {
        QJsonParseError error;
        const QJsonDocument doc = QJsonDocument::fromJson(json, &error);
        if (error.error != QJsonParseError::NoError || !doc.isObject()) {
            qWarning() << "not a JSON object:" << error.errorString() << json.left(400);
            return {};
        }
        return doc.object();
    }

    /// A `quicpool server` in another process; its port from its first lines.
    struct Server
    {
        std::unique_ptr<QProcess> process;
        QString address;
    };
    Server startServer(const QString &mode)
    {
        Server s;
        s.process = std::make_unique<QProcess>();
        s.process->start(m_cli, {QStringLiteral("server"), QStringLiteral("--listen"), QStringLiteral("127.0.0.1:0"),
                                 QStringLiteral("--mode"), mode});
        static const QRegularExpression listening(QStringLiteral("listening on (127\\.0\\.0\\.1:\\d+)"));
        QByteArray seen;
        QDeadlineTimer deadline(15000);
        while (!deadline.hasExpired() && s.process->state() != QProcess::NotRunning) {
            s.process->waitForReadyRead(200);
            seen += s.process->readAllStandardError();
            const QRegularExpressionMatch m = listening.match(QString::fromUtf8(seen));
            if (m.hasMatch()) {
                s.address = m.captured(1);
                break;
            }
        }
        if (s.address.isEmpty())
            qWarning() << "server did not report its address:" << seen;
        return s;
    }
    static void stopServer(Server &s)
    {
        if (!s.process)
            return;
        s.process->terminate();
        if (!s.process->waitForFinished(5000)) {
            s.process->kill();
            s.process->waitForFinished(5000);
        }
    }

    /// Every figure has a unit, min <= median <= max, one value per run, all finite.
    static void checkFigures(const QJsonObject &workload, const QStringList &keys, const QString &name)
    {
        const QJsonObject figures = workload.value(QStringLiteral("figures")).toObject();
        const int runs = workload.value(QStringLiteral("runs")).toInt();
        QVERIFY2(runs >= 1, qPrintable(name));
        for (const QString &key : keys) {
            const QString where = name + QStringLiteral(".") + key;
            QVERIFY2(figures.contains(key), qPrintable(where + QStringLiteral(" is missing")));
            const QJsonObject f = figures.value(key).toObject();
            QVERIFY2(!f.value(QStringLiteral("unit")).toString().isEmpty(), qPrintable(where));
            const double min = f.value(QStringLiteral("min")).toDouble(-1);
            const double median = f.value(QStringLiteral("median")).toDouble(-1);
            const double max = f.value(QStringLiteral("max")).toDouble(-1);
            QVERIFY2(std::isfinite(median) && median > 0, qPrintable(where + QStringLiteral(" median is not positive")));
            QVERIFY2(min <= median && median <= max, qPrintable(where));
            QCOMPARE(f.value(QStringLiteral("values")).toArray().size(), runs);
        }
    }

private Q_SLOTS:
    void initTestCase()
    {
        m_cli = qEnvironmentVariable("QUICPOOL_CLI");
        QVERIFY2(!m_cli.isEmpty(), "QUICPOOL_CLI is not set (CTest sets it to the quicpool binary)");
        QVERIFY2(QFileInfo(m_cli).isExecutable(), qPrintable(m_cli + QStringLiteral(" is not executable")));
    }

    void quickJsonHasEveryFigure()
    {
        const Result r = runCli({QStringLiteral("bench"), QStringLiteral("--quick"), QStringLiteral("--json")}, 240000);
        QVERIFY2(r.finished, "bench --quick did not finish within 4 minutes");
        QVERIFY2(r.exitCode == 0, r.err.right(2000).constData());
        const QJsonObject o = parseObject(r.out);
        QVERIFY(!o.isEmpty());
        QCOMPARE(o.value(QStringLiteral("tool")).toString(), QStringLiteral("quicpool bench"));
        QCOMPARE(o.value(QStringLiteral("schema")).toInt(), 1);
        QCOMPARE(o.value(QStringLiteral("ok")).toBool(), true);
        QVERIFY(o.value(QStringLiteral("wall_seconds")).toDouble() > 0);

        const QJsonObject machine = o.value(QStringLiteral("machine")).toObject();
        for (const char *key : {"cpu_model", "kernel", "qt", "quicpool", "ngtcp2", "tls", "qt_tls_backend"})
            QVERIFY2(machine.value(QLatin1String(key)).isString(), key);
        QVERIFY(machine.value(QStringLiteral("cores")).toInt() >= 1);
        QVERIFY(machine.value(QStringLiteral("optimized_build")).isBool());
        QCOMPARE(machine.value(QStringLiteral("load_average")).toArray().size(), 3);
        QCOMPARE(machine.value(QStringLiteral("ngtcp2")).toString(), quicpool::ngtcp2Version());
        QCOMPARE(machine.value(QStringLiteral("tls")).toString(), quicpool::tlsLibraryVersionString());

        const QJsonObject settings = o.value(QStringLiteral("settings")).toObject();
        QCOMPARE(settings.value(QStringLiteral("quick")).toBool(), true);
        QCOMPARE(settings.value(QStringLiteral("bytes")).toDouble(), 16.0 * 1024 * 1024);

        const QJsonObject workloads = o.value(QStringLiteral("workloads")).toObject();
        const QStringList names = {QStringLiteral("fill"), QStringLiteral("tcp"), QStringLiteral("tls"),
                                   QStringLiteral("sink1"), QStringLiteral("sink8"), QStringLiteral("echo"),
                                   QStringLiteral("udp"), QStringLiteral("get"), QStringLiteral("memory"),
                                   QStringLiteral("handshake")};
        QCOMPARE(workloads.keys().size(), names.size());
        for (const QString &name : names) {
            const QJsonObject w = workloads.value(name).toObject();
            QVERIFY2(w.value(QStringLiteral("status")).toString() == u"ok",
                     qPrintable(name + QStringLiteral(": ") + w.value(QStringLiteral("reason")).toString()));
        }
        const QStringList throughput = {QStringLiteral("mb_per_s"), QStringLiteral("cpu_s_per_gib"),
                                        QStringLiteral("seconds")};
        checkFigures(workloads.value(QStringLiteral("fill")).toObject(),
                     {QStringLiteral("fill_100_ms"), QStringLiteral("fill_100_streams_ms"),
                      QStringLiteral("fill_100_first_ms"), QStringLiteral("close_100_ms")},
                     QStringLiteral("fill"));
        for (const QString &name : {QStringLiteral("tcp"), QStringLiteral("tls"), QStringLiteral("sink1"),
                                    QStringLiteral("sink8")})
            checkFigures(workloads.value(name).toObject(), throughput, name);
        for (const QString &name : {QStringLiteral("echo"), QStringLiteral("udp")})
            checkFigures(workloads.value(name).toObject(),
                         {QStringLiteral("rtt_p50_us"), QStringLiteral("rtt_p99_us"), QStringLiteral("rtt_p999_us")},
                         name);
        QStringList gets;
        for (const char *side : {"incoming", "outgoing"})
            for (const char *form : {"try", "async", "blocking"})
                for (const char *q : {"p50", "p99"})
                    gets.append(QStringLiteral("%1_%2_%3_us").arg(QLatin1String(side), QLatin1String(form), QLatin1String(q)));
        gets << QStringLiteral("wake_p50_us") << QStringLiteral("wake_p99_us") << QStringLiteral("id_delivery_wake_p50_us")
             << QStringLiteral("id_delivery_wake_p99_us");
        checkFigures(workloads.value(QStringLiteral("get")).toObject(), gets, QStringLiteral("get"));
        QStringList memoryFigures{QStringLiteral("rss_bytes_per_stream")};
#if !defined(__SANITIZE_ADDRESS__) && !defined(__SANITIZE_THREAD__)
        memoryFigures << QStringLiteral("heap_bytes_per_stream");  // glibc's figure; sanitizers replace malloc
#endif
        checkFigures(workloads.value(QStringLiteral("memory")).toObject(), memoryFigures, QStringLiteral("memory"));
        checkFigures(workloads.value(QStringLiteral("handshake")).toObject(),
                     {QStringLiteral("handshakes_per_s"), QStringLiteral("handshake_p50_ms"),
                      QStringLiteral("server_cpu_us_per_handshake"), QStringLiteral("handshakes_per_server_core_s"),
                      QStringLiteral("process_cpu_us_per_handshake")},
                     QStringLiteral("handshake"));

        // Each QUIC throughput figure comes with its ratios to plain TCP and
        // TLS over TCP, the echo's round trips with theirs to the UDP ping-pong.
        for (const QString &name : {QStringLiteral("sink1"), QStringLiteral("sink8")}) {
            for (const QString &base : {QStringLiteral("vs_tcp"), QStringLiteral("vs_tls")}) {
                const QJsonObject vs = workloads.value(name).toObject().value(base).toObject();
                QVERIFY2(vs.value(QStringLiteral("mb_per_s")).toDouble() > 0, qPrintable(name + base));
                QVERIFY2(vs.value(QStringLiteral("cpu_s_per_gib")).toDouble() > 0, qPrintable(name + base));
            }
        }
        const QJsonObject echoVsUdp = workloads.value(QStringLiteral("echo")).toObject().value(QStringLiteral("vs_udp")).toObject();
        QVERIFY(echoVsUdp.value(QStringLiteral("rtt_p50_us")).toDouble() > 0);
        QVERIFY(echoVsUdp.value(QStringLiteral("rtt_p99_us")).toDouble() > 0);
        // Targets are reported, not asserted: each has a measured value and a verdict.
        const QJsonArray targets = o.value(QStringLiteral("targets")).toArray();
        QVERIFY(targets.size() >= 8);
        for (const QJsonValue &t : targets) {
            const QJsonObject target = t.toObject();
            if (target.value(QStringLiteral("figure")).toString().startsWith(u"fill_1"))
                continue;   // --quick fills 100 streams only: 1000 and 10,000 are unmeasured
            QVERIFY2(target.value(QStringLiteral("met")).isBool(),
                     qPrintable(target.value(QStringLiteral("text")).toString()));
        }
        QVERIFY2(r.err.contains("bench ["), "no progress lines on stderr");
    }

    void tableWithoutJson()
    {
        const Result r = runCli({QStringLiteral("bench"), QStringLiteral("--quick"), QStringLiteral("--workload"),
                                 QStringLiteral("tcp"), QStringLiteral("--bytes"), QStringLiteral("1MiB"),
                                 QStringLiteral("--repeat"), QStringLiteral("3")}, 60000);
        QVERIFY(r.finished);
        QVERIFY2(r.exitCode == 0, r.err.constData());
        QVERIFY2(r.out.contains("workload") && r.out.contains("median") && r.out.contains("mb_per_s"), r.out.constData());
        QVERIFY2(r.out.contains("machine:"), r.out.constData());
        QCOMPARE(r.err.count("tcp run "), 6);   // a line before and after each of 3 runs
        QVERIFY(!r.out.trimmed().startsWith('{'));
    }

    void wanThroughTheRelay()
    {
        // One short path, a little data, each controller: the figures must
        // be the path's (its round trip in min_rtt_ms, its loss dropped by
        // the relay) and physically possible (above zero, within the link).
        const Result r = runCli({QStringLiteral("bench"), QStringLiteral("--json"), QStringLiteral("--workload"),
                                 QStringLiteral("wan"), QStringLiteral("--profile"), QStringLiteral("lossy"),
                                 QStringLiteral("--cc"), QStringLiteral("all"), QStringLiteral("--bytes"),
                                 QStringLiteral("256KiB")}, 240000);
        QVERIFY2(r.finished, "bench --workload wan did not finish within 4 minutes");
        QVERIFY2(r.exitCode == 0, r.err.right(2000).constData());
        const QJsonObject o = parseObject(r.out);
        QCOMPARE(o.value(QStringLiteral("ok")).toBool(), true);
        QCOMPARE(o.value(QStringLiteral("settings")).toObject().value(QStringLiteral("cc")).toString(),
                 QStringLiteral("all"));
        const QJsonObject workloads = o.value(QStringLiteral("workloads")).toObject();
        QCOMPARE(workloads.keys(), (QStringList{"wan.lossy.bbr", "wan.lossy.cubic", "wan.lossy.reno"}));
        for (const QString &cc : {QStringLiteral("bbr"), QStringLiteral("cubic"), QStringLiteral("reno")}) {
            const QString name = QStringLiteral("wan.lossy.") + cc;
            const QJsonObject w = workloads.value(name).toObject();
            QVERIFY2(w.value(QStringLiteral("status")).toString() == u"ok",
                     qPrintable(name + QStringLiteral(": ") + w.value(QStringLiteral("reason")).toString()));
            QCOMPARE(w.value(QStringLiteral("profile")).toString(), QStringLiteral("lossy"));
            QCOMPARE(w.value(QStringLiteral("cc")).toString(), cc);
            QCOMPARE(w.value(QStringLiteral("round_trip_ms")).toDouble(), 50.0);
            QCOMPARE(w.value(QStringLiteral("loss_percent")).toDouble(), 1.0);
            QCOMPARE(w.value(QStringLiteral("link_mb_per_s")).toDouble(), 50.0);
            QCOMPARE(w.value(QStringLiteral("bytes")).toDouble(), 256.0 * 1024);
            checkFigures(w, {QStringLiteral("mb_per_s"), QStringLiteral("link_fraction"),
                             QStringLiteral("peak_cwnd_bytes"), QStringLiteral("peak_in_flight_bytes"),
                             QStringLiteral("min_rtt_ms"), QStringLiteral("seconds")}, name);
            const QJsonObject f = w.value(QStringLiteral("figures")).toObject();
            auto median = [&](const char *key) {
                return f.value(QLatin1String(key)).toObject().value(QStringLiteral("median")).toDouble(-1);
            };
            // Within the link: 50 MB/s at most, and link_fraction is its share.
            QVERIFY2(median("mb_per_s") <= 50.0, qPrintable(name));
            QVERIFY2(median("link_fraction") <= 1.0, qPrintable(name));
            QVERIFY(std::fabs(median("link_fraction") - median("mb_per_s") / 50.0) < 1e-3);
            // The relay was in the way: the round trip is the path's, and
            // 256 KiB over 50 ms round trips cannot take less than one.
            QVERIFY2(median("min_rtt_ms") >= 50.0 && median("min_rtt_ms") < 100.0, qPrintable(name));
            QVERIFY2(median("seconds") >= 0.05, qPrintable(name));
            // The window starts at ten packets and the flight grows past one.
            QVERIFY2(median("peak_cwnd_bytes") >= 10 * 1200, qPrintable(name));
            QVERIFY2(median("peak_in_flight_bytes") >= 1200, qPrintable(name));
            // Figures of what was lost exist (counts may be zero on a short run).
            QVERIFY(f.contains(QStringLiteral("lost_packets")));
            QVERIFY(median("relay_loss_drops") >= 0);
        }
        QVERIFY2(r.err.contains("wan: 256 KiB over lossy"), r.err.constData());
    }

    void wanTableAndUsageErrors()
    {
        const Result r = runCli({QStringLiteral("bench"), QStringLiteral("--workload"), QStringLiteral("wan"),
                                 QStringLiteral("--profile"), QStringLiteral("lan"), QStringLiteral("--bytes"),
                                 QStringLiteral("1MiB")}, 120000);
        QVERIFY(r.finished);
        QVERIFY2(r.exitCode == 0, r.err.constData());
        // The default controller is the library's, named in the summary row.
        static const QRegularExpression row(QStringLiteral("^lan\\s+1 ms\\s+0%\\s+bbr\\s+[0-9.]+\\s+\\d+%"),
                                            QRegularExpression::MultilineOption);
        QVERIFY2(QString::fromUtf8(r.out).contains(row), r.out.constData());
        QVERIFY(r.out.contains("WAN paths"));

        Result bad = runCli({QStringLiteral("bench"), QStringLiteral("--workload"), QStringLiteral("sink1"),
                             QStringLiteral("--cc"), QStringLiteral("all")}, 30000);
        QCOMPARE(bad.exitCode, 2);
        QVERIFY2(bad.err.contains("--workload wan"), bad.err.constData());
        bad = runCli({QStringLiteral("bench"), QStringLiteral("--workload"), QStringLiteral("wan"),
                      QStringLiteral("--profile"), QStringLiteral("mars")}, 30000);
        QCOMPARE(bad.exitCode, 2);
        QVERIFY2(bad.err.contains("\"mars\"") && bad.err.contains("satellite"), bad.err.constData());
        QVERIFY(bad.out.isEmpty());
    }

    void unknownWorkloadIsAUsageError()
    {
        const Result r = runCli({QStringLiteral("bench"), QStringLiteral("--workload"), QStringLiteral("nosuch")}, 30000);
        QVERIFY(r.finished);
        QCOMPARE(r.exitCode, 2);
        QVERIFY2(r.err.contains("Unknown workload") && r.err.contains("sink1"), r.err.constData());
        QVERIFY(r.out.isEmpty());
    }

    void connectSkipsInProcessWorkloads()
    {
        // Nothing listens on the discard port: a skipped workload never dials.
        for (const char *name : {"fill", "get", "memory"}) {
            const Result r = runCli({QStringLiteral("bench"), QStringLiteral("--quick"), QStringLiteral("--json"),
                                     QStringLiteral("--workload"), QLatin1String(name), QStringLiteral("--connect"),
                                     QStringLiteral("127.0.0.1:9")}, 30000);
            QVERIFY(r.finished);
            QVERIFY2(r.exitCode == 0, r.err.constData());
            const QJsonObject w = parseObject(r.out).value(QStringLiteral("workloads")).toObject()
                                      .value(QLatin1String(name)).toObject();
            QCOMPARE(w.value(QStringLiteral("status")).toString(), QStringLiteral("skipped"));
            QVERIFY2(w.value(QStringLiteral("reason")).toString().contains(u"in-process"), name);
        }
    }

    void twoProcessSinkAgainstServer()
    {
        Server server = startServer(QStringLiteral("sink"));
        QVERIFY(!server.address.isEmpty());
        const Result r = runCli({QStringLiteral("bench"), QStringLiteral("--quick"), QStringLiteral("--json"),
                                 QStringLiteral("--workload"), QStringLiteral("sink8"), QStringLiteral("--bytes"),
                                 QStringLiteral("4MiB"), QStringLiteral("--connect"), server.address}, 120000);
        stopServer(server);
        QVERIFY(r.finished);
        QVERIFY2(r.exitCode == 0, r.err.constData());
        const QJsonObject o = parseObject(r.out);
        QCOMPARE(o.value(QStringLiteral("settings")).toObject().value(QStringLiteral("connect")).toString(),
                 server.address);
        const QJsonObject w = o.value(QStringLiteral("workloads")).toObject().value(QStringLiteral("sink8")).toObject();
        QCOMPARE(w.value(QStringLiteral("status")).toString(), QStringLiteral("ok"));
        checkFigures(w, {QStringLiteral("mb_per_s"), QStringLiteral("cpu_s_per_gib")}, QStringLiteral("sink8"));
        const QString notes = w.value(QStringLiteral("notes")).toVariant().toStringList().join(u' ');
        QVERIFY2(notes.contains(u"client process only"), qPrintable(notes));
    }

    void twoProcessEverythingAgainstASinkServer()
    {
        // Without --workload: the sinks go to the server, the baselines stay
        // local, and what needs the in-process server (or an echo server) is
        // skipped with its reason.
        Server server = startServer(QStringLiteral("sink"));
        QVERIFY(!server.address.isEmpty());
        const Result r = runCli({QStringLiteral("bench"), QStringLiteral("--quick"), QStringLiteral("--json"),
                                 QStringLiteral("--bytes"), QStringLiteral("1MiB"), QStringLiteral("--connect"),
                                 server.address}, 120000);
        stopServer(server);
        QVERIFY(r.finished);
        QVERIFY2(r.exitCode == 0, r.err.constData());
        const QJsonObject workloads = parseObject(r.out).value(QStringLiteral("workloads")).toObject();
        for (const char *name : {"sink1", "sink8", "tcp", "tls", "handshake"})
            QVERIFY2(workloads.value(QLatin1String(name)).toObject().value(QStringLiteral("status")).toString() == u"ok",
                     name);
        // Handshakes with a server in another process: its CPU is not ours to see.
        checkFigures(workloads.value(QStringLiteral("handshake")).toObject(), {QStringLiteral("handshakes_per_s")},
                     QStringLiteral("handshake"));
        QVERIFY(!workloads.value(QStringLiteral("handshake")).toObject().value(QStringLiteral("figures")).toObject()
                     .contains(QStringLiteral("server_cpu_us_per_handshake")));
        for (const char *name : {"fill", "echo", "udp", "get", "memory"})
            QVERIFY2(workloads.value(QLatin1String(name)).toObject().value(QStringLiteral("status")).toString()
                         == u"skipped",
                     name);
        QVERIFY(workloads.value(QStringLiteral("echo")).toObject().value(QStringLiteral("reason")).toString()
                    .contains(u"--mode echo"));
        QVERIFY(workloads.value(QStringLiteral("sink1")).toObject().value(QStringLiteral("vs_tls")).toObject()
                    .contains(QStringLiteral("mb_per_s")));
    }

    void twoProcessEchoAgainstAnEchoServer()
    {
        Server server = startServer(QStringLiteral("echo"));
        QVERIFY(!server.address.isEmpty());
        const Result r = runCli({QStringLiteral("bench"), QStringLiteral("--quick"), QStringLiteral("--json"),
                                 QStringLiteral("--workload"), QStringLiteral("echo"), QStringLiteral("--connect"),
                                 server.address}, 120000);
        stopServer(server);
        QVERIFY(r.finished);
        QVERIFY2(r.exitCode == 0, r.err.constData());
        const QJsonObject w = parseObject(r.out).value(QStringLiteral("workloads")).toObject()
                                  .value(QStringLiteral("echo")).toObject();
        QCOMPARE(w.value(QStringLiteral("status")).toString(), QStringLiteral("ok"));
        checkFigures(w, {QStringLiteral("rtt_p50_us"), QStringLiteral("rtt_p99_us")}, QStringLiteral("echo"));
    }

    void serverInTheWrongModeFails()
    {
        // An echo server sends the pattern back instead of the 16-byte reply:
        // the sink must notice and fail rather than report a speed.
        Server server = startServer(QStringLiteral("echo"));
        QVERIFY(!server.address.isEmpty());
        const Result r = runCli({QStringLiteral("bench"), QStringLiteral("--quick"), QStringLiteral("--json"),
                                 QStringLiteral("--workload"), QStringLiteral("sink1"), QStringLiteral("--bytes"),
                                 QStringLiteral("64KiB"), QStringLiteral("--connect"), server.address}, 120000);
        stopServer(server);
        QVERIFY(r.finished);
        QCOMPARE(r.exitCode, 1);
        const QJsonObject o = parseObject(r.out);
        QCOMPARE(o.value(QStringLiteral("ok")).toBool(true), false);
        const QJsonObject w = o.value(QStringLiteral("workloads")).toObject().value(QStringLiteral("sink1")).toObject();
        QCOMPARE(w.value(QStringLiteral("status")).toString(), QStringLiteral("failed"));
        QVERIFY2(!w.value(QStringLiteral("reason")).toString().isEmpty(), r.out.constData());
    }
};

QTEST_GUILESS_MAIN(TestBench)
#include "tst_bench.moc"
