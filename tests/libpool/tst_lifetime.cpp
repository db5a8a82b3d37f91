// The lifetime contract for streams (stream.h): a slot connected to any
// signal of a stream may delete that stream, a sibling stream of its
// connection, or its pool, directly or with deleteLater(), and the library
// touches nothing of what went. Each signal is triggered the real way over
// QUIC on loopback (data, FIN, a reset, STOP_SENDING, local writes, close
// and abort, the peer's pool going away, an idle timeout behind a
// blackhole), on the client's streams and on the server's; afterwards a
// fresh stream pair must still carry data on whatever pools remain. Under
// ASan a slip is a report; the blocking waits are raced against deletion
// too. Pool signals and get callbacks: tst_poollifetime.
#include "loopbackpools.h"

#include <QtCore/QTimer>
#include <QtTest/QSignalSpy>
#include <QtTest/QTest>

using namespace quicpool;
using namespace quicpool::testing;

namespace {

enum class Trigger {
    Data,              // the peer writes
    Fin,               // both ends send FIN
    PeerReset,         // the peer aborts
    PeerStopSending,   // the peer closes (STOP_SENDING) while we write
    LocalWrite,        // we write
    LocalClose,        // we close()
    LocalAbort,        // we abort()
    PeerPoolDeleted,   // the peer's pool goes ("pool closed")
    IdleTimeout,       // the path goes silent (blackhole)
};

enum class Action { DeleteEmitter, DeleteEmitterLater, DeleteSibling, DeletePool, DeletePoolLater };
enum class Side { Client, Server };

const char *name(Trigger t)
{
    switch (t) {
    case Trigger::Data: return "data";
    case Trigger::Fin: return "FIN";
    case Trigger::PeerReset: return "peer reset";
    case Trigger::PeerStopSending: return "STOP_SENDING";
    case Trigger::LocalWrite: return "write";
    case Trigger::LocalClose: return "close()";
    case Trigger::LocalAbort: return "abort()";
    case Trigger::PeerPoolDeleted: return "peer pool deleted";
    case Trigger::IdleTimeout: return "idle timeout";
    }
    return "?";
}

const char *name(Action a)
{
    switch (a) {
    case Action::DeleteEmitter: return "delete stream";
    case Action::DeleteEmitterLater: return "deleteLater stream";
    case Action::DeleteSibling: return "delete sibling";
    case Action::DeletePool: return "delete pool";
    case Action::DeletePoolLater: return "deleteLater pool";
    }
    return "?";
}

} // namespace

Q_DECLARE_METATYPE(Trigger)
Q_DECLARE_METATYPE(Action)
Q_DECLARE_METATYPE(Side)

/// Counts the queued calls (QEvent::MetaCall) delivered to what it filters.
class MetaCallCounter : public QObject
{
public:
    int metaCalls = 0;

protected:
    bool eventFilter(QObject *, QEvent *e) override
    {
        if (e->type() == QEvent::MetaCall)
            ++metaCalls;
        return false;
    }
};

/// Runs an action the first time any signal it is connected to fires.
class Trap : public QObject
{
    Q_OBJECT
public:
    std::function<void()> action;
    int fired = 0;

public Q_SLOTS:
    void fire()
    {
        if (fired++ == 0 && action)
            action();
    }
};

