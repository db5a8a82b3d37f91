// Widgets of quicpool-diag without live pools: inline messages on bad input
// (and nothing opened), charts that grow, bounded windows, pause, export.
#include "appoptions.h"
#include "clientpoolform.h"
#include "icons.h"
#include "loadtestpanel.h"
#include "logmodel.h"
#include "logpanel.h"
#include "mainwindow.h"
#include "pathfields.h"
#include "payloadpanel.h"
#include "poolcharts.h"
#include "poolformdialog.h"
#include "poolview.h"
#include "qlogfields.h"
#include "serverpoolform.h"
#include "timeserieschart.h"

#include <QtCore/QRegularExpression>
#include <QtCore/QScopeGuard>
#include <QtCore/QTemporaryDir>
#include <QtGui/QAction>
#include <QtGui/QIcon>
#include <QtGui/QImage>
#include <QtTest/QtTest>
#include <QtWidgets/QCheckBox>
#include <QtWidgets/QGraphicsView>
#include <QtWidgets/QMenu>
#include <QtWidgets/QComboBox>
#include <QtWidgets/QLabel>
#include <QtWidgets/QLineEdit>
#include <QtWidgets/QSpinBox>
#include <QtWidgets/QTabWidget>
#include <QtWidgets/QToolButton>

#include <limits>
#include <memory>

using namespace quicpool;
using namespace quicpool::diag;

class TestWidgets : public QObject
{
    Q_OBJECT
private Q_SLOTS:
    void initTestCase();
    void clientFormInlineMessages();
    void serverFormInlineMessages();
    void dialogWithBadInputOpensNothing();
    void fetchByBadIdShowsMessage();
    void payloadBadHexShowsMessage();
    void loadTestBadRemoteShowsMessage();
    void chartGrowsAndStaysBounded();
    void chartPauseHoldsThenResumes();
    void chartExportPngAndCsv();
    void poolChartsFedBySamples();
    void mainWindowExportWithoutPool();
    void profileAndGeometryReopenOnNextStart();
    void shortcutsOpenFormsAndPauseCharts();
    void svgIconsLoad();
    void logPanelSave();
    void formMessageClearsWhenFieldFixed();
    void clientFormPathFieldsAndCaFile();
    void chartCaptionAndDashes();
    void qlogFieldsInlineMessage();
    void chartCrosshairReadsEverySeries();
    void chartWallClockAxis();
    void chartLogScale();
    void chartContextMenuSwitchesAxes();

private:
    QTemporaryDir m_dir;
};

void TestWidgets::initTestCase()
{
    QVERIFY(m_dir.isValid());
    // Tests never touch the user's real configuration.
    qputenv("QUICPOOL_SETTINGS_DIR", m_dir.filePath(QStringLiteral("settings")).toUtf8());
}

void TestWidgets::clientFormInlineMessages()
{
    ClientPoolForm form;
    form.show();
    QVERIFY(form.validate());
    QVERIFY(form.errorMessage(QStringLiteral("address")).isEmpty());

    form.addressEdit()->setText(QStringLiteral("127.0.0.1:70000"));
    form.minCapacitySpin()->setValue(10);
    form.maxCapacitySpin()->setValue(2);
    form.pinEdit()->setText(QStringLiteral("sha256:12"));
    ClientPoolConfig config;
    config.setAddress(QStringLiteral("unchanged"));
    QVERIFY(!form.validate(&config));
    QCOMPARE(config.address(), QStringLiteral("unchanged"));
    QVERIFY(form.errorMessage(QStringLiteral("address")).contains(QStringLiteral("out of range")));
    QVERIFY(form.errorMessage(QStringLiteral("maxCapacity")).contains(QStringLiteral("below the minimum")));
    QVERIFY(!form.errorMessage(QStringLiteral("pin")).isEmpty());
    auto *label = form.findChild<QLabel *>(QStringLiteral("inlineError_address"));
    QVERIFY(label);
    QVERIFY(label->isVisible());

    form.addressEdit()->setText(QStringLiteral("no port here"));
    QVERIFY(!form.validate());
    QVERIFY(!form.errorMessage(QStringLiteral("address")).isEmpty());

    // Fixing the input hides the messages again.
    form.addressEdit()->setText(QStringLiteral("127.0.0.1:4433"));
    form.maxCapacitySpin()->setValue(20);
    form.pinEdit()->clear();
    QVERIFY(form.validate(&config));
    QVERIFY(!label->isVisible());
    QCOMPARE(config.address(), QStringLiteral("127.0.0.1:4433"));
}

void TestWidgets::serverFormInlineMessages()
{
    ServerPoolForm form;
    form.show();
    form.selfSignedCheck()->setChecked(false);
    form.certificateEdit()->setText(m_dir.filePath(QStringLiteral("nope.pem")));
    form.keyEdit()->setText(m_dir.filePath(QStringLiteral("nope.key")));
    form.clientIpEdit()->setText(QStringLiteral("not-an-ip"));
    form.listenEdit()->setText(QStringLiteral("0.0.0.0:123456"));
    ServerPoolConfig config;
    config.setListenAddress(QStringLiteral("unchanged"));
    QVERIFY(!form.validate(&config));
    QCOMPARE(config.listenAddress(), QStringLiteral("unchanged"));
    QVERIFY(form.errorMessage(QStringLiteral("certificateFile")).contains(QStringLiteral("does not exist")));
    QVERIFY(form.errorMessage(QStringLiteral("privateKeyFile")).contains(QStringLiteral("does not exist")));
    QVERIFY(form.errorMessage(QStringLiteral("clientIp")).contains(QStringLiteral("not an IP address")));
    QVERIFY(form.errorMessage(QStringLiteral("listenAddress")).contains(QStringLiteral("out of range")));
    QVERIFY(form.certificateEdit()->isEnabled()); // files are used, not a generated certificate
}

