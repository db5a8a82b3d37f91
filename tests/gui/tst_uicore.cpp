// The logic behind quicpool-diag's panels that needs Qt Core only (it links
// quicpool_ui_core, no Qt Gui, and runs without a display): payloads, the
// load test's results, the command line, samples and profiles. (The load
// test's protocol is the workload library's: tests/workload/tst_protocol.)
#include "appoptions.h"
#include "defencefigures.h"
#include "loadtestresult.h"
#include "payload.h"
#include "formvalidation.h"
#include "poolsample.h"
#include "poolstatus.h"
#include "profiles.h"
#include "trailingrate.h"

#include <QtCore/QJsonArray>
#include <QtCore/QJsonDocument>
#include <QtCore/QJsonObject>
#include <QtCore/QTemporaryDir>
#include <QtTest/QtTest>

using namespace quicpool;
using namespace quicpool::diag;

class TestUiCore : public QObject
{
    Q_OBJECT
private Q_SLOTS:
    void payloadKinds();
    void payloadErrors();
    void hexDumpLayout();
    void echoCheck();
    void percentiles();
    void resultExports();
    void appOptions();
    void sampleRates();
    void samplesCsv();
    void profilesRoundTrip();
    void poolStatusSentences_data();
    void poolStatusSentences();
    void errorClauses();
    void payloadPerDirection();
    void resultSeriesExports();
    void countersNeverReadAboveCapacity();
    void connectionFiguresOnlyAfterHandshake();
    void pathAndBackoffForm();
    void appOptionsHeadless();
    void trailingRate();
    void resultSaysWhatItCounts();
    void defenceRatesAndFigures();
    void floodSentences();
    void serverSamplesCsv();
};

void TestUiCore::payloadKinds()
{
    PayloadResult r = buildPayload(PayloadKind::Text, QStringLiteral("héllo"), 0);
    QVERIFY(r.error.isEmpty());
    QCOMPARE(r.bytes, QStringLiteral("héllo").toUtf8());
    r = buildPayload(PayloadKind::Hex, QStringLiteral("00 ff 10"), 0);
    QCOMPARE(r.bytes, QByteArray::fromHex("00ff10"));
    r = buildPayload(PayloadKind::Pattern, {}, 300);
    QCOMPARE(r.bytes.size(), 300);
    QCOMPARE(uchar(r.bytes.at(250)), uchar(250));
    QCOMPARE(uchar(r.bytes.at(251)), uchar(0));
    r = buildPayload(PayloadKind::Random, {}, 1000);
    QCOMPARE(r.bytes.size(), 1000);
    QVERIFY(r.bytes != QByteArray(1000, '\0'));
    QTemporaryDir dir;
    QFile f(dir.filePath(QStringLiteral("p.bin")));
    QVERIFY(f.open(QIODevice::WriteOnly));
    f.write("file bytes");
    f.close();
    r = buildPayload(PayloadKind::File, f.fileName(), 0);
    QCOMPARE(r.bytes, QByteArray("file bytes"));
}

void TestUiCore::payloadErrors()
{
    QVERIFY(buildPayload(PayloadKind::Hex, QStringLiteral("zz"), 0).error.contains(QStringLiteral("hex")));
    QVERIFY(buildPayload(PayloadKind::Hex, QStringLiteral("abc"), 0).error.contains(QStringLiteral("even")));
    QVERIFY(!buildPayload(PayloadKind::File, QStringLiteral("/nonexistent/file"), 0).error.isEmpty());
    QVERIFY(!buildPayload(PayloadKind::File, QString(), 0).error.isEmpty());
    QVERIFY(!buildPayload(PayloadKind::Random, {}, 0).error.isEmpty());
    QVERIFY(!buildPayload(PayloadKind::Pattern, {}, maxGeneratedBytes + 1).error.isEmpty());
    QVERIFY(buildPayload(PayloadKind::Text, QString(), 0).error.contains(QStringLiteral("empty")));
    QVERIFY(buildPayload(PayloadKind::Hex, QStringLiteral("zz"), 0).bytes.isEmpty());
}

void TestUiCore::hexDumpLayout()
{
    const QString dump = hexDump(QByteArray("Hello, world!\x01\x02\x03xyz", 19));
    const QStringList lines = dump.split(QLatin1Char('\n'), Qt::SkipEmptyParts);
    QCOMPARE(lines.size(), 2);
    QVERIFY(lines.at(0).startsWith(QStringLiteral("00000000  48 65 6c 6c")));
    QVERIFY(lines.at(0).endsWith(QStringLiteral("|Hello, world!...|")));
    QVERIFY(lines.at(1).startsWith(QStringLiteral("00000010  78 79 7a")));
    QVERIFY(hexDump(QByteArray(100, 'a'), 32).contains(QStringLiteral("68 more bytes")));
    QCOMPARE(printableText(QByteArray("a\x01" "b", 3)), QStringLiteral("a.b"));
}

