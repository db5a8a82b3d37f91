// A server killed without a word (SIGKILL: no CONNECTION_CLOSE) and started
// again on the same port: with the same reset secret its stateless resets
// are believed and the client redials within a round trip or two; with
// another secret the client cannot tell them from forgeries and keeps
// waiting (the idle timeout). The servers are this program run again as a
// child process, so the kill is real.
#include "poolfixture.h"
#include "testpki.h"

#include <QtCore/QCoreApplication>
#include <QtCore/QElapsedTimer>
#include <QtCore/QProcess>
#include <QtCore/QTemporaryDir>
#include <QtCore/QTimer>
#include <QtTest/QSignalSpy>
#include <QtTest/QTest>
#include <cstdio>

using namespace quicpool;
using namespace quicpool::testing;

namespace {

constexpr char kChildFlag[] = "--child-server";

/// The child: a server pool on 127.0.0.1:port with "key:HEX" (a configured
/// reset key) or "pem:CERTFILE:KEYFILE" (a certificate, no reset key).
int runChildServer(int argc, char **argv)
{
    QCoreApplication app(argc, argv);
    const QStringList args = app.arguments();
    ServerPoolConfig sc = serverConfig(8);
    sc.setListenAddress(QStringLiteral("127.0.0.1:%1").arg(args.value(2)));
    const QString secret = args.value(3);
    if (secret.startsWith(QLatin1String("key:"))) {
        sc.setStatelessResetKey(QByteArray::fromHex(secret.mid(4).toLatin1()));
    } else if (secret.startsWith(QLatin1String("pem:"))) {
        const QStringList files = secret.mid(4).split(u'|');
        sc.setCertificateFile(files.value(0));
        sc.setPrivateKeyFile(files.value(1));
    }
    ServerPool server(sc);
    if (!server.start()) {
        std::fprintf(stderr, "child: %s\n", qPrintable(server.lastError().toString()));
        return 1;
    }
    std::printf("ready %u\n", unsigned(server.serverPort()));
    std::fflush(stdout);
    return app.exec();
}

} // namespace

class TestServerRestart : public QObject
{
    Q_OBJECT

    QTemporaryDir m_dir;
    PemPair m_pair;

    /// Starts a child server; its port, or 0 with a failed test.
    quint16 startChild(QProcess &p, quint16 port, const QString &secret)
    {
        p.setProcessChannelMode(QProcess::ForwardedErrorChannel);
        p.start(QCoreApplication::applicationFilePath(),
                {QString::fromLatin1(kChildFlag), QString::number(port), secret});
        if (!p.waitForStarted(5000))
            return 0;
        QElapsedTimer t;
        t.start();
        while (!p.canReadLine() && t.elapsed() < 10000)
            p.waitForReadyRead(100);
        const QByteArray line = p.readLine().trimmed();
        if (!line.startsWith("ready "))
            return 0;
        return quint16(line.mid(6).toUInt());
    }

    /// Runs a client against a child, kills the child and restarts it on
    /// the same port with secret2; how long (ms) the client took after the
    /// restart to be connected again, or -1 if not within waitMs. An idle
    /// client (keepAlive set) sends nothing but its keep-alives.
    qint64 recoveryAfterRestart(const QString &secret1, const QString &secret2, int waitMs, QString *why,
                                std::chrono::milliseconds idleKeepAlive = {})
    {
        QProcess first, second;
        const quint16 port = startChild(first, 0, secret1);
        if (!port) {
            *why = QStringLiteral("the first server did not start");
            return -2;
        }
        ClientPoolConfig cc = clientConfig(port, 1, 1);
        const bool idle = idleKeepAlive.count() > 0;
        if (idle)
            cc.setKeepAlive(idleKeepAlive);
        ClientPool client(cc);
        QSignalSpy connectedSpy(&client, &Pool::connected);
        QSignalSpy lostSpy(&client, &Pool::disconnected);
        client.start();
        Stream *taken = nullptr;
        client.outgoingGetAsync(QStringLiteral("00000000"), 10000ms, this,
                                [&](Stream *s, const Error &) { taken = s; });
        if (!QTest::qWaitFor([&] { return taken != nullptr; }, 10000)) {
            *why = QStringLiteral("the client never got its stream");
            return -2;
        }
        // Traffic as an application makes it: the client keeps sending, so
        // whoever answers on the port hears from this connection soon.
        QPointer<Stream> stream(taken);
        QTimer writer;
        connect(&writer, &QTimer::timeout, this, [&] {
            if (stream && stream->isWritable())
                stream->write(QByteArray(200, 'x'));
        });
        if (!idle)
            writer.start(50);
        QTest::qWait(200);

        first.kill();  // SIGKILL: the old connection just goes silent
        first.waitForFinished(5000);
        if (startChild(second, port, secret2) != port) {
            *why = QStringLiteral("the second server did not start on port %1").arg(port);
            return -2;
        }
        QElapsedTimer sinceRestart;
        sinceRestart.start();
        const bool back = QTest::qWaitFor([&] { return connectedSpy.count() >= 2; }, waitMs);
        const qint64 took = sinceRestart.elapsed();
        writer.stop();
        if (back && lostSpy.count() > 0)
            *why = lostSpy.constFirst().constFirst().value<Error>().toString();
        client.close();
        second.kill();
        second.waitForFinished(5000);
        return back ? took : -1;
    }

private Q_SLOTS:
    void initTestCase()
    {
        qRegisterMetaType<quicpool::Error>();
        QVERIFY(m_dir.isValid());
        m_pair = writeSelfSigned(m_dir.path());
        QVERIFY(m_pair.isValid());
    }

