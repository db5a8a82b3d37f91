// quicpool-diag's item models: the streams of a pool and the log.
#include "logmodel.h"
#include "streammodel.h"

#include <QtTest/QtTest>

using namespace quicpool;
using namespace quicpool::diag;

class TestUiModels : public QObject
{
    Q_OBJECT
private Q_SLOTS:
    void streamModelRows();
    void logModelHandlerAndFilter();
};

void TestUiModels::streamModelRows()
{
    StreamModel m;
    m.setReadyIds({QStringLiteral("00000000"), QStringLiteral("a1b2c3d4")}, 1000);
    QCOMPARE(m.rowCount(), 2);
    QCOMPARE(m.keyAt(0), -1);
    StreamInfo s;
    s.key = 7;
    s.id = QStringLiteral("deadbeef");
    s.state = QStringLiteral("open");
    s.bytesIn = 2048;
    s.takenAtMs = 500;
    m.updateTaken(s);
    QCOMPARE(m.rowCount(), 3);
    QCOMPARE(m.keyAt(2), 7);
    QCOMPARE(m.data(m.index(2, StreamModel::BytesInColumn)).toString(), QStringLiteral("2.0 KiB"));
    // Ages carry over for IDs seen before; new ones start at zero.
    m.setReadyIds({QStringLiteral("a1b2c3d4"), QStringLiteral("0badf00d")}, 4000);
    QCOMPARE(m.rowCount(), 3);
    QCOMPARE(m.data(m.index(0, StreamModel::AgeColumn)).toString(), QStringLiteral("3 s"));
    QCOMPARE(m.data(m.index(1, StreamModel::AgeColumn)).toString(), QStringLiteral("0 ms"));
    QCOMPARE(m.rowOfKey(7), 2);
    s.gone = true;
    m.updateTaken(s);
    QCOMPARE(m.rowCount(), 2);
    QCOMPARE(m.takenCount(), 0);
    QCOMPARE(formatAge(65000), QStringLiteral("1 min 5 s"));
    QCOMPARE(formatBytes(3 * 1024 * 1024), QStringLiteral("3.0 MiB"));
}

void TestUiModels::logModelHandlerAndFilter()
{
    LogModel model;
    model.installMessageHandler();
    QSignalSpy problems(&model, &LogModel::problemLogged);
    QLoggingCategory cat("quicpool.pool");
    qCInfo(cat) << "pool started";
    qCWarning(cat) << "stream refused";
    // From another thread too: forwarded with a queued call.
    QThread *t = QThread::create([] { qWarning("from a worker"); });
    t->start();
    t->wait();
    delete t;
    QTRY_COMPARE(model.rowCount(), 3);
    QCOMPARE(model.entryAt(0).category, QStringLiteral("quicpool.pool"));
    QCOMPARE(problems.size(), 1); // only quicpool.* warnings reach the status bar
    LogFilterModel filter;
    filter.setSourceModel(&model);
    filter.setMinimumLevel(QtWarningMsg);
    QCOMPARE(filter.rowCount(), 2);
    filter.setSearchText(QStringLiteral("WORKER"));
    QCOMPARE(filter.rowCount(), 1);
    model.uninstallMessageHandler();
    qWarning("not captured");
    QCoreApplication::processEvents();
    QCOMPARE(model.rowCount(), 3);
    QVERIFY(LogModel::formatLine(model.entryAt(1)).contains(QStringLiteral("warning quicpool.pool: stream refused")));
}

QTEST_GUILESS_MAIN(TestUiModels)
#include "tst_uimodels.moc"
