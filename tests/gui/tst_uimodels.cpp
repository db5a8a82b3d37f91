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
    void logFoldsRepeatedLines();
    void stderrGetsWarningsOnly();
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

void TestUiModels::logFoldsRepeatedLines()
{
    LogModel model;
    QSignalSpy changed(&model, &QAbstractItemModel::dataChanged);
    const auto line = [](const QString &category, const QString &message, QtMsgType type = QtWarningMsg) {
        const QDateTime now = QDateTime::currentDateTime();
        return LogEntry(now, type, category, message);
    };
    const QString pin = QStringLiteral("The server certificate sha256:63:24 does not match the pin sha256:00.");
    for (int i = 0; i < 243; ++i) {
        model.append(line(QStringLiteral("quicpool.pool"), pin));
        // Another pool's lines in between do not break the fold.
        if (i % 50 == 0)
            model.append(line(QStringLiteral("quicpool.ui"), QStringLiteral("demo client: took stream %1").arg(i),
                              QtInfoMsg));
    }
    QCOMPARE(model.rowCount(), 1 + 5);
    QCOMPARE(model.entryAt(0).repeats, 243);
    const QString shown = model.data(model.index(0, LogModel::MessageColumn)).toString();
    QCOMPARE(shown, pin + QStringLiteral(" (x243)"));
    QVERIFY(LogModel::formatLine(model.entryAt(0)).endsWith(QStringLiteral("(x243)")));
    QVERIFY(model.data(model.index(0, LogModel::MessageColumn), Qt::ToolTipRole).toString().contains(QStringLiteral("243 times")));
    QVERIFY(changed.size() >= 242);
    // A different level or category is a different line.
    model.append(line(QStringLiteral("quicpool.pool"), pin, QtInfoMsg));
    model.append(line(QStringLiteral("quicpool.other"), pin));
    QCOMPARE(model.rowCount(), 8);
    // Once the line is out of the recent window, it starts a new row.
    for (int i = 0; i < LogModel::foldWindow(); ++i)
        model.append(line(QStringLiteral("quicpool.ui"), QStringLiteral("line %1").arg(i), QtInfoMsg));
    const int before = model.rowCount();
    model.append(line(QStringLiteral("quicpool.pool"), pin));
    QCOMPARE(model.rowCount(), before + 1);
    QCOMPARE(model.entryAt(before).repeats, 1);
    QCOMPARE(model.data(model.index(before, LogModel::MessageColumn)).toString(), pin);
}

void TestUiModels::stderrGetsWarningsOnly()
{
    QVERIFY(!echoesToStderr(QtDebugMsg, false));
    QVERIFY(!echoesToStderr(QtInfoMsg, false));
    QVERIFY(echoesToStderr(QtWarningMsg, false));
    QVERIFY(echoesToStderr(QtCriticalMsg, false));
    QVERIFY(echoesToStderr(QtDebugMsg, true));
    QVERIFY(echoesToStderr(QtInfoMsg, true));
}

QTEST_GUILESS_MAIN(TestUiModels)
#include "tst_uimodels.moc"