class TestLifetime : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void initTestCase()
    {
        qRegisterMetaType<quicpool::Error>();
        qRegisterMetaType<quicpool::Stream::State>();
    }

    void deleteFromStreamSignal_data()
    {
        QTest::addColumn<QByteArray>("signal");
        QTest::addColumn<Trigger>("trigger");
        QTest::addColumn<Side>("side");
        QTest::addColumn<Action>("action");
        const std::vector<std::pair<const char *, Trigger>> cases = {
            {SIGNAL(readyRead()), Trigger::Data},
            {SIGNAL(readChannelFinished()), Trigger::Fin},
            {SIGNAL(readChannelFinished()), Trigger::PeerReset},
            {SIGNAL(readChannelFinished()), Trigger::PeerPoolDeleted},
            {SIGNAL(bytesWritten(qint64)), Trigger::LocalWrite},
            {SIGNAL(bytesAcknowledged(qint64)), Trigger::LocalWrite},
            {SIGNAL(aboutToClose()), Trigger::LocalClose},
            {SIGNAL(aboutToClose()), Trigger::LocalAbort},
            {SIGNAL(stateChanged(quicpool::Stream::State)), Trigger::Fin},
            {SIGNAL(stateChanged(quicpool::Stream::State)), Trigger::PeerReset},
            {SIGNAL(errorOccurred(quicpool::Error)), Trigger::PeerReset},
            {SIGNAL(errorOccurred(quicpool::Error)), Trigger::PeerStopSending},
            {SIGNAL(errorOccurred(quicpool::Error)), Trigger::PeerPoolDeleted},
            {SIGNAL(errorOccurred(quicpool::Error)), Trigger::IdleTimeout},
            {SIGNAL(finished()), Trigger::Fin},
            {SIGNAL(finished()), Trigger::PeerReset},
            {SIGNAL(finished()), Trigger::PeerPoolDeleted},
            {SIGNAL(finished()), Trigger::IdleTimeout},
        };
        for (const auto &[signal, trigger] : cases) {
            const QByteArray sig = QByteArray(signal + 1).left(QByteArray(signal + 1).indexOf('('));
            for (Side side : {Side::Client, Side::Server}) {
                for (Action action : {Action::DeleteEmitter, Action::DeleteEmitterLater, Action::DeleteSibling,
                                      Action::DeletePool, Action::DeletePoolLater}) {
                    QTest::addRow("%s on %s, %s stream: %s", sig.constData(), name(trigger),
                                  side == Side::Client ? "client" : "server", name(action))
                        << QByteArray(signal) << trigger << side << action;
                }
            }
        }
    }

    void deleteFromStreamSignal()
    {
        QFETCH(QByteArray, signal);
        QFETCH(Trigger, trigger);
        QFETCH(Side, side);
        QFETCH(Action, action);
        const bool idle = trigger == Trigger::IdleTimeout;
        LoopbackPools p;
        QVERIFY(p.start(2, idle, idle ? 200ms : 5000ms));
        Stream *in1 = nullptr, *out1 = nullptr, *in2 = nullptr, *out2 = nullptr;
        QVERIFY(p.take(&in1, &out1));
        QVERIFY(p.take(&in2, &out2));
        const bool client = side == Side::Client;
        QPointer<Stream> emitter(client ? out1 : in1);
        QPointer<Stream> peer(client ? in1 : out1);
        QPointer<Stream> sibling(client ? out2 : in2);
        QPointer<Pool> pool(client ? static_cast<Pool *>(p.client.data()) : p.server.data());
        QPointer<Pool> peerPool(client ? static_cast<Pool *>(p.server.data()) : p.client.data());

        Trap trap;
        trap.action = [&] {
            switch (action) {
            case Action::DeleteEmitter:
                delete emitter.data();
                break;
            case Action::DeleteEmitterLater:
                emitter->deleteLater();
                break;
            case Action::DeleteSibling:
                delete sibling.data();
                break;
            case Action::DeletePool:
                delete pool.data();
                break;
            case Action::DeletePoolLater:
                pool->deleteLater();
                break;
            }
        };
        QVERIFY(connect(emitter.data(), signal.constData(), &trap, SLOT(fire())));

        switch (trigger) {
        case Trigger::Data:
            peer->write("data");
            break;
        case Trigger::Fin:
            peer->write("x");
            peer->closeWrite();
            emitter->write("y");
            emitter->closeWrite();
            break;
        case Trigger::PeerReset:
            emitter->write("y");
            QVERIFY(waitUntil([&] { return peer->bytesAvailable() == 1; }));
            peer->abort(7);
            break;
        case Trigger::PeerStopSending:
            // More than the peer's window: some of it is still unacknowledged
            // (lost, an error) when the peer stops reading.
            emitter->setSendBufferSize(4 * 1024 * 1024);
            emitter->write(QByteArray(2 * 1024 * 1024, 'w'));
            QVERIFY(waitUntil([&] { return peer->bytesAvailable() > 512 * 1024; }));
            peer->close();
            break;
        case Trigger::LocalWrite:
            emitter->write(QByteArray(64 * 1024, 'w'));
            break;
        case Trigger::LocalClose:
            emitter->close();
            break;
        case Trigger::LocalAbort:
            emitter->abort(3);
            break;
        case Trigger::PeerPoolDeleted:
            delete peerPool.data();
            break;
        case Trigger::IdleTimeout:
            p.relay->setBlackhole(true);
            break;
        }
        QVERIFY2(waitUntil([&] { return trap.fired > 0; }, 15000), "the signal never came");
        // Whatever was queued (deferred deletes, posted signals) runs now.
        waitUntil([] { return false; }, 50);
        switch (action) {
        case Action::DeleteEmitter:
        case Action::DeleteEmitterLater:
            QVERIFY(!emitter);
            break;
        case Action::DeleteSibling:
            QVERIFY(!sibling);
            break;
        case Action::DeletePool:
        case Action::DeletePoolLater:
            QVERIFY(!pool);
            QVERIFY(!emitter);   // its child
            break;
        }
        if (idle)
            p.relay->setBlackhole(false);   // the client dials again
        QString why;
        QVERIFY2(p.stillWorks(&why), qPrintable(why));
    }

    void siblingDeletedFromEndSignal_data()
    {
        QTest::addColumn<QByteArray>("signal");
        QTest::newRow("finished") << QByteArray(SIGNAL(finished()));
        QTest::newRow("readChannelFinished") << QByteArray(SIGNAL(readChannelFinished()));
    }

    void siblingDeletedFromEndSignal()
    {
        // Two streams of one connection end in one batch (the server answers
        // both in one packet); the slot of the first deletes the second,
        // which then owes signals of its own. (ConnectionPrivate::dispatch
        // used to write to the freed second stream.)
        QFETCH(QByteArray, signal);
        LoopbackPools p;
        QVERIFY(p.start(4));
        for (int round = 0; round < 10; ++round) {
            Stream *in1 = nullptr, *out1 = nullptr, *in2 = nullptr, *out2 = nullptr;
            QVERIFY(p.take(&in1, &out1));
            QVERIFY(p.take(&in2, &out2));
            QPointer<Stream> o1(out1), o2(out2);
            Trap first, second;
            first.action = [&] { delete o2.data(); };
            second.action = [&] { delete o1.data(); };
            QVERIFY(connect(out1, signal.constData(), &first, SLOT(fire())));
            QVERIFY(connect(out2, signal.constData(), &second, SLOT(fire())));
            out1->write("a");
            out1->closeWrite();
            out2->write("b");
            out2->closeWrite();
            QVERIFY(waitUntil([&] { return in1->isFinished() && in2->isFinished(); }));
            QVERIFY(waitUntil([&] { return out1->totalBytesAcknowledged() == 1 && out2->totalBytesAcknowledged() == 1; }));
            // One turn: both answers and FINs leave in one packet.
            in1->write("A");
            in1->close();
            in2->write("B");
            in2->close();
            QVERIFY(waitUntil([&] { return !o1 || !o2; }));
            QCOMPARE(first.fired + second.fired, 1);
            delete o1.data();
            delete o2.data();
            delete in1;
            delete in2;
        }
        QString why;
        QVERIFY2(p.stillWorks(&why), qPrintable(why));
    }

    void aClosingConnectionPostsNothingToItsStreams()
    {
        // Streams of a connection that closes owe their signals on the next
        // turn. The call that emits them used to be posted to each stream,
        // and a QObject with an event in the queue scans the thread's whole
        // queue when it is deleted: a pool of 10,000 closing (each stream
        // with its call posted, deleted in turn) spent 31 % of `quicpool
        // bench --workload fill` there. One call for the connection's
        // streams now, posted to an object of its own.
        LoopbackPools p;
        QVERIFY(p.start(2));
        Stream *in = nullptr, *out = nullptr;
        QVERIFY(p.take(&in, &out));
        MetaCallCounter counter;
        out->installEventFilter(&counter);
        QSignalSpy finished(out, &Stream::finished);
        QSignalSpy errors(out, &Stream::errorOccurred);
        p.client->close();
        QVERIFY(waitUntil([&] { return finished.count() == 1; }));
        QCOMPARE(errors.count(), 1);   // it was open: it hears why it ended
        QCOMPARE(counter.metaCalls, 0);
        QVERIFY(!out->isWritable());
        delete out;
        delete in;
    }

    void poolDiscardsDeadStreamsFromASlot()
    {
        // The library's own delete from a slot: while the server's pooled
        // streams die (the client flushes its pool: FIN and STOP_SENDING on
        // each), a handed-out stream's readyRead slot asks the pool for
        // streams, and the pool discards the dead ones it meets. Some of
        // them owe signals in the same batch.
        LoopbackPools p;
        QVERIFY(p.start(16));
        Stream *in = nullptr, *out = nullptr;
        QVERIFY(p.take(&in, &out));
        int taken = 0;
        connect(in, &QIODevice::readyRead, in, [&] {
            in->readAll();
            while (Stream *s = p.server->tryIncomingGet()) {
                ++taken;
                delete s;
            }
        });
        QTimer chatter;
        connect(&chatter, &QTimer::timeout, out, [&] { out->write(QByteArray(100, 'c')); });
        chatter.start(1);
        for (int round = 0; round < 10; ++round) {
            QVERIFY(waitUntil([&] { return p.client->active() >= 16; }, 15000));
            p.client->flush();
            waitUntil([] { return false; }, 50);
        }
        chatter.stop();
        QString why;
        QVERIFY2(p.stillWorks(&why), qPrintable(why));
    }

    void waitForRacesDeletion_data()
    {
        QTest::addColumn<int>("wait");   // 0 readyRead, 1 bytesWritten, 2 finished
        QTest::addColumn<int>("how");    // 0 deleteLater, 1 delete, 2 delete the pool, 3 a readyRead slot deletes it
        const char *waits[] = {"waitForReadyRead", "waitForBytesWritten", "waitForFinished"};
        const char *hows[] = {"deleteLater()", "delete", "pool deleted", "deleted by a readyRead slot"};
        for (int w = 0; w < 3; ++w)
            for (int h = 0; h < 4; ++h)
                QTest::addRow("%s, stream %s", waits[w], hows[h]) << w << h;
    }

    void waitForRacesDeletion()
    {
        // QTimer::singleShot(10, [s]{ s->deleteLater(); }); s->waitForReadyRead(100);
        // used to read the freed stream in the wait's predicate.
        QFETCH(int, wait);
        QFETCH(int, how);
        LoopbackPools p;
        QVERIFY(p.start(2));
        Stream *in = nullptr, *s = nullptr;
        QVERIFY(p.take(&in, &s));
        QPointer<Stream> guard(s);
        QPointer<ClientPool> pool(p.client);
        if (wait == 1) {
            // Something to hand over while the deletion comes: more than the
            // peer's stream window, which it does not read, so the rest
            // waits unsent.
            s->setSendBufferSize(4 * 1024 * 1024);
            s->write(QByteArray(3 * 1024 * 1024, 'b'));
            QVERIFY(waitUntil([&] { return s->bytesToWrite() < 3 * 1024 * 1024; }));
            waitUntil([] { return false; }, 100);
        }
        switch (how) {
        case 0:
            QTimer::singleShot(10, s, [s] { s->deleteLater(); });
            break;
        case 1:
            QTimer::singleShot(10, s, [s] { delete s; });
            break;
        case 2:
            QTimer::singleShot(10, pool, [pool] { delete pool.data(); });
            break;
        case 3:
            connect(s, &QIODevice::readyRead, s, [s] { delete s; });
            connect(s, &Stream::bytesWritten, s, [s] { delete s; });
            QTimer::singleShot(10, in, [in] { in->write("poke"); });
            break;
        }
        bool result = true;
        switch (wait) {
        case 0:
            result = s->waitForReadyRead(2000);
            break;
        case 1:
            result = s->waitForBytesWritten(2000);
            break;
        case 2:
            result = s->waitForFinished(2000);
            break;
        }
        QVERIFY(!result || !guard);
        waitUntil([&] { return !guard; }, 2000);
        QVERIFY(!guard);
        QString why;
        QVERIFY2(p.stillWorks(&why), qPrintable(why));
    }
};

QTEST_GUILESS_MAIN(TestLifetime)
#include "tst_lifetime.moc"
