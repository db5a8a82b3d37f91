// Faults on the path between `quicpool client` and `quicpool server`
// (two processes, the impairment relay between them, default settings
// unless a case says otherwise): random loss at 2, 10 and 30 %, the first
// five datagrams each way lost, NAT rebinding, and garbage datagrams aimed
// at the server. Each run carries every byte intact or ends with a clear
// sentence within its bound (faultkit.h).
#include "faultkit.h"
#include "garbage.h"

#include <QtCore/QTimer>

using namespace quicpool;
using namespace quicpool::faults;

class TestFaultPaths : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void randomLoss_data()
    {
        QTest::addColumn<double>("loss");
        QTest::addColumn<QString>("bytes");
        QTest::addColumn<bool>("mustBeIntact");
        QTest::newRow("2%") << 0.02 << QStringLiteral("1MiB") << true;
        QTest::newRow("10%") << 0.10 << QStringLiteral("512KiB") << true;
        // At 30 % each way a handshake may need several dials; within the
        // bound it may still end with a sentence instead.
        QTest::newRow("30%") << 0.30 << QStringLiteral("128KiB") << false;
    }

    void randomLoss()
    {
        QFETCH(double, loss);
        QFETCH(QString, bytes);
        QFETCH(bool, mustBeIntact);
        CliServer server;
        QVERIFY2(server.startOn(QStringLiteral("127.0.0.1:0")), qPrintable(server.readLog()));
        relay::RelayConfig rc = testing::relayTo(server.port(), 11);
        rc.setLoss(loss);
        relay::Relay relay(rc);
        QVERIFY(relay.start());
        const int streams = 8;
        const ClientRun run = runClient(clientArgs(relay.listenPort(), streams, 4, bytes,
                                                   {QStringLiteral("--timeout"), QStringLiteral("40s")}),
                                        60000);
        QString why;
        const Outcome outcome = judgeRun(run, streams, &why);
        qInfo("loss %.0f%%: %s in %lld ms, %llu + %llu datagrams lost", loss * 100,
              outcome == Outcome::Intact ? "intact" : "clear failure", run.ms,
              relay.stats().up.droppedLoss, relay.stats().down.droppedLoss);
        QVERIFY2(outcome != Outcome::Broken, qPrintable(why + u'\n' + run.describe()));
        if (mustBeIntact)
            QVERIFY2(outcome == Outcome::Intact, qPrintable(run.describe()));
        QVERIFY(relay.stats().up.droppedLoss > 0);
        QCOMPARE(server.stop(), 0);
    }

    void firstDatagramsLost()
    {
        // The first five datagrams each way are lost: the first handshake
        // cannot finish within its 10 s; --timeout 30s covers a redial.
        CliServer server;
        QVERIFY2(server.startOn(QStringLiteral("127.0.0.1:0")), qPrintable(server.readLog()));
        relay::RelayConfig rc = testing::relayTo(server.port());
        rc.dropFirst = 5;
        relay::Relay relay(rc);
        QVERIFY(relay.start());
        const ClientRun run = runClient(clientArgs(relay.listenPort(), 4, 2, QStringLiteral("64KiB"),
                                                   {QStringLiteral("--timeout"), QStringLiteral("30s")}),
                                        40000);
        QString why;
        QVERIFY2(judgeRun(run, 4, &why) == Outcome::Intact, qPrintable(why + u'\n' + run.describe()));
        qInfo("intact after a lost handshake in %lld ms", run.ms);
        QCOMPARE(relay.stats().up.droppedBlackhole, quint64(5));
        QCOMPARE(server.stop(), 0);
    }

    void natRebinding()
    {
        // The relay moves the client's port towards the server every
        // 300 ms while a rate-limited transfer runs (about 2 s).
        CliServer server;
        QVERIFY2(server.startOn(QStringLiteral("127.0.0.1:0")), qPrintable(server.readLog()));
        relay::RelayConfig rc = testing::relayTo(server.port());
        rc.rate = 2'000'000;
        rc.queue = std::chrono::milliseconds(200);
        rc.rebindEvery = std::chrono::milliseconds(300);
        relay::Relay relay(rc);
        QVERIFY(relay.start());
        const ClientRun run = runClient(clientArgs(relay.listenPort(), 8, 4, QStringLiteral("512KiB")), 60000);
        QString why;
        QVERIFY2(judgeRun(run, 8, &why) == Outcome::Intact, qPrintable(why + u'\n' + run.describe()));
        qInfo("intact through %llu rebinds in %lld ms", relay.stats().rebinds, run.ms);
        QVERIFY(relay.stats().rebinds >= 3);
        QCOMPARE(server.stop(), 0);
    }

    void garbageDatagrams()
    {
        // 40,000 garbage datagrams (noise, Initial and short-header
        // look-alikes) hit the server's port while a client runs.
        CliServer server;
        QVERIFY2(server.startOn(QStringLiteral("127.0.0.1:0")), qPrintable(server.readLog()));
        int sent = 0;
        quint32 seed = 1;
        QTimer spray;
        QObject::connect(&spray, &QTimer::timeout, &spray, [&] {
            if (sent < 40000)
                sent += testing::sendGarbage(QHostAddress::LocalHost, server.port(), 2000, seed++);
        });
        spray.start(20);
        const ClientRun run = runClient(clientArgs(server.port(), 32, 4, QStringLiteral("64KiB")), 60000);
        // Whatever the client did not overlap, the rest goes out now; then
        // a second client must still be served.
        while (sent < 40000)
            sent += testing::sendGarbage(QHostAddress::LocalHost, server.port(), 2000, seed++);
        spray.stop();
        QString why;
        QVERIFY2(judgeRun(run, 32, &why) == Outcome::Intact, qPrintable(why + u'\n' + run.describe()));
        const ClientRun after = runClient(clientArgs(server.port(), 4, 2, QStringLiteral("64KiB")), 30000);
        QVERIFY2(judgeRun(after, 4, &why) == Outcome::Intact, qPrintable(why + u'\n' + after.describe()));
        QCOMPARE(sent, 40000);
        QCOMPARE(server.stop(), 0);
    }
};

QTEST_GUILESS_MAIN(TestFaultPaths)
#include "tst_faultpaths.moc"
