// workload::StreamRunner against workload::StreamServer over loopback UDP
// and TLS: a run in each mode checks out with the right figures, a server
// in the wrong mode or one that never answers fails it with a sentence,
// and cancel, the idle timeout and the deadline do what they say; a shared
// pace holds runs to its rate, and waiting for it is not idleness.
#include "loopbackpair.h"

#include <workload/streamrunner.h>
#include <workload/streamserver.h>

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
