// Closed streams free their state: thousands of short echo streams through
// a StreamServer leave no object behind once each is done both ways. The
// count is of live QObjects, taken with Qt's object hooks (qtHookData, the
// interface debugging tools use), so anything a finished stream leaves
// waiting (a stream, its private half, a timer) shows up at once rather
// than after a linger period as RSS would.
#include "loopbackpair.h"

#include <workload/streamrunner.h>
#include <workload/streamserver.h>

#include <QtCore/QObject>
#include <QtTest/QTest>
#include <atomic>

QT_BEGIN_NAMESPACE
extern Q_CORE_EXPORT quintptr qtHookData[];   // QtCore/private/qhooks_p.h
QT_END_NAMESPACE

using namespace quicpool;
using namespace quicpool::testing;
using namespace quicpool::workload;

namespace {

// Indexes of qtHookData (qhooks_p.h: AddQObject = 3, RemoveQObject = 4).
constexpr int kAddQObject = 3, kRemoveQObject = 4;
std::atomic<qint64> g_liveObjects{0};
using Hook = void (*)(QObject *);
Hook g_prevAdd = nullptr, g_prevRemove = nullptr;

void onAdd(QObject *o)
{
    ++g_liveObjects;
    if (g_prevAdd)
        g_prevAdd(o);
}

void onRemove(QObject *o)
{
    --g_liveObjects;
    if (g_prevRemove)
        g_prevRemove(o);
}

} // namespace

class TestStreamChurn : public QObject
{
    Q_OBJECT

    /// Runs `count` echo streams of `bytes`, `parallel` at a time; how many failed.
    int churn(LoopbackPair &pair, int count, int parallel, qint64 bytes)
    {
        int started = 0, ended = 0, failed = 0;
        QObject scope;   // connections to this call's locals end with it
        std::function<void()> next = [&] {
            while (started < count && started - ended < parallel) {
                const QStringList ready = pair.client->readyIds();
                if (ready.isEmpty())
                    return;   // the pool refills; streamPooled calls us again
                Stream *s = pair.client->tryOutgoingGet(ready.constFirst());
                if (!s)
                    return;
                ++started;
                auto *runner = new StreamRunner(s, Mode::Echo, bytes);
                connect(runner, &StreamRunner::finished, runner, &QObject::deleteLater);
                connect(runner, &StreamRunner::finished, &scope, [&](const RunResult &r) {
                    ++ended;
                    failed += !r.ok;
                });
                connect(runner, &StreamRunner::finished, &scope, [&] { next(); }, Qt::QueuedConnection);
                runner->start();
            }
        };
        connect(pair.client.get(), &Pool::streamPooled, &scope, [&] { next(); });
        next();
        (void)QTest::qWaitFor([&] { return ended == count; }, 120000);
        return failed + (count - ended);
    }

private Q_SLOTS:
    void initTestCase()
    {
        g_prevAdd = reinterpret_cast<Hook>(qtHookData[kAddQObject]);
        g_prevRemove = reinterpret_cast<Hook>(qtHookData[kRemoveQObject]);
        qtHookData[kAddQObject] = reinterpret_cast<quintptr>(&onAdd);
        qtHookData[kRemoveQObject] = reinterpret_cast<quintptr>(&onRemove);
    }

    void finishedStreamsLeaveNothingBehind()
    {
        LoopbackPair pair;
        QVERIFY(pair.start(16));
        StreamServer server(pair.server.get(), Mode::Echo);
        server.start();
        QVERIFY(pair.waitReady(16));
        // Warm up: caches, the pools' queues and timers reach their size.
        QCOMPARE(churn(pair, 200, 8, 1000), 0);
        QTRY_COMPARE_WITH_TIMEOUT(server.served(), qint64(200), 10000);
        QTest::qWait(300);   // deleteLater()s run, acknowledgements arrive
        const qint64 baseline = g_liveObjects.load();

        const int n = 3000;
        QCOMPARE(churn(pair, n, 8, 1000), 0);
        QTRY_COMPARE_WITH_TIMEOUT(server.served(), qint64(200 + n), 10000);
        QTest::qWait(300);
        const qint64 after = g_liveObjects.load();
        qInfo("live QObjects: %lld before, %lld after %d more streams", baseline, after, n);
        // A few objects of the refilled pool may be in flight; one per
        // stream would be thousands.
        QVERIFY2(after - baseline < 100, qPrintable(QStringLiteral("%1 objects more").arg(after - baseline)));
    }

    void cleanupTestCase()
    {
        qtHookData[kAddQObject] = reinterpret_cast<quintptr>(g_prevAdd);
        qtHookData[kRemoveQObject] = reinterpret_cast<quintptr>(g_prevRemove);
    }
};

QTEST_GUILESS_MAIN(TestStreamChurn)
#include "tst_streamchurn.moc"
