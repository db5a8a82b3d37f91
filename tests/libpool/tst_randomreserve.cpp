// The server pool's reserve of random bytes for stream IDs: one draw from
// the generator per 128 IDs, and no byte handed out twice.
#include "pool/randomreserve.h"

#include <QtTest/QTest>
#include <cstring>
#include <vector>

using quicpool::pool::RandomReserve;

class TestRandomReserve : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void drawsOncePerReserveAndNeverRepeats()
    {
        // A generator that counts up: every byte it ever gave is distinct
        // (as a 16-bit count across two bytes), so a repeat would show.
        int draws = 0;
        uint16_t next = 0;
        RandomReserve reserve([&](void *out, size_t length) {
            ++draws;
            QCOMPARE(length, RandomReserve::kDraw);
            auto *bytes = static_cast<uint8_t *>(out);
            for (size_t i = 0; i + 1 < length; i += 2) {
                bytes[i] = uint8_t(next >> 8);
                bytes[i + 1] = uint8_t(next);
                ++next;
            }
        });
        std::vector<uint16_t> seen;
        for (int id = 0; id < 1000; ++id) {
            uint8_t four[4];
            reserve.take(four, 4);
            seen.push_back(uint16_t(four[0] << 8 | four[1]));
            seen.push_back(uint16_t(four[2] << 8 | four[3]));
        }
        QCOMPARE(draws, (1000 * 4 + int(RandomReserve::kDraw) - 1) / int(RandomReserve::kDraw));
        for (size_t i = 0; i < seen.size(); ++i)
            QCOMPARE(seen[i], uint16_t(i));   // in order, none skipped, none twice
    }

    void aTakeThatDoesNotFitDrawsAgain()
    {
        int draws = 0;
        RandomReserve reserve([&](void *out, size_t length) {
            ++draws;
            std::memset(out, draws, length);
        });
        uint8_t buf[RandomReserve::kDraw];
        reserve.take(buf, 500);
        QCOMPARE(draws, 1);
        reserve.take(buf, 13);   // 12 left: a fresh draw, not 12 old bytes and one new
        QCOMPARE(draws, 2);
        QCOMPARE(buf[0], uint8_t(2));
        QCOMPARE(buf[12], uint8_t(2));
        uint8_t big[RandomReserve::kDraw + 1];
        reserve.take(big, sizeof big);   // more than a draw: straight from the generator
        QCOMPARE(draws, 3);
        QCOMPARE(big[RandomReserve::kDraw], uint8_t(3));
    }
};

QTEST_APPLESS_MAIN(TestRandomReserve)
#include "tst_randomreserve.moc"
