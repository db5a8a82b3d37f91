// A server that goes away mid-run and comes back on the same port.
//   SIGTERM: it closes its pool ("pool closed"); the client, with default
//     settings, fails the runs in flight with that sentence, redials
//     (backing off) and runs the rest on the new process.
//   SIGKILL: nothing is said. Until stateless reset tokens survive a
//     restart, the new process's resets are not recognised and the client
//     notices only at its idle timeout, so this case bounds the run by a
//     short idle timeout (--keep-alive 2s: 6 s) and asks, as every fault
//     case does, for every byte intact or a clear sentence.
#include "faultkit.h"

#include <QtCore/QProcess>
#include <QtCore/QTimer>

using namespace quicpool;
using namespace quicpool::faults;
using namespace std::chrono_literals;

class TestFaultRestarts : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void serverRestart_data()
    {
        QTest::addColumn<int>("signalNumber");
        QTest::addColumn<QStringList>("clientExtra");
        QTest::addColumn<int>("boundMs");
        QTest::newRow("SIGTERM, default settings") << int(SIGTERM) << QStringList{} << 40000;
        QTest::newRow("SIGKILL, 6 s idle timeout")
            << int(SIGKILL) << QStringList{QStringLiteral("--keep-alive"), QStringLiteral("2s")} << 40000;
    }

    void serverRestart()
    {
        QFETCH(int, signalNumber);
        QFETCH(QStringList, clientExtra);
        QFETCH(int, boundMs);
        const QString listen = QStringLiteral("127.0.0.1:%1").arg(freeUdpPort());
        auto first = std::make_unique<CliServer>();
        QVERIFY2(first->startOn(listen), qPrintable(first->readLog()));
        relay::RelayConfig rc = testing::relayTo(first->port());
        // 6 MiB each way at 2 MB/s: about 3 s, so the restart at 1 s
        // falls mid-run.
        rc.rate = 2'000'000;
        rc.queue = 200ms;
        relay::Relay relay(rc);
        QVERIFY(relay.start());

        const int streams = 24;
        std::unique_ptr<CliServer> second;
        int firstExit = -2;
        QTimer::singleShot(1000, this, [&] {
            firstExit = first->stop(signalNumber);
            second = std::make_unique<CliServer>();
            second->startOn(listen);
        });
        const ClientRun run = runClient(clientArgs(relay.listenPort(), streams, 2, QStringLiteral("256KiB"),
                                                   clientExtra),
                                        boundMs);
        QVERIFY2(second && second->port() != 0, "the second server did not start");
        QString why;
        const Outcome outcome = judgeRun(run, streams, &why);
        QVERIFY2(outcome != Outcome::Broken, qPrintable(why + u'\n' + run.describe()));
        // The client found the new process: most runs checked out after it.
        static const QRegularExpression okLine(QStringLiteral("^stream \\S+ bytes=\\d+ ms=[0-9.]+ ok$"),
                                               QRegularExpression::MultilineOption);
        int ok = 0;
        for (auto it = okLine.globalMatch(run.out); it.hasNext(); it.next())
            ++ok;
        qInfo("%s: %d of %d runs intact, the rest explained (\"%s\"), in %lld ms",
              signalNumber == SIGTERM ? "SIGTERM" : "SIGKILL", ok, streams, qPrintable(firstSentence(run)), run.ms);
        QVERIFY2(ok >= streams - 6, qPrintable(run.describe()));
        QCOMPARE(firstExit, signalNumber == SIGTERM ? 0 : -1);
        QCOMPARE(second->stop(), 0);
    }
};

QTEST_GUILESS_MAIN(TestFaultRestarts)
#include "tst_faultrestarts.moc"
