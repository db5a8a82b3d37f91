// A server pool's tab under a real handshake flood: quicpool-flood
// (tests/flood) sends a bounded number of unanswered QUIC Initials at the
// pool the tab runs, over loopback UDP. The Defences figures, the
// Handshakes chart and the flood banner rise with it, and the banner goes
// once the pending handshakes have timed out and no Retry has gone out for
// a while (DefenceStats::underFlood()).
//
// Bounds: underFlood holds 5 s after the last Retry (the pending
// handshakes stop at the Retry threshold, not above it), so the banner goes
// about 5 s after the flood; the handshakes left pending time out 10 s after
// they began. 60 s is allowed for each on a loaded 2-core machine under ASan.
#include "appoptions.h"
#include "defencepanel.h"
#include "mainwindow.h"
#include "poolcharts.h"
#include "poolview.h"
#include "serverpoolform.h"
#include "poolformdialog.h"
#include "timeserieschart.h"

#include <QtCore/QFileInfo>
#include <QtCore/QProcess>
#include <QtCore/QRegularExpression>
#include <QtCore/QTemporaryDir>
#include <QtTest/QSignalSpy>
#include <QtTest/QtTest>
#include <QtWidgets/QComboBox>
#include <QtWidgets/QLineEdit>
#include <QtWidgets/QSpinBox>
#include <QtWidgets/QTabWidget>

#include <algorithm>

using namespace quicpool;
using namespace quicpool::diag;

namespace {
constexpr int kRetryThreshold = 8;
constexpr int kFlood = 300;           // Initials (first flights) in all
constexpr int kFloodRate = 300;       // per second: a one-second flood

double maxOf(const QList<QPointF> &points)
{
    double m = 0;
    for (const QPointF &p : points)
        m = std::max(m, p.y());
    return m;
}
} // namespace

class TestServerDefences : public QObject
{
    Q_OBJECT
private Q_SLOTS:
    void initTestCase();
    void clientTabHasNoDefences();
    void retryFieldsReachThePool();
    void floodShowsAndEnds();

private:
    QTemporaryDir m_dir;
};

void TestServerDefences::initTestCase()
{
    QVERIFY(m_dir.isValid());
    qputenv("QUICPOOL_SETTINGS_DIR", m_dir.filePath(QStringLiteral("settings")).toUtf8());
    QVERIFY2(QFileInfo::exists(QStringLiteral(QUICPOOL_FLOOD_TOOL)), QUICPOOL_FLOOD_TOOL);
}

void TestServerDefences::clientTabHasNoDefences()
{
    MainWindow window;
    window.startUp(parseAppOptions({QStringLiteral("x"), QStringLiteral("--no-demo")}));
    PoolSpec spec;
    spec.kind = PoolKind::Client;
    spec.name = QStringLiteral("client");
    spec.client.address = QStringLiteral("127.0.0.1:9");
    PoolView *client = window.openSpec(spec);
    QVERIFY(client);
    QVERIFY(!client->defences());
    QVERIFY(!client->charts()->defenceChart());
    QVERIFY(!client->isFloodBannerShown());
}

void TestServerDefences::retryFieldsReachThePool()
{
    // The server dialog's Retry row: a threshold below 1 is refused inline;
    // "never" turns the threshold off.
    MainWindow window;
    window.startUp(parseAppOptions({QStringLiteral("x"), QStringLiteral("--no-demo")}));
    PoolFormDialog *d = window.showPoolDialog(PoolKind::Server);
    ServerPoolForm *f = d->serverForm();
    f->listenEdit()->setText(QStringLiteral("127.0.0.1:0"));
    f->retryThresholdSpin()->setValue(0);
    QVERIFY(!f->validate());
    QVERIFY(f->errorMessage(QStringLiteral("retryThreshold")).contains(QStringLiteral("at least 1")));
    f->retryThresholdSpin()->setValue(5);
    f->retryCombo()->setCurrentIndex(f->retryCombo()->findData(int(RetryMode::Always)));
    QVERIFY(!f->retryThresholdSpin()->isEnabled());
    ServerPoolConfig c;
    QVERIFY(f->validate(&c));
    QCOMPARE(c.retryMode(), RetryMode::Always);
    QCOMPARE(c.retryThreshold(), 5);
    d->reject();
}

