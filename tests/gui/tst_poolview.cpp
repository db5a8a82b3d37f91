// A pool's tab with real pools behind it: the Streams table and the counter
// line come from one reading, at every sample; a pooled stream's age grows
// while it waits; the counter line keeps one line at 1024x700; a pool that
// cannot start (its qlog folder cannot be made) says why on its tab.
#include "appoptions.h"
#include "mainwindow.h"
#include "poolsample.h"
#include "poolview.h"
#include "profiles.h"
#include "streammodel.h"

#include <quicpool/quicpool.h>

#include <QtCore/QFile>
#include <QtCore/QRegularExpression>
#include <QtCore/QTemporaryDir>
#include <QtTest/QtTest>
#include <QtWidgets/QLabel>
#include <QtWidgets/QPushButton>
#include <QtWidgets/QTabWidget>

using namespace quicpool;
using namespace quicpool::diag;
using namespace std::chrono_literals;

namespace {

/// "active N / capacity M", or "capacity M, N pooled (…)": the N.
int activeIn(const QString &counters)
{
    static const QRegularExpression plain(QStringLiteral("^active (\\d+) / capacity"));
    static const QRegularExpression above(QStringLiteral("^capacity \\d+, (\\d+) pooled"));
    QRegularExpressionMatch m = plain.match(counters);
    if (!m.hasMatch())
        m = above.match(counters);
    return m.hasMatch() ? m.captured(1).toInt() : -1;
}

QStringList agesOf(StreamModel *model)
{
    QStringList ages;
    for (int row = 0; row < model->pooledCount(); ++row)
        ages.append(model->data(model->index(row, StreamModel::AgeColumn)).toString());
    return ages;
}

} // namespace

class TestPoolView : public QObject
{
    Q_OBJECT
private Q_SLOTS:
    void initTestCase();
    void tableAndCountersAgreeAtEverySample();
    void pooledAgesGrow();
    void counterLineFitsAt1024x700();
    void qlogFolderThatCannotBeMadeFailsTheStart();

private:
    QTemporaryDir m_dir;
};

void TestPoolView::initTestCase()
{
    QVERIFY(m_dir.isValid());
    qputenv("QUICPOOL_SETTINGS_DIR", m_dir.filePath(QStringLiteral("settings")).toUtf8());
}

void TestPoolView::tableAndCountersAgreeAtEverySample()
{
    // The demo pair: its light echo load takes and returns streams all the
    // time, so the pool's count moves between samples. Before, the table
    // came from the worker every 500 ms and the counter from the atomics
    // every 250 ms (the committed screenshot showed four pooled rows beside
    // "active 2"); now both come from one reading of the pool.
    MainWindow window;
    window.startUp(parseAppOptions({QStringLiteral("x")}));
    window.resize(1600, 1000);
    window.show();
    QTRY_COMPARE_WITH_TIMEOUT(window.poolViews().size(), 2, 10000);
    PoolView *client = window.poolViews().last();
    window.tabs()->setCurrentWidget(client);
    client->setSamplePeriod(50);
    QTRY_VERIFY_WITH_TIMEOUT(activeIn(client->countersText()) > 0, 15000);
    int checked = 0;
    int distinct = 0;
    int last = -1;
    QElapsedTimer clock;
    clock.start();
    while (clock.elapsed() < 3000) {
        QTest::qWait(10);   // the checks run between samples, as a user looks
        const int active = activeIn(client->countersText());
        QVERIFY2(active >= 0, qPrintable(client->countersText()));
        QCOMPARE(client->streams()->pooledCount(), active);
        QCOMPARE(client->samples().last().active, active);
        if (active != last)
            ++distinct;
        last = active;
        ++checked;
    }
    QVERIFY(checked > 50);
    qInfo("%d checks, the count changed %d times", checked, distinct);
}