void TestUiCore::echoCheck()
{
    EchoCheck c = compareEcho("hello", "hel");
    QVERIFY(!c.complete());
    QVERIFY(c.summary(5).contains(QStringLiteral("Waiting")));
    c = compareEcho("hello", "hello");
    QVERIFY(c.ok());
    QVERIFY(c.summary(7).contains(QStringLiteral("Echo OK: 5 bytes sent, 5 received in 7 ms")));
    c = compareEcho("hello", "hexlo");
    QCOMPARE(c.firstMismatch, 2);
    QVERIFY(!c.ok());
    QVERIFY(c.summary(1).contains(QStringLiteral("MISMATCH at byte 2")));
    c = compareEcho("hi", "hi!");
    QCOMPARE(c.firstMismatch, 2);
    QVERIFY(!c.ok());
}

void TestUiCore::percentiles()
{
    QCOMPARE(percentile({}, 50), 0.0);
    QList<double> v;
    for (int i = 100; i >= 1; --i)
        v.append(i);
    QCOMPARE(percentile(v, 50), 50.0);
    QCOMPARE(percentile(v, 90), 90.0);
    QCOMPARE(percentile(v, 99), 99.0);
    QCOMPARE(percentile(v, 100), 100.0);
    QCOMPARE(percentile(v, 0), 1.0);
    QCOMPARE(percentile({7}, 99), 7.0);
}

void TestUiCore::resultExports()
{
    LoadTestResult r;
    r.config.streams = 4;
    r.config.bytes = 1000;
    r.config.mode = workload::Mode::Sink;
    r.ok = 3;
    r.failed = 1;
    r.bytesSent = 3000000;
    r.bytesReceived = 1000000;
    r.seconds = 2.0;
    r.latenciesMs = {10, 20, 30};
    r.failures = {QStringLiteral("timed out")};
    r.maxGuiDelayMs = 12;
    r.payloadSent = 3000;
    r.payloadReceived = 0;
    r.transferSeconds = 0.5;
    QCOMPARE(r.sentMegabytesPerSecond(), 0.006);
    QCOMPARE(r.receivedMegabytesPerSecond(), 0.0);
    QVERIFY(r.summary().contains(QStringLiteral("3 streams ok, 1 failed")));
    QVERIFY(r.summary().contains(QStringLiteral("GUI delay max 12 ms")));
    const QJsonObject o = QJsonDocument::fromJson(r.toJson()).object();
    QCOMPARE(o.value(QStringLiteral("ok")).toInt(), 3);
    QCOMPARE(o.value(QStringLiteral("config")).toObject().value(QStringLiteral("mode")).toString(), QStringLiteral("sink"));
    QCOMPARE(o.value(QStringLiteral("latencyMs")).toObject().value(QStringLiteral("p50")).toDouble(), 20.0);
    QCOMPARE(o.value(QStringLiteral("maxGuiDelayMs")).toDouble(), 12.0);
    const QList<QByteArray> lines = r.toCsv().trimmed().split('\n');
    QCOMPARE(lines.size(), 2);
    QCOMPARE(lines.at(0).split(',').size(), lines.at(1).split(',').size());
    QVERIFY(lines.at(1).startsWith("sink,4,1000,"));
    LoadTestResult failed;
    failed.error = QStringLiteral("no route");
    QVERIFY(failed.summary().contains(QStringLiteral("no route")));
}

void TestUiCore::appOptions()
{
    const QString prog = QStringLiteral("quicpool-diag");
    AppOptions o = parseAppOptions({prog});
    QVERIFY(o.error.isEmpty());
    QVERIFY(!o.noDemo);
    QCOMPARE(o.quitAfterMs, -1);
    o = parseAppOptions({prog, QStringLiteral("--profile"), QStringLiteral("lab"), QStringLiteral("--no-demo")});
    QCOMPARE(o.profile, QStringLiteral("lab"));
    QVERIFY(o.noDemo);
    o = parseAppOptions({prog, QStringLiteral("--screenshot"), QStringLiteral("/tmp/x.png"), QStringLiteral("--quit-after"), QStringLiteral("300")});
    QCOMPARE(o.screenshot, QStringLiteral("/tmp/x.png"));
    QCOMPARE(o.quitAfterMs, 300);
    o = parseAppOptions({prog, QStringLiteral("--screenshot"), QStringLiteral("/tmp/x.png")});
    QVERIFY(o.quitAfterMs > 0); // a default delay, never an instant blank shot
    QVERIFY(!parseAppOptions({prog, QStringLiteral("--quit-after"), QStringLiteral("soon")}).error.isEmpty());
    QVERIFY(!parseAppOptions({prog, QStringLiteral("--bogus")}).error.isEmpty());
    // Arguments are qlog files to open in the viewer.
    o = parseAppOptions({prog, QStringLiteral("a.sqlog"), QStringLiteral("/tmp/b.qlog")});
    QVERIFY(o.error.isEmpty());
    QCOMPARE(o.qlogFiles, QStringList({QStringLiteral("a.sqlog"), QStringLiteral("/tmp/b.qlog")}));
    QVERIFY(parseAppOptions({prog, QStringLiteral("--help")}).helpShown);
}

