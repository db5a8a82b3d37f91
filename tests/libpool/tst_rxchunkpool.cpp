// RxChunkPool: spare receive chunks are reused, bounded, and freed when idle.
#include "transport/rxchunkpool.h"

#include <QtTest/QTest>

using namespace quicpool::transport;

namespace {
constexpr qsizetype kChunk = 64 * 1024;
constexpr uint64_t kSecond = 1000ull * 1000 * 1000;
}

class TestRxChunkPool : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void aFreshChunkHasTheAskedRoom()
    {
        RxChunkPool pool;
        const QByteArray chunk = pool.take(kChunk, 0);
        QVERIFY(chunk.isEmpty());
        QVERIFY(chunk.capacity() >= kChunk);
    }

    void aRecycledChunkComesBackEmptyWithItsAllocation()
    {
        RxChunkPool pool;
        QByteArray chunk = pool.take(kChunk, 0);
        chunk.append(QByteArray(1000, 'x'));
        const char *storage = chunk.constData();
        pool.recycle(std::move(chunk), kChunk);
        QCOMPARE(pool.spares(), size_t(1));
        const QByteArray again = pool.take(kChunk, 1);
        QVERIFY(again.isEmpty());
        QCOMPARE(again.constData(), storage);   // the same block: no new allocation
        QCOMPARE(pool.spares(), size_t(0));
    }

    void keepsAtMostSixteen()
    {
        RxChunkPool pool;
        for (int i = 0; i < 20; ++i) {
            QByteArray c;
            c.reserve(kChunk);
            pool.recycle(std::move(c), kChunk);
        }
        QCOMPARE(pool.spares(), RxChunkPool::kMaxSpare);
    }

    void refusesChunksItCannotReuse()
    {
        RxChunkPool pool;
        QByteArray small;
        small.reserve(1000);
        pool.recycle(std::move(small), kChunk);     // too small for the next stream
        QByteArray huge;
        huge.reserve(4 * kChunk);
        pool.recycle(std::move(huge), kChunk);      // would hold too much memory
        QByteArray shared;
        shared.reserve(kChunk);
        shared.append('x');
        const QByteArray reader = shared;           // someone still reads it
        pool.recycle(std::move(shared), kChunk);
        QCOMPARE(pool.spares(), size_t(0));
        QCOMPARE(reader, QByteArray("x"));
    }

    void freedAfterASecondWithoutATake()
    {
        RxChunkPool pool;
        QByteArray c = pool.take(kChunk, 10 * kSecond);
        pool.recycle(std::move(c), kChunk);
        pool.trim(10 * kSecond + kSecond / 2);      // still busy
        QCOMPARE(pool.spares(), size_t(1));
        pool.trim(10 * kSecond + 2 * kSecond);      // idle for two seconds
        QCOMPARE(pool.spares(), size_t(0));
    }
};

QTEST_GUILESS_MAIN(TestRxChunkPool)
#include "tst_rxchunkpool.moc"
