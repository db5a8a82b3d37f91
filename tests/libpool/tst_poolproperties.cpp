// A pool's state, active, capacity, interval and errorCount are Qt
// properties with change signals (pool.h), so widgets and QML bind to them
// instead of polling: each signal comes when its value changes, with the
// new value, and not when it does not.
#include "loopbackpools.h"

#include <QtCore/QMetaProperty>
#include <QtTest/QSignalSpy>
#include <QtTest/QTest>

using namespace quicpool;
using namespace quicpool::testing;

class TestPoolProperties : public QObject
{
    Q_OBJECT

    /// The last value a change signal carried (first argument).
    static QVariant last(const QSignalSpy &spy) { return spy.isEmpty() ? QVariant() : spy.last().first(); }

private Q_SLOTS:
    void initTestCase() { qRegisterMetaType<quicpool::Pool::State>(); }

    void propertiesAndTheirSignals_data()
    {
        QTest::addColumn<QByteArray>("property");
        QTest::addColumn<QByteArray>("signal");
        QTest::newRow("state") << QByteArray("state") << QByteArray("stateChanged(quicpool::Pool::State)");
        QTest::newRow("active") << QByteArray("active") << QByteArray("activeChanged(int)");
        QTest::newRow("capacity") << QByteArray("capacity") << QByteArray("capacityChanged(int)");
        QTest::newRow("interval") << QByteArray("interval") << QByteArray("intervalChanged(qlonglong)");
        QTest::newRow("errorCount") << QByteArray("errorCount") << QByteArray("errorCountChanged(qlonglong)");
    }

    void propertiesAndTheirSignals()
    {
        QFETCH(QByteArray, property);
        QFETCH(QByteArray, signal);
        const QMetaObject &mo = Pool::staticMetaObject;
        const int index = mo.indexOfProperty(property.constData());
        QVERIFY(index >= 0);
        const QMetaProperty mp = mo.property(index);
        QVERIFY(mp.isReadable());
        QVERIFY(!mp.isWritable());
        QVERIFY(mp.hasNotifySignal());
        QCOMPARE(mp.notifySignal().methodSignature(), signal);
    }

    void valuesMatchTheGetters()
    {
        ClientPoolConfig cc = clientConfig(1, 3, 9);
        cc.setMinInterval(250ms);
        ClientPool client(cc);
        QCOMPARE(client.property("state").value<Pool::State>(), Pool::State::Idle);
        QCOMPARE(client.property("active").toInt(), 0);
        QCOMPARE(client.property("capacity").toInt(), 3);
        QCOMPARE(client.property("interval").toLongLong(), 250);
        QCOMPARE(client.property("errorCount").toLongLong(), 0);
    }

    void clientSignalsFollowTheRefill()
    {
        ServerPool server(serverConfig(32));
        QVERIFY(server.start());
        ClientPoolConfig cc = clientConfig(server.serverPort(), 2, 8);
        cc.setMinInterval(20ms);
        cc.setMaxInterval(400ms);
        ClientPool client(cc);
        QSignalSpy state(&client, &Pool::stateChanged);
        QSignalSpy active(&client, &Pool::activeChanged);
        QSignalSpy capacity(&client, &Pool::capacityChanged);
        QSignalSpy interval(&client, &Pool::intervalChanged);
        QSignalSpy errors(&client, &Pool::errorCountChanged);
        // Each signal carries the value the getter reads as it is emitted.
        int mismatches = 0;
        connect(&client, &Pool::activeChanged, this, [&](int v) { mismatches += v != client.active(); });
        connect(&client, &Pool::capacityChanged, this, [&](int v) { mismatches += v != client.capacity(); });
        connect(&client, &Pool::intervalChanged, this, [&](qint64 v) { mismatches += v != client.interval().count(); });
        connect(&client, &Pool::stateChanged, this, [&](Pool::State v) { mismatches += v != client.state(); });
        QVERIFY(client.start());
        QCOMPARE(state.count(), 1);
        QCOMPARE(last(state).value<Pool::State>(), Pool::State::Connecting);
        // A pool that fills up grows its capacity, slows its cycle, and
        // shrinks its capacity again while nothing is taken.
        QVERIFY(waitUntil([&] { return capacity.count() >= 2 && !interval.isEmpty() && client.active() >= 2; }, 15000));
        QCOMPARE(last(state).value<Pool::State>(), Pool::State::Connected);
        QCOMPARE(mismatches, 0);
        QCOMPARE(errors.count(), 0);
        // No signal without a change: each carries a value other than the one before.
        for (const QSignalSpy *spy : {&active, &capacity, &interval}) {
            for (qsizetype i = 1; i < spy->size(); ++i)
                QVERIFY(spy->at(i).first() != spy->at(i - 1).first());
        }
        // Taking a stream: one activeChanged with the new count.
        const int before = client.active();
        active.clear();
        delete client.tryOutgoingGet(client.readyIds().value(0));
        QVERIFY(!active.isEmpty());
        QCOMPARE(active.first().first().toInt(), before - 1);
        client.close();
        QCOMPARE(last(state).value<Pool::State>(), Pool::State::Closed);
        QCOMPARE(last(active).toInt(), 0);
    }

    void errorCountSignals()
    {
        ClientPool client(clientConfig(1, 1, 1));
        QSignalSpy errors(&client, &Pool::errorCountChanged);
        client.addError();
        client.addError();
        QCOMPARE(errors.count(), 2);
        QCOMPARE(last(errors).toLongLong(), 2);
        client.resetError();
        QCOMPARE(last(errors).toLongLong(), 0);
        client.resetError();   // already 0: no signal
        QCOMPARE(errors.count(), 3);
    }

    void refusedStreamsCountAsErrors()
    {
        // A full server refuses streams: the client counts each, and says so.
        ServerPool server(serverConfig(2));
        QVERIFY(server.start());
        ClientPool client(clientConfig(server.serverPort(), 4, 4));
        QSignalSpy errors(&client, &Pool::errorCountChanged);
        QVERIFY(client.start());
        QVERIFY(waitUntil([&] { return client.errorCount() >= 2; }, 15000));
        QVERIFY(!errors.isEmpty());
        QCOMPARE(last(errors).toLongLong(), client.errorCount());
    }

    void serverSignals()
    {
        ServerPool server(serverConfig(8));
        QSignalSpy state(&server, &Pool::stateChanged);
        QSignalSpy active(&server, &Pool::activeChanged);
        QVERIFY(server.start());
        QCOMPARE(last(state).value<Pool::State>(), Pool::State::Listening);
        {
            ClientPool client(clientConfig(server.serverPort(), 3, 3));
            QVERIFY(client.start());
            QVERIFY(waitUntil([&] { return server.active() == 3; }));
            QCOMPARE(last(state).value<Pool::State>(), Pool::State::Connected);
            QCOMPARE(last(active).toInt(), 3);
        }
        // The client left: its streams are gone from the server pool.
        QVERIFY(waitUntil([&] { return server.active() == 0 && server.state() == Pool::State::Listening; }));
        QCOMPARE(last(active).toInt(), 0);
        QCOMPARE(last(state).value<Pool::State>(), Pool::State::Listening);
    }
};

QTEST_GUILESS_MAIN(TestPoolProperties)
#include "tst_poolproperties.moc"