void TestWidgets::dialogWithBadInputOpensNothing()
{
    MainWindow window;
    window.startUp(parseAppOptions({QStringLiteral("x"), QStringLiteral("--no-demo")}));
    window.show();
    const int tabsBefore = window.tabs()->count();
    QCOMPARE(window.poolViews().size(), 0);

    PoolFormDialog *dialog = window.showPoolDialog(PoolKind::Client);
    dialog->clientForm()->addressEdit()->setText(QStringLiteral("127.0.0.1:99999"));
    dialog->tryAccept();
    QVERIFY(dialog->isVisible());
    QVERIFY(dialog->clientForm()->errorMessage(QStringLiteral("address")).contains(QStringLiteral("out of range")));
    QCoreApplication::processEvents();
    QCOMPARE(window.tabs()->count(), tabsBefore);
    dialog->reject();

    PoolFormDialog *server = window.showPoolDialog(PoolKind::Server);
    server->serverForm()->selfSignedCheck()->setChecked(false);
    server->serverForm()->certificateEdit()->setText(QStringLiteral("/nonexistent/cert.pem"));
    server->tryAccept();
    QVERIFY(server->isVisible());
    QVERIFY(!server->serverForm()->errorMessage(QStringLiteral("certificateFile")).isEmpty());
    QCOMPARE(window.tabs()->count(), tabsBefore);
    server->reject();
    QCOMPARE(window.poolViews().size(), 0);
}

void TestWidgets::fetchByBadIdShowsMessage()
{
    MainWindow window;
    window.startUp(parseAppOptions({QStringLiteral("x"), QStringLiteral("--no-demo")}));
    PoolSpec spec;
    spec.kind = PoolKind::Client;
    spec.client.address = QStringLiteral("127.0.0.1:9"); // nothing listens; the view still works
    PoolView *view = window.openSpec(spec);
    QVERIFY(view);
    view->idEdit()->setText(QStringLiteral("xyz"));
    QVERIFY(!view->fetchById());
    QVERIFY(view->fetchError().contains(QStringLiteral("8 hex characters")));
    QVERIFY(view->fetchResult().isEmpty()); // nothing was asked of the pool
    view->idEdit()->setText(QStringLiteral("123456789"));
    QVERIFY(!view->fetchById());
    QVERIFY(!view->fetchError().isEmpty());
}

void TestWidgets::payloadBadHexShowsMessage()
{
    PayloadPanel panel;
    QSignalSpy sent(&panel, &PayloadPanel::sendRequested);
    QVERIFY(!panel.send()); // no stream yet
    QVERIFY(panel.inputError().contains(QStringLiteral("Take a stream")));
    panel.setStream(3, QStringLiteral("0000abcd"));
    panel.setKind(PayloadKind::Hex);
    panel.setInput(QStringLiteral("0g"));
    QVERIFY(!panel.send());
    QVERIFY(panel.inputError().contains(QStringLiteral("not a hex digit")));
    QCOMPARE(sent.size(), 0);
    panel.setInput(QStringLiteral("de ad be ef"));
    QVERIFY(panel.send(true));
    QCOMPARE(sent.size(), 1);
    QCOMPARE(sent.at(0).at(1).toByteArray(), QByteArray::fromHex("deadbeef"));
    QCOMPARE(sent.at(0).at(2).toBool(), true);
    QVERIFY(panel.inputError().isEmpty());
    // What comes back is checked against what was sent.
    panel.addReceived(3, QByteArray::fromHex("dead"));
    QVERIFY(panel.echoText().contains(QStringLiteral("Waiting")));
    panel.addReceived(3, QByteArray::fromHex("beef"));
    QVERIFY2(panel.echoText().contains(QStringLiteral("Echo OK: 4 bytes")), qPrintable(panel.echoText()));
}

void TestWidgets::loadTestBadRemoteShowsMessage()
{
    LoadTestPanel panel(nullptr, nullptr);
    LoadTestConfig c;
    c.target = LoadTestConfig::Target::Remote;
    c.remoteAddress = QStringLiteral("10.1.1.1:0");
    panel.setConfig(c);
    QVERIFY(!panel.start());
    QVERIFY(panel.errorMessage(QStringLiteral("remote")).contains(QStringLiteral("out of range")));
    QVERIFY(!panel.isRunning());
    c.target = LoadTestConfig::Target::Existing;
    panel.setConfig(c);
    QVERIFY(!panel.start());
    QVERIFY(!panel.errorMessage(QStringLiteral("existing")).isEmpty());
    c.target = LoadTestConfig::Target::EmbeddedPair;
    c.streams = 0;
    panel.setConfig(c);
    QVERIFY(!panel.start());
    QVERIFY(!panel.errorMessage(QStringLiteral("streams")).isEmpty());
    QVERIFY(!panel.hasResult());
}

void TestWidgets::chartGrowsAndStaysBounded()
{
    TimeSeriesChart chart(QStringLiteral("t"), QStringLiteral("u"));
    chart.addSeries(QStringLiteral("a"));
    chart.addSeries(QStringLiteral("b"));
    chart.setMaxPoints(50);
    QCOMPARE(chart.pointCount(0), 0);
    for (int i = 0; i < 30; ++i)
        chart.append(i * 0.25, {double(i), double(2 * i)});
    QCOMPARE(chart.pointCount(0), 30);
    QCOMPARE(chart.pointCount(1), 30);
    for (int i = 30; i < 120; ++i)
        chart.append(i * 0.25, {double(i), std::numeric_limits<double>::quiet_NaN()});
    QCOMPARE(chart.pointCount(0), 50);             // bounded window
    QCOMPARE(chart.points(0).first().y(), 70.0);   // oldest points left from the front
    QCOMPARE(chart.points(0).last().y(), 119.0);
    QCOMPARE(chart.pointCount(1), 30);             // NaN left series b alone
    QVERIFY(chart.isFollowing());
    chart.zoomBy(2.0);
    QVERIFY(!chart.isFollowing());
    chart.append(40, {1.0, 1.0});
    QCOMPARE(chart.pointCount(0), 50);
    chart.resetZoom();
    QVERIFY(chart.isFollowing());
}

