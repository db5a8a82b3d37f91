// Stream as a QIODevice, checked the way Qt checks its own devices
// (tst_qiodevice, tst_qabstractsocket): open mode, reads and peeks,
// transactions, getChar/ungetChar, readLine, atEnd, aboutToClose, close()
// as QIODevice::close() with a FIN, closeWrite() as the half-close, abort(),
// writes after the write side ended, bytesWritten as QAbstractSocket means
// it (handed to the transport) beside bytesAcknowledged, and the blocking
// waits. Every case runs over a real QUIC stream pair on loopback.
#include "loopbackpools.h"

#include <QtCore/QRegularExpression>
#include <QtCore/QTimer>
#include <QtTest/QSignalSpy>
#include <QtTest/QTest>

using namespace quicpool;
using namespace quicpool::testing;

class TestStreamDevice : public QObject
{
    Q_OBJECT

    LoopbackPools p;
    Stream *in = nullptr;    // the server's end
    Stream *out = nullptr;   // the client's end

    static QRegularExpression warning(const char *function, const char *what)
    {
        return QRegularExpression(QStringLiteral("^QIODevice::%1 \\(quicpool::Stream\\): %2$")
                                      .arg(QLatin1String(function), QLatin1String(what)));
    }

    /// Waits until `to` holds n bytes.
    static bool arrive(Stream *to, qint64 n) { return waitUntil([&] { return to->bytesAvailable() >= n; }); }

private Q_SLOTS:
    void initTestCase()
    {
        qRegisterMetaType<quicpool::Error>();
        qRegisterMetaType<quicpool::Stream::State>();
        QVERIFY(p.start(4));
    }

    void init()
    {
        QVERIFY(p.take(&in, &out));
    }

    void cleanup()
    {
        delete in;
        delete out;
        in = out = nullptr;
    }

    void openAsHandedOut()
    {
        for (Stream *s : {in, out}) {
            QVERIFY(s->isOpen());
            QCOMPARE(s->openMode(), QIODevice::ReadWrite | QIODevice::Unbuffered);
            QVERIFY(s->isReadable());
            QVERIFY(s->isWritable());
            QVERIFY(s->isSequential());
            QVERIFY(!s->atEnd());
            QCOMPARE(s->bytesAvailable(), 0);
            QCOMPARE(s->bytesToWrite(), 0);
            QCOMPARE(s->pos(), 0);
            QCOMPARE(s->error(), ErrorCode::NoError);
            QCOMPARE(s->state(), Stream::State::Open);
            QVERIFY(s->streamId() >= 0);
            QCOMPARE(s->id().size(), 8);
        }
        QCOMPARE(in->id(), out->id());
    }

    void readWriteRoundTrip()
    {
        const QByteArray data = pattern(100000, 1);
        QCOMPARE(out->write(data), data.size());
        QVERIFY(arrive(in, data.size()));
        QCOMPARE(in->read(0), QByteArray());
        QCOMPARE(in->read(10), data.left(10));
        QCOMPARE(in->bytesAvailable(), data.size() - 10);
        QByteArray rest(data.size(), '\0');
        QCOMPARE(in->read(rest.data(), rest.size()), data.size() - 10);
        QCOMPARE(rest.left(data.size() - 10), data.mid(10));
        QCOMPARE(in->read(rest.data(), rest.size()), 0);   // nothing more, not the end
        QVERIFY(!in->atEnd());
        QCOMPARE(in->totalBytesReceived(), data.size());
    }

    void peekDoesNotConsume()
    {
        QCOMPARE(out->write("abcdef"), 6);
        QVERIFY(arrive(in, 6));
        QCOMPARE(in->peek(3), QByteArray("abc"));
        QCOMPARE(in->bytesAvailable(), 6);
        QCOMPARE(in->peek(10), QByteArray("abcdef"));
        QCOMPARE(in->readAll(), QByteArray("abcdef"));
        QCOMPARE(in->peek(1), QByteArray());
    }

