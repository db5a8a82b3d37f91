// workload::StreamRunner against workload::StreamServer over loopback UDP
// and TLS: a run in each mode checks out with the right figures, a server
// in the wrong mode or one that never answers fails it with a sentence,
// and cancel, the idle timeout and the deadline do what they say; a shared
// pace holds runs to its rate, and waiting for it is not idleness; the
// payload reported as sent is what the peer acknowledged, never more than
// the link carried.
#include "loopbackpair.h"
#include "relayfixture.h"

#include <workload/streamrunner.h>
#include <workload/streamserver.h>

#include <quicpool/relay/relay.h>

#include <QtCore/QElapsedTimer>
#include <QtCore/QEventLoop>
#include <QtCore/QPointer>
#include <QtCore/QTimer>
#include <QtTest/QSignalSpy>
#include <QtTest/QtTest>

using namespace quicpool;
using namespace quicpool::testing;
using namespace quicpool::workload;

namespace {

struct Outcome
{
    int calls = 0;          ///< of the done callback
    RunResult result;
    qint64 sent = 0;        ///< summed transferred()
    qint64 received = 0;
};

/// Starts a run on a fresh stream of pair; outcome fills in as it goes.
QPointer<StreamRunner> startRun(LoopbackPair &pair, Mode mode, qint64 size, Outcome *outcome,
                                Milliseconds idle = Milliseconds(0), Milliseconds deadline = Milliseconds(0))
{
    Stream *stream = pair.take();
    if (!stream)
        return nullptr;
    auto *runner = new StreamRunner(stream, mode, size, [outcome](const RunResult &r) {
        ++outcome->calls;
        outcome->result = r;
    });
    QObject::connect(runner, &StreamRunner::transferred, runner, [outcome](qint64 sent, qint64 received) {
        outcome->sent += sent;
        outcome->received += received;
    });
    runner->setIdleTimeout(idle);
    runner->setDeadline(deadline);
    runner->start();
    return runner;
}

/// Runs the event loop until the runner's verdict or timeoutMs.
bool waitForVerdict(StreamRunner *runner, int timeoutMs)
{
    if (!runner)
        return false;
    QEventLoop loop;
    bool done = false;
    QObject::connect(runner, &StreamRunner::finished, &loop, [&] {
        done = true;
        loop.quit();
    });
    QTimer::singleShot(timeoutMs, &loop, &QEventLoop::quit);
    loop.exec();
    return done;
}

} // namespace

