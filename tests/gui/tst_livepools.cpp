// quicpool-diag against real loopback pools: a pair opened from the forms
// with charts that grow, a stream fetched by ID with a payload echoed back,
// and load tests run to completion and to cancellation.
// QUICPOOL_GUI_SKIP_LIVE=1 skips them (for builds where pools cannot run).
#include "appoptions.h"
#include "clientpoolform.h"
#include "connectionpanel.h"
#include "loadtest.h"
#include "loadtestpanel.h"
#include "mainwindow.h"
#include "payloadpanel.h"
#include "poolcharts.h"
#include "poolformdialog.h"
#include "poolview.h"
#include "serverpoolform.h"
#include "streammodel.h"
#include "timeserieschart.h"

#include <QtCore/QJsonDocument>
#include <QtCore/QJsonObject>
#include <QtCore/QProcess>
#include <QtCore/QRegularExpression>
#include <QtCore/QTemporaryDir>
#include <QtTest/QtTest>
#include <QtWidgets/QCheckBox>
#include <QtWidgets/QComboBox>
#include <QtWidgets/QLineEdit>
#include <QtWidgets/QSpinBox>

using namespace quicpool;
using namespace quicpool::diag;

class TestLivePools : public QObject
{
    Q_OBJECT
private Q_SLOTS:
    void initTestCase();
    void init();
    void pairFromFormsChartsGrow();
    void fetchByIdRoundTripsPayload();
    void demoPairMovesCharts();
    void loadTestEngineModes_data();
    void loadTestEngineModes();
    void loadTestAgainstCliServer_data();
    void loadTestAgainstCliServer();
    void loadTestPanelCompletes();
    void loadTestPanelCancels();

private:
    /// Opens a server (echo) and a client pool through the dialogs.
    bool openPair(MainWindow &window, PoolView **server, PoolView **client);
    QTemporaryDir m_dir;
};

void TestLivePools::initTestCase()
{
    QVERIFY(m_dir.isValid());
    qputenv("QUICPOOL_SETTINGS_DIR", m_dir.filePath(QStringLiteral("settings")).toUtf8());
}

void TestLivePools::init()
{
    if (qEnvironmentVariableIsSet("QUICPOOL_GUI_SKIP_LIVE"))
        QSKIP("QUICPOOL_GUI_SKIP_LIVE is set: live pool tests skipped");
}

bool TestLivePools::openPair(MainWindow &window, PoolView **server, PoolView **client)
{
    PoolFormDialog *sd = window.showPoolDialog(PoolKind::Server);
    sd->serverForm()->listenEdit()->setText(QStringLiteral("127.0.0.1:0"));
    sd->serverForm()->maxCapacitySpin()->setValue(16);
    sd->serverForm()->setServeEcho(true);
    sd->tryAccept();
    if (sd->isVisible())
        return false;
    *server = window.poolViews().last();
    if (!QTest::qWaitFor([&] { return (*server)->serverPort() != 0; }, 10000))
        return false;

    PoolFormDialog *cd = window.showPoolDialog(PoolKind::Client);
    cd->clientForm()->addressEdit()->setText(QStringLiteral("127.0.0.1:%1").arg((*server)->serverPort()));
    cd->clientForm()->minCapacitySpin()->setValue(2);
    cd->clientForm()->maxCapacitySpin()->setValue(6);
    cd->clientForm()->minIntervalSpin()->setValue(50);
    cd->clientForm()->maxIntervalSpin()->setValue(500);
    cd->tryAccept();
    if (cd->isVisible())
        return false;
    *client = window.poolViews().last();
    return *client != *server;
}

