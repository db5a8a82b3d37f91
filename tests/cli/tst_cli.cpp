// The `quicpool` CLI between two processes, over loopback with real TLS:
// the three modes end to end (plain and --json output, exact byte
// figures), broken servers whose replies the client must catch, pin
// mismatch, usage errors, hold mode, and a clean exit on SIGTERM/SIGINT.
// (How the binary is found and run: cliprocess.h.)
#include "cliprocess.h"
#include "closedport.h"
#include "relayfixture.h"

#include <quicpool/quicpool.h>

#include <QtCore/QDir>
#include <QtCore/QElapsedTimer>
#include <QtCore/QFileInfo>
#include <QtCore/QJsonDocument>
#include <QtCore/QJsonObject>
#include <QtCore/QProcess>
#include <QtCore/QRegularExpression>
#include <QtCore/QtEndian>
#include <QtTest/QSignalSpy>
#include <QtTest/QTest>
#include <csignal>
#include <memory>

using namespace quicpool;
using namespace clitest;
using namespace std::chrono_literals;

namespace {

constexpr int kStreams = 20;
constexpr qint64 kBytes = 100000;


QStringList clientArgs(const QString &address, const QString &mode, const QStringList &extra = {})
{
    return QStringList{QStringLiteral("client"),   QStringLiteral("--connect"), address,
                       QStringLiteral("--mode"),   mode,
                       QStringLiteral("--streams"), QString::number(kStreams),
                       QStringLiteral("--parallel"), QStringLiteral("4"),
                       QStringLiteral("--bytes"),   QString::number(kBytes)}
           + extra;
}

/// A deliberately broken server in this process: it takes every stream and
/// answers wrongly in one chosen way.
class BrokenServer : public QObject
{
public:
    enum class Fault { ShortSinkReply, WrongSinkCount, CorruptEcho, ShortSource };

    explicit BrokenServer(Fault fault) : m_fault(fault)
    {
        ServerPoolConfig config;
        config.setListenAddress(QStringLiteral("127.0.0.1:0"));
        config.setMaxCapacity(256);
        m_pool = std::make_unique<ServerPool>(config);
    }

    ~BrokenServer() override { m_pool->close(); }

    bool start()
    {
        if (!m_pool->start())
            return false;
        arm();
        return true;
    }
    QString address() const { return QStringLiteral("127.0.0.1:%1").arg(m_pool->serverPort()); }

private:
    void arm()
    {
        m_pool->incomingGetAsync(60s, this, [this](Stream *stream, const Error &) {
            if (stream)
                serve(stream);
            if (m_pool->isReady())
                arm();
        });
    }

    void serve(Stream *stream)
    {
        auto received = std::make_shared<QByteArray>();
        auto answered = std::make_shared<bool>(false);
        auto onData = [this, stream, received, answered] {
            *received += stream->readAll();
            if (*answered)
                return;
            switch (m_fault) {
            case Fault::CorruptEcho: {
                // Echo with byte 1000 changed, FIN after the client's FIN.
                QByteArray echo = *received;
                received->clear();
                const qint64 start = m_echoed.value(stream);
                if (start <= 1000 && start + echo.size() > 1000)
                    echo[1000 - start] = char(echo[1000 - start] ^ 0x5a);
                m_echoed[stream] = start + echo.size();
                stream->write(echo);
                if (stream->atEnd()) {
                    *answered = true;
                    stream->closeWrite();
                }
                break;
            }
            case Fault::ShortSinkReply:
            case Fault::WrongSinkCount:
                if (!stream->atEnd())
                    return;
                *answered = true;
                if (m_fault == Fault::ShortSinkReply) {
                    stream->write(QByteArray(15, '\0'));   // one byte short of a SinkReply
                } else {
                    QByteArray reply(16, '\0');
                    qToBigEndian<quint64>(quint64(received->size() - 1), reply.data());
                    stream->write(reply);
                }
                stream->closeWrite();
                break;
            case Fault::ShortSource:
                if (received->size() < 8)
                    return;
                *answered = true;
                const quint64 asked = qFromBigEndian<quint64>(received->constData());
                QByteArray data(qsizetype(asked - 10), Qt::Uninitialized);
                for (qsizetype i = 0; i < data.size(); ++i)
                    data[i] = char(i % 251);
                stream->write(data);   // fits the 1 MiB send buffer at the sizes used here
                stream->closeWrite();
                break;
            }
        };
        connect(stream, &QIODevice::readyRead, this, onData);
        connect(stream, &QIODevice::readChannelFinished, this, onData);
        onData();
    }