class TestStreamRunner : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void eachModeChecksOut_data()
    {
        QTest::addColumn<int>("modeNumber");
        QTest::addColumn<qint64>("size");
        for (Mode mode : {Mode::Echo, Mode::Sink, Mode::Source}) {
            for (qint64 size : {qint64(0), qint64(1), qint64(65536), qint64(1048576 + 3)})
                QTest::addRow("%s %lld", qPrintable(modeName(mode)), size) << int(mode) << size;
        }
    }

    void eachModeChecksOut()
    {
        QFETCH(int, modeNumber);
        QFETCH(qint64, size);
        const Mode mode = Mode(modeNumber);
        LoopbackPair pair;
        QVERIFY(pair.start(2));
        StreamServer server(pair.server.get(), mode);
        server.start();
        Outcome outcome;
        QPointer<StreamRunner> runner = startRun(pair, mode, size, &outcome);
        QVERIFY(runner);
        QSignalSpy finished(runner.data(), &StreamRunner::finished);
        QCOMPARE(outcome.calls, 0);   // never inside start()
        const QString id = runner->id();
        QTRY_COMPARE_WITH_TIMEOUT(outcome.calls, 1, 20000);
        QVERIFY2(outcome.result.ok, qPrintable(outcome.result.why));
        QVERIFY(outcome.result.why.isEmpty());
        QCOMPARE(outcome.result.id, id);
        QCOMPARE(finished.size(), 1);
        QCOMPARE(finished.at(0).at(0).value<RunResult>().id, id);
        // bytes: the payload in one direction, whatever the mode.
        QCOMPARE(outcome.result.bytes, size);
        QVERIFY(outcome.result.milliseconds > 0);
        // transferred(): protocol bytes included.
        const bool sink = mode == Mode::Sink;
        const bool source = mode == Mode::Source;
        QCOMPARE(outcome.sent, source ? kSourceRequestSize : size);
        QCOMPARE(outcome.received, sink ? (size == 0 ? 0 : kSinkReplySize) : size);
        QTRY_VERIFY(!runner);   // it deletes itself after the verdict
        QCOMPARE(outcome.calls, 1);
    }

    void paceHoldsTheRate_data()
    {
        QTest::addColumn<int>("modeNumber");
        for (Mode mode : {Mode::Echo, Mode::Sink, Mode::Source})
            QTest::addRow("%s", qPrintable(modeName(mode))) << int(mode);
    }

    void paceHoldsTheRate()
    {
        QFETCH(int, modeNumber);
        const Mode mode = Mode(modeNumber);
        LoopbackPair pair;
        QVERIFY(pair.start(2));
        StreamServer server(pair.server.get(), mode);
        server.start();
        // 2 MB/s. Echo and sink: 1 MB takes half a second of paced
        // writes. Source: the first request takes its 1 MB from the rate
        // at once; the second has to wait until that is paid back.
        constexpr qint64 kRate = 2000000, kSize = 1000000;
        auto pace = std::make_shared<SharedPace>(kRate);
        QElapsedTimer clock;
        clock.start();
        qint64 payloadSent = 0, payloadReceived = 0;
        for (int run = 0; run < 2; ++run) {
            Outcome outcome;
            Stream *stream = pair.take();
            QVERIFY(stream);
            auto *runner = new StreamRunner(stream, mode, kSize, [&outcome](const RunResult &r) {
                ++outcome.calls;
                outcome.result = r;
            });
            connect(runner, &StreamRunner::payloadTransferred, runner, [&](qint64 sent, qint64 received) {
                payloadSent += sent;
                payloadReceived += received;
            });
            // Shorter than any wait for the rate: it must not fire.
            runner->setIdleTimeout(Milliseconds(200));
            runner->setPace(pace);
            runner->start();
            QVERIFY(waitForVerdict(runner, 20000));
            QVERIFY2(outcome.result.ok, qPrintable(outcome.result.why));
            QCOMPARE(outcome.result.bytes, kSize);
        }
        const qint64 elapsed = clock.elapsed();
        // Two runs of 1 MB at 2 MB/s, 200 KB saved up at the start: about
        // 0.9 s (source: the second request waits out the first's 0.4 s,
        // then bursts), never less than the rate allows...
        const qint64 floorMs = mode == Mode::Source ? 350 : 850;
        QVERIFY2(elapsed >= floorMs, qPrintable(QString::number(elapsed)));
        // ... and not much more (loopback does 1 MB in a few ms unpaced).
        QVERIFY2(elapsed < 3000, qPrintable(QString::number(elapsed)));
        // payloadTransferred: payload only, in the direction it flows.
        QCOMPARE(payloadSent, mode == Mode::Source ? 0 : 2 * kSize);
        QCOMPARE(payloadReceived, mode == Mode::Sink ? 0 : 2 * kSize);
    }

    void sentCountsWhatThePeerAcknowledged_data()
    {
        QTest::addColumn<int>("modeNumber");
        QTest::addRow("sink") << int(Mode::Sink);
        QTest::addRow("echo") << int(Mode::Echo);
    }

    void sentCountsWhatThePeerAcknowledged()
    {
        // Through a 4 MB/s link (a queue deep enough that nothing is
        // dropped), a 3 MB run: the stream takes a megabyte or more into
        // its send buffer at once, far ahead of the link. payloadWritten()
        // says so; payloadTransferred()'s sent must never count more than
        // the link has carried to the server (the relay's own count of
        // bytes delivered upstream, headers and all): exact, whatever the
        // machine's load. Counting writes, as it did, breaks this within
        // the first write.
        QFETCH(int, modeNumber);
        const Mode mode = Mode(modeNumber);
        constexpr qint64 kRate = 4'000'000, kSize = 3'000'000;
        auto server = std::make_unique<ServerPool>(serverConfig(8));
        QVERIFY(server->start());
        StreamServer serving(server.get(), mode);
        serving.start();
        relay::RelayConfig rc = relayTo(server->serverPort());
        rc.rate = kRate;
        rc.queue = std::chrono::seconds(2);
        rc.delay = std::chrono::milliseconds(5);
        relay::Relay link(rc);
        QVERIFY2(link.start(), qPrintable(link.errorString()));
        ClientPool client(clientConfig(link.listenPort(), 1, 1));
        QVERIFY(client.start());
        QTRY_VERIFY_WITH_TIMEOUT(!client.readyIds().isEmpty(), 20000);
        Stream *stream = client.tryOutgoingGet(client.readyIds().constFirst());
        QVERIFY(stream);
        const quint64 upBefore = link.stats().up.bytesOut;

        Outcome outcome;
        auto *runner = new StreamRunner(stream, mode, kSize, [&outcome](const RunResult &r) {
            ++outcome.calls;
            outcome.result = r;
        });
        qint64 written = 0, acknowledged = 0, received = 0, largestLead = 0;
        bool outran = false;
        connect(runner, &StreamRunner::payloadWritten, runner, [&](qint64 n) {
            written += n;
            largestLead = std::max(largestLead, written - qint64(link.stats().up.bytesOut - upBefore));
        });
        connect(runner, &StreamRunner::payloadTransferred, runner, [&](qint64 sent, qint64 got) {
            acknowledged += sent;
            received += got;
            // Until the verdict; at it the server's answer vouches for the
            // last bytes, whose acknowledgement may still be on its way.
            if (sent > 0 && outcome.calls == 0 && acknowledged > qint64(link.stats().up.bytesOut - upBefore))
                outran = true;
            QCOMPARE(runner->acknowledgedPayload(), acknowledged);
        });
        runner->start();
        QVERIFY(waitForVerdict(runner, 60000));
        QVERIFY2(outcome.result.ok, qPrintable(outcome.result.why));
        QVERIFY2(!outran, "payloadTransferred counted bytes the link had not carried yet");
        // Every payload byte is reported exactly once, each way it flows.
        QCOMPARE(acknowledged, kSize);
        QCOMPARE(written, kSize);
        QCOMPARE(received, mode == Mode::Echo ? kSize : 0);
        // What the buffers took ran well ahead of the link: the figure the
        // old counting drew as throughput.
        QVERIFY2(largestLead > 500'000, qPrintable(QString::number(largestLead)));
    }

    void failedRunCountsOnlyWhatWasAcknowledged()
    {
        // The path goes dead once the stream is taken: the payload goes
        // into the send buffer and nowhere else, and the run fails. Nothing
        // was delivered, so nothing counts as sent (counting writes, it was
        // all of it).
        auto server = std::make_unique<ServerPool>(serverConfig(4));
        QVERIFY(server->start());
        StreamServer serving(server.get(), Mode::Echo);
        serving.start();
        relay::Relay link(relayTo(server->serverPort()));
        QVERIFY2(link.start(), qPrintable(link.errorString()));
        ClientPool client(clientConfig(link.listenPort(), 1, 1));
        QVERIFY(client.start());
        QTRY_VERIFY_WITH_TIMEOUT(!client.readyIds().isEmpty(), 20000);
        Stream *stream = client.tryOutgoingGet(client.readyIds().constFirst());
        QVERIFY(stream);
        link.setLoss(relay::Direction::Up, 1.0);
        Outcome outcome;
        auto *runner = new StreamRunner(stream, Mode::Echo, 5000, [&outcome](const RunResult &r) {
            ++outcome.calls;
            outcome.result = r;
        });
        qint64 acknowledged = 0, written = 0;
        connect(runner, &StreamRunner::payloadTransferred, runner,
                [&](qint64 sent, qint64) { acknowledged += sent; });
        connect(runner, &StreamRunner::payloadWritten, runner, [&](qint64 n) { written += n; });
        runner->setIdleTimeout(Milliseconds(500));
        runner->start();
        QVERIFY(waitForVerdict(runner, 10000));
        QVERIFY(!outcome.result.ok);
        QCOMPARE(written, qint64(5000));
        QCOMPARE(acknowledged, qint64(0));
    }

    void serverInTheWrongModeFails()
    {
        LoopbackPair pair;
        QVERIFY(pair.start(2));
        StreamServer server(pair.server.get(), Mode::Echo);
        server.start();
        // The echo server sends the pattern back instead of a 16-byte reply.
        Outcome sink;
        QVERIFY(startRun(pair, Mode::Sink, 65536, &sink));
        QTRY_COMPARE_WITH_TIMEOUT(sink.calls, 1, 20000);
        QVERIFY(!sink.result.ok);
        QCOMPARE(sink.result.why, QStringLiteral("the reply is longer than 16 bytes"));

        LoopbackPair sinkPair;
        QVERIFY(sinkPair.start(1));
        StreamServer sinkServer(sinkPair.server.get(), Mode::Sink);
        sinkServer.start();
        Outcome echo;
        QVERIFY(startRun(sinkPair, Mode::Echo, 1000, &echo));
        QTRY_COMPARE_WITH_TIMEOUT(echo.calls, 1, 20000);
        QVERIFY(!echo.result.ok);
        QVERIFY2(echo.result.why.startsWith(QStringLiteral("got back 16 of 1000 bytes before the stream ended")),
                 qPrintable(echo.result.why));
    }

    void silentServerRunsIntoTheIdleTimeout()
    {
        LoopbackPair pair;
        QVERIFY(pair.start(1));
        StreamServer server(pair.server.get(), Mode::Hold);   // takes nothing, answers nothing
        server.start();
        Outcome outcome;
        QVERIFY(startRun(pair, Mode::Echo, 100, &outcome, Milliseconds(300)));
        QTRY_COMPARE_WITH_TIMEOUT(outcome.calls, 1, 10000);
        QVERIFY(!outcome.result.ok);
        QCOMPARE(outcome.result.why, QStringLiteral("no progress for 300ms (sent 100 of 100 bytes, received 0)"));
        QCOMPARE(outcome.result.bytes, qint64(0));
    }

    void deadlineEndsARunThatIsStillGoing()
    {
        LoopbackPair pair;
        QVERIFY(pair.start(1));
        StreamServer server(pair.server.get(), Mode::Hold);
        server.start();
        Outcome outcome;
        QVERIFY(startRun(pair, Mode::Source, 5000, &outcome, Milliseconds(0), Milliseconds(300)));
        QTRY_COMPARE_WITH_TIMEOUT(outcome.calls, 1, 10000);
        QVERIFY(!outcome.result.ok);
        QVERIFY2(outcome.result.why.startsWith(QStringLiteral("timed out after ")), qPrintable(outcome.result.why));
        QVERIFY2(outcome.result.why.endsWith(QStringLiteral(" ms (0 of 5000 bytes)")), qPrintable(outcome.result.why));
        QVERIFY(outcome.result.milliseconds >= 250);   // a coarse timer may fire up to 5% early
    }

    void cancelEndsWithoutAVerdict()
    {
        LoopbackPair pair;
        QVERIFY(pair.start(1));
        StreamServer server(pair.server.get(), Mode::Hold);
        server.start();
        Stream *stream = pair.take();
        QVERIFY(stream);
        QPointer<Stream> watched(stream);
        Outcome outcome;
        auto *runner = new StreamRunner(stream, Mode::Echo, 1 << 20, [&outcome](const RunResult &r) {
            ++outcome.calls;
            outcome.result = r;
        });
        QPointer<StreamRunner> alive(runner);
        QSignalSpy finished(runner, &StreamRunner::finished);
        runner->start();
        QTest::qWait(50);
        QVERIFY(!runner->isFinished());
        runner->cancel();
        QVERIFY(runner->isFinished());
        QTRY_VERIFY(!alive);    // it deletes itself
        QTRY_VERIFY(!watched);  // and lets go of its stream (reset)
        QTest::qWait(50);
        QCOMPARE(outcome.calls, 0);
        QCOMPARE(finished.size(), 0);
    }

    void noStreamFailsOnTheNextTurn()
    {
        Outcome outcome;
        auto *runner = new StreamRunner(nullptr, Mode::Echo, 10, [&outcome](const RunResult &r) {
            ++outcome.calls;
            outcome.result = r;
        });
        runner->start();
        QCOMPARE(outcome.calls, 0);
        QTRY_COMPARE(outcome.calls, 1);
        QVERIFY(!outcome.result.ok);
        QCOMPARE(outcome.result.why, QStringLiteral("no stream"));
    }
};

QTEST_GUILESS_MAIN(TestStreamRunner)
#include "tst_streamrunner.moc"