void TestLivePools::pairFromFormsChartsGrow()
{
    MainWindow window;
    window.startUp(parseAppOptions({QStringLiteral("x"), QStringLiteral("--no-demo")}));
    window.show();
    PoolView *server = nullptr;
    PoolView *client = nullptr;
    QVERIFY(openPair(window, &server, &client));
    QCOMPARE(window.poolViews().size(), 2);
    client->setSamplePeriod(50);
    TimeSeriesChart *pool = client->charts()->poolChart();
    QTRY_VERIFY_WITH_TIMEOUT(pool->pointCount(0) >= 5, 10000);
    // Streams get pooled: the "active" line leaves zero.
    QTRY_VERIFY_WITH_TIMEOUT(!pool->points(0).isEmpty() && pool->points(0).last().y() > 0, 15000);
    const int before = pool->pointCount(0);
    QTRY_VERIFY_WITH_TIMEOUT(pool->pointCount(0) > before, 5000);
    QVERIFY(client->isRunning());
    // Connection details come from the worker thread.
    client->refreshConnection();
    QTRY_VERIFY_WITH_TIMEOUT(!client->connection()->valueOf(QStringLiteral("TLS version")).isEmpty(), 10000);
    QVERIFY(client->connection()->valueOf(QStringLiteral("ALPN")).contains(QStringLiteral("np-quic")));
    QVERIFY(client->connection()->valueOf(QStringLiteral("Peer fingerprint")).startsWith(QStringLiteral("sha256:")));
    // Stop and start again from the view.
    client->stop();
    QTRY_VERIFY_WITH_TIMEOUT(!client->isRunning(), 5000);
    client->start();
    QTRY_VERIFY_WITH_TIMEOUT(client->isRunning(), 10000);
}

void TestLivePools::fetchByIdRoundTripsPayload()
{
    MainWindow window;
    window.startUp(parseAppOptions({QStringLiteral("x"), QStringLiteral("--no-demo")}));
    PoolView *server = nullptr;
    PoolView *client = nullptr;
    QVERIFY(openPair(window, &server, &client));
    QTRY_VERIFY_WITH_TIMEOUT(client->streams()->pooledCount() > 0, 15000);
    const QString id = client->streams()->pooledIds().first();
    client->idEdit()->setText(id);
    QVERIFY(client->fetchById());
    QVERIFY(client->fetchError().isEmpty());
    QTRY_VERIFY_WITH_TIMEOUT(client->payload()->stream() >= 0, 10000);
    QVERIFY2(client->fetchResult().contains(id), qPrintable(client->fetchResult()));
    const int key = client->payload()->stream();
    QTRY_VERIFY(client->streams()->taken(key) != nullptr);

    client->payload()->setKind(PayloadKind::Text);
    client->payload()->setInput(QStringLiteral("hello through the pool"));
    QVERIFY(client->payload()->send(false));
    client->payload()->setKind(PayloadKind::Pattern);
    client->payload()->setCount(100000);
    QVERIFY(client->payload()->send(true)); // then FIN: the echo server answers and closes
    QTRY_VERIFY_WITH_TIMEOUT(client->payload()->echoCheck(key).complete(), 15000);
    const EchoCheck check = client->payload()->echoCheck(key);
    QVERIFY2(check.ok(), qPrintable(check.summary(0)));
    QCOMPARE(check.received, qint64(22 + 100000));
    QVERIFY(client->payload()->received(key).startsWith("hello through the pool"));
    QVERIFY(client->payload()->echoText().contains(QStringLiteral("Echo OK")));

    // A fetch for an ID nobody has fails inline after the timeout.
    client->idEdit()->setText(QStringLiteral("fffffffe"));
    QVERIFY(client->fetchById());
    QTRY_VERIFY_WITH_TIMEOUT(client->fetchResult().startsWith(QStringLiteral("Failed")), 15000);
}

void TestLivePools::demoPairMovesCharts()
{
    MainWindow window;
    window.startUp(parseAppOptions({QStringLiteral("x")})); // no profile: the demo pair
    QTRY_COMPARE_WITH_TIMEOUT(window.poolViews().size(), 2, 10000);
    PoolView *client = window.poolViews().last();
    QCOMPARE(client->kind(), PoolKind::Client);
    // The light echo load moves the throughput line.
    TimeSeriesChart *tp = client->charts()->throughputChart();
    QTRY_VERIFY_WITH_TIMEOUT([&] {
        for (const QPointF &p : tp->points(0))
            if (p.y() > 0)
                return true;
        return false;
    }(), 15000);
}

