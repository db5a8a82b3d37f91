// Regression test: connection-level flow control must not leak.
//
// ngtcp2 closes a stream (both directions done) as soon as its last byte is handed over in a read
// callback; StreamPrivate::onClosed() then drops its connection pointer while
// that data still sits unread in the stream's buffer. When the application
// reads it a moment later (on readyRead, as Qt applications do),
// StreamPrivate::read() gives no credit back (it needs `connection`), so those
// bytes are never returned with ngtcp2_conn_extend_max_offset(). Each such
// stream eats into the connection window until the connection stalls for
// good: no data moves, and not even the 1-byte hello of a new pooled
// stream can be sent, so the client pool stops refilling too. The fix: the
// connection returns the credit of unread bytes when ngtcp2 closes a stream.
//
// Found with `quicpool client --mode echo --streams 1000 --parallel 16`
// between two processes: it stalled after about 90 to 110 streams of 64 KiB.
//
// Shape of the reproduction: the server pool runs on its own thread. On
// each stream the client sends one byte and FIN; once that is acknowledged
// the server writes 64 KiB and FIN while the client's thread is busy, so
// the whole reply, FIN included, is delivered in one read batch, in which
// the stream also closes. The test also counts the bytes a readyRead()
// handler found on a stream the connection had already forgotten.
#include <quicpool/quicpool.h>

#include <QtCore/QDeadlineTimer>
#include <QtCore/QScopeGuard>
#include <QtCore/QThread>
#include <QtTest/QTest>

using namespace quicpool;
using namespace std::chrono_literals;

class TestClosedStreamCredit : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void dataOfClosedStreamsIsCredited()
    {
        QThread serverThread;
        serverThread.start();
        ServerPoolConfig sc;
        sc.setMaxCapacity(64);
        sc.setListenAddress(QStringLiteral("127.0.0.1:0"));
        auto *server = new ServerPool(sc);
        server->moveToThread(&serverThread);
        // Also on a failed check: the pool goes on its thread, then the thread.
        const auto cleanup = qScopeGuard([&] {
            QMetaObject::invokeMethod(server, [server] { delete server; }, Qt::BlockingQueuedConnection);
            serverThread.quit();
            serverThread.wait();
        });
        bool started = false;
        QMetaObject::invokeMethod(server, [&] { started = server->start(); }, Qt::BlockingQueuedConnection);
        QVERIFY2(started, qPrintable(server->lastError().toString()));

        ClientPoolConfig cc;
        cc.setMinCapacity(4);
        cc.setMaxCapacity(4);
        cc.setMinInterval(100ms);
        cc.setMaxInterval(100ms);
        cc.setTlsMode(TlsMode::SelfSigned);
        cc.setAddress(QStringLiteral("127.0.0.1:%1").arg(server->serverPort()));
        ClientPool client(cc);
        QVERIFY(client.start());

        constexpr int kStreams = 200;                 // 200 x 64 KiB = 12.5 MiB, three times the window
        constexpr qint64 kPayload = 64 * 1024;
        const QByteArray payload(kPayload, 'x');
        qint64 leaked = 0;
        for (int i = 0; i < kStreams; ++i) {
            // The client pool lives on this thread: let it refill before
            // blocking in the server's get (the server pools a stream before
            // the client has its ID, so one is there).
            QTRY_VERIFY2_WITH_TIMEOUT(client.active() > 0,
                                      qPrintable(QStringLiteral("run %1 of %2: the client pool stopped refilling "
                                                                "(%3 bytes read after their stream was closed)")
                                                     .arg(i)
                                                     .arg(kStreams)
                                                     .arg(leaked)),
                                      5000);
            // Taken on the server's thread, where the stream lives (a
            // blocking get from here would be refused with WrongThread).
            Stream *in = nullptr;
            for (QDeadlineTimer wait(5000); !in && !wait.hasExpired();) {
                QMetaObject::invokeMethod(server, [&] { in = server->tryIncomingGet(); }, Qt::BlockingQueuedConnection);
                if (!in)
                    QTest::qWait(5);
            }
            QVERIFY2(in, qPrintable(QStringLiteral("run %1 of %2: no server stream (%3 bytes read after their "
                                                   "stream was closed so far)")
                                        .arg(i)
                                        .arg(kStreams)
                                        .arg(leaked)));
            Error err;
            Stream *out = client.outgoingGet(in->id(), 2000ms, &err);
            QVERIFY2(out, qPrintable(err.toString()));

            QCOMPARE(out->write("?", 1), 1);
            out->closeWrite();   // FIN; the reply is still to be read
            QTRY_COMPARE_WITH_TIMEOUT(out->totalBytesAcknowledged(), 1, 5000);  // our byte and FIN acknowledged
            bool sent = false;
            QMetaObject::invokeMethod(in, [&] {
                sent = in->readAll() == "?" && in->write(payload) == kPayload;
                in->close();
            }, Qt::BlockingQueuedConnection);
            QVERIFY(sent);
            // Busy for a moment: the reply piles up in the socket buffer.
            QThread::msleep(30);

            QByteArray got;
            connect(out, &QIODevice::readyRead, out, [&got, &leaked, out] {
                if (out->streamId() < 0)
                    leaked += out->bytesAvailable();
                got += out->readAll();
            });
            QTRY_VERIFY2_WITH_TIMEOUT(out->isFinished() && out->bytesAvailable() == 0,
                                      qPrintable(QStringLiteral("stream %1 of %2 stalled after %3 of %4 bytes "
                                                                "(%5 bytes read after their stream was closed)")
                                                     .arg(i)
                                                     .arg(kStreams)
                                                     .arg(got.size())
                                                     .arg(kPayload)
                                                     .arg(leaked)),
                                      5000);
            QCOMPARE(got.size(), kPayload);
            delete out;
            QMetaObject::invokeMethod(in, [in] { in->deleteLater(); });
        }
    }
};

QTEST_GUILESS_MAIN(TestClosedStreamCredit)
#include "tst_closedstreamcredit.moc"