    Fault m_fault;
    std::unique_ptr<ServerPool> m_pool;
    QHash<Stream *, qint64> m_echoed;
};

} // namespace

class TestCli : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void initTestCase()
    {
        QVERIFY2(QFileInfo(cliPath()).isExecutable(), qPrintable(cliPath() + QStringLiteral(" is not executable")));
    }

    void modes_data()
    {
        QTest::addColumn<QString>("mode");
        for (const char *mode : {"echo", "sink", "source"})
            QTest::newRow(mode) << QString::fromLatin1(mode);
    }

    void modes()
    {
        QFETCH(QString, mode);
        CliServer server;
        QVERIFY2(server.start({QStringLiteral("--mode"), mode, QStringLiteral("--verbose")}), qPrintable(server.log()));

        // Plain output with --verbose: one line per stream on stdout, then the summary.
        const Finished plain = runCli(clientArgs(server.address(), mode, {QStringLiteral("--verbose")}));
        QVERIFY2(plain.exitCode == 0, qPrintable(describe(plain)));
        QStringList lines = linesOf(plain.out);
        QCOMPARE(lines.size(), kStreams + 1);
        for (int i = 0; i < kStreams; ++i) {
            const auto m = okLine().match(lines.at(i));
            QVERIFY2(m.hasMatch(), qPrintable(lines.at(i)));
            QCOMPARE(m.captured(1).toLongLong(), kBytes);   // payload, one direction
        }
        static const QRegularExpression summary(
            QStringLiteral("^streams=20 ok=20 failed=0 bytes=2000000 seconds=\\d+\\.\\d{3} mbps=\\d+\\.\\d{2}$"));
        QVERIFY2(summary.match(lines.last()).hasMatch(), qPrintable(lines.last()));

        // --json: stdout is exactly one JSON object; the stream lines go to stderr.
        const Finished json = runCli(clientArgs(server.address(), mode, {QStringLiteral("--json"), QStringLiteral("--verbose")}));
        QVERIFY2(json.exitCode == 0, qPrintable(describe(json)));
        QJsonParseError parseError;
        const QJsonDocument doc = QJsonDocument::fromJson(json.out.toUtf8(), &parseError);
        QVERIFY2(doc.isObject(), qPrintable(parseError.errorString() + u'\n' + json.out));
        const QJsonObject o = doc.object();
        QCOMPARE(o.keys(), (QStringList{"bytes", "failed", "mbps", "ok", "seconds", "streams"}));
        QCOMPARE(o.value(u"streams").toInt(), kStreams);
        QCOMPARE(o.value(u"ok").toInt(), kStreams);
        QCOMPARE(o.value(u"failed").toInt(), 0);
        QCOMPARE(o.value(u"bytes").toInteger(), kStreams * kBytes);
        const double seconds = o.value(u"seconds").toDouble();
        QVERIFY(seconds > 0 && seconds < 60);
        // mbps as --help defines it: bytes / seconds / 10^6.
        QVERIFY(qAbs(o.value(u"mbps").toDouble() - double(kStreams * kBytes) / 1e6 / seconds) < 1e-6);
        int streamLines = 0;
        for (const QString &line : linesOf(json.err))
            streamLines += okLine().match(line).hasMatch() ? 1 : 0;
        QCOMPARE(streamLines, kStreams);

        // Without --verbose streams that check out print nothing: the
        // summary alone on stdout, nothing at all on stderr.
        const Finished quiet = runCli(clientArgs(server.address(), mode));
        QVERIFY2(quiet.exitCode == 0, qPrintable(describe(quiet)));
        QCOMPARE(linesOf(quiet.out).size(), 1);
        QVERIFY2(summary.match(linesOf(quiet.out).value(0)).hasMatch(), qPrintable(describe(quiet)));
        QVERIFY2(quiet.err.isEmpty(), qPrintable(describe(quiet)));

        QCOMPARE(server.stop(SIGTERM), 0);
        const QString log = server.log();
        QCOMPARE(log.count(QStringLiteral(" done: ")), 3 * kStreams);
        QVERIFY2(!log.contains(QStringLiteral(" failed: ")), qPrintable(log));
        QVERIFY2(log.contains(QStringLiteral("SIGTERM: closing the pool (60 streams served")), qPrintable(log));
    }

    void endedStreamsCloseQuietly_data()
    {
        QTest::addColumn<QString>("mode");
        QTest::addColumn<QByteArray>("request");
        QTest::newRow("echo, no data") << QStringLiteral("echo") << QByteArray();
        QTest::newRow("sink, no data") << QStringLiteral("sink") << QByteArray();
        QTest::newRow("source, no data") << QStringLiteral("source") << QByteArray();
        QTest::newRow("source, 3 of 8 request bytes") << QStringLiteral("source") << QByteArray("\0\0\1", 3);
    }

    void endedStreamsCloseQuietly()
    {
        // What a NodePass client does to its idle pooled streams on exit:
        // FIN, no data (or a request cut short). The server closes them
        // quietly, sends nothing, and carries on serving.
        QFETCH(QString, mode);
        QFETCH(QByteArray, request);
        CliServer server;
        QVERIFY2(server.start({QStringLiteral("--mode"), mode, QStringLiteral("--verbose")}), qPrintable(server.log()));
        ClientPoolConfig config;
        config.setAddress(server.address());
        config.setTlsMode(TlsMode::SelfSigned);
        config.setMinCapacity(2);
        config.setMaxCapacity(2);
        config.setMinInterval(100ms);
        config.setMaxInterval(100ms);
        ClientPool pool(config);
        QVERIFY(pool.start());
        QTRY_VERIFY_WITH_TIMEOUT(!pool.readyIds().isEmpty(), 10000);
        const QString id = pool.readyIds().first();
        Stream *stream = pool.tryOutgoingGet(id);
        QVERIFY(stream);
        if (!request.isEmpty())
            QCOMPARE(stream->write(request), request.size());
        stream->closeWrite();
        QTRY_VERIFY_WITH_TIMEOUT(stream->isFinished(), 10000);
        QCOMPARE(stream->readAll(), QByteArray());
        QCOMPARE(stream->error(), ErrorCode::NoError);
        QTRY_VERIFY_WITH_TIMEOUT(server.readLog().contains(QStringLiteral("stream %1 closed quietly").arg(id)), 5000);
        delete stream;

        const Finished after = runCli({QStringLiteral("client"), QStringLiteral("--connect"), server.address(),
                                       QStringLiteral("--mode"), mode, QStringLiteral("--bytes"), QStringLiteral("5000")});
        QVERIFY2(after.exitCode == 0, qPrintable(describe(after)));
        pool.close();
        QCOMPARE(server.stop(), 0);
        QVERIFY2(!server.log().contains(QStringLiteral(" failed: ")), qPrintable(server.log()));
    }

    void brokenRepliesAreCaught_data()
    {
        QTest::addColumn<int>("fault");
        QTest::addColumn<QString>("mode");
        QTest::addColumn<QString>("why");
        QTest::newRow("sink reply of 15 bytes") << int(BrokenServer::Fault::ShortSinkReply) << QStringLiteral("sink")
                                                << QStringLiteral("the reply was 15 bytes, not 16");
        QTest::newRow("sink count off by one") << int(BrokenServer::Fault::WrongSinkCount) << QStringLiteral("sink")
                                               << QStringLiteral("the server counted 99999 bytes, not the 100000 sent");
        QTest::newRow("echo with a changed byte") << int(BrokenServer::Fault::CorruptEcho) << QStringLiteral("echo")
                                                  << QStringLiteral("1 of 100000 bytes came back changed (first at offset 1000)");
        QTest::newRow("source 10 bytes short") << int(BrokenServer::Fault::ShortSource) << QStringLiteral("source")
                                               << QStringLiteral("received 99990 of 100000 bytes before the stream ended");
    }

    void brokenRepliesAreCaught()
    {
        QFETCH(int, fault);
        QFETCH(QString, mode);
        QFETCH(QString, why);
        BrokenServer server(static_cast<BrokenServer::Fault>(fault));
        QVERIFY(server.start());
        const Finished f = runCli({QStringLiteral("client"), QStringLiteral("--connect"), server.address(),
                                   QStringLiteral("--mode"), mode, QStringLiteral("--streams"), QStringLiteral("3"),
                                   QStringLiteral("--parallel"), QStringLiteral("3"), QStringLiteral("--bytes"),
                                   QString::number(kBytes), QStringLiteral("--timeout"), QStringLiteral("5s")});
        QVERIFY2(f.exitCode == 1, qPrintable(describe(f)));
        const QStringList lines = linesOf(f.out);
        QCOMPARE(lines.size(), 4);
        for (int i = 0; i < 3; ++i) {
            const auto m = failLine().match(lines.at(i));
            QVERIFY2(m.hasMatch(), qPrintable(lines.at(i)));
            QCOMPARE(m.captured(1), why);
        }
        QVERIFY2(lines.last().startsWith(QStringLiteral("streams=3 ok=0 failed=3 bytes=0 ")), qPrintable(lines.last()));
    }

    void pin()
    {
        CliServer server;
        QVERIFY2(server.start({QStringLiteral("--mode"), QStringLiteral("echo")}), qPrintable(server.log()));
        // The right pin passes in TLS mode 1 ...
        const Finished right = runCli({QStringLiteral("client"), QStringLiteral("--connect"), server.address(),
                                       QStringLiteral("--pin"), server.fingerprint(), QStringLiteral("--bytes"),
                                       QStringLiteral("1000")});
        QVERIFY2(right.exitCode == 0, qPrintable(describe(right)));
        // ... a wrong one fails at once (long before the timeout), saying why.
        QString wrong = server.fingerprint();
        wrong.replace(7, 2, wrong.mid(7, 2) == u"00" ? QStringLiteral("11") : QStringLiteral("00"));
        QElapsedTimer clock;
        clock.start();
        const Finished f = runCli({QStringLiteral("client"), QStringLiteral("--connect"), server.address(),
                                   QStringLiteral("--pin"), wrong, QStringLiteral("--streams"), QStringLiteral("5"),
                                   QStringLiteral("--timeout"), QStringLiteral("20s"), QStringLiteral("--json")});
        QVERIFY2(f.exitCode == 1, qPrintable(describe(f)));
        QVERIFY2(clock.elapsed() < 10000, qPrintable(QString::number(clock.elapsed())));
        QVERIFY2(f.err.contains(QStringLiteral("5 of 5 streams not run")) && f.err.contains(QStringLiteral("does not match the pin")),
                 qPrintable(describe(f)));
        const QJsonObject o = QJsonDocument::fromJson(f.out.toUtf8()).object();
        QCOMPARE(o.value(u"streams").toInt(), 5);
        QCOMPARE(o.value(u"ok").toInt(), 0);
        QCOMPARE(o.value(u"failed").toInt(), 5);
        QCOMPARE(server.stop(), 0);
    }

    void holdModeFillsThePoolButRunsTimeOut()
    {
        CliServer server;
        QVERIFY2(server.start({QStringLiteral("--mode"), QStringLiteral("hold")}), qPrintable(server.log()));
        const Finished f = runCli({QStringLiteral("client"), QStringLiteral("--connect"), server.address(),
                                   QStringLiteral("--min-cap"), QStringLiteral("4"), QStringLiteral("--streams"),
                                   QStringLiteral("2"), QStringLiteral("--parallel"), QStringLiteral("2"),
                                   QStringLiteral("--bytes"), QStringLiteral("2MiB"), QStringLiteral("--timeout"),
                                   QStringLiteral("1500ms")});
        QVERIFY2(f.exitCode == 1, qPrintable(describe(f)));
        const QStringList lines = linesOf(f.out);
        QCOMPARE(lines.size(), 3);
        // Each run got a pooled stream (a real ID) and then waited in vain:
        // 2 MiB do not fit the unread stream's 1 MiB window, so the FIN
        // (which would make the server pool drop the stream) never goes.
        for (int i = 0; i < 2; ++i) {
            const auto m = failLine().match(lines.at(i));
            QVERIFY2(m.hasMatch(), qPrintable(lines.at(i)));
            QVERIFY2(m.captured(1).startsWith(QStringLiteral("no progress for 1.5s")), qPrintable(lines.at(i)));
        }
        QVERIFY(lines.last().startsWith(QStringLiteral("streams=2 ok=0 failed=2 ")));
        QCOMPARE(server.stop(SIGINT), 0);
        QVERIFY2(server.log().contains(QStringLiteral("SIGINT: closing the pool (0 streams served")), qPrintable(server.log()));
    }

    void clientInterrupted()
    {
        // SIGINT stops a client whose runs hang: a summary, exit 1.
        CliServer server;
        QVERIFY2(server.start({QStringLiteral("--mode"), QStringLiteral("hold")}), qPrintable(server.log()));
        QProcess client;
        client.start(cliPath(), {QStringLiteral("client"), QStringLiteral("--connect"), server.address(),
                                 QStringLiteral("--streams"), QStringLiteral("3"), QStringLiteral("--parallel"),
                                 QStringLiteral("2"), QStringLiteral("--bytes"), QStringLiteral("2MiB"),
                                 QStringLiteral("--timeout"), QStringLiteral("60s")});
        QVERIFY(client.waitForStarted(5000));
        QSignalSpy done(&client, &QProcess::finished);
        QVERIFY(!done.wait(1500));   // two runs are stuck on the held streams
        ::kill(pid_t(client.processId()), SIGINT);
        QVERIFY(done.wait(5000));
        QCOMPARE(client.exitStatus(), QProcess::NormalExit);
        QCOMPARE(client.exitCode(), 1);
        const QString out = QString::fromUtf8(client.readAllStandardOutput());
        const QString err = QString::fromUtf8(client.readAllStandardError());
        QVERIFY2(out.startsWith(QStringLiteral("streams=3 ok=0 failed=3 bytes=0 seconds=")), qPrintable(out + err));
        // Normally two runs are under way and one is not started; a slow
        // machine may not have started any yet.
        static const QRegularExpression notRun(QStringLiteral("[123] of 3 streams not run: interrupted by SIGINT"));
        QVERIFY2(notRun.match(err).hasMatch(), qPrintable(out + err));
        QCOMPARE(server.stop(), 0);
    }

    void deadServer()
    {
        // Nobody listens: the kernel says so at once (ICMP port
        // unreachable); the client keeps redialing, backing off, until
        // --timeout, then says why it gave up.
        const quint16 port = quicpool::testing::closedUdpPort();
        QElapsedTimer clock;
        clock.start();
        const Finished f = runCli({QStringLiteral("client"), QStringLiteral("--connect"),
                                   QStringLiteral("127.0.0.1:%1").arg(port), QStringLiteral("--streams"),
                                   QStringLiteral("2"), QStringLiteral("--timeout"), QStringLiteral("3s")});
        const qint64 ms = clock.elapsed();
        QVERIFY2(f.exitCode == 1, qPrintable(describe(f)));
        // The whole --timeout, not less (no early exit on the first
        // failed dial) and not the 10 s handshake timeout either.
        // (The CLI counts from its own start, a few ms after ours, and a
        // loaded machine starts it late: a margin below 3 s.)
        QVERIFY2(ms >= 2500 && ms < 6000, qPrintable(QString::number(ms)));
        QVERIFY2(f.err.contains(QStringLiteral("2 of 2 streams not run: no connection after 3s: "
                                               "nothing is listening on 127.0.0.1:%1").arg(port)),
                 qPrintable(describe(f)));
        QVERIFY2(linesOf(f.out).value(0).startsWith(QStringLiteral("streams=2 ok=0 failed=2 ")), qPrintable(describe(f)));
    }

    void lostHandshakeIsRedialedWithinTimeout_data()
    {
        QTest::addColumn<QStringList>("extra");
        QTest::addColumn<int>("atMostMs");
        // Default 10 s handshake timeout: the first dial times out, the
        // second (10.05 s in) passes.
        QTest::newRow("default handshake timeout") << QStringList{} << 25000;
        QTest::newRow("--handshake-timeout 1s")
            << QStringList{QStringLiteral("--handshake-timeout"), QStringLiteral("1s")} << 8000;
    }

    void lostHandshakeIsRedialedWithinTimeout()
    {
        // The relay drops the first 5 datagrams each way: the first
        // handshake cannot finish in time; the client redials and runs.
        QFETCH(QStringList, extra);
        QFETCH(int, atMostMs);
        CliServer server;
        QVERIFY2(server.start({QStringLiteral("--mode"), QStringLiteral("echo")}), qPrintable(server.log()));
        relay::RelayConfig rc = testing::relayTo(server.port());
        rc.dropFirst = 5;
        relay::Relay relay(rc);
        QVERIFY(relay.start());
        QElapsedTimer clock;
        clock.start();
        const Finished f = runCli(QStringList{QStringLiteral("client"), QStringLiteral("--connect"),
                                              QStringLiteral("127.0.0.1:%1").arg(relay.listenPort()),
                                              QStringLiteral("--streams"), QStringLiteral("2"),
                                              QStringLiteral("--timeout"), QStringLiteral("30s"),
                                              QStringLiteral("--verbose")}
                                      + extra,
                                  40000);
        const qint64 ms = clock.elapsed();
        qInfo("ran after a lost handshake in %lld ms", ms);
        QVERIFY2(f.exitCode == 0, qPrintable(describe(f)));
        QVERIFY2(linesOf(f.out).value(2).startsWith(QStringLiteral("streams=2 ok=2 failed=0 ")), qPrintable(describe(f)));
        QVERIFY2(ms < atMostMs, qPrintable(QString::number(ms)));
        const relay::RelayStats st = relay.stats();
        QCOMPARE(st.up.droppedBlackhole, quint64(5));
        QVERIFY(st.clientsSeen >= 2);   // a second dial, from a new port
        QCOMPARE(server.stop(), 0);
    }

    void lostHandshakeUntilTheTimeoutSaysSo()
    {
        // Every datagram is lost: handshakes time out one after another;
        // at --timeout the client gives up with the last cause.
        CliServer server;
        QVERIFY2(server.start({}), qPrintable(server.log()));
        relay::Relay relay(testing::relayTo(server.port()));
        relay.setBlackhole(true);
        QVERIFY(relay.start());
        QElapsedTimer clock;
        clock.start();
        const Finished f = runCli({QStringLiteral("client"), QStringLiteral("--connect"),
                                   QStringLiteral("127.0.0.1:%1").arg(relay.listenPort()), QStringLiteral("--timeout"),
                                   QStringLiteral("3s"), QStringLiteral("--handshake-timeout"), QStringLiteral("1s")});
        const qint64 ms = clock.elapsed();
        QVERIFY2(f.exitCode == 1, qPrintable(describe(f)));
        QVERIFY2(ms >= 2900 && ms < 6000, qPrintable(QString::number(ms)));
        QVERIFY2(f.err.contains(QStringLiteral("1 of 1 streams not run: no connection after 3s: "
                                               "the QUIC handshake did not finish within 1000 ms")),
                 qPrintable(describe(f)));
        QCOMPARE(server.stop(), 0);
    }

    void usageErrors_data()
    {
        QTest::addColumn<QStringList>("args");
        QTest::addColumn<QString>("message");
        QTest::newRow("no command") << QStringList{} << QStringLiteral("No command given");
        QTest::newRow("unknown command") << QStringList{QStringLiteral("serve")} << QStringLiteral("Unknown command");
        QTest::newRow("client without --connect") << QStringList{QStringLiteral("client")}
                                                  << QStringLiteral("needs --connect");
        QTest::newRow("client in hold mode")
            << QStringList{QStringLiteral("client"), QStringLiteral("--connect"), QStringLiteral("127.0.0.1:1"),
                           QStringLiteral("--mode"), QStringLiteral("hold")}
            << QStringLiteral("hold is a server mode");
        QTest::newRow("bad size") << QStringList{QStringLiteral("client"), QStringLiteral("--connect"),
                                                 QStringLiteral("127.0.0.1:1"), QStringLiteral("--bytes"),
                                                 QStringLiteral("1XB")}
                                  << QStringLiteral("--bytes");
        QTest::newRow("bad timeout") << QStringList{QStringLiteral("client"), QStringLiteral("--connect"),
                                                    QStringLiteral("127.0.0.1:1"), QStringLiteral("--timeout"),
                                                    QStringLiteral("5")}
                                     << QStringLiteral("--timeout");
        QTest::newRow("server without --listen") << QStringList{QStringLiteral("server")}
                                                 << QStringLiteral("needs --listen");
        QTest::newRow("server bad mode") << QStringList{QStringLiteral("server"), QStringLiteral("--listen"),
                                                        QStringLiteral(":0"), QStringLiteral("--mode"),
                                                        QStringLiteral("mirror")}
                                         << QStringLiteral("--mode takes");
    }

    void usageErrors()
    {
        QFETCH(QStringList, args);
        QFETCH(QString, message);
        const Finished f = runCli(args, 10000);
        QVERIFY2(f.exitCode == 2, qPrintable(describe(f)));
        QVERIFY2(f.out.isEmpty(), qPrintable(describe(f)));
        QVERIFY2(f.err.contains(message), qPrintable(describe(f)));
    }

    void serverThatCannotListen()
    {
        CliServer first;
        QVERIFY2(first.start({}), qPrintable(first.log()));
        const Finished f = runCli({QStringLiteral("server"), QStringLiteral("--listen"), first.address()}, 10000);
        QVERIFY2(f.exitCode == 1, qPrintable(describe(f)));
        QVERIFY2(f.err.contains(QStringLiteral("cannot start the server on ") + first.address()), qPrintable(describe(f)));
        QCOMPARE(first.stop(), 0);
    }
};

QTEST_GUILESS_MAIN(TestCli)
#include "tst_cli.moc"