void TestWidgets::chartPauseHoldsThenResumes()
{
    TimeSeriesChart chart(QStringLiteral("t"));
    chart.addSeries(QStringLiteral("a"));
    chart.append(0, {1});
    chart.setPaused(true);
    chart.append(1, {2});
    chart.append(2, {3});
    QCOMPARE(chart.pointCount(0), 1);
    chart.setPaused(false);
    QCOMPARE(chart.pointCount(0), 3);
    QCOMPARE(chart.points(0).last(), QPointF(2, 3));
    // CSV has each sample once, paused or not.
    QCOMPARE(chart.toCsv().trimmed().split('\n').size(), 4);
}

void TestWidgets::chartExportPngAndCsv()
{
    TimeSeriesChart chart(QStringLiteral("Throughput"), QStringLiteral("KiB/s"));
    chart.addSeries(QStringLiteral("in"));
    chart.addSeries(QStringLiteral("out"));
    chart.resize(500, 300);
    chart.show();
    for (int i = 0; i < 20; ++i)
        chart.append(i, {double(i * i), double(i)});
    const QString png = m_dir.filePath(QStringLiteral("chart.png"));
    const QString csv = m_dir.filePath(QStringLiteral("chart.csv"));
    QString error;
    QVERIFY2(chart.exportPng(png, &error), qPrintable(error));
    QVERIFY2(chart.exportCsv(csv, &error), qPrintable(error));
    QImage image(png);
    QVERIFY(!image.isNull());
    QVERIFY(image.width() >= 400 && image.height() >= 200);
    // Not a blank image: the plot has more than one colour.
    QSet<QRgb> colours;
    for (int y = 0; y < image.height(); y += 7)
        for (int x = 0; x < image.width(); x += 7)
            colours.insert(image.pixel(x, y));
    QVERIFY(colours.size() > 3);
    QFile f(csv);
    QVERIFY(f.open(QIODevice::ReadOnly));
    const QList<QByteArray> lines = f.readAll().trimmed().split('\n');
    QCOMPARE(lines.first(), QByteArray("time_s,in,out"));
    QCOMPARE(lines.size(), 21);
    QCOMPARE(lines.at(20), QByteArray("19.000,361,19"));
    QVERIFY(!chart.exportCsv(QStringLiteral("/nonexistent/dir/x.csv"), &error));
    QVERIFY(!error.isEmpty());
}

void TestWidgets::poolChartsFedBySamples()
{
    PoolCharts charts;
    PoolSample s;
    // Before a handshake completes: the pool's counters are charted, the
    // connection's are not (no zeros, no initial guesses).
    for (int i = 0; i < 4; ++i) {
        s.t = i * 0.1;
        s.stats.setSmoothedRttUs(333000);
        charts.addSample(s);
    }
    QCOMPARE(charts.poolChart()->pointCount(0), 4);
    QCOMPARE(charts.rttChart()->pointCount(0), 0);
    QCOMPARE(charts.throughputChart()->pointCount(0), 0);
    QCOMPARE(charts.charts().last()->pointCount(0), 0);
    charts.poolChart()->clear();
    QCOMPARE(charts.poolChart()->pointCount(0), 0);
    s.connected = true;
    s.stats.setSmoothedRttUs(1200);
    s.stats.setPacketsSent(10);
    for (int i = 0; i < 10; ++i) {
        s.t = i * 0.25;
        s.active = i;
        s.capacity = 10;
        s.stats.setLostPackets(3 * i);
        charts.addSample(s);
    }
    QCOMPARE(charts.rttChart()->pointCount(0), 10);
    QCOMPARE(charts.rttChart()->points(0).last().y(), 1.2);
    QCOMPARE(charts.poolChart()->pointCount(0), 10);
    QCOMPARE(charts.poolChart()->points(0).last().y(), 9.0);
    QCOMPARE(charts.throughputChart()->pointCount(0), 10);
    TimeSeriesChart *loss = charts.charts().last();
    // Lost packets are counted now (ngtcp2 1.16 and later): a real line.
    QCOMPARE(loss->pointCount(0), 10);
    QCOMPARE(loss->points(0).last().y(), 27.0);
    QCOMPARE(loss->pointCount(1), 10);
}

void TestWidgets::mainWindowExportWithoutPool()
{
    MainWindow window;
    window.startUp(parseAppOptions({QStringLiteral("x"), QStringLiteral("--no-demo")}));
    QString error;
    QVERIFY(!window.exportCurrent(m_dir.filePath(QStringLiteral("a.png")), m_dir.filePath(QStringLiteral("a.csv")), &error));
    QVERIFY(error.contains(QStringLiteral("pool tab")));
    PoolSpec spec;
    spec.kind = PoolKind::Client;
    spec.client.address = QStringLiteral("127.0.0.1:9");
    QVERIFY(window.openSpec(spec));
    window.resize(1200, 800);
    window.show();
    QVERIFY2(window.exportCurrent(m_dir.filePath(QStringLiteral("a.png")), m_dir.filePath(QStringLiteral("a.csv")), &error),
             qPrintable(error));
    QVERIFY(!QImage(m_dir.filePath(QStringLiteral("a.png"))).isNull());
    QFile csv(m_dir.filePath(QStringLiteral("a.csv")));
    QVERIFY(csv.open(QIODevice::ReadOnly));
    QVERIFY(csv.readLine().startsWith("time_s,active,capacity"));
    // A bad profile on the command line goes to the status bar, not a dialog.
    MainWindow other;
    other.startUp(parseAppOptions({QStringLiteral("x"), QStringLiteral("--no-demo"), QStringLiteral("--profile"), QStringLiteral("absent")}));
    QVERIFY(other.statusText().contains(QStringLiteral("absent")));
    QCOMPARE(other.poolViews().size(), 0);
}

