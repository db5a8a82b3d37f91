// When what an application writes leaves: a write made in a slot that a
// datagram's processing ran goes out with that processing's own flush (no
// posted event, no extra wake-up of the loop), and still goes out at once
// when the slot runs an event loop of its own and waits there for the
// answer, nested QEventLoop or processEvents() alike. A connection with
// nothing more to send sets no pacing wake-up: small messages one at a
// time wake the sender's timer for nothing. Real QUIC over loopback.
#include "transport/connection.h"
#include "transport/listener.h"
#include "transport/precisetimer.h"
#include "transport/tls/tlscontext.h"
#include "transport/turnhooks.h"

#include "threadedlistener.h"

#include <quicpool/stream.h>

#include <QtCore/QElapsedTimer>
#include <QtCore/QEventLoop>
#include <QtCore/QPointer>
#include <QtCore/QTimer>
#include <QtTest/QSignalSpy>
#include <QtTest/QTest>
#include <atomic>

using namespace quicpool;
using namespace quicpool::transport;

class TestWriteFlush : public QObject
{
    Q_OBJECT

    std::unique_ptr<Listener> listener;
    QPointer<Connection> serverSide;
    QPointer<Connection> client;
    QPointer<Stream> serverStream;

    /// A connected pair and one stream the client opened, seen by the server.
    bool connectPairWithStream(Stream **clientStream)
    {
        Error err;
        auto serverTls = TlsContext::createServer(TlsServerOptions(), &err);
        listener = std::make_unique<Listener>();
        if (!serverTls || !listener->listen(QHostAddress::LocalHost, 0, std::move(serverTls), TransportConfig(), &err))
            return false;
        connect(listener.get(), &Listener::newConnection, this, [this](Connection *c) {
            serverSide = c;
            connect(c, &Connection::newStream, this, [this](Stream *s) { serverStream = s; });
        });
        TlsClientOptions o;
        o.mode = TlsMode::SelfSigned;
        client = Connection::dial(QHostAddress::LocalHost, listener->port(), TlsContext::createClient(o, &err),
                                  TransportConfig(), this, &err);
        if (!client)
            return false;
        QSignalSpy up(client.data(), &Connection::connected);
        if (!up.wait(10000))
            return false;
        *clientStream = client->openStream(this, &err);
        if (!*clientStream)
            return false;
        (*clientStream)->write("hello");
        return QTest::qWaitFor([this] { return !serverStream.isNull() && serverStream->bytesAvailable() >= 5; }, 10000)
            && serverStream->read(5) == "hello";
    }

private Q_SLOTS:
    void cleanup()
    {
        delete client.data();
        listener.reset();
    }

    void aWriteInASlotRidesOnTheProcessingFlush()
    {
        Stream *mine = nullptr;
        QVERIFY(connectPairWithStream(&mine));
        int owedInSlot = -1;
        connect(serverStream.data(), &QIODevice::readyRead, this, [&] {
            serverStream->write(serverStream->readAll());
            // Owed to the end of the processing that called us, not posted.
            owedInSlot = turnhooks::owedOnThisThread();
        });
        mine->write("ping");
        QVERIFY(QTest::qWaitFor([&] { return mine->bytesAvailable() >= 4; }, 10000));
        QCOMPARE(mine->readAll(), QByteArray("ping"));
        QCOMPARE(owedInSlot, 1);
        QCOMPARE(turnhooks::owedOnThisThread(), 0);   // the processing flushed it
    }

    void aSlotWaitingInANestedLoopGetsItsAnswer_data()
    {
        QTest::addColumn<bool>("processEventsOnly");
        QTest::newRow("QEventLoop") << false;
        QTest::newRow("processEvents") << true;
    }