void TestLivePools::loadTestEngineModes_data()
{
    QTest::addColumn<int>("mode");
    QTest::newRow("echo") << int(workload::Mode::Echo);
    QTest::newRow("sink") << int(workload::Mode::Sink);
    QTest::newRow("source") << int(workload::Mode::Source);
}

void TestLivePools::loadTestEngineModes()
{
    QFETCH(int, mode);
    LoadTestConfig c;
    c.mode = workload::Mode(mode);
    c.streams = 12;
    c.bytes = 100000;
    c.parallelism = 3;
    LoadTest test(c);
    QSignalSpy done(&test, &LoadTest::finished);
    QSignalSpy progress(&test, &LoadTest::progressed);
    test.start();
    QVERIFY(done.wait(60000) || done.size() == 1);
    const auto r = done.at(0).at(0).value<LoadTestResult>();
    QVERIFY2(r.error.isEmpty(), qPrintable(r.error));
    QVERIFY2(r.failed == 0, qPrintable(r.failures.join(QLatin1Char('\n'))));
    QCOMPARE(r.ok, 12);
    QCOMPARE(r.latenciesMs.size(), 12);
    QVERIFY(r.latencyPercentile(50) > 0);
    if (c.mode == workload::Mode::Echo)
        QCOMPARE(r.bytesReceived, 12 * c.bytes);
    if (c.mode == workload::Mode::Sink)
        QCOMPARE(r.bytesReceived, qint64(12 * 16));
    if (c.mode == workload::Mode::Source) {
        QCOMPARE(r.bytesSent, qint64(12 * 8));
        QCOMPARE(r.bytesReceived, 12 * c.bytes);
    }
    QVERIFY(!progress.isEmpty());
}

void TestLivePools::loadTestAgainstCliServer_data()
{
    loadTestEngineModes_data();
}

void TestLivePools::loadTestAgainstCliServer()
{
    // The remote case: a real `quicpool server --mode X` (CTest names it in
    // QUICPOOL_CLI), the engine taking whichever ID is ready, as the CLI does.
    const QString cli = qEnvironmentVariable("QUICPOOL_CLI");
    if (cli.isEmpty() || !QFileInfo(cli).isExecutable())
        QSKIP("QUICPOOL_CLI does not name the quicpool program");
    QFETCH(int, mode);
    QProcess server;
    server.setProcessChannelMode(QProcess::SeparateChannels);
    server.start(cli, {QStringLiteral("server"), QStringLiteral("--listen"), QStringLiteral("127.0.0.1:0"),
                       QStringLiteral("--mode"), workload::modeName(workload::Mode(mode))});
    QVERIFY(server.waitForStarted(10000));
    QString port;
    const QRegularExpression listening(QStringLiteral("listening on 127\\.0\\.0\\.1:(\\d+)"));
    QByteArray err;
    QVERIFY(QTest::qWaitFor([&] {
        err += server.readAllStandardError();
        const auto m = listening.match(QString::fromUtf8(err));
        if (m.hasMatch())
            port = m.captured(1);
        return !port.isEmpty() || server.state() == QProcess::NotRunning;
    }, 15000));
    QVERIFY2(!port.isEmpty(), err.constData());
    LoadTestConfig c;
    c.target = LoadTestConfig::Target::Remote;
    c.remoteAddress = QStringLiteral("127.0.0.1:") + port;
    c.tlsMode = 1;
    c.mode = workload::Mode(mode);
    c.streams = 10;
    c.bytes = 50000;
    c.parallelism = 3;
    LoadTest test(c);
    QSignalSpy done(&test, &LoadTest::finished);
    test.start();
    QVERIFY(done.wait(60000) || done.size() == 1);
    server.terminate();
    server.waitForFinished(5000);
    const auto r = done.at(0).at(0).value<LoadTestResult>();
    QVERIFY2(r.error.isEmpty(), qPrintable(r.error));
    QVERIFY2(r.ok == 10, qPrintable(r.summary() + QLatin1Char('\n') + r.failures.join(QLatin1Char('\n'))));
}

