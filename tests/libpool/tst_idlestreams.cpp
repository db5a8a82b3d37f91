// Idle pooled streams: what one costs while nobody has taken it (no
// QObject, no signal connections: about 1 KiB less each), and that the
// Stream made when one is taken has everything that arrived before.
#include "loopbackpools.h"

#include "rawlistener.h"
#include "transport/connection.h"

#include <QtCore/QTimer>
#include <algorithm>
#include <QtTest/QSignalSpy>
#include <QtTest/QTest>

#if defined(__SANITIZE_ADDRESS__) || defined(__SANITIZE_THREAD__)
// The sanitizers' allocator count (clang's sanitizer/allocator_interface.h;
// GCC 12 ships the function in libasan and libtsan, not the header).
extern "C" size_t __sanitizer_get_current_allocated_bytes();
#else
#include <malloc.h>
#endif

using namespace quicpool;
using namespace quicpool::testing;

namespace {

/// Heap bytes the program holds now. The sanitizers replace malloc (and
/// keep their own count); otherwise glibc's arenas say it.
qint64 heapInUse()
{
#if defined(__SANITIZE_ADDRESS__) || defined(__SANITIZE_THREAD__)
    return qint64(__sanitizer_get_current_allocated_bytes());
#else
    const struct mallinfo2 info = mallinfo2();
    return qint64(info.uordblks + info.hblkhd);
#endif
}

/// The heap once the traffic of a fill has settled: the least of a
/// second's samples while the event loop runs. Packets not yet
/// acknowledged, batches and buffers in flight only add to it, and on a
/// loaded machine they linger (TSan with both cores busy: 1,223 B a
/// stream 300 ms after a fill, against about 900 settled).
qint64 settledHeap()
{
    qint64 least = heapInUse();
    for (int i = 0; i < 20; ++i) {
        QTest::qWait(50);
        least = std::min(least, heapInUse());
    }
    return least;
}

} // namespace