    void aSlotWaitingInANestedLoopGetsItsAnswer()
    {
        // The server's slot writes a question and waits, inside the slot,
        // for the client's answer: the question must leave before the slot
        // returns, or the two wait for each other until the timeout.
        QFETCH(bool, processEventsOnly);
        Stream *mine = nullptr;
        QVERIFY(connectPairWithStream(&mine));
        connect(mine, &QIODevice::readyRead, this, [mine] {
            if (mine->readAll().contains("question?"))
                mine->write("answer!");
        });
        bool answered = false;
        qint64 waitedMs = -1;
        int owedBefore = -1, owedAfterFirstTurn = -1;
        connect(serverStream.data(), &QIODevice::readyRead, this, [&] {
            if (!serverStream->readAll().contains("go"))
                return;
            serverStream->write("question?");
            owedBefore = turnhooks::owedOnThisThread();
            QElapsedTimer waited;
            waited.start();
            auto heard = [&] { return serverStream->bytesAvailable() > 0 || waited.elapsed() > 5000; };
            if (processEventsOnly) {
                QCoreApplication::processEvents();
                owedAfterFirstTurn = turnhooks::owedOnThisThread();
                while (!heard())
                    QCoreApplication::processEvents();
            } else {
                QEventLoop loop;
                QTimer poll;
                // Posted before the loop starts: runs in its first turn.
                QTimer::singleShot(0, &loop, [&] { owedAfterFirstTurn = turnhooks::owedOnThisThread(); });
                connect(&poll, &QTimer::timeout, &loop, [&] {
                    if (heard())
                        loop.quit();
                });
                poll.start(1);
                loop.exec();
            }
            waitedMs = waited.elapsed();
            answered = serverStream->readAll() == "answer!";
        }, Qt::SingleShotConnection);
        mine->write("go");
        QVERIFY(QTest::qWaitFor([&] { return waitedMs >= 0; }, 15000));
        // The flush was owed to the processing, and the nested loop's first
        // turn posted it (a timer of the connection's may send it too, a
        // millisecond later, so the answer alone proves little).
        QCOMPARE(owedBefore, 1);
        QCOMPARE(owedAfterFirstTurn, 0);
        QVERIFY2(answered, qPrintable(QStringLiteral("no answer after %1 ms").arg(waitedMs)));
        QVERIFY2(waitedMs < 5000, qPrintable(QStringLiteral("waited %1 ms").arg(waitedMs)));
    }

    void aDrainedSenderSetsNoPacingWakeup()
    {
        // 100 small messages, each sent once the last has arrived, from a
        // client on this thread to a server on another (its ACK timers are
        // not counted here). Each send used to leave the pacer's next-send
        // time armed, a wake-up of this thread per message for nothing to
        // send: 100 of 100, seen on the old code. What may still wake it is
        // the client's own ACK delay for the server's occasional
        // ack-eliciting packet (ngtcp2 adds a PING to every few ACKs):
        // 49-50 quiet, 9-50 with both cores loaded (ASan build).
        std::atomic<qint64> received{0};
        testing::ThreadedListener remote(TransportConfig(), [&](Connection *c) {
            connect(c, &Connection::newStream, c, [&](Stream *s) {
                connect(s, &QIODevice::readyRead, s, [&, s] { received += s->readAll().size(); });
            });
        });
        const quint16 port = remote.port();
        QVERIFY(port != 0);

        Error err;
        TlsClientOptions o;
        o.mode = TlsMode::SelfSigned;
        client = Connection::dial(QHostAddress::LocalHost, port, TlsContext::createClient(o, &err),
                                  TransportConfig(), this, &err);
        QVERIFY(client);
        QSignalSpy up(client.data(), &Connection::connected);
        QVERIFY(up.wait(10000));
        Stream *mine = client->openStream(this, &err);
        QVERIFY(mine);
        const QByteArray message(64, 'm');
        mine->write(message);
        QVERIFY(QTest::qWaitFor([&] { return received.load() >= message.size(); }, 10000));

        const uint64_t before = PreciseTimer::wakeupsOnThisThread();
        for (int i = 2; i <= 101; ++i) {
            mine->write(message);
            QVERIFY(QTest::qWaitFor([&] { return received.load() >= i * message.size(); }, 10000));
        }
        const uint64_t wakeups = PreciseTimer::wakeupsOnThisThread() - before;
        qInfo() << "client timer wake-ups for 100 messages:" << wakeups;
        QVERIFY2(wakeups < 75, qPrintable(QStringLiteral("%1 wake-ups").arg(wakeups)));
        delete client.data();
    }

    void bulkDataStillPaced()
    {
        // The other side of the pacing change: with data queued the pacer's
        // time still arms the timer, so 512 KiB written at once all arrive.
        Stream *mine = nullptr;
        QVERIFY(connectPairWithStream(&mine));
        const qint64 total = 512 * 1024;   // within the send buffer: one write
        qint64 got = 0;
        connect(serverStream.data(), &QIODevice::readyRead, this, [&] { got += serverStream->readAll().size(); });
        mine->write(QByteArray(int(total), 'b'));
        QVERIFY(QTest::qWaitFor([&] { return got >= total; }, 30000));
        QCOMPARE(got, total);
    }
};

QTEST_GUILESS_MAIN(TestWriteFlush)
#include "tst_writeflush.moc"
