// The thread model of gets (pool.h): pools run on a worker thread; every
// callback of incomingGetAsync / outgoingGetAsync runs on its context's
// thread, never inside the call; a context on another thread than the
// pool's hears WrongThread and takes nothing; a stream whose context died
// before delivery is aborted and deleted, freeing its slot in the server's
// pool; a blocking get works on the pool's thread and is refused at once
// from any other; counters and properties are read from other threads
// while the pool works (TSan watches those reads).
#include "loopbackpools.h"

#include <QtCore/QElapsedTimer>
#include <QtCore/QThread>
#include <QtCore/QTimer>
#include <QtTest/QSignalSpy>
#include <QtTest/QTest>
#include <atomic>

using namespace quicpool;
using namespace quicpool::testing;

class TestGetThreads : public QObject
{
    Q_OBJECT

    QThread worker;
    ServerPool *server = nullptr;   // both live on the worker
    ClientPool *client = nullptr;

    /// Runs f on the worker thread and waits for it.
    template <typename F>
    void onWorker(F f)
    {
        QMetaObject::invokeMethod(server, std::move(f), Qt::BlockingQueuedConnection);
    }

private Q_SLOTS:
    void init()
    {
        worker.start();
        server = new ServerPool(serverConfig(16));
        server->moveToThread(&worker);
        bool ok = false;
        onWorker([&] { ok = server->start(); });
        QVERIFY(ok);
        client = new ClientPool(clientConfig(server->serverPort(), 4, 4));
        client->moveToThread(&worker);
        onWorker([&] { ok = client->start(); });
        QVERIFY(ok);
        QTRY_VERIFY_WITH_TIMEOUT(client->active() == 4 && server->active() == 4, 15000);
    }

    void cleanup()
    {
        onWorker([&] {
            delete client;
            delete server;
        });
        worker.quit();
        worker.wait();
        client = nullptr;
        server = nullptr;
    }

    void callbacksRunOnTheContextThread_data()
    {
        QTest::addColumn<int>("answer");   // 0 at once, 1 waiter served, 2 timeout
        QTest::newRow("a stream at once") << 0;
        QTest::newRow("a waiter served") << 1;
        QTest::newRow("timeout") << 2;
    }

    void callbacksRunOnTheContextThread()
    {
        QFETCH(int, answer);
        std::atomic<QThread *> callbackThread{nullptr};
        std::atomic<bool> insideTheCall{false};
        std::atomic<int> calls{0};
        QObject *context = new QObject;
        context->moveToThread(&worker);
        QString id;
        onWorker([&] {
            if (answer == 1)
                server->flush();   // nothing pooled on the server: its get waits
            id = answer == 0 ? client->readyIds().value(0) : QStringLiteral("deadbeef");
            insideTheCall = true;
            auto cb = [&](Stream *s, const Error &) {
                callbackThread = QThread::currentThread();
                calls += insideTheCall ? 100 : 1;
                delete s;
            };
            if (answer == 1)
                server->incomingGetAsync(10000ms, context, cb);
            else
                client->outgoingGetAsync(id, answer == 2 ? 30ms : 5000ms, context, cb);
            insideTheCall = false;
        });
        QTRY_VERIFY_WITH_TIMEOUT(calls.load() > 0, 15000);
        QCOMPARE(calls.load(), 1);
        QCOMPARE(callbackThread.load(), &worker);
        onWorker([&] { delete context; });
    }

    void aContextOnAnotherThreadHearsWrongThread()
    {
        // The pool is on the worker; the get names a context on this
        // thread: the answer comes here, with no stream, and nothing leaves
        // the pool.
        QObject here;
        std::atomic<int> calls{0};
        QThread *callbackThread = nullptr;
        Error why;
        bool gotStream = true;
        const QStringList before = client->readyIds();
        onWorker([&] {
            client->outgoingGetAsync(before.value(0), 5000ms, &here, [&](Stream *s, const Error &e) {
                callbackThread = QThread::currentThread();
                gotStream = s != nullptr;
                why = e;
                ++calls;
            });
            server->incomingGetAsync(5000ms, &here, [&](Stream *s, const Error &) {
                gotStream = gotStream || s;
                ++calls;
            });
        });
        QTRY_COMPARE_WITH_TIMEOUT(calls.load(), 2, 5000);
        QCOMPARE(callbackThread, QThread::currentThread());
        QVERIFY(!gotStream);
        QCOMPARE(why.code(), ErrorCode::WrongThread);
        QCOMPARE(client->readyIds(), before);
        QCOMPARE(server->active(), 4);
    }