void TestWidgets::profileAndGeometryReopenOnNextStart()
{
    const QString settingsDir = m_dir.filePath(QStringLiteral("profile-test"));
    qputenv("QUICPOOL_SETTINGS_DIR", settingsDir.toUtf8());
    // The other tests must not find this test's last profile, pass or fail.
    const auto restore = qScopeGuard([this] {
        qputenv("QUICPOOL_SETTINGS_DIR", m_dir.filePath(QStringLiteral("settings")).toUtf8());
    });
    {
        MainWindow first;
        first.startUp(parseAppOptions({QStringLiteral("x"), QStringLiteral("--no-demo")}));
        PoolSpec spec;
        spec.kind = PoolKind::Client;
        spec.name = QStringLiteral("edge");
        spec.client.address = QStringLiteral("127.0.0.1:9");
        spec.client.maxCapacity = 7;
        QVERIFY(first.openSpec(spec));
        QVERIFY(first.saveProfileAs(QStringLiteral("lab")));
        first.show();
        first.resize(1000, 700);
        first.close(); // saves geometry and the open profile
    }
    {
        MainWindow second;
        second.startUp(parseAppOptions({QStringLiteral("x")})); // no options: the last profile, not the demo
        QCOMPARE(second.profileName(), QStringLiteral("lab"));
        QCOMPARE(second.poolViews().size(), 1);
        QCOMPARE(second.poolViews().first()->name(), QStringLiteral("edge"));
        QCOMPARE(second.poolViews().first()->spec().client.maxCapacity, 7);
        QCOMPARE(second.size(), QSize(1000, 700));
        // Small screens: the whole window fits in 1024 x 700 with a pool open.
        QVERIFY2(second.minimumSizeHint().height() <= 700 && second.minimumSizeHint().width() <= 1024,
                 qPrintable(QStringLiteral("%1x%2").arg(second.minimumSizeHint().width()).arg(second.minimumSizeHint().height())));
    }
    {
        MainWindow third; // --profile names one explicitly
        third.startUp(parseAppOptions({QStringLiteral("x"), QStringLiteral("--profile"), QStringLiteral("lab")}));
        QCOMPARE(third.poolViews().size(), 1);
    }
}

void TestWidgets::shortcutsOpenFormsAndPauseCharts()
{
    MainWindow window;
    window.startUp(parseAppOptions({QStringLiteral("x"), QStringLiteral("--no-demo")}));
    window.show();
    // The offscreen platform has no active window for key events to reach a
    // shortcut through, so the test triggers the action bound to each key.
    auto press = [&window](const QKeySequence &key) {
        for (QAction *a : window.actions()) {
            if (a->shortcut() == key && a->isEnabled()) {
                a->trigger();
                return true;
            }
        }
        return false;
    };
    QVERIFY(press(QKeySequence(QStringLiteral("Ctrl+N"))));
    QTRY_VERIFY(window.findChild<PoolFormDialog *>() != nullptr);
    PoolFormDialog *dialog = window.findChild<PoolFormDialog *>();
    QCOMPARE(dialog->kind(), PoolKind::Client);
    dialog->reject();
    QTRY_VERIFY(window.findChild<PoolFormDialog *>() == nullptr);
    QVERIFY(press(QKeySequence(QStringLiteral("Ctrl+Shift+N"))));
    QTRY_VERIFY(window.findChild<PoolFormDialog *>() != nullptr);
    QCOMPARE(window.findChild<PoolFormDialog *>()->kind(), PoolKind::Server);
    window.findChild<PoolFormDialog *>()->reject();
    QTRY_VERIFY(window.findChild<PoolFormDialog *>() == nullptr);

    QVERIFY(!press(QKeySequence(Qt::Key_F5))); // no pool tab: pool actions are disabled
    PoolSpec spec;
    spec.kind = PoolKind::Client;
    spec.client.address = QStringLiteral("127.0.0.1:9");
    PoolView *view = window.openSpec(spec);
    QVERIFY(view);
    QVERIFY(!view->charts()->isPaused());
    QVERIFY(press(QKeySequence(Qt::Key_Space)));
    QVERIFY(view->charts()->isPaused());
    QVERIFY(press(QKeySequence(Qt::Key_Space)));
    QVERIFY(!view->charts()->isPaused());
    for (const QKeySequence &key : {QKeySequence(Qt::Key_F5), QKeySequence(Qt::SHIFT | Qt::Key_F5),
                                    QKeySequence(QStringLiteral("Ctrl+L")), QKeySequence(QStringLiteral("Ctrl+E")),
                                    QKeySequence(QStringLiteral("Ctrl+F")), QKeySequence(QStringLiteral("Ctrl+Q"))}) {
        bool bound = false;
        for (QAction *a : window.actions())
            bound = bound || a->shortcut() == key;
        QVERIFY2(bound, qPrintable(key.toString()));
    }
}

void TestWidgets::svgIconsLoad()
{
    for (const char *name : {"start", "stop", "pause", "flush", "reset", "export", "zoom-reset", "client", "server",
                             "loadtest", "quicpool-diag"}) {
        const QIcon icon = appIcon(QString::fromLatin1(name));
        QVERIFY2(!icon.isNull(), name);
        // The SVG icon engine renders any size (HiDPI).
        const QPixmap big = icon.pixmap(QSize(64, 64));
        QVERIFY2(!big.isNull() && big.width() == 64, name);
    }
    QVERIFY(appIcon(QStringLiteral("no-such-icon")).isNull());
}

