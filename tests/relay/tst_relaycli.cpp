// `quicpool relay` as a process between a `quicpool server` and a
// `quicpool client`: the client's streams all check out through delay and
// loss, the relay reports each second, and SIGINT gives the summary and one
// JSON object whose counts add up. Also its failures: a port in use, an
// unknown host, a usage error.
//
// The binary comes from QUICPOOL_CLI (set by tests/CMakeLists.txt).
#include <QtCore/QElapsedTimer>
#include <QtCore/QJsonDocument>
#include <QtCore/QJsonObject>
#include <QtCore/QProcess>
#include <QtCore/QRegularExpression>
#include <QtNetwork/QUdpSocket>
#include <QtTest/QtTest>
#include <csignal>

namespace {

QString cliPath()
{
    return qEnvironmentVariable("QUICPOOL_CLI");
}

/// A long-running quicpool command; knows a port once its stderr says so.
class Child
{
public:
    ~Child()
    {
        if (m_process.state() != QProcess::NotRunning) {
            m_process.kill();
            m_process.waitForFinished(5000);
        }
    }

    /// Starts and waits for `pattern` (one capture: the port) on stderr.
    bool start(const QStringList &args, const QString &pattern)
    {
        m_process.setProgram(cliPath());
        m_process.setArguments(args);
        m_process.start();
        if (!m_process.waitForStarted(5000))
            return false;
        const QRegularExpression re(pattern, QRegularExpression::MultilineOption);
        QElapsedTimer clock;
        clock.start();
        while (clock.elapsed() < 15000) {
            m_err += QString::fromUtf8(m_process.readAllStandardError());
            const QRegularExpressionMatch match = re.match(m_err);
            if (match.hasMatch()) {
                m_port = match.captured(1).toUShort();
                return m_port != 0;
            }
            if (m_process.state() == QProcess::NotRunning)
                return false;
            m_process.waitForReadyRead(200);
        }
        return false;
    }

    /// Signals, waits for the exit; the exit code, or -1.
    int stop(int signalNumber)
    {
        ::kill(pid_t(m_process.processId()), signalNumber);
        if (!m_process.waitForFinished(10000))
            return -1;
        m_err += QString::fromUtf8(m_process.readAllStandardError());
        m_out += QString::fromUtf8(m_process.readAllStandardOutput());
        return m_process.exitStatus() == QProcess::NormalExit ? m_process.exitCode() : -1;
    }

    /// Waits up to ms for stderr to match.
    bool waitForErr(const QRegularExpression &re, int ms)
    {
        QElapsedTimer clock;
        clock.start();
        while (!re.match(err()).hasMatch()) {
            if (clock.elapsed() > ms || m_process.state() == QProcess::NotRunning)
                return false;
            m_process.waitForReadyRead(100);
        }
        return true;
    }

    /// Reads what stderr has so far.
    QString err()
    {
        m_err += QString::fromUtf8(m_process.readAllStandardError());
        return m_err;
    }
    QString out() const { return m_out; }
    quint16 port() const { return m_port; }

private:
    QProcess m_process;
    QString m_err;
    QString m_out;
    quint16 m_port = 0;
};

struct Finished
{
    int exitCode = -1;
    QString out;
    QString err;
};

Finished run(const QStringList &args, int timeoutMs = 30000)
{
    QProcess p;
    p.start(cliPath(), args);
    Finished f;
    if (!p.waitForFinished(timeoutMs)) {
        p.kill();
        p.waitForFinished(2000);
        f.err = QStringLiteral("timed out");
        return f;
    }
    f.exitCode = p.exitStatus() == QProcess::NormalExit ? p.exitCode() : -1;
    f.out = QString::fromUtf8(p.readAllStandardOutput());
    f.err = QString::fromUtf8(p.readAllStandardError());
    return f;
}

/// The counts of one direction add up: nothing appears or vanishes.
bool addsUp(const QJsonObject &d)
{
    const QJsonObject dropped = d.value(u"dropped").toObject();
    qint64 drops = 0;
    for (const QString &cause : dropped.keys())
        drops += dropped.value(cause).toInteger();
    return d.value(u"datagrams_out").toInteger() + drops + d.value(u"queued").toInteger()
           == d.value(u"datagrams_in").toInteger() + d.value(u"duplicated").toInteger();
}

} // namespace