void TestUiCore::sampleRates()
{
    PoolSample a;
    a.t = 1.0;
    a.connected = true; // a completed handshake: figures to derive rates from
    a.stats.setSmoothedRttUs(500);
    a.stats.setPacketsSent(4);
    a.stats.setBytesReceived(1000);
    a.stats.setBytesSent(500);
    PoolSample b = a;
    b.t = 1.5;
    b.stats.setBytesReceived(1000 + 1024);
    b.stats.setBytesSent(500 + 2048);
    deriveRates(a, &b);
    QCOMPARE(b.rxKiBps, 2.0);
    QCOMPARE(b.txKiBps, 4.0);
    PoolSample reset = b;
    reset.t = 2.0;
    reset.stats.setBytesReceived(10); // a new connection restarted the counters
    reset.stats.setBytesSent(10);
    deriveRates(b, &reset);
    QCOMPARE(reset.rxKiBps, 0.0);
    QCOMPARE(reset.txKiBps, 0.0);
}

void TestUiCore::samplesCsv()
{
    PoolSample s;
    s.t = 0.25;
    s.active = 3;
    s.capacity = 8;
    s.stats.setSmoothedRttUs(1500);
    const QList<QByteArray> lines = samplesToCsv({s, s}).trimmed().split('\n');
    QCOMPARE(lines.size(), 3);
    QVERIFY(lines.at(0).startsWith("time_s,active,capacity"));
    const QList<QByteArray> cells = lines.at(1).split(',');
    QCOMPARE(cells.size(), lines.at(0).split(',').size());
    QCOMPARE(cells.at(1), QByteArray("3"));
    QCOMPARE(cells.at(6), QByteArray("1.500"));
}

void TestUiCore::profilesRoundTrip()
{
    QTemporaryDir dir;
    QSettings settings(dir.filePath(QStringLiteral("p.ini")), QSettings::IniFormat);
    QVERIFY(profileNames(settings).isEmpty());
    Profile p;
    p.name = QStringLiteral("lab/1");
    PoolSpec client;
    client.kind = PoolKind::Client;
    client.name = QStringLiteral("edge");
    client.client.address = QStringLiteral("10.0.0.2:4433");
    client.client.maxCapacity = 42;
    client.client.pin = QStringLiteral("sha256:AA");
    client.client.qlog = {true, QStringLiteral("/var/tmp/qlog")};
    client.client.path.busyPollUs = 120;
    PoolSpec server;
    server.kind = PoolKind::Server;
    server.name = QStringLiteral("core");
    server.server.listenAddress = QStringLiteral("0.0.0.0:4433");
    server.server.generateSelfSigned = false;
    server.server.certificateFile = QStringLiteral("/etc/c.pem");
    server.serveEcho = true;
    server.server.retryMode = RetryMode::Always;
    server.server.retryThreshold = 5;
    server.server.qlog.directory = QStringLiteral("/srv/qlog"); // kept while off
    p.pools = {client, server};
    saveProfile(settings, p);
    setLastProfile(settings, p.name);
    QCOMPARE(profileNames(settings), QStringList{QStringLiteral("lab_1")});
    QVERIFY(hasProfile(settings, p.name));
    Profile back;
    QVERIFY(loadProfile(settings, p.name, &back));
    QCOMPARE(back.name, p.name);
    QCOMPARE(back.pools.size(), 2);
    QCOMPARE(back.pools.at(0).kind, PoolKind::Client);
    QCOMPARE(back.pools.at(0).client.address, client.client.address);
    QCOMPARE(back.pools.at(0).client.maxCapacity, 42);
    QCOMPARE(back.pools.at(0).client.pin, client.client.pin);
    QVERIFY(back.pools.at(0).client.qlog.enabled);
    QCOMPARE(back.pools.at(0).client.qlog.directory, QStringLiteral("/var/tmp/qlog"));
    QCOMPARE(back.pools.at(0).client.path.busyPollUs, 120);
    QCOMPARE(back.pools.at(1).server.path.busyPollUs, 0);
    QVERIFY(!back.pools.at(1).server.qlog.enabled);
    QCOMPARE(back.pools.at(1).server.qlog.directory, QStringLiteral("/srv/qlog"));
    QCOMPARE(back.pools.at(1).kind, PoolKind::Server);
    QCOMPARE(back.pools.at(1).server.certificateFile, server.server.certificateFile);
    QVERIFY(!back.pools.at(1).server.generateSelfSigned);
    QVERIFY(back.pools.at(1).serveEcho);
    QCOMPARE(back.pools.at(1).server.retryMode, RetryMode::Always);
    QCOMPARE(back.pools.at(1).server.retryThreshold, 5);
    QCOMPARE(lastProfile(settings), p.name);
    // Saving again replaces, not appends.
    p.pools.removeLast();
    saveProfile(settings, p);
    QVERIFY(loadProfile(settings, p.name, &back));
    QCOMPARE(back.pools.size(), 1);
    QVERIFY(!loadProfile(settings, QStringLiteral("nope"), &back));
    removeProfile(settings, p.name);
    QVERIFY(!hasProfile(settings, p.name));
}

