// The screenshots of the README and the AppStream file, taken of real
// pools in the states an operator meets: the default start (the demo pair),
// a pin mismatch, a port in use, a load test over the lossy path, the
// qlog viewer on a connection over that path, and a server tab during a
// handshake flood (quicpool-flood, tests/flood). Each
// state is checked before its picture is taken; the pictures are written
// only when QUICPOOL_SCREENSHOT_DIR names a folder (scripts or a person
// refreshing docs/screenshots), at 1600x1000 and 1024x700.
#include "appoptions.h"
#include "defencepanel.h"
#include "loadtestpanel.h"
#include "mainwindow.h"
#include "poolcharts.h"
#include "poolview.h"
#include "qlogreader.h"
#include "qlogview.h"
#include "timeserieschart.h"

#include <workload/streamrunner.h>
#include <workload/streamserver.h>

#include <quicpool/quicpool.h>
#include <quicpool/relay/relay.h>

#include <quicpool/relay/pathprofile.h>

#include <QtCore/QDir>
#include <QtCore/QProcess>
#include <QtCore/QTemporaryDir>
#include <QtGui/QImage>
#include <QtTest/QtTest>
#include <QtWidgets/QTabWidget>

using namespace quicpool;
using namespace quicpool::diag;

class TestDocScreens : public QObject
{
    Q_OBJECT
private Q_SLOTS:
    void initTestCase();
    void defaultStart_data() { sizes(); }
    void defaultStart();
    void pinMismatch_data() { sizes(); }
    void pinMismatch();
    void portInUse_data() { sizes(); }
    void portInUse();
    void lossyLoadTest_data() { sizes(); }
    void lossyLoadTest();
    void qlogOfLossyRun_data() { sizes(); }
    void qlogOfLossyRun();
    void serverFlood_data() { sizes(); }
    void serverFlood();

private:
    void sizes();
    void shoot(MainWindow &window, const QString &name);
    QTemporaryDir m_dir;
};

void TestDocScreens::initTestCase()
{
    QVERIFY(m_dir.isValid());
    qputenv("QUICPOOL_SETTINGS_DIR", m_dir.filePath(QStringLiteral("settings")).toUtf8());
}

void TestDocScreens::sizes()
{
    QTest::addColumn<QSize>("size");
    QTest::newRow("1600x1000") << QSize(1600, 1000);
    QTest::newRow("1024x700") << QSize(1024, 700);
}

void TestDocScreens::shoot(MainWindow &window, const QString &name)
{
    QFETCH(QSize, size);
    QCOMPARE(window.size(), size);
    const QString folder = qEnvironmentVariable("QUICPOOL_SCREENSHOT_DIR");
    const QString path = folder.isEmpty()
        ? m_dir.filePath(QStringLiteral("shot.png"))
        : QDir(folder).filePath(QStringLiteral("%1-%2x%3.png").arg(name).arg(size.width()).arg(size.height()));
    QVERIFY(window.saveScreenshot(path));
    const QImage image(path);
    QCOMPARE(image.size(), size * image.devicePixelRatio());
}

namespace {
void prepare(MainWindow &window, bool demo)
{
    QFETCH(QSize, size);
    window.startUp(parseAppOptions(demo ? QStringList{QStringLiteral("x")}
                                        : QStringList{QStringLiteral("x"), QStringLiteral("--no-demo")}));
    window.resize(size);
    window.show();
}

PoolView *server(MainWindow &window, const QString &name, const QString &listen)
{
    PoolSpec spec;
    spec.kind = PoolKind::Server;
    spec.name = name;
    spec.server.listenAddress = listen;
    spec.server.maxCapacity = 16;
    spec.serveEcho = true;
    return window.openSpec(spec);
}
} // namespace

void TestDocScreens::defaultStart()
{
    MainWindow window;
    prepare(window, true);
    QTRY_COMPARE_WITH_TIMEOUT(window.poolViews().size(), 2, 10000);
    PoolView *client = window.poolViews().last();
    QTRY_COMPARE_WITH_TIMEOUT(client->status().level, StatusLevel::Good, 15000);
    window.tabs()->setCurrentWidget(client);
    QTest::qWait(6000); // a few seconds of the demo load on the charts
    QVERIFY(client->charts()->rttChart()->pointCount(0) > 5);
    shoot(window, QStringLiteral("start"));
}