void TestServerDefences::floodShowsAndEnds()
{
    MainWindow window;
    window.startUp(parseAppOptions({QStringLiteral("x"), QStringLiteral("--no-demo")}));
    window.resize(1024, 700);
    window.show();
    PoolSpec spec;
    spec.kind = PoolKind::Server;
    spec.name = QStringLiteral("exposed server");
    spec.server.listenAddress = QStringLiteral("127.0.0.1:0");
    spec.server.retryMode = RetryMode::Auto;
    spec.server.retryThreshold = kRetryThreshold;
    spec.serveEcho = true;
    PoolView *server = window.openSpec(spec);
    QVERIFY(server);
    QSignalSpy messages(server, &PoolView::statusMessage);
    QTRY_VERIFY_WITH_TIMEOUT(server->serverPort() != 0, 10000);
    QVERIFY(server->defences());
    TimeSeriesChart *chart = server->charts()->defenceChart();
    QVERIFY(chart);

    // Quiet: zeros, no banner.
    QTRY_VERIFY_WITH_TIMEOUT(chart->pointCount(PoolCharts::PendingSeries) >= 2, 5000);
    QCOMPARE(server->defences()->value(QStringLiteral("pending")), QStringLiteral("0 (peak 0)"));
    QCOMPARE(server->defences()->value(QStringLiteral("retries")), QStringLiteral("0"));
    QVERIFY(!server->isFloodBannerShown());
    QVERIFY(server->floodBannerText().isEmpty());

    QProcess flood;
    flood.setProgram(QStringLiteral(QUICPOOL_FLOOD_TOOL));
    flood.setArguments({QStringLiteral("--connect"), QStringLiteral("127.0.0.1:%1").arg(server->serverPort()),
                        QStringLiteral("--count"), QString::number(kFlood), QStringLiteral("--rate"),
                        QString::number(kFloodRate), QStringLiteral("--ports"), QStringLiteral("16"),
                        QStringLiteral("--clients"), QStringLiteral("0")});
    flood.setProcessChannelMode(QProcess::MergedChannels);
    flood.start();
    QVERIFY2(flood.waitForStarted(10000), qPrintable(flood.errorString()));

    // Under the flood: past the threshold, Retries go out, the banner says so.
    QTRY_VERIFY_WITH_TIMEOUT(server->isFloodBannerShown(), 60000);
    QVERIFY2(server->floodBannerText().startsWith(QStringLiteral("Handshake flood: ")), qPrintable(server->floodBannerText()));
    QVERIFY(server->floodBannerText().contains(QStringLiteral(" pending, ")));
    QTRY_VERIFY_WITH_TIMEOUT(!server->samples().isEmpty() && server->samples().last().defence.retriesSent() > 0, 30000);
    QTRY_VERIFY_WITH_TIMEOUT(server->floodBannerText().contains(QRegularExpression(QStringLiteral(" [1-9][0-9,]* Retr(y|ies) sent"))),
                             5000);

    // Not waitForFinished(): the tab samples on this thread's event loop.
    QTRY_VERIFY_WITH_TIMEOUT(flood.state() == QProcess::NotRunning, 120000);
    const QByteArray floodLog = flood.readAll();
    QVERIFY2(flood.exitStatus() == QProcess::NormalExit && flood.exitCode() == 0, floodLog.constData());

    // Every sample the GUI took is one reading: the figures, the chart and
    // the panel agree with it.
    // Auto: from the threshold on, new clients get a Retry instead of a
    // handshake (transport/admission.cpp), so the pending ones top out there.
    QTRY_COMPARE_WITH_TIMEOUT(server->samples().last().defence.pendingHandshakesPeak(), qint64(kRetryThreshold), 10000);
    const DefenceStats during = server->samples().last().defence;
    QVERIFY(during.handshakesStarted() >= kRetryThreshold);
    QVERIFY(during.unvalidatedBytesReceived() > 0);
    QVERIFY(during.unvalidatedBytesSent() > 0);
    QVERIFY2(during.unvalidatedBytesSent() <= 3 * during.unvalidatedBytesReceived(),
             qPrintable(QStringLiteral("%1 sent for %2 received").arg(during.unvalidatedBytesSent())
                            .arg(during.unvalidatedBytesReceived())));
    QCOMPARE(maxOf(chart->points(PoolCharts::PendingSeries)), double(kRetryThreshold));
    QVERIFY(maxOf(chart->points(PoolCharts::RetriesSeries)) > 0);
    QVERIFY(server->defences()->value(QStringLiteral("retries")) != QStringLiteral("0"));
    QVERIFY(server->defences()->value(QStringLiteral("unvalidated")).contains(QStringLiteral(" received, ")));
    QVERIFY(std::any_of(messages.begin(), messages.end(), [](const QList<QVariant> &m) {
        return m.at(0).toString().contains(QStringLiteral("handshake flood: ")) && m.at(1).toBool();
    }));

    // After: the pending handshakes time out, the banner goes, the log says
    // what the flood came to.
    QTRY_VERIFY_WITH_TIMEOUT(!server->isFloodBannerShown(), 60000);
    QVERIFY(server->floodBannerText().isEmpty());
    const DefenceStats after = server->samples().last().defence;
    QVERIFY(after.pendingHandshakes() <= kRetryThreshold);
    QVERIFY(after.retriesSent() >= during.retriesSent());
    QVERIFY(std::any_of(messages.begin(), messages.end(), [](const QList<QVariant> &m) {
        return m.at(0).toString().contains(QStringLiteral("handshake flood over: ")) && !m.at(1).toBool();
    }));
    // One flood, one banner: it did not flap off and on while Retries went
    // out (a reading racing the listener's thread once read as "over").
    const auto count = [&messages](const QString &what) {
        return std::count_if(messages.begin(), messages.end(),
                             [&what](const QList<QVariant> &m) { return m.at(0).toString().contains(what); });
    };
    QCOMPARE(count(QStringLiteral("handshake flood: ")), 1);
    QCOMPARE(count(QStringLiteral("handshake flood over: ")), 1);
    // The handshakes the flood left pending end at their timeout (10 s),
    // everything they held freed, and the figures say so.
    QTRY_COMPARE_WITH_TIMEOUT(server->defences()->value(QStringLiteral("pending")),
                              QStringLiteral("0 (peak %1)").arg(kRetryThreshold), 60000);
    QVERIFY(server->samples().last().defence.handshakesTimedOut() >= kRetryThreshold);
    QVERIFY(server->defences()->value(QStringLiteral("timedOut")) != QStringLiteral("0"));
    QVERIFY(!server->isFloodBannerShown());
    // The export carries the figures.
    const QByteArray csv = samplesToCsv(server->samples());
    QVERIFY(csv.left(csv.indexOf('\n')).contains(",pending_handshakes,"));
    QVERIFY(csv.left(csv.indexOf('\n')).endsWith(",drops_per_s"));
    // The server still serves: the tab is running and listening.
    QCOMPARE(server->status().level, StatusLevel::Good);
}

QTEST_MAIN(TestServerDefences)
#include "tst_serverdefences.moc"