void TestUiCore::poolStatusSentences_data()
{
    QTest::addColumn<int>("kind");
    QTest::addColumn<int>("phase");
    QTest::addColumn<int>("state");
    QTest::addColumn<int>("code");
    QTest::addColumn<QString>("message");
    QTest::addColumn<int>("level");
    QTest::addColumn<QString>("text");
    QTest::addColumn<QString>("stateName");
    const int client = int(PoolKind::Client);
    const int server = int(PoolKind::Server);
    const int running = int(PoolPhase::Running);
    QTest::newRow("pin mismatch")
        << client << running << int(Pool::State::BackingOff) << int(ErrorCode::PinMismatch)
        << QStringLiteral("The server certificate sha256:63:24:AA does not match the pin sha256:00:11.")
        << int(StatusLevel::Trouble)
        << QStringLiteral("Not connected: the server certificate sha256:63:24:AA does not match the pin sha256:00:11")
        << QStringLiteral("Backing off");
    QTest::newRow("port in use")
        << server << int(PoolPhase::StartFailed) << int(Pool::State::Idle) << int(ErrorCode::AddressInUse)
        << QStringLiteral("127.0.0.1:4433 is already in use") << int(StatusLevel::Failed)
        << QStringLiteral("Failed: 127.0.0.1:4433 is already in use") << QStringLiteral("Failed");
    QTest::newRow("closed port")
        << client << running << int(Pool::State::Connecting) << int(ErrorCode::Unreachable)
        << QStringLiteral("Nothing is listening on 127.0.0.1:9.") << int(StatusLevel::Trouble)
        << QStringLiteral("Not connected: nothing is listening on 127.0.0.1:9") << QStringLiteral("Connecting");
    QTest::newRow("first dial") << client << running << int(Pool::State::Connecting) << 0 << QString()
                                << int(StatusLevel::Working) << QStringLiteral("Connecting to 127.0.0.1:9…")
                                << QStringLiteral("Connecting");
    QTest::newRow("connected") << client << running << int(Pool::State::Connected) << 0 << QString()
                               << int(StatusLevel::Good) << QStringLiteral("Connected to 127.0.0.1:9")
                               << QStringLiteral("Connected");
    QTest::newRow("listening") << server << running << int(Pool::State::Listening) << 0 << QString()
                               << int(StatusLevel::Good)
                               << QStringLiteral("Listening on 127.0.0.1:9, no client connected")
                               << QStringLiteral("Listening");
    QTest::newRow("server connected") << server << running << int(Pool::State::Connected) << 0 << QString()
                                      << int(StatusLevel::Good) << QStringLiteral("Connected")
                                      << QStringLiteral("Connected");
    QTest::newRow("closed") << client << running << int(Pool::State::Closed) << 0 << QString()
                            << int(StatusLevel::Neutral) << QStringLiteral("Closed") << QStringLiteral("Closed");
    QTest::newRow("idle") << client << running << int(Pool::State::Idle) << 0 << QString()
                          << int(StatusLevel::Neutral) << QStringLiteral("Idle") << QStringLiteral("Idle");
    QTest::newRow("stopped") << client << int(PoolPhase::Stopped) << int(Pool::State::Connected) << 0 << QString()
                             << int(StatusLevel::Neutral) << QStringLiteral("Stopped") << QStringLiteral("Stopped");
    QTest::newRow("starting") << server << int(PoolPhase::Starting) << int(Pool::State::Idle) << 0 << QString()
                              << int(StatusLevel::Working) << QStringLiteral("Starting…")
                              << QStringLiteral("Starting");
}

void TestUiCore::poolStatusSentences()
{
    QFETCH(int, kind);
    QFETCH(int, phase);
    QFETCH(int, state);
    QFETCH(int, code);
    QFETCH(QString, message);
    QFETCH(int, level);
    QFETCH(QString, text);
    QFETCH(QString, stateName);
    const Error error = code ? Error(ErrorCode(code), message) : Error();
    const PoolStatus st = describePoolStatus(PoolKind(kind), PoolPhase(phase), Pool::State(state), error,
                                             QStringLiteral("127.0.0.1:9"));
    QCOMPARE(st.text, text);
    QCOMPARE(int(st.level), level);
    QCOMPARE(st.state, stateName);
}

