// Bug reproduction (skipped unless QUICPOOL_RUN_BUG_REPROS is set): closing
// a pool and deleting it at once costs O(N^2) in the number of pooled
// streams. Pool::close() -> closeAllPooled() calls deleteLater() on every
// stream; ~Pool then deletes the same streams as children while their
// DeferredDelete events are still queued, and each ~QObject runs
// QCoreApplication::removePostedEvents(), which walks the thread's whole
// posted-event list. `quicpool bench` saw half of its fill workload's CPU
// there (10,000 streams: about 0.5 s with the event loop blocked).
//
// The test times close()+delete of client pools holding N and 4N streams
// and expects the per-stream cost to stay about flat (linear teardown);
// quadratic teardown makes it grow about fourfold.
#include <quicpool/quicpool.h>

#include <QtCore/QElapsedTimer>
#include <QtTest/QTest>
#include <memory>

using namespace quicpool;
using namespace std::chrono_literals;

class TestBugPoolDeleteQuadratic : public QObject
{
    Q_OBJECT

    /// Nanoseconds per stream to close and delete a client pool of n streams.
    double teardownNsPerStream(int n)
    {
        ServerPoolConfig sc;
        sc.maxCapacity = n;
        sc.listenAddress = QStringLiteral("127.0.0.1:0");
        ServerPool server(sc);
        if (!server.start())
            return -1;
        ClientPoolConfig cc;
        cc.minCapacity = cc.maxCapacity = n;
        cc.minInterval = cc.maxInterval = 60000ms;
        cc.tlsMode = TlsMode::SelfSigned;
        cc.address = QStringLiteral("127.0.0.1:%1").arg(server.serverPort());
        auto client = std::make_unique<ClientPool>(cc);
        if (!client->start())
            return -1;
        if (!QTest::qWaitFor([&] { return client->active() == n && server.active() == n; }, 60000))
            return -1;
        QElapsedTimer t;
        t.start();
        client->close();
        client.reset();
        return double(t.nsecsElapsed()) / n;
    }

private Q_SLOTS:
    void teardownIsLinear()
    {
        if (qEnvironmentVariableIsEmpty("QUICPOOL_RUN_BUG_REPROS"))
            QSKIP("bug reproduction; set QUICPOOL_RUN_BUG_REPROS=1 to run it");
        const double small = teardownNsPerStream(2000);
        const double large = teardownNsPerStream(8000);
        QVERIFY2(small > 0 && large > 0, "the pools did not fill");
        qInfo("close()+delete per stream: %.0f ns at 2000 streams, %.0f ns at 8000 (ratio %.1f)", small, large,
              large / small);
        QVERIFY2(large < 2.0 * small,
                 qPrintable(QStringLiteral("per-stream teardown grew %1x from 2000 to 8000 streams: "
                                           "quadratic (removePostedEvents per deleted child)")
                                .arg(large / small, 0, 'f', 1)));
    }
};

QTEST_GUILESS_MAIN(TestBugPoolDeleteQuadratic)
#include "tst_bug_pooldeletequadratic.moc"
