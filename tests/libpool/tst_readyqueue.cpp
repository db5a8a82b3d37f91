// The ready-stream structure: FIFO order, take by ID, unique IDs, stale
// entries skipped and compacted, a reused ID keeping its new place.
#include "pool/readyqueue.h"

#include <QtTest/QTest>

using quicpool::ReadyQueue;
using quicpool::transport::PooledStream;

class TestReadyQueue : public QObject
{
    Q_OBJECT

    // Fake stream handles: the queue never dereferences them.
    static PooledStream *handle(quintptr n) { return reinterpret_cast<PooledStream *>(n * 16); }
    // The queue's key for an ID in its text form.
    static ReadyQueue::Key key(const QString &text)
    {
        quicpool::pool::StreamId id{};
        if (!quicpool::pool::decodeId(text, &id))
            qFatal("not an ID: %s", qPrintable(text));
        return ReadyQueue::keyOf(id);
    }

private Q_SLOTS:
    void keysAreTheIdBytesInOrder()
    {
        QCOMPARE(key(QStringLiteral("a1b2c3d4")), ReadyQueue::Key(0xa1b2c3d4));
        QCOMPARE(key(QStringLiteral("00000000")), ReadyQueue::Key(0));
        QCOMPARE(ReadyQueue::textOf(0x0000ff01), QStringLiteral("0000ff01"));
        QCOMPARE(ReadyQueue::textOf(key(QStringLiteral("FFFFFFFE"))), QStringLiteral("fffffffe"));
    }

    void fifoAndById()
    {
        ReadyQueue q;
        QVERIFY(q.isEmpty());
        QVERIFY(q.push(key(QStringLiteral("00000000")), handle(1)));
        QVERIFY(q.push(key(QStringLiteral("aaaaaaaa")), handle(2)));
        QVERIFY(q.push(key(QStringLiteral("bbbbbbbb")), handle(3)));
        QVERIFY(!q.push(key(QStringLiteral("aaaaaaaa")), handle(9)));  // IDs are unique
        QCOMPARE(q.size(), 3);
        QCOMPARE(q.ids(), (QStringList{"00000000", "aaaaaaaa", "bbbbbbbb"}));
        QCOMPARE(q.take(key(QStringLiteral("aaaaaaaa"))), handle(2));
        QCOMPARE(q.take(key(QStringLiteral("aaaaaaaa"))), nullptr);
        QCOMPARE(q.take(key(QStringLiteral("cccccccc"))), nullptr);
        QCOMPARE(q.ids(), (QStringList{"00000000", "bbbbbbbb"}));
        ReadyQueue::Key id = 0;
        QCOMPARE(q.takeOldest(&id), handle(1));
        QCOMPARE(ReadyQueue::textOf(id), QStringLiteral("00000000"));
        QCOMPARE(q.takeOldest(&id), handle(3));   // skips the stale "aaaaaaaa"
        QCOMPARE(ReadyQueue::textOf(id), QStringLiteral("bbbbbbbb"));
        QCOMPARE(q.takeOldest(&id), nullptr);
        QVERIFY(q.isEmpty());
    }

    void reusedIdTakesItsNewPlace()
    {
        ReadyQueue q;
        q.push(key(QStringLiteral("11111111")), handle(1));
        q.push(key(QStringLiteral("22222222")), handle(2));
        QCOMPARE(q.take(key(QStringLiteral("11111111"))), handle(1));
        q.push(key(QStringLiteral("11111111")), handle(3));   // same ID, newer stream
        QCOMPARE(q.ids(), (QStringList{"22222222", "11111111"}));
        ReadyQueue::Key id = 0;
        QCOMPARE(q.takeOldest(&id), handle(2));
        QCOMPARE(q.takeOldest(&id), handle(3));
        QCOMPARE(ReadyQueue::textOf(id), QStringLiteral("11111111"));
        QCOMPARE(q.takeOldest(), nullptr);
    }

    void takesByIdDoNotGrowTheOrderForever()
    {
        // A client pool only ever takes by ID: stale order entries must be
        // compacted away, not accumulate.
        ReadyQueue q;
        for (int round = 0; round < 100; ++round) {
            for (int i = 0; i < 50; ++i)
                QVERIFY(q.push(key(QString::number(round * 50 + i, 16).rightJustified(8, u'0')), handle(quintptr(i + 1))));
            for (int i = 0; i < 50; ++i)
                QVERIFY(q.take(key(QString::number(round * 50 + i, 16).rightJustified(8, u'0'))));
        }
        QVERIFY(q.isEmpty());
        QVERIFY2(q.orderLength() <= 16 + 50, qPrintable(QString::number(q.orderLength())));
    }

    void forEachVisitsLiveInOrder()
    {
        ReadyQueue q;
        for (int i = 1; i <= 5; ++i)
            q.push(key(QString::number(i).repeated(8)), handle(quintptr(i)));
        q.take(key(QStringLiteral("33333333")));
        QStringList seen;
        q.forEach([&](ReadyQueue::Key id, PooledStream *s) {
            QVERIFY(s);
            seen.append(ReadyQueue::textOf(id));
        });
        QCOMPARE(seen, (QStringList{"11111111", "22222222", "44444444", "55555555"}));
    }
};

QTEST_APPLESS_MAIN(TestReadyQueue)
#include "tst_readyqueue.moc"