void TestUiCore::errorClauses()
{
    QCOMPARE(errorClause(Error(ErrorCode::AddressInUse, QStringLiteral("The listen address is in use."))),
             QStringLiteral("the listen address is in use"));
    // Acronyms and addresses keep their case.
    QCOMPARE(errorClause(Error(ErrorCode::TlsHandshakeFailed, QStringLiteral("TLS alert 42"))),
             QStringLiteral("TLS alert 42"));
    QCOMPARE(errorClause(Error(ErrorCode::AddressInUse, QStringLiteral("127.0.0.1:4433 is already in use"))),
             QStringLiteral("127.0.0.1:4433 is already in use"));
    // No message: the code's sentence.
    QVERIFY(!errorClause(Error(ErrorCode::PinMismatch)).isEmpty());
    QVERIFY(!errorClause(Error(ErrorCode::PinMismatch)).endsWith(QLatin1Char('.')));
}

void TestUiCore::payloadPerDirection()
{
    // As `quicpool client` counts: the payload one way (RunResult::bytes),
    // never both directions added.
    QCOMPARE(payloadSentFor(workload::Mode::Echo, 1000), qint64(1000));
    QCOMPARE(payloadReceivedFor(workload::Mode::Echo, 1000), qint64(1000));
    QCOMPARE(payloadSentFor(workload::Mode::Sink, 1000), qint64(1000));
    QCOMPARE(payloadReceivedFor(workload::Mode::Sink, 1000), qint64(0));
    QCOMPARE(payloadSentFor(workload::Mode::Source, 1000), qint64(0));
    QCOMPARE(payloadReceivedFor(workload::Mode::Source, 1000), qint64(1000));
    LoadTestResult r;
    r.payloadSent = 64'700'000;
    r.payloadReceived = 64'700'000;
    r.bytesSent = 64'700'100;
    r.bytesReceived = 64'700'000;
    r.transferSeconds = 1.0;
    r.seconds = 1.2;
    QCOMPARE(r.sentMegabytesPerSecond(), 64.7);
    QCOMPARE(r.receivedMegabytesPerSecond(), 64.7);
    QVERIFY2(r.summary().contains(QStringLiteral("sent 64.70 MB/s, received 64.70 MB/s")), qPrintable(r.summary()));
    QVERIFY(!r.summary().contains(QStringLiteral("129.4")));
}

void TestUiCore::resultSeriesExports()
{
    LoadTestResult r;
    r.config.mode = workload::Mode::Echo;
    r.config.durationMs = 2000;
    r.ok = 2;
    r.failed = 1;
    r.intervals = {{0.0, 1.0, 2'000'000, 1'000'000, 1, 0}, {1.0, 1.5, 500'000, 500'000, 1, 1}};
    r.streams = {{QStringLiteral("0000000a"), 0.0, 12.5, 1000, true, QString()},
                 {QStringLiteral("0000000b"), 0.2, 30.0, 1000, true, QString()},
                 {QStringLiteral("0000000c"), 0.4, 99.0, 10, false, QStringLiteral("reset, by peer \"x\"")}};
    const QList<QByteArray> iv = r.intervalsCsv().trimmed().split('\n');
    QCOMPARE(iv.size(), 3);
    QCOMPARE(iv.at(0), QByteArray("start_s,end_s,bytes_sent,bytes_received,sent_mb_per_s,received_mb_per_s,completed,failed,"
                                  "measured_s,bytes_buffered,buffered_mb_per_s"));
    QCOMPARE(iv.at(1), QByteArray("0.000,1.000,2000000,1000000,2.000,1.000,1,0,1.000,0,0.000"));
    QCOMPARE(iv.at(2), QByteArray("1.000,1.500,500000,500000,1.000,1.000,1,1,0.500,0,0.000"));
    const QList<QByteArray> st = r.streamsCsv().trimmed().split('\n');
    QCOMPARE(st.size(), 4);
    QCOMPARE(st.at(0), QByteArray("id,start_s,latency_ms,payload_bytes,ok,error"));
    QCOMPARE(st.at(1), QByteArray("0000000a,0.000,12.500,1000,1,"));
    QCOMPARE(st.at(3), QByteArray("0000000c,0.400,99.000,10,0,\"reset, by peer \"\"x\"\"\""));
    const QJsonObject o = QJsonDocument::fromJson(r.toJson()).object();
    const QJsonArray intervals = o.value(QStringLiteral("intervals")).toArray();
    QCOMPARE(intervals.size(), 2);
    QCOMPARE(intervals.at(0).toObject().value(QStringLiteral("sentMegabytesPerSecond")).toDouble(), 2.0);
    QCOMPARE(intervals.at(1).toObject().value(QStringLiteral("end")).toDouble(), 1.5);
    const QJsonArray streams = o.value(QStringLiteral("streams")).toArray();
    QCOMPARE(streams.size(), 3);
    QCOMPARE(streams.at(1).toObject().value(QStringLiteral("ms")).toDouble(), 30.0);
    QCOMPARE(streams.at(2).toObject().value(QStringLiteral("ok")).toBool(), false);
    QCOMPARE(streams.at(2).toObject().value(QStringLiteral("error")).toString(), QStringLiteral("reset, by peer \"x\""));
    QCOMPARE(o.value(QStringLiteral("config")).toObject().value(QStringLiteral("durationMs")).toInt(), 2000);
    QCOMPARE(csvField(QStringLiteral("plain")), QStringLiteral("plain"));
    QCOMPARE(csvField(QStringLiteral("a\nb")), QStringLiteral("\"a\nb\""));
}