void TestWidgets::logPanelSave()
{
    LogModel model;
    LogPanel panel(&model);
    model.append({QDateTime::currentDateTime(), QtWarningMsg, QStringLiteral("quicpool.conn"), QStringLiteral("lost")});
    model.append({QDateTime::currentDateTime(), QtDebugMsg, QStringLiteral("quicpool.udp"), QStringLiteral("datagram")});
    model.append({QDateTime::currentDateTime(), QtInfoMsg, QStringLiteral("quicpool.pool"), QStringLiteral("started")});
    panel.setMinimumLevel(QtInfoMsg);
    QCOMPARE(panel.visibleRows(), 2);
    panel.setSearchText(QStringLiteral("lost"));
    QCOMPARE(panel.visibleRows(), 1);
    const QString path = m_dir.filePath(QStringLiteral("log.txt"));
    QString error;
    QVERIFY2(panel.saveTo(path, &error), qPrintable(error));
    QFile f(path);
    QVERIFY(f.open(QIODevice::ReadOnly));
    const QByteArray text = f.readAll();
    QVERIFY(text.contains("warning quicpool.conn: lost"));
    QVERIFY(!text.contains("datagram"));
    QVERIFY(!panel.saveTo(QStringLiteral("/nonexistent/dir/log.txt"), &error));
}

void TestWidgets::formMessageClearsWhenFieldFixed()
{
    ClientPoolForm form;
    form.show();
    form.addressEdit()->setText(QStringLiteral("nowhere"));
    form.minCapacitySpin()->setValue(10);
    form.maxCapacitySpin()->setValue(2);
    QVERIFY(!form.validate());
    QVERIFY(!form.errorMessage(QStringLiteral("address")).isEmpty());
    QVERIFY(!form.errorMessage(QStringLiteral("maxCapacity")).isEmpty());
    // Fixing a field takes its message away at once, without pressing Open;
    // the other message stays until its own field is fixed.
    form.addressEdit()->setText(QStringLiteral("127.0.0.1:4433"));
    QVERIFY(form.errorMessage(QStringLiteral("address")).isEmpty());
    QVERIFY(!form.errorMessage(QStringLiteral("maxCapacity")).isEmpty());
    // A cross-field message goes when the other field fixes it.
    form.minCapacitySpin()->setValue(1);
    QVERIFY(form.errorMessage(QStringLiteral("maxCapacity")).isEmpty());
    // Typing does not raise messages for fields not complained about yet.
    form.pinEdit()->setText(QStringLiteral("sha256:1"));
    QVERIFY(form.errorMessage(QStringLiteral("pin")).isEmpty());
    // A message that changes while typing is replaced, not left stale.
    QVERIFY(!form.validate());
    const QString before = form.errorMessage(QStringLiteral("pin"));
    QVERIFY(!before.isEmpty());
    form.pinEdit()->setText(QStringLiteral("zz"));
    QVERIFY(!form.errorMessage(QStringLiteral("pin")).isEmpty());
    form.pinEdit()->clear();
    QVERIFY(form.errorMessage(QStringLiteral("pin")).isEmpty());

    ServerPoolForm server;
    server.show();
    server.listenEdit()->setText(QStringLiteral("localhost:1"));
    QVERIFY(!server.validate());
    QVERIFY(!server.errorMessage(QStringLiteral("listenAddress")).isEmpty());
    server.listenEdit()->setText(QStringLiteral("127.0.0.1:0"));
    QVERIFY(server.errorMessage(QStringLiteral("listenAddress")).isEmpty());
}

void TestWidgets::clientFormPathFieldsAndCaFile()
{
    ClientPoolForm form;
    form.show();
    form.addressEdit()->setText(QStringLiteral("127.0.0.1:4433"));
    QCOMPARE(form.pathFields()->congestionCombo()->count(), 3);
    form.pathFields()->congestionCombo()->setCurrentIndex(form.pathFields()->congestionCombo()->findData(QStringLiteral("cubic")));
    form.pathFields()->streamWindowSpin()->setValue(2048);
    form.pathFields()->connectionWindowSpin()->setValue(1024);
    QCOMPARE(form.pathFields()->busyPollSpin()->text(), QStringLiteral("off"));   // 0 says what it means
    form.pathFields()->busyPollSpin()->setValue(100);
    form.maxBackoffSpin()->setValue(10);
    form.caFileEdit()->setText(m_dir.filePath(QStringLiteral("none.pem")));
    QVERIFY(!form.validate());
    QVERIFY(form.errorMessage(QStringLiteral("connectionWindow")).contains(QStringLiteral("below a stream's")));
    QVERIFY(form.errorMessage(QStringLiteral("maxBackoff")).contains(QStringLiteral("50 ms")));
    QVERIFY(form.errorMessage(QStringLiteral("caFile")).contains(QStringLiteral("mode 2")));
    // The CA file is for mode 2 only: its row is enabled with it.
    QVERIFY(!form.caFileEdit()->parentWidget()->isEnabled());
    form.tlsCombo()->setCurrentIndex(form.tlsCombo()->findData(2));
    QVERIFY(form.caFileEdit()->parentWidget()->isEnabled());
    QVERIFY(!form.errorMessage(QStringLiteral("caFile")).isEmpty()); // now: cannot read it
    QFile ca(m_dir.filePath(QStringLiteral("ca.pem")));
    QVERIFY(ca.open(QIODevice::WriteOnly));
    ca.write("-----BEGIN CERTIFICATE-----\nMIIB\n-----END CERTIFICATE-----\n");
    ca.close();
    form.pathFields()->connectionWindowSpin()->setValue(8192);
    form.maxBackoffSpin()->setValue(2000);
    QVERIFY(form.errorMessage(QStringLiteral("connectionWindow")).isEmpty());
    QVERIFY(form.errorMessage(QStringLiteral("maxBackoff")).isEmpty());
    const ClientForm f = form.form();
    QCOMPARE(f.path.congestionControl, QStringLiteral("cubic"));
    QCOMPARE(f.path.streamWindowKiB, 2048);
    QCOMPARE(f.path.busyPollUs, 100);
    QCOMPARE(f.maxBackoffMs, 2000);
    // Round trip through setForm.
    ClientPoolForm other;
    other.setForm(f);
    QCOMPARE(other.form().path.congestionControl, QStringLiteral("cubic"));
    QCOMPARE(other.form().path.connectionWindowKiB, 8192);
    QCOMPARE(other.form().path.busyPollUs, 100);
    QCOMPARE(other.form().caFile, f.caFile);
}