    void transactionsRollBack()
    {
        // As tst_qiodevice::transaction: a sequential device keeps what a
        // rolled-back transaction read.
        QCOMPARE(out->write("0123456789"), 10);
        QVERIFY(arrive(in, 10));
        in->startTransaction();
        QCOMPARE(in->read(4), QByteArray("0123"));
        in->rollbackTransaction();
        QCOMPARE(in->bytesAvailable(), 10);
        in->startTransaction();
        QCOMPARE(in->read(4), QByteArray("0123"));
        in->commitTransaction();
        QCOMPARE(in->readAll(), QByteArray("456789"));
    }

    void getCharUngetCharPutChar()
    {
        QVERIFY(out->putChar('q'));
        QVERIFY(arrive(in, 1));
        char c = 0;
        QVERIFY(in->getChar(&c));
        QCOMPARE(c, 'q');
        in->ungetChar(c);
        QCOMPARE(in->bytesAvailable(), 1);
        QCOMPARE(in->readAll(), QByteArray("q"));
        QVERIFY(!in->getChar(&c));
    }

    void readLineAndCanReadLine()
    {
        QCOMPARE(out->write("no newline yet"), 14);
        QVERIFY(arrive(in, 14));
        QVERIFY(!in->canReadLine());
        out->write(" ... now\nsecond\n");
        QVERIFY(waitUntil([&] { return in->canReadLine(); }));
        QCOMPARE(in->readLine(), QByteArray("no newline yet ... now\n"));
        QVERIFY(waitUntil([&] { return in->canReadLine(); }));
        QCOMPARE(in->readLine(), QByteArray("second\n"));
        QVERIFY(!in->canReadLine());
    }

    void finEndsTheReadChannelOnce()
    {
        QSignalSpy finishedReading(in, &QIODevice::readChannelFinished);
        out->write("last words");
        out->closeWrite();
        QVERIFY(waitUntil([&] { return in->isFinished(); }));
        QVERIFY(!in->atEnd());               // data still to read
        QCOMPARE(in->readAll(), QByteArray("last words"));
        QVERIFY(in->atEnd());
        QCOMPARE(in->readAll(), QByteArray());
        waitUntil([] { return false; }, 50);
        QCOMPARE(finishedReading.count(), 1);
        QCOMPARE(in->state(), Stream::State::HalfClosedRemote);
        QVERIFY(in->isOpen());
    }

    void closeIsQIODeviceClose()
    {
        // close(): aboutToClose() once (a slot may still write), then the
        // device is closed; the peer gets everything written and the FIN.
        QSignalSpy aboutToClose(out, &QIODevice::aboutToClose);
        connect(out, &QIODevice::aboutToClose, out, [this] { QCOMPARE(out->write(" + last"), 7); });
        out->write("payload");
        out->close();
        QCOMPARE(aboutToClose.count(), 1);
        QVERIFY(!out->isOpen());
        QCOMPARE(out->openMode(), QIODevice::NotOpen);
        QVERIFY(!out->isWritable());
        QVERIFY(out->atEnd());
        QTest::ignoreMessage(QtWarningMsg, warning("write", "device not open"));
        QCOMPARE(out->write("late"), -1);
        QTest::ignoreMessage(QtWarningMsg, warning("read", "device not open"));
        QCOMPARE(out->read(1), QByteArray());
        out->close();   // again: nothing
        QCOMPARE(aboutToClose.count(), 1);
        QByteArray got;
        QVERIFY(waitUntil([&] { return (got += in->readAll(), in->atEnd()); }));
        QCOMPARE(got, QByteArray("payload + last"));
    }