    void aStreamWhoseContextDiedIsAbortedAndItsSlotFreed()
    {
        // The get is answered at once, so the stream is taken; its context
        // goes before the (queued) delivery: no callback, the stream is
        // aborted, and the server, seeing the reset, frees that slot.
        const QString id = client->readyIds().value(0);
        bool called = false;
        onWorker([&] {
            auto *context = new QObject;
            client->outgoingGetAsync(id, 5000ms, context, [&](Stream *, const Error &) { called = true; });
            delete context;
        });
        QTRY_VERIFY_WITH_TIMEOUT(!server->readyIds().contains(id), 5000);   // discarded there
        QTest::qWait(100);
        QVERIFY(!called);
        QVERIFY(!client->readyIds().contains(id));
        // Both pools refill to their capacity: nothing is held for the dead get.
        QTRY_VERIFY_WITH_TIMEOUT(client->active() == 4 && server->active() == 4, 15000);

        // The same on the server's side: its stream is aborted, the
        // client's pooled end is reset and discarded.
        const QString first = server->readyIds().value(0);
        onWorker([&] {
            auto *context = new QObject;
            server->incomingGetAsync(5000ms, context, [&](Stream *, const Error &) { called = true; });
            delete context;
        });
        QTRY_VERIFY_WITH_TIMEOUT(!client->readyIds().contains(first), 5000);
        QVERIFY(!called);
    }

    void aWaiterWhoseContextDiesIsForgotten()
    {
        bool called = false;
        QObject *context = nullptr;
        onWorker([&] {
            server->flush();
            context = new QObject;
            server->incomingGetAsync(10000ms, context, [&](Stream *, const Error &) { called = true; });
            delete context;
        });
        // The client refills; the streams stay pooled for the next get.
        QTRY_VERIFY_WITH_TIMEOUT(server->active() >= 4, 15000);
        QTest::qWait(100);
        QVERIFY(!called);
    }

    void blockingGetFromAnotherThreadIsRefused()
    {
        QElapsedTimer t;
        t.start();
        Error err;
        QVERIFY(!server->incomingGet(5000ms, &err));
        QCOMPARE(err.code(), ErrorCode::WrongThread);
        QVERIFY(!err.message().isEmpty());
        QVERIFY(!client->outgoingGet(client->readyIds().value(0), 5000ms, &err));
        QCOMPARE(err.code(), ErrorCode::WrongThread);
        QVERIFY2(t.elapsed() < 4000, "refused at once, not after the timeout");
        QCOMPARE(server->active(), 4);
        QCOMPARE(client->active(), 4);
    }

    void blockingGetOnThePoolThreadHandsOver()
    {
        Stream *in = nullptr, *out = nullptr;
        Error err;
        onWorker([&] {
            in = server->incomingGet(5000ms, &err);
            if (in)
                out = client->outgoingGet(in->id(), 5000ms, &err);
        });
        QVERIFY2(in && out, qPrintable(err.toString()));
        QCOMPARE(in->thread(), &worker);
        QCOMPARE(out->thread(), &worker);
        QByteArray got;
        onWorker([&] { out->write("across"); });
        QTRY_VERIFY_WITH_TIMEOUT((onWorker([&] { got += in->readAll(); }), got == "across"), 5000);
        onWorker([&] {
            delete in;
            delete out;
        });
    }

    void countersAndPropertiesFromAnotherThread()
    {
        // The worker churns streams; this thread reads everything that may
        // be read from any thread, and the properties.
        QTimer *churn = nullptr;
        onWorker([&] {
            churn = new QTimer(server);   // lives (and dies) on the worker
            QObject::connect(churn, &QTimer::timeout, churn, [this] {
                while (Stream *s = server->tryIncomingGet())
                    delete s;
            });
            churn->start(5);
        });
        QElapsedTimer t;
        t.start();
        qint64 reads = 0;
        while (t.elapsed() < 1500) {
            reads += client->active() + server->active() + client->capacity() + client->interval().count();
            reads += client->errorCount() + int(client->state()) + (client->isConnected() ? 1 : 0);
            reads += client->stats().bytesSent() + server->stats().packetsReceived();
            reads += client->readyIds().size() + server->readyIds().size();
            reads += client->lastError().isError() ? 1 : 0;
            reads += client->property("active").toInt() + server->property("capacity").toInt();
            reads += client->property("interval").toLongLong() + client->property("errorCount").toLongLong();
            client->addError();
            QThread::msleep(1);
        }
        onWorker([&] { delete churn; });
        QVERIFY(reads > 0);
        QVERIFY(client->errorCount() > 0);
    }

    void notifySignalsComeFromThePoolThread()
    {
        // addError() from here: errorCountChanged is emitted on the pool's thread.
        std::atomic<QThread *> emittedOn{nullptr};
        QObject receiver;   // lives here: DirectConnection tells where it is emitted
        connect(client, &Pool::errorCountChanged, &receiver,
                [&] { emittedOn = QThread::currentThread(); }, Qt::DirectConnection);
        client->addError();
        QTRY_VERIFY_WITH_TIMEOUT(emittedOn.load() != nullptr, 5000);
        QCOMPARE(emittedOn.load(), &worker);
    }
};

QTEST_GUILESS_MAIN(TestGetThreads)
#include "tst_getthreads.moc"