void TestWidgets::chartCaptionAndDashes()
{
    TimeSeriesChart chart(QStringLiteral("Throughput"), QStringLiteral("KiB/s"));
    chart.addSeries(QStringLiteral("in"));
    chart.addSeries(QStringLiteral("out"));
    chart.setSeriesDashed(1, true);
    chart.resize(500, 300);
    chart.show();
    QVERIFY(!chart.isSeriesDashed(0));
    QVERIFY(chart.isSeriesDashed(1));
    // A palette change re-themes the chart; the dash survives it.
    QPalette dark;
    dark.setColor(QPalette::Window, Qt::black);
    chart.setPalette(dark);
    QVERIFY(chart.isSeriesDashed(1));
    const QString plain = m_dir.filePath(QStringLiteral("plain.png"));
    const QString captioned = m_dir.filePath(QStringLiteral("captioned.png"));
    QVERIFY(chart.exportPng(plain));
    QVERIFY(chart.exportPng(captioned, nullptr, QStringLiteral("demo client · 127.0.0.1:4433 · 18:00:00 to 18:05:00")));
    const QImage a(plain);
    const QImage b(captioned);
    QCOMPARE(b.width(), a.width());
    QVERIFY(b.height() > a.height() + 10);
    QVERIFY(!chart.exportPng(QStringLiteral("/nonexistent/dir/x.png")));

    // The pool view's caption names the pool, its address and the time range.
    MainWindow window;
    window.startUp(parseAppOptions({QStringLiteral("x"), QStringLiteral("--no-demo")}));
    PoolSpec spec;
    spec.kind = PoolKind::Client;
    spec.name = QStringLiteral("captioned pool");
    spec.client.address = QStringLiteral("127.0.0.1:9");
    PoolView *view = window.openSpec(spec);
    QVERIFY(view);
    // The sampling interval is the user's choice.
    QCOMPARE(view->samplePeriod(), 250);
    view->sampleCombo()->setCurrentIndex(view->sampleCombo()->findData(1000));
    QCOMPARE(view->samplePeriod(), 1000);
    view->setSamplePeriod(20);
    QTRY_VERIFY(view->samples().size() >= 3);
    const QString caption = view->exportCaption();
    QVERIFY2(caption.contains(QStringLiteral("captioned pool")) && caption.contains(QStringLiteral("127.0.0.1:9"))
                 && caption.contains(QStringLiteral(" to ")),
             qPrintable(caption));
    QVERIFY(caption.contains(QDate::currentDate().toString(Qt::ISODate)));
    // The load test's chart exports too (after a run; before, a sentence).
    QString error;
    QVERIFY(!window.loadTestPanel()->exportPng(m_dir.filePath(QStringLiteral("lt.png")), &error));
    QVERIFY(!error.isEmpty());
}

namespace {

// A pointer move with no button held, as the window system delivers it.
void movePointer(TimeSeriesChart &chart, const QPointF &inChart)
{
    auto *view = chart.findChild<QGraphicsView *>();
    QVERIFY(view);
    QWidget *viewport = view->viewport();
    const QPointF local = viewport->mapFrom(&chart, inChart.toPoint());
    QMouseEvent move(QEvent::MouseMove, local, viewport->mapToGlobal(local), Qt::NoButton, Qt::NoButton,
                     Qt::NoModifier);
    QApplication::sendEvent(viewport, &move);
}

QAction *actionNamed(QMenu *menu, const QString &text)
{
    const QList<QAction *> actions = menu->actions();
    for (QAction *a : actions) {
        if (a->text() == text)
            return a;
    }
    return nullptr;
}

} // namespace

void TestWidgets::qlogFieldsInlineMessage()
{
    const QString file = m_dir.filePath(QStringLiteral("not-a-folder"));
    {
        QFile f(file);
        QVERIFY(f.open(QIODevice::WriteOnly));
    }
    for (bool client : {true, false}) {
        ClientPoolForm clientForm;
        ServerPoolForm serverForm;
        QlogFields *q = client ? clientForm.qlogFields() : serverForm.qlogFields();
        const auto message = [&] {
            return client ? clientForm.errorMessage(QStringLiteral("qlogDirectory"))
                          : serverForm.errorMessage(QStringLiteral("qlogDirectory"));
        };
        const auto validate = [&] { return client ? clientForm.validate() : serverForm.validate(); };
        if (client)
            clientForm.addressEdit()->setText(QStringLiteral("127.0.0.1:9"));
        // Off by default, the folder greyed out and not checked.
        QVERIFY(!q->enabledCheck()->isChecked());
        QVERIFY(!q->folderEdit()->isEnabled() && !q->browseButton()->isEnabled());
        q->folderEdit()->setText(file);
        QVERIFY(validate());
        // On: the folder is checked inline, and fixing it clears the message.
        q->enabledCheck()->setChecked(true);
        QVERIFY(q->folderEdit()->isEnabled() && q->browseButton()->isEnabled());
        QVERIFY(!validate());
        QCOMPARE(message(), QStringLiteral("The qlog folder %1 is a file, not a folder.").arg(file));
        q->folderEdit()->setText(m_dir.filePath(QStringLiteral("qlog-new")));
        QVERIFY(message().isEmpty());
        QVERIFY(validate());
    }
    // In the dialog the qlog rows are below the fold: a refused folder
    // scrolls its message into view instead of Open seeming to do nothing.
    MainWindow window;
    window.startUp(parseAppOptions({QStringLiteral("x"), QStringLiteral("--no-demo")}));
    window.resize(1024, 700);
    window.show();
    PoolFormDialog *dialog = window.showPoolDialog(PoolKind::Client);
    QVERIFY(QTest::qWaitForWindowExposed(dialog));
    QlogFields *q = dialog->clientForm()->qlogFields();
    q->enabledCheck()->setChecked(true);
    q->folderEdit()->setText(file);
    QTRY_VERIFY(q->folderEdit()->visibleRegion().isEmpty());
    dialog->tryAccept();
    QVERIFY(dialog->isVisible());
    QCOMPARE(dialog->clientForm()->errorMessage(QStringLiteral("qlogDirectory")),
             QStringLiteral("The qlog folder %1 is a file, not a folder.").arg(file));
    QTRY_VERIFY(!dialog->clientForm()->firstError()->visibleRegion().isEmpty());
    dialog->reject();
}