    void closeDropsUnreadDataAndStopsThePeer()
    {
        // What arrived and was not read is gone with close() (as with
        // QAbstractSocket::close()); the peer is told to stop sending, so
        // its next write fails.
        in->write("unread");
        QVERIFY(arrive(out, 6));
        // More than the stream window: part of it waits unacknowledged.
        in->setSendBufferSize(4 * 1024 * 1024);
        QCOMPARE(in->write(QByteArray(2 * 1024 * 1024, 'x')), 2 * 1024 * 1024);
        QVERIFY(waitUntil([&] { return out->bytesAvailable() > 512 * 1024; }));
        QSignalSpy readyRead(out, &QIODevice::readyRead);
        QSignalSpy peerErrors(in, &Stream::errorOccurred);
        out->close();
        QCOMPARE(out->bytesAvailable(), 0);
        QVERIFY(waitUntil([&] { return !in->isWritable(); }));
        QTest::ignoreMessage(QtWarningMsg, warning("write", "ReadOnly device"));
        QCOMPARE(in->write("more"), -1);
        QVERIFY(waitUntil([&] { return !peerErrors.isEmpty(); }));
        QCOMPARE(peerErrors.first().first().value<Error>().code(), ErrorCode::StreamReset);
        QCOMPARE(readyRead.count(), 0);   // a closed device announces no data
    }

    void closeWriteIsAHalfClose()
    {
        QSignalSpy aboutToClose(out, &QIODevice::aboutToClose);
        out->write("request");
        out->closeWrite();
        QCOMPARE(aboutToClose.count(), 0);
        QVERIFY(out->isOpen());
        QVERIFY(out->isReadable());
        QVERIFY(!out->isWritable());
        QTest::ignoreMessage(QtWarningMsg, warning("write", "ReadOnly device"));
        QCOMPARE(out->write("late"), -1);
        QByteArray request;
        QVERIFY(waitUntil([&] { return (request += in->readAll(), in->atEnd()); }));
        QCOMPARE(request, QByteArray("request"));
        in->write("reply");
        in->close();
        QByteArray reply;
        QVERIFY(waitUntil([&] { return (reply += out->readAll(), out->atEnd()); }));
        QCOMPARE(reply, QByteArray("reply"));
        QVERIFY(waitUntil([&] { return out->state() == Stream::State::Closed; }));
    }

    void abortClosesAndResets()
    {
        QSignalSpy aboutToClose(out, &QIODevice::aboutToClose);
        QSignalSpy peerErrors(in, &Stream::errorOccurred);
        out->write("partial");
        QVERIFY(arrive(in, 7));
        out->abort(9);
        QCOMPARE(aboutToClose.count(), 1);
        QVERIFY(!out->isOpen());
        QVERIFY(waitUntil([&] { return !peerErrors.isEmpty(); }));
        QCOMPARE(in->errorString(), QStringLiteral("the peer reset the stream (code 9)"));
        QCOMPARE(in->readAll(), QByteArray("partial"));   // what arrived stays readable
        QVERIFY(in->atEnd());
    }

    void deletedFromAboutToCloseStillDelivers()
    {
        // close() asked for a graceful end: a slot that deletes the stream
        // on aboutToClose() must not turn it into a reset.
        const QByteArray data = pattern(200000, 4);
        out->setSendBufferSize(data.size());
        QCOMPARE(out->write(data), data.size());
        QPointer<Stream> guard(out);
        connect(out, &QIODevice::aboutToClose, out, [this] { delete out; });
        out->close();
        QVERIFY(!guard);
        out = nullptr;
        QByteArray got;
        QVERIFY(waitUntil([&] { return (got += in->readAll(), in->atEnd()); }));
        QVERIFY(got == data);
        QCOMPARE(in->error(), ErrorCode::NoError);
    }

    void writeAfterTheWriteSideEndedIsRefusedAndSaysSo()
    {
        // The peer stops reading (STOP_SENDING): from the moment write()
        // refuses, isWritable() says false too.
        in->close();
        QVERIFY(waitUntil([&] {
            if (!out->isWritable())
                return true;
            out->write(QByteArray(1000, 'x'));
            return false;
        }));
        QVERIFY(out->isOpen());   // still readable
        QTest::ignoreMessage(QtWarningMsg, warning("write", "ReadOnly device"));
        QCOMPARE(out->write("x"), -1);
    }

