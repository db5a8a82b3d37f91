// Stream as a QIODevice over real QUIC: backpressure (room frees as the
// peer acknowledges), flow control that follows the reader, FIN, resets and
// connection loss reported with a sentence; IPv6; connection figures; qlog.
// The QIODevice contract itself: tst_streamdevice.
#include "poolfixture.h"

#include <QtCore/QDir>
#include <QtCore/QFileInfo>
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

    // A fresh pair of pools and n stream pairs between them (one connection).
    bool pairs(int n, QList<Stream *> *in, QList<Stream *> *out,
               const QString &listen = QStringLiteral("127.0.0.1:0"), const QString &host = QStringLiteral("127.0.0.1"))
    {
        client.reset();
        server.reset();
        ServerPoolConfig sc = serverConfig(std::max(n, 8));
        sc.setListenAddress(listen);
        server = std::make_unique<ServerPool>(sc);
        if (!server->start())
            return false;
        ClientPoolConfig cc = clientConfig(server->serverPort(), std::max(n, 2), std::max(n, 2));
        cc.setAddress((host.contains(QLatin1Char(':')) ? QStringLiteral("[%1]:%2") : QStringLiteral("%1:%2"))
                         .arg(host).arg(server->serverPort()));
        client = std::make_unique<ClientPool>(cc);
        if (!client->start())
            return false;
        for (int i = 0; i < n; ++i) {
            Error err;
            Stream *s = server->incomingGet(10000ms, &err);
            if (!s)
                return false;
            Stream *c = client->outgoingGet(s->id(), 10000ms, &err);
            if (!c)
                return false;
            in->append(s);
            out->append(c);
        }
        return true;
    }

    bool pair(Stream **in, Stream **out, const QString &listen = QStringLiteral("127.0.0.1:0"),
              const QString &host = QStringLiteral("127.0.0.1"))
    {
        QList<Stream *> ins, outs;
        if (!pairs(1, &ins, &outs, listen, host))
            return false;
        *in = ins.first();
        *out = outs.first();
        return true;
    }

    // One turn of a sender that writes `data` then closes, and of the reader
    // at the other end; true once the reader has seen FIN.
    struct Transfer
    {
        Stream *in;
        Stream *out;
        QByteArray data;
        qint64 sent = 0;
        QByteArray got;
        bool step(bool read = true)
        {
            if (sent < data.size()) {
                const qint64 n = out->write(data.constData() + sent, data.size() - sent);
                if (n > 0)
                    sent += n;
                if (sent == data.size())
                    out->close();
            }
            if (read)
                got += in->readAll();
            return in->atEnd();
        }
    };

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
        QCOMPARE(out->write(data.constData() + 4000, 100), 0);   // full until acknowledged
        QVERIFY(out->bytesToWrite() > 0);
        QSignalSpy acknowledged(out, &Stream::bytesAcknowledged);
        QTRY_COMPARE_WITH_TIMEOUT(out->totalBytesAcknowledged(), 4000, 5000);
        qint64 acked = 0;
        for (const auto &args : acknowledged)
            acked += args.first().toLongLong();
        QCOMPARE(acked, 4000);
        QCOMPARE(out->bytesToWrite(), 0);
        qint64 sent = 4000;
        while (sent < data.size()) {
            const qint64 n = out->write(data.constData() + sent, data.size() - sent);
            QVERIFY(n > 0);
            sent += n;
            if (sent < data.size())
                QTRY_COMPARE_WITH_TIMEOUT(out->totalBytesAcknowledged(), sent, 5000);   // room again
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

    void sendingStreamsShareTheBuffer()
    {
        // Busy streams of one connection divide their send buffering among
        // themselves. The receivers do not read, so past the 1 MiB stream
        // window what is written stays unacknowledged.
        QList<Stream *> in, out;
        QVERIFY(pairs(3, &in, &out));
        constexpr qint64 MiB = 1024 * 1024;
        QList<Transfer> t;
        for (int i = 0; i < 3; ++i) {
            out[i]->setSendBufferSize(4 * MiB);
            t.append(Transfer{in[i], out[i], pattern(int(6 * MiB), 30 + i), 0, {}});
        }
        // A stream with nothing pending takes its whole limit, busy others or not.
        for (int i = 0; i < 3; ++i) {
            t[i].sent = out[i]->write(t[i].data);
            QCOMPARE(t[i].sent, 4 * MiB);
        }
        // Each gets about its first MiB (the window, less the pool's hello)
        // acknowledged and holds about 3 MiB: 1 MiB under its own limit,
        // but over a third of it, so it takes nothing more.
        for (int i = 0; i < 3; ++i)
            QTRY_VERIFY_WITH_TIMEOUT(out[i]->bytesToWrite() <= 3 * MiB + 1, 10000);
        QCOMPARE(out[0]->write(t[0].data.constData() + t[0].sent, MiB), 0);
        QCOMPARE(out[0]->sendBufferSize(), 4 * MiB);   // the setting itself is unchanged

        // Streams 1 and 2 finish (their readers read); stream 0, alone
        // busy, may fill its own limit again.
        QTRY_VERIFY_WITH_TIMEOUT((t[1].step() & t[2].step()), 20000);
        QVERIFY(t[1].got == t[1].data);
        QVERIFY(t[2].got == t[2].data);
        QCOMPARE(out[0]->write(t[0].data.constData() + t[0].sent, MiB / 2), MiB / 2);
        t[0].sent += MiB / 2;
        QTRY_VERIFY_WITH_TIMEOUT(t[0].step(), 20000);
        QVERIFY(t[0].got == t[0].data);
    }

    void eightStreamsSendingAtOnceLoseNothing()
    {
        // Default buffers, eight busy streams on one connection: shares
        // shrink and grow as streams start and finish; nothing stalls.
        QList<Stream *> in, out;
        QVERIFY(pairs(8, &in, &out));
        QList<Transfer> t;
        for (int i = 0; i < 8; ++i)
            t.append(Transfer{in[i], out[i], pattern(int(3 * 1024 * 1024 + i * 77777), 50 + i), 0, {}});
        auto allDone = [&] {
            bool done = true;
            for (Transfer &x : t)
                done = x.step() && done;
            return done;
        };
        QTRY_VERIFY_WITH_TIMEOUT(allDone(), 60000);
        for (const Transfer &x : t) {
            QVERIFY(x.got == x.data);
            QCOMPARE(x.out->bytesToWrite(), 0);
        }
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

    void readLineOverManyReceiveChunks()
    {
        // 2 MB of lines: received into 64 KiB chunks that are recycled as
        // they are read out, whether by readLine() or read().
        Stream *in = nullptr, *out = nullptr;
        QVERIFY(pair(&in, &out));
        QByteArray text;
        for (int i = 0; text.size() < 2000000; ++i)
            text += "line " + QByteArray::number(i) + ' ' + QByteArray(i % 97, char('a' + i % 26)) + '\n';
        Transfer t{in, out, text, 0, {}};
        int lines = 0;
        QTRY_VERIFY_WITH_TIMEOUT(([&] {
                                     const bool fin = t.step(false);
                                     while (in->canReadLine()) {
                                         t.got += in->readLine();
                                         ++lines;
                                     }
                                     if (lines % 2)   // some chunks drained by read() as well
                                         t.got += in->read(100);
                                     return fin && in->bytesAvailable() == 0;
                                 }()),
                                 20000);
        QVERIFY(t.got == text);
        QVERIFY(lines > 1000);
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
        QCOMPARE(errors.first().first().value<quicpool::Error>().code(), ErrorCode::StreamReset);
        QCOMPARE(in->error(), ErrorCode::StreamReset);
        // The precise sentence, with the peer's code, everywhere it is asked for.
        QCOMPARE(in->errorString(), QStringLiteral("the peer reset the stream (code 42)"));
        QCOMPARE(in->lastError().message(), in->errorString());
        QCOMPARE(errors.first().first().value<quicpool::Error>().message(), in->errorString());
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
        const auto code = errors.first().first().value<quicpool::Error>().code();
        QVERIFY(code == ErrorCode::ConnectionClosed || code == ErrorCode::ConnectionLost);
        // The connection's own reason, not a generic sentence for the code.
        QVERIFY2(out->errorString().contains(QStringLiteral("pool closed")), qPrintable(out->errorString()));
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
        QVERIFY(info.isValid());
        QVERIFY(info.stats().smoothedRttUs() > 0);
        QVERIFY(info.stats().congestionWindow() > 0);
        QVERIFY(info.stats().bytesSent() >= 200000);
        QVERIFY(info.stats().packetsSent() > 20);  // 200 kB in packets of up to 8952 bytes
        QVERIFY(info.stats().bytesReceived() > 0);
        QCOMPARE(info.peerPort(), server->serverPort());
        QCOMPARE(info.cipher().startsWith(QStringLiteral("TLS_")), true);
        // The atomic snapshot catches up within its period.
        QTRY_VERIFY_WITH_TIMEOUT(client->stats().bytesSent() >= 200000, 2000);
        QVERIFY(server->connectionInfo().localCertificate() == server->certificate());
    }

    void qlogOnlyWhenAsked()
    {
        QTemporaryDir dir;
        ServerPool s(serverConfig(4));
        QVERIFY(s.start());
        ClientPoolConfig cc = clientConfig(s.serverPort(), 1, 1);
        cc.setQlogDirectory(dir.path());
        ClientPool c(cc);
        // ngtcp2 1.22.1 fixed the qlog overflow 1.11 had: no warning any more.
        QTest::failOnWarning(QRegularExpression(QStringLiteral(".")));
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

    void qlogFolderMadeAtStart()
    {
        // A folder that does not exist yet is made by start(), as quic-go
        // makes its QLOGDIR, and both ends write their file into it.
        QTemporaryDir dir;
        const QString serverDir = dir.filePath(QStringLiteral("server/qlog"));
        const QString clientDir = dir.filePath(QStringLiteral("client/a/b"));
        ServerPoolConfig sc = serverConfig(4);
        sc.setQlogDirectory(serverDir);
        ServerPool s(sc);
        QVERIFY2(s.start(), qPrintable(s.lastError().toString()));
        QVERIFY(QFileInfo(serverDir).isDir());
        ClientPoolConfig cc = clientConfig(s.serverPort(), 1, 1);
        cc.setQlogDirectory(clientDir);
        ClientPool c(cc);
        QVERIFY2(c.start(), qPrintable(c.lastError().toString()));
        QVERIFY(QFileInfo(clientDir).isDir());
        QTRY_COMPARE_WITH_TIMEOUT(c.active(), 1, 10000);
        const QStringList qlog{QStringLiteral("*.sqlog")};
        QCOMPARE(QDir(clientDir).entryList(qlog, QDir::Files).size(), 1);
        QTRY_COMPARE_WITH_TIMEOUT(QDir(serverDir).entryList(qlog, QDir::Files).size(), 1, 5000);
        // The probe that proved the folder writable is gone.
        QCOMPARE(QDir(clientDir).entryList(QDir::Files | QDir::Hidden).size(), 1);
    }

    void qlogFolderThatCannotBeHadFailsStart_data()
    {
        QTest::addColumn<QString>("folder");
        QTest::addColumn<QString>("sentence");
        QTest::newRow("under a file") << QStringLiteral("FILE/qlog")
                                      << QStringLiteral("The qlog folder FILE/qlog cannot be made: FILE is a file, "
                                                        "not a folder.");
        QTest::newRow("a file") << QStringLiteral("FILE") << QStringLiteral("The qlog folder FILE is a file, not a folder.");
        // No one may make folders in /proc, root included: the check lets
        // root by (its permissions say yes), start() then fails to make it.
        QTest::newRow("in /proc") << QStringLiteral("/proc/quicpool-qlog-test")
                                  << QStringLiteral("The qlog folder /proc/quicpool-qlog-test ");
    }

    void qlogFolderThatCannotBeHadFailsStart()
    {
        // Never a silent run without qlog: start() refuses with a sentence.
        QFETCH(QString, folder);
        QFETCH(QString, sentence);
        QTemporaryDir dir;
        const QString file = dir.filePath(QStringLiteral("plain"));
        {
            QFile f(file);
            QVERIFY(f.open(QIODevice::WriteOnly));
        }
        folder.replace(QStringLiteral("FILE"), file);
        sentence.replace(QStringLiteral("FILE"), file);
        ServerPoolConfig sc = serverConfig(4);
        sc.setQlogDirectory(folder);
        ServerPool s(sc);
        QVERIFY(!s.start());
        QCOMPARE(s.lastError().code(), ErrorCode::QlogError);
        QVERIFY2(s.lastError().message().startsWith(sentence), qPrintable(s.lastError().message()));
        QCOMPARE(s.serverPort(), quint16(0));   // nothing was bound
        ClientPoolConfig cc = clientConfig(9, 1, 1);
        cc.setQlogDirectory(folder);
        ClientPool c(cc);
        QVERIFY(!c.start());
        QCOMPARE(c.lastError().code(), ErrorCode::QlogError);
        QCOMPARE(c.lastError(), s.lastError());
        QVERIFY(!QFileInfo::exists(QStringLiteral("/proc/quicpool-qlog-test")));
    }
};

QTEST_GUILESS_MAIN(TestStream)
#include "tst_stream.moc"