void TestWidgets::chartCrosshairReadsEverySeries()
{
    TimeSeriesChart chart(QStringLiteral("RTT"), QStringLiteral("ms"));
    chart.addSeries(QStringLiteral("smoothed"));
    chart.addSeries(QStringLiteral("latest"));
    chart.resize(600, 360);
    chart.show();
    QVERIFY(QTest::qWaitForWindowExposed(&chart));
    // One sample a second for ten seconds; "latest" misses the odd seconds.
    const double nan = std::numeric_limits<double>::quiet_NaN();
    for (int i = 0; i <= 10; ++i)
        chart.append(i, {double(100 + i), i % 2 ? nan : double(200 + i)});
    QTRY_VERIFY(chart.plotArea().width() > 100);
    QVERIFY(!chart.isCrosshairVisible());

    // Anywhere in the plot, far from both lines: the readout names every
    // series with its sample nearest the pointer's time.
    const QRectF plot = chart.plotArea();
    movePointer(chart, QPointF(plot.left() + plot.width() * 0.22, plot.top() + 5));
    QVERIFY(chart.isCrosshairVisible());
    const QStringList lines = chart.crosshairText().split(QLatin1Char('\n'));
    QCOMPARE(lines.size(), 3);
    QVERIFY2(lines.at(0).startsWith(QStringLiteral("2.")) && lines.at(0).endsWith(QStringLiteral(" s")),
             qPrintable(lines.at(0)));
    QCOMPARE(lines.at(1), QStringLiteral("smoothed: 102 ms"));
    QCOMPARE(lines.at(2), QStringLiteral("latest: 202 ms"));
    // 3 s is as near 2 s as 4 s for "latest": the earlier sample.
    chart.showCrosshairAt(3);
    QCOMPARE(chart.crosshairText(), QStringLiteral("3.0 s\nsmoothed: 103 ms\nlatest: 202 ms"));

    chart.showCrosshairAt(9.2);
    QCOMPARE(chart.crosshairText(), QStringLiteral("9.2 s\nsmoothed: 109 ms\nlatest: 210 ms"));

    // A resting pointer over data that moves (pan here; zoom and new
    // samples alike): the readout follows the data under the pointer.
    movePointer(chart, plot.center());
    const QString before = chart.crosshairText();
    chart.panBy(plot.width() / 4, 0);
    QVERIFY(chart.isCrosshairVisible());
    QVERIFY2(chart.crosshairText() != before, qPrintable(before));

    // Off the plot area (the legend, the axes) and on leaving: gone.
    movePointer(chart, QPointF(plot.left() - 20, plot.center().y()));
    QVERIFY(!chart.isCrosshairVisible());
    movePointer(chart, plot.center());
    QVERIFY(chart.isCrosshairVisible());
    QEvent leave(QEvent::Leave);
    QApplication::sendEvent(chart.findChild<QGraphicsView *>()->viewport(), &leave);
    QVERIFY(!chart.isCrosshairVisible());
    QVERIFY(chart.crosshairText().isEmpty());
    // An export leaves the crosshair out of the picture.
    chart.showCrosshairAt(4);
    QVERIFY(chart.isCrosshairVisible());
    QVERIFY(chart.exportPng(m_dir.filePath(QStringLiteral("crosshair.png"))));
    QVERIFY(!chart.isCrosshairVisible());
    PoolCharts charts;
    charts.poolChart()->append(0, {1, 2, 0});
    charts.poolChart()->showCrosshairAt(0);
    QVERIFY(charts.exportPng(m_dir.filePath(QStringLiteral("charts.png"))));
    QVERIFY(!charts.poolChart()->isCrosshairVisible());
}

void TestWidgets::chartWallClockAxis()
{
    TimeSeriesChart chart(QStringLiteral("Pool"));
    chart.addSeries(QStringLiteral("active"));
    chart.resize(600, 300);
    chart.show();
    QCOMPARE(chart.timeAxis(), TimeSeriesChart::TimeAxis::Relative);
    QVERIFY(chart.timeAxisLabels().isEmpty());
    const QDateTime origin(QDate(2026, 3, 4), QTime(10, 59, 55));
    chart.setTimeOrigin(origin);
    for (int i = 0; i <= 30; ++i)
        chart.append(i, {double(i)});
    chart.setTimeAxis(TimeSeriesChart::TimeAxis::WallClock);
    QCOMPARE(chart.timeAxis(), TimeSeriesChart::TimeAxis::WallClock);
    // Ticks on round clock times across the 30 s shown.
    const QStringList labels = chart.timeAxisLabels();
    QVERIFY2(labels.size() >= 3, qPrintable(labels.join(QLatin1Char(' '))));
    QVERIFY2(labels.contains(QStringLiteral("11:00:00")), qPrintable(labels.join(QLatin1Char(' '))));
    const QRegularExpression clock(QStringLiteral("^\\d\\d:\\d\\d:\\d\\d$"));
    for (const QString &l : labels)
        QVERIFY2(clock.match(l).hasMatch(), qPrintable(l));
    // The crosshair reads the clock too.
    chart.showCrosshairAt(5);
    QVERIFY(chart.crosshairText().startsWith(QStringLiteral("11:00:00\n")));
    // New samples scroll the axis; the labels follow.
    for (int i = 31; i <= 200; ++i)
        chart.append(i, {double(i)});
    QVERIFY(chart.timeAxisLabels().contains(QStringLiteral("11:03:00")));
    QVERIFY(!chart.timeAxisLabels().contains(QStringLiteral("11:00:00")));
    // Zoomed inside one second (no whole second in view): still a label.
    chart.zoomBy(1000);
    QVERIFY2(chart.timeAxisLabels().size() == 1, qPrintable(chart.timeAxisLabels().join(u' ')));
    chart.resetZoom();
    // A day in view: a handful of labels, not hundreds.
    chart.setWindowSeconds(86400);
    chart.append(86400, {1.0});
    QVERIFY2(!chart.timeAxisLabels().isEmpty() && chart.timeAxisLabels().size() <= 8,
             qPrintable(chart.timeAxisLabels().join(u' ')));
    chart.setTimeAxis(TimeSeriesChart::TimeAxis::Relative);
    QCOMPARE(chart.timeAxis(), TimeSeriesChart::TimeAxis::Relative);
    QVERIFY(chart.timeAxisLabels().isEmpty());
    QCOMPARE(chart.pointCount(0), 202);
}

