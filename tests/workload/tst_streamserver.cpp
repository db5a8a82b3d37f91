// workload::StreamServer against real client streams over loopback UDP and
// TLS: what it answers in each mode, byte for byte, how each stream ends,
// and its options (mode change, idle timeout, source limit).
#include "loopbackpair.h"

#include <workload/streamserver.h>

#include <QtTest/QSignalSpy>
#include <QtTest/QtTest>

using namespace quicpool;
using namespace quicpool::testing;
using namespace quicpool::workload;

namespace {

/// Everything the stream says until its FIN (or the time is up).
QByteArray readToEnd(Stream *stream, int timeoutMs = 15000)
{
    QByteArray data;
    (void)QTest::qWaitFor([&] {
        data += stream->readAll();
        return stream->atEnd() || stream->error() != ErrorCode::NoError;
    }, timeoutMs);
    data += stream->readAll();
    return data;
}

/// Writes all of data (waiting for send buffer space), then FIN.
bool writeAndFin(Stream *stream, const QByteArray &data, int timeoutMs = 15000)
{
    qint64 at = 0;
    const bool written = QTest::qWaitFor([&] {
        while (at < data.size()) {
            const qint64 n = stream->write(data.constData() + at, data.size() - at);
            if (n <= 0)
                return false;
            at += n;
        }
        return true;
    }, timeoutMs);
    stream->closeWrite();   // FIN; the reply is still to be read
    return written;
}

using Outcome = StreamServer::Outcome;

} // namespace

