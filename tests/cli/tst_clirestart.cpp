// `quicpool server` killed with SIGKILL mid-run and started again on the
// same port, with default settings: its reset key, kept on disk the first
// time, is the same, so the running client's connection is reset and it
// redials at once. Given another key (--reset-key), it is not believed.
#include <QtCore/QDir>
#include <QtCore/QElapsedTimer>
#include <QtCore/QFile>
#include <QtCore/QProcess>
#include <QtCore/QTemporaryDir>
#include <QtNetwork/QUdpSocket>
#include <QtTest/QTest>

class TestCliRestart : public QObject
{
    Q_OBJECT

    QString m_cli = qEnvironmentVariable("QUICPOOL_CLI");
    QTemporaryDir m_dir;

    static quint16 freePort()
    {
        QUdpSocket s;
        s.bind(QHostAddress::LocalHost, 0);
        return s.localPort();
    }

    QProcessEnvironment env() const
    {
        QProcessEnvironment e = QProcessEnvironment::systemEnvironment();
        e.insert(QStringLiteral("XDG_STATE_HOME"), m_dir.path() + QStringLiteral("/state"));
        return e;
    }

    /// Starts a server; true once it says it listens.
    bool startServer(QProcess &p, quint16 port, const QStringList &extra = {})
    {
        p.setProcessEnvironment(env());
        p.start(m_cli, QStringList{QStringLiteral("server"), QStringLiteral("--listen"),
                                   QStringLiteral("127.0.0.1:%1").arg(port), QStringLiteral("--verbose")}
                           + extra);
        QElapsedTimer t;
        t.start();
        while (t.elapsed() < 10000) {
            p.waitForReadyRead(50);
            if (p.readAllStandardError().contains("listening on"))
                return true;
            if (p.state() == QProcess::NotRunning)
                return false;
        }
        return false;
    }

    /// ms from the second server's start until a client connects to it, -1 if not within waitMs.
    qint64 recovery(const QStringList &firstArgs, const QStringList &secondArgs, int waitMs)
    {
        const quint16 port = freePort();
        QProcess first, second, client;
        if (!startServer(first, port, firstArgs))
            return -2;
        client.setProcessEnvironment(env());
        client.start(m_cli, {QStringLiteral("client"), QStringLiteral("--connect"),
                             QStringLiteral("127.0.0.1:%1").arg(port), QStringLiteral("--streams"),
                             QStringLiteral("100000"), QStringLiteral("--parallel"), QStringLiteral("2"),
                             QStringLiteral("--bytes"), QStringLiteral("256KiB"), QStringLiteral("--timeout"),
                             QStringLiteral("60s")});
        if (!client.waitForStarted(5000))
            return -2;
        QTest::qWait(1000);   // mid-run
        first.kill();         // SIGKILL
        first.waitForFinished(5000);
        QElapsedTimer sinceRestart;
        sinceRestart.start();
        if (!startServer(second, port, secondArgs))
            return -2;
        qint64 took = -1;
        QByteArray err;
        while (sinceRestart.elapsed() < waitMs) {
            second.waitForReadyRead(10);
            err += second.readAllStandardError();
            if (err.contains(" connected")) {
                took = sinceRestart.elapsed();
                break;
            }
        }
        client.kill();
        second.kill();
        client.waitForFinished(5000);
        second.waitForFinished(5000);
        return took;
    }

private Q_SLOTS:
    void initTestCase()
    {
        QVERIFY2(QFile::exists(m_cli), "QUICPOOL_CLI names no quicpool program");
        QVERIFY(m_dir.isValid());
    }

    void defaultServerRestartIsNoticedWithinTwoSeconds()
    {
        const qint64 ms = recovery({}, {}, 10000);
        QVERIFY2(ms != -2, "a process did not start");
        qInfo("kill -9 and restart: the client connected again %lld ms after the restart began", ms);
        QVERIFY2(ms >= 0 && ms < 2000, qPrintable(QString::number(ms)));
        // The key was made once, private to its owner.
        QDir keys(m_dir.path() + QStringLiteral("/state/quicpool"));
        const QFileInfoList files = keys.entryInfoList({QStringLiteral("reset-*.key")}, QDir::Files);
        QVERIFY(!files.isEmpty());
        QCOMPARE(files.constFirst().size(), qint64(32));
        QCOMPARE(int(files.constFirst().permissions() & (QFileDevice::ReadGroup | QFileDevice::ReadOther)), 0);
    }

    void anotherResetKeyIsNotBelieved()
    {
        const QString a = m_dir.path() + QStringLiteral("/a.key"), b = m_dir.path() + QStringLiteral("/b.key");
        for (const auto &[path, fill] : {std::pair{a, 'a'}, std::pair{b, 'b'}}) {
            QFile f(path);
            QVERIFY(f.open(QIODevice::WriteOnly));
            f.write(QByteArray(32, fill));
        }
        const qint64 ms = recovery({QStringLiteral("--reset-key"), a}, {QStringLiteral("--reset-key"), b}, 4000);
        QVERIFY2(ms != -2, "a process did not start");
        QCOMPARE(ms, qint64(-1));
    }

    void unreadableResetKeyIsAClearError()
    {
        QProcess p;
        p.setProcessEnvironment(env());
        const QString missing = m_dir.path() + QStringLiteral("/missing.key");
        p.start(m_cli, {QStringLiteral("server"), QStringLiteral("--listen"), QStringLiteral("127.0.0.1:0"),
                        QStringLiteral("--reset-key"), missing});
        QVERIFY(p.waitForFinished(10000));
        QCOMPARE(p.exitCode(), 1);
        const QString err = QString::fromUtf8(p.readAllStandardError());
        QVERIFY2(err.contains(QStringLiteral("cannot read the reset key file ") + missing), qPrintable(err));

        const QString shortKey = m_dir.path() + QStringLiteral("/short.key");
        QFile f(shortKey);
        QVERIFY(f.open(QIODevice::WriteOnly));
        f.write("too short");
        f.close();
        p.start(m_cli, {QStringLiteral("server"), QStringLiteral("--listen"), QStringLiteral("127.0.0.1:0"),
                        QStringLiteral("--reset-key"), shortKey});
        QVERIFY(p.waitForFinished(10000));
        QCOMPARE(p.exitCode(), 1);
        QVERIFY(QString::fromUtf8(p.readAllStandardError()).contains(QStringLiteral("holds 9 bytes; it needs 32")));
    }
};

QTEST_GUILESS_MAIN(TestCliRestart)
#include "tst_clirestart.moc"
