// `quicpool server` killed with SIGKILL mid-run and started again on the
// same port, with default settings: its reset key, kept on disk the first
// time (one file per user, mixed with the address as bound), is the same,
// so the running client's connection is reset and it redials at once; also
// when the first run asked for port 0 and the second for the port it
// printed. Given another key (--reset-key), it is not believed.
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

    /// Starts a server; true once it says it listens (*printed: the port it says).
    bool startServer(QProcess &p, quint16 port, const QStringList &extra = {}, quint16 *printed = nullptr)
    {
        p.setProcessEnvironment(env());
        p.start(m_cli, QStringList{QStringLiteral("server"), QStringLiteral("--listen"),
                                   QStringLiteral("127.0.0.1:%1").arg(port), QStringLiteral("--verbose")}
                           + extra);
        QElapsedTimer t;
        t.start();
        QByteArray err;
        while (t.elapsed() < 10000) {
            p.waitForReadyRead(50);
            err += p.readAllStandardError();
            if (const qsizetype at = err.indexOf("listening on 127.0.0.1:"); at >= 0 && err.indexOf(' ', at + 23) > 0) {
                const qsizetype from = at + 23;
                if (printed)
                    *printed = quint16(err.mid(from, err.indexOf(' ', from) - from).toUInt());
                return true;
            }
            if (p.state() == QProcess::NotRunning)
                return false;
        }
        return false;
    }

    /// ms from the second server's start until a client connects to it, -1
    /// if not within waitMs. The first server asks for port 0 when
    /// firstOnPortZero, the second for the port the first printed.
    qint64 recovery(const QStringList &firstArgs, const QStringList &secondArgs, int waitMs, bool firstOnPortZero = false)
    {
        quint16 port = firstOnPortZero ? 0 : freePort();
        QProcess first, second, client;
        if (!startServer(first, port, firstArgs, &port) || port == 0)
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

    /// The state folder holds one key: reset.key, 32 bytes, private to its owner.
    void checkOneKeyFile()
    {
        QDir keys(m_dir.path() + QStringLiteral("/state/quicpool"));
        const QFileInfoList files = keys.entryInfoList(QDir::Files | QDir::NoDotAndDotDot);
        QCOMPARE(files.size(), 1);
        QCOMPARE(files.constFirst().fileName(), QStringLiteral("reset.key"));
        QCOMPARE(files.constFirst().size(), qint64(32));
        QCOMPARE(int(files.constFirst().permissions() & (QFileDevice::ReadGroup | QFileDevice::ReadOther)), 0);
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
        checkOneKeyFile();
    }

    void portZeroThenThePrintedPortKeepsTheSecret()
    {
        // The port a server got for port 0 is where it is restarted; the
        // secret comes from the user's key and the address as bound, so it
        // is the same, and no file is written for either port.
        const qint64 ms = recovery({}, {}, 10000, true);
        QVERIFY2(ms != -2, "a process did not start");
        qInfo("port 0, kill -9, restart on the printed port: the client connected again %lld ms after", ms);
        QVERIFY2(ms >= 0 && ms < 2000, qPrintable(QString::number(ms)));
        checkOneKeyFile();
    }

    void oldPerAddressKeyFilesAreIgnored()
    {
        // Versions up to 0.2 kept reset-<address>.key per listen address:
        // left where they are, never read, never added to.
        const QString state = m_dir.path() + QStringLiteral("/state/quicpool");
        QVERIFY(QDir().mkpath(state));
        QFile old(state + QStringLiteral("/reset-127.0.0.1_4433.key"));
        QVERIFY(old.open(QIODevice::WriteOnly));
        old.write("short");   // unreadable as a key: reading it would fail the start
        old.close();
        QProcess p;
        QVERIFY(startServer(p, 0));
        p.kill();
        p.waitForFinished(5000);
        QVERIFY(QFile::exists(old.fileName()));
        QDir keys(state);
        QCOMPARE(keys.entryList({QStringLiteral("reset-*.key")}, QDir::Files).size(), 1);
        QVERIFY(QFile::exists(state + QStringLiteral("/reset.key")));
        QVERIFY(old.remove());
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