void TestDocScreens::pinMismatch()
{
    MainWindow window;
    prepare(window, false);
    PoolView *srv = server(window, QStringLiteral("server :4433"), QStringLiteral("127.0.0.1:0"));
    QTRY_VERIFY_WITH_TIMEOUT(srv->serverPort() != 0, 10000);
    PoolSpec spec;
    spec.kind = PoolKind::Client;
    spec.name = QStringLiteral("client (pinned)");
    spec.client.address = QStringLiteral("127.0.0.1:%1").arg(srv->serverPort());
    spec.client.pin = QStringLiteral("sha256:") + QString::fromLatin1(QByteArray::fromHex(
        "5e8a3c0f1d2b4a6978c9e0f1a2b3c4d5e6f708192a3b4c5d6e7f8091a2b3c4d5").toHex(':')).toUpper();
    PoolView *client = window.openSpec(spec);
    QVERIFY(client);
    QTRY_COMPARE_WITH_TIMEOUT(client->status().level, StatusLevel::Trouble, 15000);
    QVERIFY(client->bannerText().contains(QStringLiteral("does not match the pin")));
    QTest::qWait(2500);
    shoot(window, QStringLiteral("pin-mismatch"));
}

void TestDocScreens::portInUse()
{
    MainWindow window;
    prepare(window, false);
    PoolView *first = server(window, QStringLiteral("server"), QStringLiteral("127.0.0.1:0"));
    QTRY_VERIFY_WITH_TIMEOUT(first->serverPort() != 0, 10000);
    PoolView *second = server(window, QStringLiteral("second server"),
                              QStringLiteral("127.0.0.1:%1").arg(first->serverPort()));
    QTRY_COMPARE_WITH_TIMEOUT(second->status().level, StatusLevel::Failed, 10000);
    QVERIFY(second->bannerText().endsWith(QStringLiteral("is already in use")));
    QTest::qWait(1500);
    shoot(window, QStringLiteral("port-in-use"));
}

void TestDocScreens::lossyLoadTest()
{
    QVERIFY(relay::pathProfile(QStringLiteral("lossy")));
    MainWindow window;
    prepare(window, false);
    LoadTestPanel *panel = window.loadTestPanel();
    window.tabs()->setCurrentWidget(panel);
    LoadTestConfig c;
    c.target = LoadTestConfig::Target::EmbeddedPair;
    c.mode = workload::Mode::Sink;
    c.durationMs = 8000;
    c.bytes = 4 * 1024 * 1024;
    c.parallelism = 2;
    c.path = QStringLiteral("lossy");
    panel->setConfig(c);
    QVERIFY(panel->start());
    QTRY_VERIFY_WITH_TIMEOUT(!panel->isRunning(), 90000);
    const LoadTestResult &r = panel->result();
    QVERIFY2(r.error.isEmpty() && r.ok > 0, qPrintable(r.summary() + r.failures.join(QLatin1Char('\n'))));
    QVERIFY(r.sentMegabytesPerSecond() > 0);
    QVERIFY(panel->chart()->pointCount(0) > 5);
    // Delivery, not buffer fills: after the first second no point of the
    // sent line is above the 50 MB/s link.
    for (const QPointF &p : panel->chart()->points(LoadTestPanel::SentSeries)) {
        if (p.x() > 2.0)
            QVERIFY2(p.y() < 50.0 * 1.05, qPrintable(QStringLiteral("%1 MB/s at %2 s").arg(p.y()).arg(p.x())));
    }
    shoot(window, QStringLiteral("loadtest-lossy"));
}

