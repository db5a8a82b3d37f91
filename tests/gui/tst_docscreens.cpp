// The screenshots of the README and the AppStream file, taken of real
// pools in the states an operator meets: the default start (the demo pair),
// a pin mismatch, a port in use, and a load test over the lossy path. Each
// state is checked before its picture is taken; the pictures are written
// only when QUICPOOL_SCREENSHOT_DIR names a folder (scripts or a person
// refreshing docs/screenshots), at 1600x1000 and 1024x700.
#include "appoptions.h"
#include "loadtestpanel.h"
#include "mainwindow.h"
#include "poolcharts.h"
#include "poolview.h"
#include "timeserieschart.h"

#include <quicpool/relay/pathprofile.h>

#include <QtCore/QDir>
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
    shoot(window, QStringLiteral("loadtest-lossy"));
}

QTEST_MAIN(TestDocScreens)
#include "tst_docscreens.moc"