void TestWidgets::chartLogScale()
{
    TimeSeriesChart chart(QStringLiteral("Loss"));
    chart.addSeries(QStringLiteral("lost"));
    chart.addSeries(QStringLiteral("errors"));
    chart.resize(500, 300);
    chart.show();
    // Zeros and a negative beside values over three decades.
    chart.append(0, {0, 0});
    chart.append(1, {5, 0});
    chart.append(2, {-3, 0});
    chart.append(3, {4000, 0});
    QVERIFY(!chart.isLogScale());
    chart.setLogScale(true);
    QVERIFY(chart.isLogScale());
    // Nothing is lost: the samples stay, the crosshair reads the zero.
    QCOMPARE(chart.pointCount(0), 4);
    QCOMPARE(chart.pointCount(1), 4);
    chart.showCrosshairAt(0);
    QVERIFY2(chart.crosshairText().contains(QStringLiteral("lost: 0")), qPrintable(chart.crosshairText()));
    // More samples, zeros included, do not upset it; a repaint copes.
    chart.append(4, {0, 0});
    chart.append(5, {12, -1});
    QCOMPARE(chart.pointCount(0), 6);
    chart.grab();
    chart.setLogScale(false);
    QVERIFY(!chart.isLogScale());
    QCOMPARE(chart.points(0).at(2), QPointF(2, -3));
}

void TestWidgets::chartContextMenuSwitchesAxes()
{
    TimeSeriesChart chart(QStringLiteral("Throughput"), QStringLiteral("KiB/s"));
    chart.addSeries(QStringLiteral("in"));
    chart.append(0, {1});
    chart.append(1, {100});
    std::unique_ptr<QMenu> menu(chart.createContextMenu(nullptr));
    QAction *wall = actionNamed(menu.get(), QStringLiteral("Wall-clock time"));
    QAction *relative = actionNamed(menu.get(), QStringLiteral("Time since start"));
    QAction *log = actionNamed(menu.get(), QStringLiteral("Logarithmic scale"));
    QVERIFY(wall && relative && log);
    QVERIFY(relative->isChecked() && !wall->isChecked() && !log->isChecked());
    wall->trigger();
    QCOMPARE(chart.timeAxis(), TimeSeriesChart::TimeAxis::WallClock);
    log->trigger();
    QVERIFY(chart.isLogScale());
    // A new menu shows what is in force.
    menu.reset(chart.createContextMenu(nullptr));
    QVERIFY(actionNamed(menu.get(), QStringLiteral("Wall-clock time"))->isChecked());
    QVERIFY(actionNamed(menu.get(), QStringLiteral("Logarithmic scale"))->isChecked());
    actionNamed(menu.get(), QStringLiteral("Time since start"))->trigger();
    actionNamed(menu.get(), QStringLiteral("Logarithmic scale"))->trigger();
    QCOMPARE(chart.timeAxis(), TimeSeriesChart::TimeAxis::Relative);
    QVERIFY(!chart.isLogScale());

    // A right click without a drag opens the menu; a right drag pans.
    chart.resize(500, 300);
    chart.show();
    QVERIFY(QTest::qWaitForWindowExposed(&chart));
    QWidget *viewport = chart.findChild<QGraphicsView *>()->viewport();
    QTest::mouseClick(viewport, Qt::RightButton, Qt::NoModifier, viewport->rect().center());
    QMenu *popup = nullptr;
    QTRY_VERIFY((popup = chart.findChild<QMenu *>()) && popup->isVisible());
    QVERIFY(actionNamed(popup, QStringLiteral("Wall-clock time")));
    popup->close();
    QVERIFY(chart.isFollowing());
    delete popup;

    // A right drag of more than a hand's jitter pans, and opens no menu.
    const QPointF from = viewport->rect().center();
    const QPointF to = from + QPointF(60, 0);
    QMouseEvent press(QEvent::MouseButtonPress, from, viewport->mapToGlobal(from), Qt::RightButton,
                      Qt::RightButton, Qt::NoModifier);
    QMouseEvent move(QEvent::MouseMove, to, viewport->mapToGlobal(to), Qt::NoButton, Qt::RightButton,
                     Qt::NoModifier);
    QMouseEvent release(QEvent::MouseButtonRelease, to, viewport->mapToGlobal(to), Qt::RightButton,
                        Qt::NoButton, Qt::NoModifier);
    QApplication::sendEvent(viewport, &press);
    QApplication::sendEvent(viewport, &move);
    QApplication::sendEvent(viewport, &release);
    QVERIFY(!chart.isFollowing());
    QTest::qWait(50);
    const QMenu *after = chart.findChild<QMenu *>();
    QVERIFY(!after || !after->isVisible());
}

QTEST_MAIN(TestWidgets)
#include "tst_widgets.moc"