void TestDocScreens::qlogOfLossyRun()
{
    // One connection with ngtcp2's qlog on, over the lossy path (50 ms,
    // 1 % loss each way, 50 MB/s): 8 MiB in sink mode (24 took 162 s under ASan on a loaded machine), then its client's
    // file in the viewer.
    QTemporaryDir qlogDir;
    QVERIFY(qlogDir.isValid());
    ServerPoolConfig sc;
    sc.setListenAddress(QStringLiteral("127.0.0.1:0"));
    sc.setMaxCapacity(8);
    auto server = std::make_unique<ServerPool>(sc);
    QVERIFY(server->start());
    workload::StreamServer serving(server.get(), workload::Mode::Sink);
    serving.start();
    relay::RelayConfig rc;
    rc.listenAddress = QHostAddress(QHostAddress::LocalHost);
    rc.upstreamAddress = QHostAddress(QHostAddress::LocalHost);
    rc.upstreamPort = server->serverPort();
    relay::Relay link(relay::pathProfile(QStringLiteral("lossy"))->applyTo(rc));
    QVERIFY2(link.start(), qPrintable(link.errorString()));
    ClientPoolConfig cc;
    cc.setAddress(QStringLiteral("127.0.0.1:%1").arg(link.listenPort()));
    cc.setTlsMode(TlsMode::SelfSigned);
    cc.setMinCapacity(1);
    cc.setMaxCapacity(1);
    cc.setHandshakeTimeout(Milliseconds(10000));
    cc.setQlogDirectory(qlogDir.path());
    auto client = std::make_unique<ClientPool>(cc);
    QVERIFY(client->start());
    QTRY_VERIFY_WITH_TIMEOUT(!client->readyIds().isEmpty(), 30000);
    bool done = false;
    bool ok = false;
    auto *runner = new workload::StreamRunner(client->tryOutgoingGet(client->readyIds().constFirst()),
                                              workload::Mode::Sink, 8 << 20, [&](const workload::RunResult &r) {
                                                  done = true;
                                                  ok = r.ok;
                                              });
    runner->start();
    QTRY_VERIFY_WITH_TIMEOUT(done, 120000);
    QVERIFY(ok);
    client.reset();   // the connection closes and ngtcp2 ends the file
    const QStringList files = QDir(qlogDir.path()).entryList({QStringLiteral("*.sqlog")}, QDir::Files);
    QCOMPARE(files.size(), 1);
    const QString path = QDir(qlogDir.path()).filePath(files.first());
    QTRY_VERIFY_WITH_TIMEOUT(readQlogFile(path).trace.warnings.isEmpty(), 10000);

    MainWindow window;
    prepare(window, false);
    QlogView *view = window.openQlog(path);
    QTRY_VERIFY_WITH_TIMEOUT(view->hasResult(), 60000);
    const QlogTrace &t = view->result().trace;
    QVERIFY(t.packetsLostTotal > 0);
    QVERIFY(t.streamBytesSentTotal >= 8 << 20);
    QVERIFY(view->congestionChart()->pointCount(0) > 10);
    QVERIFY(view->rttChart()->pointCount(0) > 10);
    QVERIFY(view->bannerText().isEmpty());
    view->congestionChart()->showCrosshairAt(t.durationSeconds / 2);   // as a user hovering would see it
    QTest::qWait(300);
    shoot(window, QStringLiteral("qlog-lossy"));
}

void TestDocScreens::serverFlood()
{
    // Unanswered Initials at 200/s for about 6 s against a server that
    // sends Retries from 8 pending handshakes on; the picture is taken
    // mid-flood, the Defences tab open as the banner's button opens it.
    MainWindow window;
    prepare(window, false);
    PoolSpec spec;
    spec.kind = PoolKind::Server;
    spec.name = QStringLiteral("exposed server");
    spec.server.listenAddress = QStringLiteral("127.0.0.1:0");
    spec.server.maxCapacity = 16;
    spec.server.retryThreshold = 8;
    spec.serveEcho = true;
    PoolView *srv = window.openSpec(spec);
    QVERIFY(srv);
    QTRY_VERIFY_WITH_TIMEOUT(srv->serverPort() != 0, 10000);
    QProcess flood;
    flood.setProgram(QStringLiteral(QUICPOOL_FLOOD_TOOL));
    flood.setArguments({QStringLiteral("--connect"), QStringLiteral("127.0.0.1:%1").arg(srv->serverPort()),
                        QStringLiteral("--count"), QStringLiteral("1200"), QStringLiteral("--rate"),
                        QStringLiteral("200"), QStringLiteral("--ports"), QStringLiteral("16"),
                        QStringLiteral("--clients"), QStringLiteral("0")});
    flood.setProcessChannelMode(QProcess::ForwardedChannels);
    flood.start();
    QVERIFY2(flood.waitForStarted(10000), qPrintable(flood.errorString()));
    QTRY_VERIFY_WITH_TIMEOUT(srv->isFloodBannerShown(), 60000);
    srv->showDefences();
    QTest::qWait(3500); // a few seconds of the flood on the chart
    QVERIFY(srv->isFloodBannerShown());
    QVERIFY(srv->samples().last().defence.retriesSent() > 0);
    QVERIFY(srv->defences()->value(QStringLiteral("retries")) != QStringLiteral("0"));
    shoot(window, QStringLiteral("server-flood"));
    flood.kill();
    flood.waitForFinished(5000);
}

QTEST_MAIN(TestDocScreens)
#include "tst_docscreens.moc"
