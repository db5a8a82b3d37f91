// Outages between `quicpool client` and `quicpool server`: the path goes
// dark for 2 s and for 10 s in the middle of a rate-limited transfer. With
// default settings (keep-alive 30 s, so a 90 s idle timeout) the
// connection must ride both out and every byte arrive intact.
#include "faultkit.h"

using namespace quicpool;
using namespace quicpool::faults;
using namespace std::chrono_literals;

class TestFaultOutages : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void blackhole_data()
    {
        QTest::addColumn<int>("seconds");
        QTest::newRow("2 s") << 2;
        QTest::newRow("10 s") << 10;
    }

    void blackhole()
    {
        QFETCH(int, seconds);
        CliServer server;
        QVERIFY2(server.startOn(QStringLiteral("127.0.0.1:0")), qPrintable(server.readLog()));
        relay::RelayConfig rc = testing::relayTo(server.port());
        // 2 MiB each way at 1 MB/s: the outage at 1 s falls mid-transfer.
        rc.rate = 1'000'000;
        rc.queue = 200ms;
        rc.blackholeAt = 1s;
        rc.blackholeFor = std::chrono::seconds(seconds);
        relay::Relay relay(rc);
        QVERIFY(relay.start());
        const ClientRun run = runClient(clientArgs(relay.listenPort(), 8, 2, QStringLiteral("256KiB"),
                                                   {QStringLiteral("--timeout"), QStringLiteral("30s")}),
                                        60000);
        QString why;
        QVERIFY2(judgeRun(run, 8, &why) == Outcome::Intact, qPrintable(why + u'\n' + run.describe()));
        const relay::RelayStats st = relay.stats();
        qInfo("intact through a %d s outage in %lld ms (%llu + %llu datagrams swallowed)", seconds, run.ms,
              st.up.droppedBlackhole, st.down.droppedBlackhole);
        // The outage did cut the transfer: datagrams were lost to it and
        // the run lasted past its end.
        QVERIFY(st.up.droppedBlackhole + st.down.droppedBlackhole > 0);
        QVERIFY(run.ms > 1000 + seconds * 1000);
        QCOMPARE(server.stop(), 0);
    }
};

QTEST_GUILESS_MAIN(TestFaultOutages)
#include "tst_faultoutages.moc"
