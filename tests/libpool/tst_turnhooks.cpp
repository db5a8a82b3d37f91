// turnhooks: work owed until the thread's event loop starts its next turn,
// whichever loop that is (the main one, a nested QEventLoop, a
// processEvents() call), once per key, cancellable, refused where no event
// loop could ever run it.
#include "transport/turnhooks.h"

#include <QtCore/QEventLoop>
#include <QtCore/QThread>
#include <QtCore/QTimer>
#include <QtTest/QTest>
#include <thread>

using namespace quicpool::transport;

namespace {
int g_calls = 0;
void count(void *key)
{
    ++g_calls;
    ++*static_cast<int *>(key);
}
} // namespace

class TestTurnHooks : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void init() { g_calls = 0; }

    void runsAtTheNextProcessEvents()
    {
        int mine = 0;
        QVERIFY(turnhooks::defer(&mine, count));
        QCOMPARE(turnhooks::owedOnThisThread(), 1);
        QCOMPARE(mine, 0);   // nothing runs before a turn
        QCoreApplication::processEvents();   // a turn that may not wait: awake()
        QCOMPARE(mine, 1);
        QCOMPARE(turnhooks::owedOnThisThread(), 0);
        QCoreApplication::processEvents();
        QCOMPARE(mine, 1);   // once
    }

    void runsAtTheStartOfANestedLoop()
    {
        int mine = 0;
        QEventLoop outer;
        QTimer::singleShot(0, &outer, [&] {
            // Inside a slot, as a connection's process() is: the owed work
            // must run in the loop this slot starts, before it returns.
            QVERIFY(turnhooks::defer(&mine, count));
            QEventLoop inner;
            int seenInside = -1;
            QTimer::singleShot(0, &inner, [&] {
                seenInside = mine;
                inner.quit();
            });
            inner.exec();   // may wait: aboutToBlock()
            QCOMPARE(seenInside, 1);
            outer.quit();
        });
        outer.exec();
        QCOMPARE(mine, 1);
    }

    void aKeyIsOwedOnce()
    {
        int mine = 0;
        QVERIFY(turnhooks::defer(&mine, count));
        QVERIFY(turnhooks::defer(&mine, count));
        QCOMPARE(turnhooks::owedOnThisThread(), 1);
        QCoreApplication::processEvents();
        QCOMPARE(mine, 1);
        QCOMPARE(g_calls, 1);
    }

    void cancelTakesItBack()
    {
        int a = 0, b = 0;
        QVERIFY(turnhooks::defer(&a, count));
        QVERIFY(turnhooks::defer(&b, count));
        turnhooks::cancel(&a);
        turnhooks::cancel(&a);   // twice: harmless
        QCOMPARE(turnhooks::owedOnThisThread(), 1);
        QCoreApplication::processEvents();
        QCOMPARE(a, 0);
        QCOMPARE(b, 1);
    }

    void workOwedFromACallbackWaitsForTheNextTurn()
    {
        static int again = 0;
        again = 0;
        int mine = 0;
        QVERIFY(turnhooks::defer(&mine, [](void *key) {
            ++*static_cast<int *>(key);
            turnhooks::defer(&again, count);
        }));
        QCoreApplication::processEvents();
        QCOMPARE(mine, 1);
        QCOMPARE(again, 0);
        QCoreApplication::processEvents();
        QCOMPARE(again, 1);
    }

    void eachThreadHasItsOwn()
    {
        int mine = 0;
        QVERIFY(turnhooks::defer(&mine, count));
        int theirs = 0;
        bool deferredThere = false;
        int owedThere = -1;
        QThread *thread = QThread::create([&] {
            QEventLoop loop;
            deferredThere = turnhooks::defer(&theirs, count);
            owedThere = turnhooks::owedOnThisThread();
            QTimer::singleShot(0, &loop, &QEventLoop::quit);
            loop.exec();
        });
        thread->start();
        QVERIFY(thread->wait(10000));
        delete thread;
        QVERIFY(deferredThere);
        QCOMPARE(owedThere, 1);   // not ours
        QCOMPARE(theirs, 1);      // run by that thread's loop
        QCOMPARE(mine, 0);
        QCoreApplication::processEvents();
        QCOMPARE(mine, 1);
    }

    void aThreadWithoutEventLoopIsRefused()
    {
        bool deferred = true;
        int owed = -1;
        int key = 0;
        std::thread plain([&] {
            deferred = turnhooks::defer(&key, count);
            owed = turnhooks::owedOnThisThread();
        });
        plain.join();
        QVERIFY(!deferred);   // the caller must post instead
        QCOMPARE(owed, 0);
        QCOMPARE(key, 0);
    }
};

QTEST_GUILESS_MAIN(TestTurnHooks)
#include "tst_turnhooks.moc"