void TestPoolView::pooledAgesGrow()
{
    // A pool nobody takes from: its pooled streams wait, and their age says so.
    ServerPoolConfig sc;
    sc.setListenAddress(QStringLiteral("127.0.0.1:0"));
    sc.setMaxCapacity(8);
    MainWindow window;
    window.startUp(parseAppOptions({QStringLiteral("x"), QStringLiteral("--no-demo")}));
    PoolSpec serverSpec;
    serverSpec.name = QStringLiteral("server");
    serverSpec.server.listenAddress = sc.listenAddress();
    PoolView *server = window.openServerPool(serverSpec, sc);
    QTRY_VERIFY_WITH_TIMEOUT(server->serverPort() != 0, 10000);
    ClientPoolConfig cc;
    cc.setAddress(QStringLiteral("127.0.0.1:%1").arg(server->serverPort()));
    cc.setTlsMode(TlsMode::SelfSigned);
    cc.setMinCapacity(3);
    cc.setMaxCapacity(3);
    PoolSpec clientSpec;
    clientSpec.name = QStringLiteral("client");
    clientSpec.client.address = cc.address();
    PoolView *client = window.openClientPool(clientSpec, cc);
    QTRY_COMPARE_WITH_TIMEOUT(client->streams()->pooledCount(), 3, 15000);
    const QStringList ids = client->streams()->pooledIds();
    QTest::qWait(1600);
    QCOMPARE(client->streams()->pooledIds(), ids);   // the same streams, still waiting
    const QStringList ages = agesOf(client->streams());
    for (const QString &age : ages)
        QVERIFY2(age.endsWith(QStringLiteral(" s")) && age != QStringLiteral("0 s"), qPrintable(ages.join(u',')));
    QTest::qWait(1100);
    const QStringList later = agesOf(client->streams());
    for (int i = 0; i < later.size(); ++i)
        QVERIFY2(later.at(i).left(later.at(i).indexOf(u' ')).toInt() > ages.at(i).left(ages.at(i).indexOf(u' ')).toInt(),
                 qPrintable(ages.join(u',') + QStringLiteral(" then ") + later.join(u',')));
}

void TestPoolView::counterLineFitsAt1024x700()
{
    MainWindow window;
    window.startUp(parseAppOptions({QStringLiteral("x")}));
    window.resize(1024, 700);
    window.show();
    QVERIFY(QTest::qWaitForWindowExposed(&window));
    QTRY_COMPARE_WITH_TIMEOUT(window.poolViews().size(), 2, 10000);
    for (PoolView *view : window.poolViews()) {
        window.tabs()->setCurrentWidget(view);
        QTRY_VERIFY_WITH_TIMEOUT(view->countersText().contains(QStringLiteral(" ms")), 10000);
        // With the RTT in it (the longest the line gets in the demo).
        QTRY_VERIFY_WITH_TIMEOUT(!view->countersText().endsWith(QStringLiteral("RTT –")), 10000);
        QTest::qWait(100);
        QLabel *counters = view->countersLabel();
        const int needed = counters->fontMetrics().horizontalAdvance(counters->text());
        QVERIFY2(needed <= counters->width(),
                 qPrintable(QStringLiteral("\"%1\" needs %2 px, has %3").arg(counters->text()).arg(needed).arg(counters->width())));
        QVERIFY2(counters->height() < 2 * counters->fontMetrics().lineSpacing(),   // one line
                 qPrintable(QString::number(counters->height())));
        QVERIFY(view->isHeadCompact());
        // The buttons show their icons and still say what they do.
        for (QPushButton *b : view->findChildren<QPushButton *>()) {
            if (b->text().isEmpty() && b->isVisible())
                QVERIFY2(!b->icon().isNull() && !b->toolTip().isEmpty(), qPrintable(b->toolTip()));
        }
    }
    // Wide enough, the words come back.
    window.resize(1600, 1000);
    QTRY_VERIFY(!window.poolViews().first()->isHeadCompact() || !window.poolViews().last()->isHeadCompact());
}

void TestPoolView::qlogFolderThatCannotBeMadeFailsTheStart()
{
    // The form refuses such a folder; here the config goes straight to the
    // window (a saved profile, a Start after the folder went). The pool
    // must not run without the qlog it was asked for: it fails to start,
    // and its tab says why.
    QTemporaryDir dir;
    QVERIFY(dir.isValid());
    const QString file = dir.filePath(QStringLiteral("a-file"));
    QFile f(file);
    QVERIFY(f.open(QIODevice::WriteOnly));
    f.close();
    ServerPoolConfig sc;
    sc.setListenAddress(QStringLiteral("127.0.0.1:0"));
    sc.setQlogDirectory(file + QStringLiteral("/qlog"));   // under a file: cannot be made
    MainWindow window;
    window.startUp(parseAppOptions({QStringLiteral("x"), QStringLiteral("--no-demo")}));
    PoolSpec spec;
    spec.name = QStringLiteral("qlog server");
    spec.server.listenAddress = sc.listenAddress();
    PoolView *view = window.openServerPool(spec, sc);
    QTRY_COMPARE_WITH_TIMEOUT(view->status().level, StatusLevel::Failed, 10000);
    QVERIFY(!view->isRunning());
    QVERIFY2(view->bannerText().contains(QStringLiteral("qlog folder")), qPrintable(view->bannerText()));
    QVERIFY2(view->bannerText().contains(file), qPrintable(view->bannerText()));
    QCOMPARE(view->serverPort(), quint16(0));
}

QTEST_MAIN(TestPoolView)
#include "tst_poolview.moc"
