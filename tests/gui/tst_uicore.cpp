// The logic behind quicpool-diag's panels that needs Qt Core only (it links
// quicpool_ui_core, no Qt Gui, and runs without a display): payloads, the
// load test's results, the command line, samples and profiles. (The load
// test's protocol is the workload library's: tests/workload/tst_protocol.)
#include "appoptions.h"
#include "loadtestresult.h"
#include "payload.h"
#include "poolsample.h"
#include "profiles.h"

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
    QCOMPARE(r.megabytesPerSecond(), 2.0);
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
    QVERIFY(!parseAppOptions({prog, QStringLiteral("extra")}).error.isEmpty());
    QVERIFY(parseAppOptions({prog, QStringLiteral("--help")}).helpShown);
}

void TestUiCore::sampleRates()
{
    PoolSample a;
    a.t = 1.0;
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
    PoolSpec server;
    server.kind = PoolKind::Server;
    server.name = QStringLiteral("core");
    server.server.listenAddress = QStringLiteral("0.0.0.0:4433");
    server.server.generateSelfSigned = false;
    server.server.certificateFile = QStringLiteral("/etc/c.pem");
    server.serveEcho = true;
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
    QCOMPARE(back.pools.at(1).kind, PoolKind::Server);
    QCOMPARE(back.pools.at(1).server.certificateFile, server.server.certificateFile);
    QVERIFY(!back.pools.at(1).server.generateSelfSigned);
    QVERIFY(back.pools.at(1).serveEcho);
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

QTEST_GUILESS_MAIN(TestUiCore)
#include "tst_uicore.moc"