class TestRelayCli : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void initTestCase()
    {
        QVERIFY2(!cliPath().isEmpty(), "QUICPOOL_CLI is not set (CTest sets it to the quicpool binary)");
    }

    void clientThroughRelayToServer()
    {
        Child server;
        QVERIFY(server.start({"server", "--listen", "127.0.0.1:0", "--mode", "echo"},
                             "^listening on 127\\.0\\.0\\.1:(\\d+)"));
        const QString to = QStringLiteral("127.0.0.1:%1").arg(server.port());
        Child relay;
        // A real path's mtu: QUIC's path MTU probes beyond it die there, as
        // they would on the internet, and QUIC settles below it.
        QVERIFY2(relay.start({"relay", "--listen", "127.0.0.1:0", "--to", to, "--delay", "10ms", "--loss", "5%",
                              "--mtu", "1452", "--seed", "3", "--json"},
                             "^relaying 127\\.0\\.0\\.1:(\\d+) -> " + QRegularExpression::escape(to) + "$"),
                 qPrintable(relay.err()));
        QVERIFY2(relay.err().contains(u"path: delay 10ms each way, mtu 1452, loss 5%, seed 3"),
                 qPrintable(relay.err()));

        QElapsedTimer clock;
        clock.start();
        const Finished client = run({"client", "--connect", QStringLiteral("127.0.0.1:%1").arg(relay.port()),
                                     "--streams", "10", "--parallel", "2", "--bytes", "50000", "--json", "--verbose"});
        QVERIFY2(client.exitCode == 0, qPrintable(client.out + client.err));
        const QJsonObject summary = QJsonDocument::fromJson(client.out.toUtf8()).object();
        QCOMPARE(summary.value(u"ok").toInt(), 10);
        QCOMPARE(summary.value(u"failed").toInt(), 0);
        // Each stream is at least one round trip of 2 x 10 ms.
        static const QRegularExpression streamMs(QStringLiteral("^stream \\S+ bytes=\\d+ ms=([0-9.]+) ok$"),
                                                 QRegularExpression::MultilineOption);
        auto it = streamMs.globalMatch(client.err);
        int streams = 0;
        while (it.hasNext()) {
            QVERIFY(it.next().captured(1).toDouble() >= 20.0);
            ++streams;
        }
        QCOMPARE(streams, 10);

        // One line of figures a second.
        const QRegularExpression second(QStringLiteral("^up \\d+ in \\d+ out [0-9.]+ MB/s, dropped \\d+.* \\| down "
                                                       "\\d+ in .* \\| queue delay up [0-9.]+ ms"),
                                        QRegularExpression::MultilineOption);
        QVERIFY2(relay.waitForErr(second, 3000), qPrintable(relay.err()));
        while (clock.elapsed() < 1500)
            QTest::qWait(100);

        QCOMPARE(relay.stop(SIGINT), 0);
        const QString err = relay.err();
        QVERIFY2(err.contains(u"SIGINT: relay stopped"), qPrintable(err));
        QVERIFY(err.contains(QRegularExpression(QStringLiteral("^up: \\d+ datagrams in"),
                                                QRegularExpression::MultilineOption)));
        QVERIFY(err.contains(QRegularExpression(QStringLiteral("^down: \\d+ datagrams in"),
                                                QRegularExpression::MultilineOption)));
        // stdout: exactly one JSON object.
        const QStringList lines = relay.out().split(u'\n', Qt::SkipEmptyParts);
        QCOMPARE(lines.size(), 1);
        QJsonParseError error;
        const QJsonObject o = QJsonDocument::fromJson(lines.first().toUtf8(), &error).object();
        QCOMPARE(error.error, QJsonParseError::NoError);
        QCOMPARE(o.value(u"to").toString(), to);
        QCOMPARE(o.value(u"listen").toString(), QStringLiteral("127.0.0.1:%1").arg(relay.port()));
        QCOMPARE(o.value(u"seed").toString(), QStringLiteral("3"));
        QCOMPARE(o.value(u"clients").toInt(), 1);
        QVERIFY(o.value(u"seconds").toDouble() >= 1.5);
        for (const char *name : {"up", "down"}) {
            const QJsonObject d = o.value(QLatin1String(name)).toObject();
            QVERIFY2(d.value(u"datagrams_in").toInteger() > 50, name);
            // The client sent 10 x 50,000 bytes each way, in QUIC packets.
            QVERIFY2(d.value(u"bytes_out").toInteger() > 500000, name);
            QVERIFY2(addsUp(d), name);
            for (const char *cause : {"loss", "mtu", "queue", "blackhole", "failed"})
                QVERIFY2(d.value(u"dropped").toObject().contains(QLatin1String(cause)), cause);
            QVERIFY(d.contains(u"duplicated") && d.contains(u"reordered") && d.contains(u"corrupted"));
            QVERIFY(d.value(u"queue_delay_ms").toObject().contains(u"avg"));
            QVERIFY(d.value(u"queue_delay_ms").toObject().contains(u"max"));
        }
        // 5% of about a thousand datagrams were lost, and QUIC still
        // delivered every byte; its path MTU probes died at the mtu.
        auto dropped = [&o](const char *cause) {
            return o.value(u"up").toObject().value(u"dropped").toObject().value(QLatin1String(cause)).toInteger()
                   + o.value(u"down").toObject().value(u"dropped").toObject().value(QLatin1String(cause)).toInteger();
        };
        QVERIFY2(dropped("loss") > 10, qPrintable(lines.first()));
        QVERIFY2(dropped("mtu") > 0, qPrintable(lines.first()));
        server.stop(SIGTERM);
    }

    void profileSetsThePath()
    {
        Child server;
        QVERIFY(server.start({"server", "--listen", "127.0.0.1:0", "--mode", "echo"},
                             "^listening on 127\\.0\\.0\\.1:(\\d+)"));
        const QString to = QStringLiteral("127.0.0.1:%1").arg(server.port());
        Child relay;
        // The profile's 40 ms round trip and link, its mtu changed after it.
        QVERIFY2(relay.start({"relay", "--listen", "127.0.0.1:0", "--to", to, "--profile", "continental", "--mtu",
                              "1400"},
                             "^relaying 127\\.0\\.0\\.1:(\\d+) -> " + QRegularExpression::escape(to) + "$"),
                 qPrintable(relay.err()));
        QVERIFY2(relay.err().contains(u"profile continental: 40 ms round trip, no loss"), qPrintable(relay.err()));
        QVERIFY2(relay.err().contains(QRegularExpression(
                     QStringLiteral("^path: delay 20ms each way, rate 400 Mbit/s \\(queue 100ms\\), mtu 1400, seed 1$"),
                     QRegularExpression::MultilineOption)),
                 qPrintable(relay.err()));
        const Finished client = run({"client", "--connect", QStringLiteral("127.0.0.1:%1").arg(relay.port()),
                                     "--streams", "2", "--bytes", "10000", "--verbose"});
        QVERIFY2(client.exitCode == 0, qPrintable(client.out + client.err));
        // Each echo takes at least the profile's round trip.
        static const QRegularExpression streamMs(QStringLiteral("^stream \\S+ bytes=\\d+ ms=([0-9.]+) ok$"),
                                                 QRegularExpression::MultilineOption);
        auto it = streamMs.globalMatch(client.out);
        int streams = 0;
        while (it.hasNext()) {
            const double ms = it.next().captured(1).toDouble();
            QVERIFY2(ms >= 40.0, qPrintable(client.out));
            ++streams;
        }
        QVERIFY2(streams == 2, qPrintable(client.out + client.err));
        QCOMPARE(relay.stop(SIGTERM), 0);
    }

    void sigtermWithoutJsonPrintsTheSummaryOnly()
    {
        Child relay;
        QVERIFY(relay.start({"relay", "--listen", "127.0.0.1:0", "--to", "127.0.0.1:9"},
                            "^relaying 127\\.0\\.0\\.1:(\\d+) -> 127\\.0\\.0\\.1:9$"));
        QVERIFY(relay.err().contains(u"path: no impairment, seed 1"));
        QCOMPARE(relay.stop(SIGTERM), 0);
        QVERIFY(relay.err().contains(u"SIGTERM: relay stopped"));
        QVERIFY(relay.err().contains(u"up: 0 datagrams in"));
        QVERIFY(relay.out().isEmpty());
    }

    void portInUse()
    {
        QUdpSocket holder;
        QVERIFY(holder.bind(QHostAddress::LocalHost, 0));
        const QString listen = QStringLiteral("127.0.0.1:%1").arg(holder.localPort());
        const Finished f = run({"relay", "--listen", listen, "--to", "127.0.0.1:9"});
        QCOMPARE(f.exitCode, 1);
        QCOMPARE(f.err.trimmed(), QStringLiteral("quicpool: cannot start the relay: %1 is already in use").arg(listen));
        QVERIFY(f.out.isEmpty());
    }

    void unknownHost()
    {
        const Finished f = run({"relay", "--listen", "127.0.0.1:0", "--to", "no-such-host.invalid:4433"});
        QCOMPARE(f.exitCode, 1);
        QVERIFY2(f.err.startsWith(u"quicpool: cannot find the address of \"no-such-host.invalid\""), qPrintable(f.err));
    }

    void usageErrorsExitTwo()
    {
        const Finished f = run({"relay", "--listen", "127.0.0.1:0", "--to", "127.0.0.1:9", "--loss", "5"});
        QCOMPARE(f.exitCode, 2);
        QVERIFY2(f.err.contains(u"--loss: The percentage \"5\" needs a % sign"), qPrintable(f.err));
        QVERIFY(f.err.contains(u"quicpool relay --help"));
        const Finished help = run({"relay", "--help"});
        QCOMPARE(help.exitCode, 0);
        QVERIFY(help.out.startsWith(u"Usage: quicpool relay"));
    }
};

QTEST_GUILESS_MAIN(TestRelayCli)
#include "tst_relaycli.moc"