class TestIdleStreams : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void initTestCase() { qRegisterMetaType<quicpool::Error>(); }

    void idleStreamsHoldLittleHeap()
    {
        // What one more idle pooled stream costs, both ends in this process:
        // two pool pairs alike but for their size, A with 500 streams a
        // side and B with 2,500, so B - A is 4,000 streams and nothing
        // else. A small pair first takes the process's one-time costs (TLS
        // library tables, Qt's first use of this and that). With a Stream
        // (QObject, QIODevice) made for every pooled stream it was 1,545 B
        // under ASan; without, 876 B under ASan, 986 B under TSan, and
        // 1,130 B under TSan with stress-ng loading both cores (what stays
        // after a second of settling; the sanitizers count differently).
        // The bound sits between those and the old cost. Under TSan, one
        // fresh-clone CI run (ctest -j 2, 2026-12-08) measured 1,377 B
        // where six runs beside it gave 1,128-1,131 B: about 1 MB more held
        // by the large pair through its second of settling, cause not yet
        // found. TSan's bound is above that; ASan's, which still fails at
        // the old cost, guards the change.
        constexpr int kSmall = 500;
        constexpr int kLarge = 2500;
#if defined(__SANITIZE_THREAD__)
        constexpr qint64 kMaxBytesPerStream = 1450;
#else
        constexpr qint64 kMaxBytesPerStream = 1300;
#endif
        LoopbackPools warm;
        QVERIFY(warm.start(10));
        auto filled = [](LoopbackPools &pools, int n) {
            if (!pools.start(n))
                return qint64(-1);
            const qint64 heap = settledHeap();
            return pools.client->active() == n && pools.server->active() == n ? heap : qint64(-1);
        };
        LoopbackPools small, large;
        const qint64 h0 = settledHeap();
        const qint64 h1 = filled(small, kSmall);
        QVERIFY(h1 > 0);
        const qint64 h2 = filled(large, kLarge);
        QVERIFY(h2 > 0);
        const qint64 perStream = ((h2 - h1) - (h1 - h0)) / (2 * (kLarge - kSmall));
        qInfo("heap: %lld B for a pair with %d streams a side, %lld B with %d; %lld B per idle pooled stream",
              h1 - h0, kSmall, h2 - h1, kLarge, perStream);
        QVERIFY2(perStream > 0 && perStream <= kMaxBytesPerStream,
                 qPrintable(QStringLiteral("%1 B per idle pooled stream (at most %2)").arg(perStream).arg(kMaxBytesPerStream)));
        QString why;
        QVERIFY2(large.stillWorks(&why), qPrintable(why));
    }

    void bytesThatArriveWhilePooledAreReadAfterTheTake()
    {
        LoopbackPools pools;
        QVERIFY(pools.start(1));
        const QStringList ids = pools.client->readyIds();
        QCOMPARE(ids.size(), 1);
        QPointer<Stream> out = pools.client->tryOutgoingGet(ids.first());
        QVERIFY(out);
        out->write("early");
        // Acknowledged: the bytes sit in the server's pooled stream, which
        // has no Stream object yet.
        QVERIFY(waitUntil([&] { return out && out->totalBytesAcknowledged() == 5; }));
        QCOMPARE(pools.server->active(), 1);
        QPointer<Stream> in = pools.server->tryIncomingGet();
        QVERIFY(in);
        QCOMPARE(in->id(), ids.first());
        QVERIFY(in->isOpen() && in->isReadable() && in->isWritable());
        QCOMPARE(in->state(), Stream::State::Open);
        QCOMPARE(in->bytesAvailable(), qint64(5));
        QCOMPARE(in->readAll(), QByteArray("early"));
        // What arrives after the take comes with readyRead, as on any stream.
        QSignalSpy readable(in.data(), &Stream::readyRead);
        out->write("late");
        QVERIFY(waitUntil([&] { return readable.count() > 0; }));
        QCOMPARE(in->readAll(), QByteArray("late"));
        QCOMPARE(in->totalBytesReceived(), qint64(9));   // the hello is not the application's
        in->write("back");
        in->closeWrite();
        QByteArray got;
        QVERIFY(waitUntil([&] { return out && (got += out->readAll(), out->atEnd()); }));
        QCOMPARE(got, QByteArray("back"));
        QCOMPARE(out->totalBytesReceived(), qint64(4));    // nor is the ID
    }

    void aPeerEndedPooledStreamIsNeverHandedOut()
    {
        // The peer ends its side of a pooled stream without a word: the
        // pool notices without any signal of the stream's and refills.
        LoopbackPools pools;
        QVERIFY(pools.start(2));
        const QStringList ids = pools.client->readyIds();
        QPointer<Stream> out = pools.client->tryOutgoingGet(ids.first());
        QVERIFY(out);
        QVERIFY(pools.server->readyIds().contains(ids.first()));
        out->abort();
        delete out.data();
        // The server's copy of that stream is dead: its sweep drops it.
        QVERIFY(waitUntil([&] { return !pools.server->readyIds().contains(ids.first()); }));
        while (Stream *in = pools.server->tryIncomingGet()) {
            QVERIFY2(in->id() != ids.first(), "a stream its peer reset was handed out");
            QCOMPARE(in->error(), ErrorCode::NoError);
            delete in;
        }
    }

    void clientAssemblesAnIdSplitAcrossPackets()
    {
        // A raw server sends each ID in two halves 30 ms apart: the pool
        // reads the first half when it hears of the stream, keeps it, and
        // pools the stream once the second half is in.
        Error err;
        transport::Listener listener;
        QVERIFY2(listenRaw(listener, &err), qPrintable(err.toString()));
        quint32 served = 0;
        QStringList sent;
        connect(&listener, &transport::Listener::newConnection, this, [&](transport::Connection *c) {
            connect(c, &transport::Connection::newStream, this, [&](Stream *s) {
                auto answer = [&, s] {
                    if (s->bytesAvailable() < 1 || s->property("answered").toBool())
                        return;
                    s->read(1);
                    s->setProperty("answered", true);
                    const quint32 n = 0x10203000u + ++served;
                    const char raw[4] = {char(n >> 24), char(n >> 16), char(n >> 8), char(n)};
                    const QByteArray id(raw, 4);
                    sent.append(QString::fromLatin1(id.toHex()));
                    s->write(id.left(2));
                    QPointer<Stream> guard(s);
                    QTimer::singleShot(30, this, [guard, id] {
                        if (guard)
                            guard->write(id.mid(2));
                    });
                };
                connect(s, &Stream::readyRead, this, answer);
                answer();
            });
        });
        ClientPool client(clientConfig(listener.port(), 4, 4));
        QSignalSpy errors(&client, &Pool::errorOccurred);
        QVERIFY(client.start());
        QVERIFY(waitUntil([&] { return client.active() == 4; }, 15000));
        QCOMPARE(errors.count(), 0);
        QStringList pooled = client.readyIds();
        pooled.sort();
        sent.sort();
        QCOMPARE(pooled, sent);
        Stream *s = client.tryOutgoingGet(sent.first());
        QVERIFY(s);
        QCOMPARE(s->bytesAvailable(), qint64(0));   // the ID is not the application's
    }
};

QTEST_MAIN(TestIdleStreams)
#include "tst_idlestreams.moc"