    void connectionLossEndsWritesAndSaysSo()
    {
        LoopbackPools own;
        QVERIFY(own.start(1));
        Stream *a = nullptr, *b = nullptr;
        QVERIFY(own.take(&a, &b));
        QPointer<Stream> guard(b);
        b->setParent(nullptr);   // outlives its pool
        own.server->deleteLater();
        QVERIFY(waitUntil([&] { return b->error() != ErrorCode::NoError; }));
        QVERIFY(!b->isWritable());
        QCOMPARE(b->streamId(), -1);
        QTest::ignoreMessage(QtWarningMsg, warning("write", "ReadOnly device"));
        QCOMPARE(b->write("x"), -1);
        delete b;
    }

    void bytesWrittenIsHandedToTheTransport()
    {
        // As QAbstractSocket: bytesWritten() says what left for the
        // network (QUIC put it into packets) and bytesToWrite() what has
        // not yet; bytesAcknowledged() follows as the peer confirms.
        const QByteArray data = pattern(300000, 2);
        QSignalSpy written(out, &QIODevice::bytesWritten);
        QSignalSpy acked(out, &Stream::bytesAcknowledged);
        QCOMPARE(out->write(data), data.size());
        QCOMPARE(out->bytesToWrite(), data.size());   // nothing handed over yet: that is the next turn
        QVERIFY(waitUntil([&] { return out->bytesToWrite() == 0; }));
        auto sum = [](const QSignalSpy &spy) {
            qint64 n = 0;
            for (const auto &args : spy)
                n += args.first().toLongLong();
            return n;
        };
        QVERIFY(waitUntil([&] { return sum(written) == data.size(); }));
        QVERIFY(waitUntil([&] { return sum(acked) == data.size(); }));
        QCOMPARE(out->totalBytesAcknowledged(), data.size());
        QVERIFY(!out->waitForBytesWritten(100));   // nothing left to hand over: false at once
        in->readAll();
    }

    void waitForBytesWrittenWaitsForTheHandOver()
    {
        // The peer does not read: past its window the rest waits unsent.
        out->setSendBufferSize(4 * 1024 * 1024);
        QCOMPARE(out->write(QByteArray(3 * 1024 * 1024, 'w')), 3 * 1024 * 1024);
        QVERIFY(waitUntil([&] { return out->bytesToWrite() < 3 * 1024 * 1024; }));
        waitUntil([] { return false; }, 200);
        const qint64 waiting = out->bytesToWrite();
        QVERIFY(waiting > 0);
        QVERIFY(!out->waitForBytesWritten(200));   // flow control holds it
        in->read(1024 * 1024);                      // room: more goes out
        QVERIFY(out->waitForBytesWritten(5000));
        QVERIFY(out->bytesToWrite() < waiting);
    }

    void waitForReadyReadLikeQAbstractSocket()
    {
        QVERIFY(!in->waitForReadyRead(50));   // nothing comes
        QTimer::singleShot(20, out, [this] { out->write("x"); });
        QVERIFY(in->waitForReadyRead(5000));
        QCOMPARE(in->readAll(), QByteArray("x"));
        out->closeWrite();
        QVERIFY(in->waitForReadyRead(5000));   // the FIN ends the wait too
        QVERIFY(in->atEnd());
        in->close();
        QVERIFY(!in->waitForReadyRead(10));    // a closed device waits for nothing
    }

    void readyReadSlotThatReadsNothingStillHearsMore()
    {
        // tst_qabstractsocket's readyRead rules: a slot need not read all;
        // more data brings another readyRead.
        int calls = 0;
        connect(in, &QIODevice::readyRead, in, [&] { ++calls; });
        out->write("one");
        QVERIFY(waitUntil([&] { return calls >= 1; }));
        out->write("two");
        QVERIFY(waitUntil([&] { return calls >= 2; }));
        QCOMPARE(in->readAll(), QByteArray("onetwo"));
    }
};

QTEST_GUILESS_MAIN(TestStreamDevice)
#include "tst_streamdevice.moc"