void TestLivePools::loadTestPanelCompletes()
{
    MainWindow window;
    window.startUp(parseAppOptions({QStringLiteral("x"), QStringLiteral("--no-demo")}));
    LoadTestPanel *panel = window.loadTestPanel();
    LoadTestConfig c;
    c.target = LoadTestConfig::Target::EmbeddedPair;
    c.streams = 40;
    c.bytes = 32 * 1024;
    c.parallelism = 4;
    c.mode = workload::Mode::Echo;
    panel->setConfig(c);
    QSignalSpy finished(panel, &LoadTestPanel::finished);
    QVERIFY(panel->start());
    QVERIFY(panel->isRunning());
    QVERIFY(!panel->start()); // one at a time
    QTRY_VERIFY_WITH_TIMEOUT(!panel->isRunning(), 60000);
    QCOMPARE(finished.size(), 1);
    const LoadTestResult &r = panel->result();
    QVERIFY2(r.failed == 0 && r.error.isEmpty(), qPrintable(r.summary() + r.failures.join(QLatin1Char('\n'))));
    QCOMPARE(r.ok, 40);
    QVERIFY(!r.cancelled);
    QVERIFY(r.maxGuiDelayMs >= 0);
    QCOMPARE(panel->progressValue(), 40);
    QVERIFY(panel->summaryText().contains(QStringLiteral("40 streams ok, 0 failed")));
    QVERIFY(panel->chart()->pointCount(0) > 0);
    const QString json = m_dir.filePath(QStringLiteral("lt.json"));
    const QString csv = m_dir.filePath(QStringLiteral("lt.csv"));
    QVERIFY(panel->exportJson(json));
    QVERIFY(panel->exportCsv(csv));
    QFile jf(json);
    QVERIFY(jf.open(QIODevice::ReadOnly));
    QCOMPARE(QJsonDocument::fromJson(jf.readAll()).object().value(QStringLiteral("ok")).toInt(), 40);
    QFile cf(csv);
    QVERIFY(cf.open(QIODevice::ReadOnly));
    QCOMPARE(cf.readAll().trimmed().split('\n').size(), 2);
}

void TestLivePools::loadTestPanelCancels()
{
    MainWindow window;
    window.startUp(parseAppOptions({QStringLiteral("x"), QStringLiteral("--no-demo")}));
    LoadTestPanel *panel = window.loadTestPanel();
    LoadTestConfig c;
    c.streams = 100000;
    c.bytes = 256 * 1024;
    c.parallelism = 8;
    panel->setConfig(c);
    QVERIFY(panel->start());
    QTest::qWait(700);
    QVERIFY(panel->isRunning());
    panel->cancel();
    QTRY_VERIFY_WITH_TIMEOUT(!panel->isRunning(), 10000);
    const LoadTestResult &r = panel->result();
    QVERIFY(r.cancelled);
    QVERIFY(r.ok < c.streams);
    QVERIFY(panel->summaryText().startsWith(QStringLiteral("Cancelled")));
    // The worker is free again: a new test can start right away.
    c.streams = 5;
    c.bytes = 1024;
    panel->setConfig(c);
    QVERIFY(panel->start());
    QTRY_VERIFY_WITH_TIMEOUT(!panel->isRunning(), 30000);
    QVERIFY2(panel->result().ok == 5,
             qPrintable(panel->result().summary() + panel->result().failures.join(QLatin1Char('\n'))));
}

QTEST_MAIN(TestLivePools)
#include "tst_livepools.moc"