class TestStreamServer : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void echoSendsEveryByteBack()
    {
        LoopbackPair pair;
        QVERIFY(pair.start(2));
        StreamServer server(pair.server.get(), Mode::Echo);
        QSignalSpy taken(&server, &StreamServer::streamTaken);
        QSignalSpy done(&server, &StreamServer::streamDone);
        server.start();
        QVERIFY(server.isRunning());
        Stream *stream = pair.take();
        QVERIFY(stream);
        const QString id = stream->id();
        const QByteArray payload = patternBytes(0, 300000);
        QVERIFY(writeAndFin(stream, payload));
        QCOMPARE(readToEnd(stream), payload);
        QTRY_COMPARE(done.size(), 1);
        QCOMPARE(done.at(0).at(0).toString(), id);
        QCOMPARE(done.at(0).at(1).value<Outcome>(), Outcome::Served);
        QCOMPARE(done.at(0).at(2).toString(), QStringLiteral("echoed 300000 bytes"));
        QCOMPARE(server.served(), qint64(1));
        QCOMPARE(server.failed(), qint64(0));
        // Every stream the pool pooled was taken the moment it was pooled.
        QVERIFY(taken.size() >= 1);
        bool sawId = false;
        for (const QList<QVariant> &t : std::as_const(taken)) {
            sawId = sawId || t.at(0).toString() == id;
            QCOMPARE(t.at(1).value<QHostAddress>(), QHostAddress(QHostAddress::LocalHost));
        }
        QVERIFY(sawId);
        QCOMPARE(server.taken(), qint64(taken.size()));
        QCOMPARE(server.serving(), int(server.taken() - 1));
    }

    void sinkRepliesWithTotalAndMismatches()
    {
        LoopbackPair pair;
        QVERIFY(pair.start(2));
        StreamServer server(pair.server.get(), Mode::Sink);
        QSignalSpy done(&server, &StreamServer::streamDone);
        server.start();

        Stream *clean = pair.take();
        QVERIFY(clean);
        QVERIFY(writeAndFin(clean, patternBytes(0, 1000000)));
        SinkReply reply;
        QVERIFY(decodeSinkReply(readToEnd(clean), &reply));
        QCOMPARE(reply.total, uint64_t(1000000));
        QCOMPARE(reply.mismatches, uint64_t(0));

        Stream *dirty = pair.take();
        QVERIFY(dirty);
        QByteArray payload = patternBytes(0, 70000);
        for (int at : {0, 251, 69999})
            payload[at] = char(payload.at(at) ^ 0x55);
        QVERIFY(writeAndFin(dirty, payload));
        QVERIFY(decodeSinkReply(readToEnd(dirty), &reply));
        QCOMPARE(reply.total, uint64_t(70000));
        QCOMPARE(reply.mismatches, uint64_t(3));

        QTRY_COMPARE(done.size(), 2);
        QCOMPARE(done.at(1).at(2).toString(), QStringLiteral("sank 70000 bytes, 3 wrong"));
        QCOMPARE(server.served(), qint64(2));
    }

    void sourceSendsWhatIsAskedUpToTheLimit()
    {
        LoopbackPair pair;
        QVERIFY(pair.start(2));
        StreamServer server(pair.server.get(), Mode::Source);
        QCOMPARE(server.sourceLimit(), quint64(0));
        server.start();

        Stream *stream = pair.take();
        QVERIFY(stream);
        QVERIFY(writeAndFin(stream, encodeSourceRequest(700001)));
        QCOMPARE(readToEnd(stream), patternBytes(0, 700001));


        // With a limit, a larger request gets that many bytes.
        LoopbackPair limited;
        QVERIFY(limited.start(1));
        StreamServer capped(limited.server.get(), Mode::Source);
        capped.setSourceLimit(1000);
        QCOMPARE(capped.sourceLimit(), quint64(1000));
        capped.start();
        Stream *small = limited.take();
        QVERIFY(small);
        QVERIFY(writeAndFin(small, encodeSourceRequest(5000)));
        QCOMPARE(readToEnd(small), patternBytes(0, 1000));
    }

    void endedBeforeTheRequestIsAQuietClose()
    {
        LoopbackPair pair;
        QVERIFY(pair.start(3));
        StreamServer server(pair.server.get(), Mode::Source);
        QSignalSpy done(&server, &StreamServer::streamDone);
        server.start();
        QVERIFY(pair.waitReady(3));
        // Each ready stream was taken when it was pooled: it is being served.
        QTRY_VERIFY(server.taken() >= 3);
        Stream *stream = pair.client->tryOutgoingGet(pair.client->readyIds().constFirst());
        QVERIFY(stream);
        QVERIFY(writeAndFin(stream, QByteArray(3, '\0')));   // 3 of the 8 request bytes
        QCOMPARE(readToEnd(stream), QByteArray());
        QTRY_COMPARE(done.size(), 1);
        QCOMPARE(done.at(0).at(1).value<Outcome>(), Outcome::QuietClose);
        QCOMPARE(done.at(0).at(2).toString(), QStringLiteral("ended after 3 of 8 request bytes"));
        QCOMPARE(server.quietCloses(), qint64(1));
        QCOMPARE(server.served(), qint64(0));
    }

    void holdTakesNothingUntilTheModeChanges()
    {
        LoopbackPair pair;
        QVERIFY(pair.start(4));
        StreamServer server(pair.server.get(), Mode::Hold);
        server.start();
        QVERIFY(pair.waitReady(4));
        QTRY_VERIFY(pair.server->active() >= 4);   // the server pool simply fills
        QCOMPARE(server.taken(), qint64(0));

        server.setMode(Mode::Sink);
        QCOMPARE(server.mode(), Mode::Sink);
        QTRY_VERIFY(server.taken() >= 4);
        Stream *stream = pair.take();
        QVERIFY(stream);
        QVERIFY(writeAndFin(stream, patternBytes(0, 4096)));
        SinkReply reply;
        QVERIFY(decodeSinkReply(readToEnd(stream), &reply));
        QCOMPARE(reply.total, uint64_t(4096));
    }

    void idleStreamsAreResetAfterTheTimeout()
    {
        LoopbackPair pair;
        QVERIFY(pair.start(2));
        StreamServer server(pair.server.get(), Mode::Echo);
        QCOMPARE(server.idleTimeout(), Milliseconds(0));
        server.setIdleTimeout(Milliseconds(300));
        QSignalSpy done(&server, &StreamServer::streamDone);
        server.start();
        Stream *stream = pair.take();
        QVERIFY(stream);
        const QString id = stream->id();
        QSignalSpy reset(stream, &Stream::errorOccurred);
        stream->write("no FIN follows");   // echoed, then nothing more
        // The streams idling in the client's pool are served streams too:
        // they time out as well. Look for ours.
        auto ours = [&]() -> QList<QVariant> {
            for (const QList<QVariant> &d : std::as_const(done)) {
                if (d.at(0).toString() == id)
                    return d;
            }
            return {};
        };
        QTRY_VERIFY_WITH_TIMEOUT(!ours().isEmpty(), 10000);
        QCOMPARE(ours().at(1).value<Outcome>(), Outcome::Failed);
        QCOMPARE(ours().at(2).toString(), QStringLiteral("no progress for 300 ms"));
        QVERIFY(server.failed() >= 1);
        QCOMPARE(server.served(), qint64(0));
        QTRY_VERIFY_WITH_TIMEOUT(reset.size() >= 1 || stream->error() != ErrorCode::NoError, 10000);
    }

    void stopsWhenThePoolCloses()
    {
        LoopbackPair pair;
        QVERIFY(pair.start(1));
        StreamServer server(pair.server.get(), Mode::Echo);
        server.start();
        QVERIFY(pair.waitReady(1));
        pair.server->close();
        QTRY_VERIFY(!server.isRunning());
        server.start();   // a closed pool takes no new waiters
        QTRY_VERIFY(!server.isRunning());
    }
};

QTEST_GUILESS_MAIN(TestStreamServer)
#include "tst_streamserver.moc"