void TestUiCore::countersNeverReadAboveCapacity()
{
    PoolSample s;
    s.active = 5;
    s.capacity = 4;
    s.intervalMs = 100;
    const QString line = countersLine(s);
    QVERIFY2(!line.contains(QStringLiteral("active 5 / capacity 4")), qPrintable(line));
    QVERIFY2(line.contains(QStringLiteral("1 above")), qPrintable(line));
    s.active = 3;
    QVERIFY(countersLine(s).startsWith(QStringLiteral("active 3 / capacity 4")));
    QVERIFY(countersLine(s).endsWith(QStringLiteral("RTT –")));
}

void TestUiCore::connectionFiguresOnlyAfterHandshake()
{
    PoolSample before;
    before.connected = false;
    before.stats.setSmoothedRttUs(333000); // ngtcp2's initial guess, not a measurement
    before.stats.setPacketsSent(3);
    QVERIFY(!hasConnectionFigures(before));
    PoolSample after = before;
    after.connected = true;
    after.t = 0.25;
    QVERIFY(hasConnectionFigures(after));
    after.stats.setBytesReceived(100000);
    deriveRates(before, &after);
    QCOMPARE(after.rxKiBps, 0.0); // no rate across the handshake
    PoolSample zero;
    zero.connected = true;
    QVERIFY(!hasConnectionFigures(zero));
}

void TestUiCore::pathAndBackoffForm()
{
    ClientForm f;
    f.address = QStringLiteral("127.0.0.1:4433");
    ClientPoolConfig c;
    QVERIFY(validateClientForm(f, &c).isEmpty());
    QCOMPARE(c.congestionControl(), ClientPoolConfig().congestionControl());
    f.path.congestionControl = QStringLiteral("reno");
    f.path.streamWindowKiB = 1024;
    f.path.connectionWindowKiB = 4096;
    f.path.sendBufferKiB = 2048;
    f.path.busyPollUs = 100;
    f.maxBackoffMs = 800;
    QVERIFY(validateClientForm(f, &c).isEmpty());
    QCOMPARE(c.busyPoll(), std::chrono::microseconds(100));
    QCOMPARE(c.congestionControl(), CongestionControl::Reno);
    QCOMPARE(c.maxStreamReceiveWindow(), qint64(1024) * 1024);
    QCOMPARE(c.maxConnectionReceiveWindow(), qint64(4096) * 1024);
    QCOMPARE(c.sendBufferLimit(), qint64(2048) * 1024);
    QCOMPARE(c.maxBackoff().count(), 800);
    ClientForm bad = f;
    bad.path.congestionControl = QStringLiteral("vegas");
    bad.path.connectionWindowKiB = 512; // below the stream's
    bad.path.sendBufferKiB = 10;
    bad.path.busyPollUs = 1001;
    bad.maxBackoffMs = 0;
    bad.caFile = QStringLiteral("/etc/hostname");
    FieldErrors e = validateClientForm(bad);
    QVERIFY(e.contains(QStringLiteral("congestionControl")));
    QVERIFY(e.value(QStringLiteral("connectionWindow")).contains(QStringLiteral("below a stream's")));
    QVERIFY(e.contains(QStringLiteral("sendBuffer")));
    QVERIFY(e.value(QStringLiteral("busyPoll")).contains(QStringLiteral("1000")));
    QVERIFY(e.contains(QStringLiteral("maxBackoff")));
    QVERIFY(e.value(QStringLiteral("caFile")).contains(QStringLiteral("mode 2")));
    bad.tlsMode = 2;
    bad.caFile = QStringLiteral("/nonexistent/ca.pem");
    e = validateClientForm(bad);
    QVERIFY(e.contains(QStringLiteral("caFile")));
    ServerForm sf;
    sf.path.streamWindowKiB = 0;
    QVERIFY(validateServerForm(sf).contains(QStringLiteral("streamWindow")));
    sf.path = PathForm();
    sf.path.congestionControl = QStringLiteral("cubic");
    ServerPoolConfig sc;
    QVERIFY(validateServerForm(sf, &sc).isEmpty());
    QCOMPARE(sc.congestionControl(), CongestionControl::Cubic);
}

