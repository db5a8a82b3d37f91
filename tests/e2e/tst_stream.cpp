// Stream as a QIODevice over real QUIC: backpressure, acknowledgement-driven
// bytesWritten, flow control that follows the reader, FIN, resets and
// connection loss reported with a sentence; IPv6; connection figures; qlog.
#include "poolfixture.h"

#include <QtCore/QDir>
#include <QtCore/QTemporaryDir>
#include <QtTest/QSignalSpy>
#include <QtTest/QTest>

using namespace quicpool;
using namespace quicpool::testing;

class TestStream : public QObject
{
    Q_OBJECT

    std::unique_ptr<ServerPool> server;
    std::unique_ptr<ClientPool> client;

    // A fresh pair of pools and one stream pair between them.
    bool pair(Stream **in, Stream **out, const QString &listen = QStringLiteral("127.0.0.1:0"),
              const QString &host = QStringLiteral("127.0.0.1"))
    {
        client.reset();
        server.reset();
        ServerPoolConfig sc = serverConfig(8);
        sc.listenAddress = listen;
        server = std::make_unique<ServerPool>(sc);
        if (!server->start())
            return false;
        ClientPoolConfig cc = clientConfig(server->serverPort(), 2, 2);
        cc.address = (host.contains(QLatin1Char(':')) ? QStringLiteral("[%1]:%2") : QStringLiteral("%1:%2"))
                         .arg(host).arg(server->serverPort());
        client = std::make_unique<ClientPool>(cc);
        if (!client->start())
            return false;
        Error err;
        *in = server->incomingGet(10000ms, &err);
        if (!*in)
            return false;
        *out = client->outgoingGet((*in)->id(), 10000ms, &err);
        return *out != nullptr;
    }

private Q_SLOTS:
    void initTestCase() { qRegisterMetaType<quicpool::ErrorCode>(); }
    void cleanup()
    {
        client.reset();
        server.reset();
    }

    void boundedSendBufferAndAcknowledgements()
    {
        Stream *in = nullptr, *out = nullptr;
        QVERIFY(pair(&in, &out));
        QVERIFY(out->isSequential());
        out->setSendBufferSize(4000);
        QCOMPARE(out->sendBufferSize(), 4000);
        const QByteArray data = pattern(10000, 3);
        // Only what fits is taken; the rest waits for acknowledgements.
        QCOMPARE(out->write(data), 4000);
        QVERIFY(out->bytesToWrite() > 0);
        QSignalSpy written(out, &QIODevice::bytesWritten);
        QTRY_VERIFY_WITH_TIMEOUT(out->bytesToWrite() == 0, 5000);
        qint64 acked = 0;
        for (const auto &args : written)
            acked += args.first().toLongLong();
        QCOMPARE(acked, 4000);
        QCOMPARE(out->totalBytesAcknowledged(), 4000);
        qint64 sent = 4000;
        while (sent < data.size()) {
            const qint64 n = out->write(data.constData() + sent, data.size() - sent);
            QVERIFY(n >= 0);
            sent += n;
            if (sent < data.size())
                QVERIFY(out->waitForBytesWritten(5000));
        }
        out->close();
        QByteArray got;
        QTRY_VERIFY_WITH_TIMEOUT((got += in->readAll(), in->atEnd()), 5000);
        QVERIFY(got == data);
        QCOMPARE(in->totalBytesReceived(), data.size());
        QVERIFY(in->isFinished());
    }

    void flowControlFollowsTheReader()
    {
        Stream *in = nullptr, *out = nullptr;
        QVERIFY(pair(&in, &out));
        // The receiver does not read: the sender stops at the stream window
        // (1 MiB) with the rest left unacknowledged.
        out->setSendBufferSize(8 * 1024 * 1024);
        const QByteArray data = pattern(4 * 1024 * 1024, 9);
        QCOMPARE(out->write(data), data.size());
        QTRY_VERIFY2_WITH_TIMEOUT(in->bytesAvailable() >= 1024 * 1024 - 1, qPrintable(QString::number(in->bytesAvailable())), 5000);
        QTest::qWait(300);
        QVERIFY2(in->bytesAvailable() < 2 * 1024 * 1024, qPrintable(QString::number(in->bytesAvailable())));
        QVERIFY(out->bytesToWrite() > 1024 * 1024);
        // Reading gives the credit back and the rest flows.
        QByteArray got;
        out->close();
        QTRY_VERIFY_WITH_TIMEOUT((got += in->readAll(), in->atEnd()), 15000);
        QVERIFY(got == data);
    }

    void readLineAcrossChunks()
    {
        Stream *in = nullptr, *out = nullptr;
        QVERIFY(pair(&in, &out));
        out->write("first line\nsecond ");
        QTest::qWait(50);
        out->write("line\nno newline");
        out->close();
        QTRY_VERIFY_WITH_TIMEOUT(in->isFinished(), 5000);
        QVERIFY(in->canReadLine());
        QCOMPARE(in->readLine(), QByteArray("first line\n"));
        QCOMPARE(in->readLine(), QByteArray("second line\n"));
        QVERIFY(!in->canReadLine());
        QCOMPARE(in->readAll(), QByteArray("no newline"));
        QVERIFY(in->atEnd());
    }