    void sameConfiguredKeyResetsAndClientRedials()
    {
        const QString key = QStringLiteral("key:") + QString::fromLatin1(QByteArray(32, 'k').toHex());
        QString why;
        const qint64 ms = recoveryAfterRestart(key, key, 5000, &why);
        QVERIFY2(ms >= 0, qPrintable(why));
        qInfo("configured key: client connected again %lld ms after the restart (%s)", ms, qPrintable(why));
        QVERIFY2(why.contains(QLatin1String("stateless reset")), qPrintable(why));
        QVERIFY2(ms < 2000, qPrintable(QString::number(ms)));
    }

    void samePrivateKeyAndAddressResetAndClientRedials()
    {
        // No reset key configured: the secret comes from the certificate's
        // private key and the listen address, both the same after a restart.
        const QString pem = QStringLiteral("pem:%1|%2").arg(m_pair.certificateFile, m_pair.privateKeyFile);
        QString why;
        const qint64 ms = recoveryAfterRestart(pem, pem, 5000, &why);
        QVERIFY2(ms >= 0, qPrintable(why));
        qInfo("private key: client connected again %lld ms after the restart (%s)", ms, qPrintable(why));
        QVERIFY2(why.contains(QLatin1String("stateless reset")), qPrintable(why));
        QVERIFY2(ms < 2000, qPrintable(QString::number(ms)));
    }

    void anIdleClientNoticesWithinAKeepAlive()
    {
        // Nothing to send but keep-alives: those, and the probes that follow
        // one nobody acknowledges, are the smallest packets a connection
        // sends (about 30 bytes here). Under the byte budget a few of them
        // together pay for a reset; they used to get none at all, and an
        // idle pool sat on a dead connection until its idle timeout
        // (3 x keepAlive).
        const QString key = QStringLiteral("key:") + QString::fromLatin1(QByteArray(32, 'i').toHex());
        QString why;
        const qint64 ms = recoveryAfterRestart(key, key, 6000, &why, 1000ms);
        QVERIFY2(ms >= 0, qPrintable(why.isEmpty() ? QStringLiteral("not back within 6 s") : why));
        qInfo("idle client, keep-alive 1 s: connected again %lld ms after the restart (%s)", ms, qPrintable(why));
        QVERIFY2(why.contains(QLatin1String("stateless reset")), qPrintable(why));
        QVERIFY2(ms < 2500, qPrintable(QString::number(ms)));
    }

    void anotherSecretIsNotBelieved()
    {
        // What every restart looked like with a random secret per run: the
        // new server's resets fail the token check and are ignored.
        const QString a = QStringLiteral("key:") + QString::fromLatin1(QByteArray(32, 'a').toHex());
        const QString b = QStringLiteral("key:") + QString::fromLatin1(QByteArray(32, 'b').toHex());
        QString why;
        const qint64 ms = recoveryAfterRestart(a, b, 4000, &why);
        QVERIFY2(ms != -2, qPrintable(why));
        QCOMPARE(ms, qint64(-1));
    }
};

int main(int argc, char **argv)
{
    if (argc >= 4 && qstrcmp(argv[1], kChildFlag) == 0)
        return runChildServer(argc, argv);
    QCoreApplication app(argc, argv);
    TestServerRestart test;
    return QTest::qExec(&test, argc, argv);
}

#include "tst_serverrestart.moc"