void TestUiCore::appOptionsHeadless()
{
    AppOptions o = parseAppOptions({QStringLiteral("quicpool-diag"), QStringLiteral("--version")});
    QVERIFY(o.helpShown);
    QVERIFY(o.versionShown);
    QVERIFY(versionText().startsWith(QStringLiteral("quicpool-diag ")));
    o = parseAppOptions({QStringLiteral("quicpool-diag"), QStringLiteral("--help")});
    QVERIFY(o.helpShown && !o.versionShown);
    QVERIFY(o.helpText.contains(QStringLiteral("--verbose")));
    o = parseAppOptions({QStringLiteral("quicpool-diag"), QStringLiteral("--verbose"), QStringLiteral("--size"),
                         QStringLiteral("1024x700")});
    QVERIFY(o.error.isEmpty());
    QVERIFY(o.verbose);
    QCOMPARE(o.size, QSize(1024, 700));
    o = parseAppOptions({QStringLiteral("quicpool-diag"), QStringLiteral("--size"), QStringLiteral("big")});
    QVERIFY(o.error.contains(QStringLiteral("--size")));
    QVERIFY(!parseAppOptions({QStringLiteral("quicpool-diag")}).verbose);
}

void TestUiCore::trailingRate()
{
    TrailingRate r(1.0);
    QCOMPARE(r.megabytesPerSecond(), 0.0);
    r.add(0, 0);
    QCOMPARE(r.megabytesPerSecond(), 0.0);   // one reading: no span yet
    r.add(0.5, 5'000'000);
    QCOMPARE(r.megabytesPerSecond(), 10.0);  // over what there is
    for (int i = 6; i <= 30; ++i)
        r.add(i * 0.1, 5'000'000 + qint64(i - 5) * 100'000);
    // Over the last second only: the burst at the start has left it.
    QCOMPARE(r.megabytesPerSecond(), 1.0);
    // A count that falls is a new run.
    r.add(3.1, 0);
    QCOMPARE(r.megabytesPerSecond(), 0.0);
}

void TestUiCore::resultSaysWhatItCounts()
{
    LoadTestResult r;
    r.config.mode = workload::Mode::Sink;
    r.ok = 4;
    r.payloadSent = 4000;
    r.deliveredSent = 4000;
    r.bufferedSent = 4000;
    r.transferSeconds = 1;
    QVERIFY2(r.summary().contains(QStringLiteral("(delivered: acknowledged by the server, read by the app)")),
             qPrintable(r.summary()));
    QVERIFY(!r.summary().contains(QStringLiteral("refused")));
    r.refusedStreams = 3;
    QVERIFY2(r.summary().contains(QStringLiteral("the server refused 3 streams")), qPrintable(r.summary()));
    const QJsonObject o = QJsonDocument::fromJson(r.toJson()).object();
    QCOMPARE(o.value(QStringLiteral("counting")).toObject().value(QStringLiteral("sent")).toString(),
             QStringLiteral("payload bytes the peer acknowledged"));
    QCOMPARE(o.value(QStringLiteral("deliveredSent")).toInteger(), 4000);
    QCOMPARE(o.value(QStringLiteral("refusedStreams")).toInteger(), 3);
    const QList<QByteArray> csv = r.toCsv().trimmed().split('\n');
    QCOMPARE(csv.at(0).split(',').size(), csv.at(1).split(',').size());
    QVERIFY(csv.at(0).endsWith("delivered_sent,delivered_received,buffered_sent,refused_streams"));
    QVERIFY(csv.at(1).endsWith(",4000,0,4000,3"));
    // An interval's rate divides by the time it was measured over.
    LoadTestInterval late{0, 1, 1'100'000, 0, 0, 0};
    late.measuredSeconds = 1.1;
    QCOMPARE(late.sentMegabytesPerSecond(), 1.0);
    QCOMPARE(late.seconds(), 1.1);
}

namespace {
DefenceStats defence(qint64 pending, qint64 retries, qint64 refusals, qint64 drops)
{
    DefenceStats d;
    d.setPendingHandshakes(pending);
    d.setPendingHandshakesPeak(pending);
    d.setRetriesSent(retries);
    d.setAllowListRefusals(refusals);
    d.setLimitDrops(drops);
    return d;
}
} // namespace

void TestUiCore::defenceRatesAndFigures()
{
    const DefenceStats a = defence(3, 100, 10, 0);
    const DefenceStats b = defence(64, 300, 11, 50);
    const DefenceRates r = defenceRates(a, b, 0.5);
    QCOMPARE(r.retriesPerSecond, 400.0);
    QCOMPARE(r.refusalsPerSecond, 2.0);
    QCOMPARE(r.dropsPerSecond, 100.0);
    // A restarted pool counts from zero: no negative rate; no time, no rate.
    const DefenceRates back = defenceRates(b, a, 0.5);
    QCOMPARE(back.retriesPerSecond, 0.0);
    QCOMPARE(back.dropsPerSecond, 0.0);
    QCOMPARE(defenceRates(a, b, 0).retriesPerSecond, 0.0);

    QCOMPARE(groupedCount(0), QStringLiteral("0"));
    QCOMPARE(groupedCount(999), QStringLiteral("999"));
    QCOMPARE(groupedCount(1840), QStringLiteral("1,840"));
    QCOMPARE(groupedCount(1234567), QStringLiteral("1,234,567"));
    QCOMPARE(groupedCount(-1000), QStringLiteral("-1,000"));
    QCOMPARE(byteCount(812), QStringLiteral("812 B"));
    QCOMPARE(byteCount(14200), QStringLiteral("14.2 KB"));
    QCOMPARE(byteCount(3610000), QStringLiteral("3.61 MB"));

    DefenceStats d = defence(12, 1840, 2, 7);
    d.setPendingHandshakesPeak(64);
    d.setHandshakesStarted(96);
    d.setHandshakesCompleted(80);
    d.setHandshakesTimedOut(4);
    d.setTokensAccepted(3);
    d.setTokensRejected(1);
    d.setUnvalidatedBytesReceived(1200000);
    d.setUnvalidatedBytesSent(300000);
    QHash<QString, QString> v;
    for (const DefenceFigure &f : defenceFigures(d)) {
        QVERIFY(!f.label.isEmpty() && !f.tip.isEmpty());
        v.insert(f.key, f.value);
    }
    QCOMPARE(v.size(), 8);
    QCOMPARE(v.value(QStringLiteral("pending")), QStringLiteral("12 (peak 64)"));
    QCOMPARE(v.value(QStringLiteral("handshakes")), QStringLiteral("96 started, 80 completed"));
    QCOMPARE(v.value(QStringLiteral("timedOut")), QStringLiteral("4"));
    QCOMPARE(v.value(QStringLiteral("retries")), QStringLiteral("1,840"));
    QCOMPARE(v.value(QStringLiteral("tokens")), QStringLiteral("3 accepted, 1 rejected"));
    QCOMPARE(v.value(QStringLiteral("refusals")), QStringLiteral("2"));
    QCOMPARE(v.value(QStringLiteral("drops")), QStringLiteral("7"));
    QCOMPARE(v.value(QStringLiteral("unvalidated")), QStringLiteral("1.20 MB received, 300.0 KB sent (0.25x)"));
    // Nothing received yet: no ratio.
    QCOMPARE(defenceFigures(DefenceStats()).last().value, QStringLiteral("0 B received, 0 B sent"));
}

void TestUiCore::floodSentences()
{
    const DefenceStats start = defence(65, 40, 5, 0);
    const DefenceStats now = defence(212, 1880, 5, 30);
    QCOMPARE(floodBannerText(now, start),
             QStringLiteral("Handshake flood: 212 handshakes pending, 1,840 Retries sent, 30 Initials dropped at the "
                            "limits, 0 refused by the allow-list since it began."));
    QCOMPARE(floodBannerText(defence(1, 41, 5, 1), start),
             QStringLiteral("Handshake flood: 1 handshake pending, 1 Retry sent, 1 Initial dropped at the limits, "
                            "0 refused by the allow-list since it began."));
    DefenceStats end = defence(0, 1900, 5, 30);
    end.setPendingHandshakesPeak(256);
    end.setHandshakesStarted(96);
    end.setHandshakesTimedOut(90);
    QCOMPARE(floodOverText(end, start),
             QStringLiteral("handshake flood over: 1,860 Retries sent, 96 handshakes started, 90 timed out, "
                            "30 Initials dropped at the limits, at most 256 pending"));
}

void TestUiCore::serverSamplesCsv()
{
    PoolSample a;
    a.t = 1.0;
    a.hasDefence = true;
    a.defence = defence(2, 10, 0, 0);
    PoolSample b = a;
    b.t = 1.25;
    b.defence = defence(8, 60, 1, 4);
    deriveRates(a, &b);
    QCOMPARE(b.defenceRates.retriesPerSecond, 200.0);
    QCOMPARE(b.defenceRates.refusalsPerSecond, 4.0);
    QCOMPARE(b.defenceRates.dropsPerSecond, 16.0);
    const QList<QByteArray> lines = samplesToCsv({a, b}).trimmed().split('\n');
    QCOMPARE(lines.size(), 3);
    const QList<QByteArray> header = lines.at(0).split(',');
    QCOMPARE(lines.at(2).split(',').size(), header.size());
    const qsizetype pending = header.indexOf("pending_handshakes");
    QVERIFY(pending > 0);
    QCOMPARE(lines.at(2).split(',').at(pending), QByteArray("8"));
    QCOMPARE(lines.at(2).split(',').at(header.indexOf("retries_per_s")), QByteArray("200.00"));
    // Client samples carry no defence columns.
    PoolSample c;
    QVERIFY(!samplesToCsv({c}).contains("pending_handshakes"));
}

QTEST_GUILESS_MAIN(TestUiCore)
#include "tst_uicore.moc"