    void abortResetsThePeer()
    {
        Stream *in = nullptr, *out = nullptr;
        QVERIFY(pair(&in, &out));
        QSignalSpy errors(in, &Stream::errorOccurred);
        out->write("partial");
        QTRY_VERIFY_WITH_TIMEOUT(in->bytesAvailable() == 7, 5000);
        out->abort(42);
        QTRY_VERIFY_WITH_TIMEOUT(!errors.isEmpty(), 5000);
        QCOMPARE(errors.first().first().value<quicpool::ErrorCode>(), ErrorCode::StreamReset);
        QCOMPARE(in->error(), ErrorCode::StreamReset);
        QVERIFY(!in->errorString().isEmpty());
        QCOMPARE(in->readAll(), QByteArray("partial"));  // what arrived stays readable
        QVERIFY(!out->isOpen());
        QCOMPARE(out->write("more"), -1);
    }

    void connectionLossIsReported()
    {
        Stream *in = nullptr, *out = nullptr;
        QVERIFY(pair(&in, &out));
        QSignalSpy errors(out, &Stream::errorOccurred);
        QSignalSpy finished(out, &Stream::finished);
        server.reset();  // closes its connections: "pool closed"
        QTRY_VERIFY_WITH_TIMEOUT(!errors.isEmpty(), 5000);
        const auto code = errors.first().first().value<quicpool::ErrorCode>();
        QVERIFY(code == ErrorCode::ConnectionClosed || code == ErrorCode::ConnectionLost);
        QVERIFY(!out->errorString().isEmpty());
        QTRY_VERIFY(finished.count() == 1);
        QCOMPARE(out->state(), Stream::State::Closed);
        QCOMPARE(out->write("late"), -1);
    }

    void deleteAfterCloseStillDelivers()
    {
        // close(); deleteLater(); must not lose queued data (the stream
        // lingers inside its connection until acknowledged).
        Stream *in = nullptr, *out = nullptr;
        QVERIFY(pair(&in, &out));
        const QByteArray data = pattern(300000, 5);
        out->setSendBufferSize(data.size());
        QCOMPARE(out->write(data), data.size());
        out->close();
        delete out;
        QByteArray got;
        QTRY_VERIFY2_WITH_TIMEOUT((got += in->readAll(), in->atEnd()),
                                  qPrintable(QStringLiteral("%1 of %2 bytes, state %3").arg(got.size()).arg(data.size()).arg(int(in->state()))),
                                  10000);
        QVERIFY(got == data);
    }

    void ipv6Loopback()
    {
        Stream *in = nullptr, *out = nullptr;
        if (!pair(&in, &out, QStringLiteral("[::1]:0"), QStringLiteral("::1"))) {
            if (server && !server->isReady())
                QSKIP("no IPv6 loopback on this machine");
            QFAIL("pools over ::1 did not pair");
        }
        QCOMPARE(server->serverAddress(), QHostAddress(QHostAddress::LocalHostIPv6));
        out->write("v6");
        out->close();
        QByteArray got;
        QTRY_VERIFY_WITH_TIMEOUT((got += in->readAll(), in->atEnd()), 5000);
        QCOMPARE(got, QByteArray("v6"));
        QCOMPARE(out->peerAddress(), QHostAddress(QHostAddress::LocalHostIPv6));
    }

    void connectionFigures()
    {
        Stream *in = nullptr, *out = nullptr;
        QVERIFY(pair(&in, &out));
        out->write(pattern(200000, 1));
        out->close();
        QByteArray got;
        QTRY_VERIFY_WITH_TIMEOUT((got += in->readAll(), in->atEnd()), 5000);
        const ConnectionInfo info = client->connectionInfo();
        QVERIFY(info.valid);
        QVERIFY(info.stats.smoothedRttUs > 0);
        QVERIFY(info.stats.cwnd > 0);
        QVERIFY(info.stats.bytesSent >= 200000);
        QVERIFY(info.stats.packetsSent > 20);  // 200 kB in packets of up to 8952 bytes
        QVERIFY(info.stats.bytesReceived > 0);
        QCOMPARE(info.peerPort, server->serverPort());
        QCOMPARE(info.cipher.startsWith(QStringLiteral("TLS_")), true);
        // The atomic snapshot catches up within its period.
        QTRY_VERIFY_WITH_TIMEOUT(client->stats().bytesSent >= 200000, 2000);
        QVERIFY(server->connectionInfo().localCertificate == server->certificate());
    }

    void qlogOnlyWhenAsked()
    {
        QTemporaryDir dir;
        ServerPool s(serverConfig(4));
        QVERIFY(s.start());
        ClientPoolConfig cc = clientConfig(s.serverPort(), 1, 1);
        cc.qlogDirectory = dir.path();
        ClientPool c(cc);
        QTest::ignoreMessage(QtWarningMsg, QRegularExpression(QStringLiteral("qlog is on")));
        QVERIFY(c.start());
        QTRY_COMPARE_WITH_TIMEOUT(c.active(), 1, 10000);
        const QStringList files = QDir(dir.path()).entryList({QStringLiteral("*.sqlog")});
        QCOMPARE(files.size(), 1);
        QFile f(QDir(dir.path()).filePath(files.first()));
        QVERIFY(f.open(QIODevice::ReadOnly));
        const QByteArray head = f.read(200);
        QVERIFY(head.startsWith('\x1e'));  // JSON-SEQ record separator
        QVERIFY(head.contains("qlog_version"));
    }
};

QTEST_GUILESS_MAIN(TestStream)
#include "tst_stream.moc"
