// The pool's pure rules: ID codec and NodePass's interval/capacity steps.
#include "pool/repeatedcause.h"
#include "pool/rules.h"

#include <QtCore/QRandomGenerator>
#include <cstring>
#include <QtTest/QtTest>

using namespace quicpool;
using namespace quicpool::pool;
using namespace std::chrono_literals;

Q_DECLARE_METATYPE(quicpool::Milliseconds)

class TestRules : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void backoffDoublesUpToTheCap();
    void backoffWaitsLongestForWhatRedialingCannotHeal();
    void backoffJitterTakesAtMostAQuarter();
    void repeatedCauseIsReportedOnce();
    void repeatedCauseFoldsRefusalsWhoseCountsMove();
    void refusalSentenceNeverAsksForFewerThanAnswered();
    void encodeKnownIds_data();
    void encodeKnownIds();
    void roundTripEveryByteValue();
    void roundTripRandom();
    void decodeAcceptsAnyCase();
    void normalizeId();
    void invalidIds_data();
    void invalidIds();
    void makeStreamIdFirstIsZero();
    void helloVerdicts();
    void makeStreamIdLaterIsRandom();

    void adjustInterval_data();
    void adjustInterval();
    void streamsNeeded();
    void adjustCapacity_data();
    void adjustCapacity();
    void fullPoolDriftsToMinCapacity();
    void drainedPoolGrowsToMaxCapacity();
    void intervalStaysWithinBounds();
};

void TestRules::encodeKnownIds_data()
{
    QTest::addColumn<QByteArray>("bytes");
    QTest::addColumn<QString>("text");
    QTest::newRow("first ID") << QByteArray::fromHex("00000000") << QStringLiteral("00000000");
    QTest::newRow("mixed") << QByteArray::fromHex("a1b2c3d4") << QStringLiteral("a1b2c3d4");
    QTest::newRow("all ones") << QByteArray::fromHex("ffffffff") << QStringLiteral("ffffffff");
    QTest::newRow("leading zero nibbles") << QByteArray::fromHex("0a0b0c0d") << QStringLiteral("0a0b0c0d");
    QTest::newRow("byte order") << QByteArray::fromHex("01020304") << QStringLiteral("01020304");
}

void TestRules::encodeKnownIds()
{
    QFETCH(QByteArray, bytes);
    QFETCH(QString, text);
    QCOMPARE(bytes.size(), 4);
    StreamId id{};
    std::memcpy(id.data(), bytes.constData(), id.size());
    QCOMPARE(encodeId(id), text);

    StreamId decoded{0xee, 0xee, 0xee, 0xee};
    QVERIFY(decodeId(text, &decoded));
    QCOMPARE(decoded, id);
}

void TestRules::roundTripEveryByteValue()
{
    for (int position = 0; position < 4; ++position) {
        for (int value = 0; value < 256; ++value) {
            StreamId id{0x5a, 0x5a, 0x5a, 0x5a};
            id[size_t(position)] = uint8_t(value);
            const QString text = encodeId(id);
            QCOMPARE(text.size(), 8);
            QCOMPARE(text, text.toLower());
            QVERIFY(isValidId(text));
            StreamId back{};
            QVERIFY(decodeId(text, &back));
            QCOMPARE(back, id);
        }
    }
}

void TestRules::roundTripRandom()
{
    QRandomGenerator random(12345);
    for (int i = 0; i < 2000; ++i) {
        const quint32 value = random.generate();
        const StreamId id{uint8_t(value >> 24), uint8_t(value >> 16), uint8_t(value >> 8), uint8_t(value)};
        const QString text = encodeId(id);
        // Same text as the plain hex of the 4 bytes, as NodePass prints it.
        QCOMPARE(text, QString::number(value, 16).rightJustified(8, u'0'));
        StreamId back{};
        QVERIFY(decodeId(text, &back));
        QCOMPARE(back, id);
    }
}

void TestRules::decodeAcceptsAnyCase()
{
    StreamId id{};
    QVERIFY(decodeId(u"A1B2C3D4", &id));
    QCOMPARE(id, (StreamId{0xa1, 0xb2, 0xc3, 0xd4}));
    QVERIFY(decodeId(u"aBcDeF01", &id));
    QCOMPARE(id, (StreamId{0xab, 0xcd, 0xef, 0x01}));
    QVERIFY(isValidId(u"DEADBEEF"));
    // A null output pointer only validates.
    QVERIFY(decodeId(u"deadbeef", nullptr));
}

void TestRules::helloVerdicts()
{
    using V = HelloVerdict;
    // Nothing yet: wait, or, after the peer's FIN, a quiet close.
    QCOMPARE(helloVerdict(std::nullopt, 0, false, true), V::Wait);
    QCOMPARE(helloVerdict(std::nullopt, 0, true, true), V::QuietClose);
    QCOMPARE(helloVerdict(std::nullopt, 0, true, false), V::QuietClose);
    // Strict: one 0x00 byte and nothing behind it.
    QCOMPARE(helloVerdict(uint8_t(0), 0, false, true), V::Accept);
    QCOMPARE(helloVerdict(uint8_t(0), 0, true, true), V::Accept);
    QCOMPARE(helloVerdict(uint8_t(1), 0, false, true), V::Refuse);
    QCOMPARE(helloVerdict(uint8_t(0), 1, false, true), V::Refuse);
    // Lenient (NodePass reads one byte and ignores it): any first byte.
    QCOMPARE(helloVerdict(uint8_t(0xff), 5, false, false), V::Accept);
}

void TestRules::normalizeId()
{
    bool ok = false;
    QCOMPARE(pool::normalizeId(u"A1B2C3D4", &ok), QStringLiteral("a1b2c3d4"));
    QVERIFY(ok);
    QCOMPARE(pool::normalizeId(u"00000000", &ok), QStringLiteral("00000000"));
    QVERIFY(ok);
    ok = true;
    QCOMPARE(pool::normalizeId(u"A1B2C3D", &ok), QString());
    QVERIFY(!ok);
    ok = true;
    QVERIFY(pool::normalizeId(u"zzzzzzzz", &ok).isEmpty());
    QVERIFY(!ok);
    QCOMPARE(pool::normalizeId(u"FFFFFFFF"), QStringLiteral("ffffffff")); // ok pointer optional
}

void TestRules::invalidIds_data()
{
    QTest::addColumn<QString>("text");
    QTest::newRow("empty") << QString();
    QTest::newRow("7 chars") << QStringLiteral("0000000");
    QTest::newRow("9 chars") << QStringLiteral("000000000");
    QTest::newRow("16 chars") << QStringLiteral("0000000000000000");
    QTest::newRow("g") << QStringLiteral("g0000000");
    QTest::newRow("G at end") << QStringLiteral("0000000G");
    QTest::newRow("trailing space") << QStringLiteral("0000000 ");
    QTest::newRow("leading space") << QStringLiteral(" 0000000");
    QTest::newRow("0x prefix") << QStringLiteral("0x000000");
    QTest::newRow("minus") << QStringLiteral("-0000000");
    QTest::newRow("colon") << QStringLiteral("00:00:00");
    QTest::newRow("nul") << QString(QStringLiteral("0000000") + QChar(u'\0'));
    QTest::newRow("arabic-indic digit") << (QStringLiteral("0000000") + QChar(0x0660));
    QTest::newRow("fullwidth digit") << (QChar(0xff10) + QStringLiteral("0000000"));
    QTest::newRow("fullwidth A") << (QStringLiteral("0000000") + QChar(0xff21));
    QTest::newRow("accented e") << (QStringLiteral("0000000") + QChar(0x00e9));
    QTest::newRow("byte a + 0x100") << (QStringLiteral("0000000") + QChar(u'a' + 0x100));
}

void TestRules::invalidIds()
{
    QFETCH(QString, text);
    QVERIFY(!isValidId(text));
    StreamId untouched{1, 2, 3, 4};
    QVERIFY(!decodeId(text, &untouched));
    QCOMPARE(untouched, (StreamId{1, 2, 3, 4}));
    bool ok = true;
    QVERIFY(pool::normalizeId(text, &ok).isEmpty());
    QVERIFY(!ok);
}

void TestRules::makeStreamIdFirstIsZero()
{
    int calls = 0;
    const RandomFill filler = [&](void *buffer, size_t length) {
        ++calls;
        std::memset(buffer, 0xab, length);
    };
    const StreamId first = makeStreamId(true, filler);
    QCOMPARE(encodeId(first), QStringLiteral("00000000"));
    QCOMPARE(calls, 0); // the first ID never consumes randomness
}

void TestRules::makeStreamIdLaterIsRandom()
{
    size_t askedFor = 0;
    uint8_t next = 0x10;
    const RandomFill filler = [&](void *buffer, size_t length) {
        askedFor = length;
        auto *bytes = static_cast<uint8_t *>(buffer);
        for (size_t i = 0; i < length; ++i)
            bytes[i] = next++;
    };
    QCOMPARE(encodeId(makeStreamId(false, filler)), QStringLiteral("10111213"));
    QCOMPARE(askedFor, size_t(4));
    QCOMPARE(encodeId(makeStreamId(false, filler)), QStringLiteral("14151617"));
}

void TestRules::adjustInterval_data()
{
    QTest::addColumn<int>("idle");
    QTest::addColumn<int>("capacity");
    QTest::addColumn<Milliseconds>("interval");
    QTest::addColumn<Milliseconds>("minInterval");
    QTest::addColumn<Milliseconds>("maxInterval");
    QTest::addColumn<Milliseconds>("expected");

    const Milliseconds lo = 100ms, hi = 1000ms;
    // capacity 10: low threshold int(2.0) = 2, high threshold int(8.0) = 8.
    QTest::newRow("cap10 idle0 shorter") << 0 << 10 << 500ms << lo << hi << 400ms;
    QTest::newRow("cap10 idle1 shorter") << 1 << 10 << 500ms << lo << hi << 400ms;
    QTest::newRow("cap10 idle2 strict, unchanged") << 2 << 10 << 500ms << lo << hi << 500ms;
    QTest::newRow("cap10 idle5 unchanged") << 5 << 10 << 500ms << lo << hi << 500ms;
    QTest::newRow("cap10 idle8 strict, unchanged") << 8 << 10 << 500ms << lo << hi << 500ms;
    QTest::newRow("cap10 idle9 longer") << 9 << 10 << 500ms << lo << hi << 600ms;
    QTest::newRow("cap10 idle10 longer") << 10 << 10 << 500ms << lo << hi << 600ms;
    // Bounds: never past min or max, and a partial step lands on the bound.
    QTest::newRow("at min stays") << 0 << 10 << 100ms << lo << hi << 100ms;
    QTest::newRow("near min clamps") << 0 << 10 << 150ms << lo << hi << 100ms;
    QTest::newRow("exactly one step above min") << 0 << 10 << 200ms << lo << hi << 100ms;
    QTest::newRow("at max stays") << 10 << 10 << 1000ms << lo << hi << 1000ms;
    QTest::newRow("near max clamps") << 10 << 10 << 950ms << lo << hi << 1000ms;
    QTest::newRow("exactly one step below max") << 10 << 10 << 900ms << lo << hi << 1000ms;
    // Truncation: int(4 * 0.2) = 0, so no idle count is ever "too few".
    QTest::newRow("cap4 idle0 no low threshold") << 0 << 4 << 500ms << lo << hi << 500ms;
    // int(4 * 0.8) = 3.
    QTest::newRow("cap4 idle3 unchanged") << 3 << 4 << 500ms << lo << hi << 500ms;
    QTest::newRow("cap4 idle4 longer") << 4 << 4 << 500ms << lo << hi << 600ms;
    // int(5 * 0.2) = 1 and int(5 * 0.8) = 4 (products exact in double).
    QTest::newRow("cap5 idle0 shorter") << 0 << 5 << 500ms << lo << hi << 400ms;
    QTest::newRow("cap5 idle1 unchanged") << 1 << 5 << 500ms << lo << hi << 500ms;
    QTest::newRow("cap5 idle4 unchanged") << 4 << 5 << 500ms << lo << hi << 500ms;
    QTest::newRow("cap5 idle5 longer") << 5 << 5 << 500ms << lo << hi << 600ms;
    // int(3 * 0.8) = int(2.4000000000000004) = 2.
    QTest::newRow("cap3 idle2 unchanged") << 2 << 3 << 500ms << lo << hi << 500ms;
    QTest::newRow("cap3 idle3 longer") << 3 << 3 << 500ms << lo << hi << 600ms;
    // capacity 1: thresholds 0 and 0.
    QTest::newRow("cap1 idle0 unchanged") << 0 << 1 << 500ms << lo << hi << 500ms;
    QTest::newRow("cap1 idle1 longer") << 1 << 1 << 500ms << lo << hi << 600ms;
    // int(100 * 0.2) = 20, int(100 * 0.8) = 80.
    QTest::newRow("cap100 idle19 shorter") << 19 << 100 << 500ms << lo << hi << 400ms;
    QTest::newRow("cap100 idle20 unchanged") << 20 << 100 << 500ms << lo << hi << 500ms;
    QTest::newRow("cap100 idle80 unchanged") << 80 << 100 << 500ms << lo << hi << 500ms;
    QTest::newRow("cap100 idle81 longer") << 81 << 100 << 500ms << lo << hi << 600ms;
    // min == max: nothing moves.
    QTest::newRow("fixed interval low") << 0 << 10 << 300ms << 300ms << 300ms << 300ms;
    QTest::newRow("fixed interval high") << 10 << 10 << 300ms << 300ms << 300ms << 300ms;
    // An interval outside the bounds (bounds changed): moved toward them as Go does.
    QTest::newRow("above max, few idle") << 0 << 10 << 1500ms << lo << hi << 1400ms;
    QTest::newRow("below min, many idle") << 10 << 10 << 50ms << lo << hi << 150ms;
}

void TestRules::adjustInterval()
{
    QFETCH(int, idle);
    QFETCH(int, capacity);
    QFETCH(Milliseconds, interval);
    QFETCH(Milliseconds, minInterval);
    QFETCH(Milliseconds, maxInterval);
    QFETCH(Milliseconds, expected);
    QCOMPARE(pool::adjustInterval(idle, capacity, interval, minInterval, maxInterval).count(), expected.count());
}

void TestRules::streamsNeeded()
{
    QCOMPARE(pool::streamsNeeded(10, 0), 10);
    QCOMPARE(pool::streamsNeeded(10, 7), 3);
    QCOMPARE(pool::streamsNeeded(10, 10), 0);
    // More idle than capacity (capacity just dropped): nothing to create.
    QCOMPARE(pool::streamsNeeded(5, 9), 0);
}

void TestRules::adjustCapacity_data()
{
    QTest::addColumn<int>("created");
    QTest::addColumn<int>("capacity");
    QTest::addColumn<int>("minCapacity");
    QTest::addColumn<int>("maxCapacity");
    QTest::addColumn<int>("expected");

    QTest::newRow("ratio 0 shrinks") << 0 << 10 << 1 << 20 << 9;
    QTest::newRow("ratio 0.1 shrinks") << 1 << 10 << 1 << 20 << 9;
    QTest::newRow("ratio 0.2 strict, unchanged") << 2 << 10 << 1 << 20 << 10;
    QTest::newRow("ratio 0.5 unchanged") << 5 << 10 << 1 << 20 << 10;
    QTest::newRow("ratio 0.8 strict, unchanged") << 8 << 10 << 1 << 20 << 10;
    QTest::newRow("ratio 0.9 grows") << 9 << 10 << 1 << 20 << 11;
    QTest::newRow("ratio 1 grows") << 10 << 10 << 1 << 20 << 11;
    // 1/5 and 4/5 give exactly the doubles 0.2 and 0.8: no change.
    QTest::newRow("1 of 5 is 0.2") << 1 << 5 << 1 << 20 << 5;
    QTest::newRow("4 of 5 is 0.8") << 4 << 5 << 1 << 20 << 5;
    QTest::newRow("at min stays") << 0 << 3 << 3 << 20 << 3;
    QTest::newRow("at max stays") << 20 << 20 << 1 << 20 << 20;
    QTest::newRow("capacity 1 refilled grows") << 1 << 1 << 1 << 20 << 2;
    QTest::newRow("capacity 1 at min") << 0 << 1 << 1 << 20 << 1;
    QTest::newRow("min equals max") << 10 << 10 << 10 << 10 << 10;
    // Outside the bounds (bounds changed): one step toward them, as Go does.
    QTest::newRow("above max shrinks only when starved") << 0 << 30 << 1 << 20 << 29;
    QTest::newRow("above max does not grow") << 30 << 30 << 1 << 20 << 30;
    QTest::newRow("below min grows when refilled") << 2 << 2 << 5 << 20 << 3;
    QTest::newRow("below min does not shrink") << 0 << 2 << 5 << 20 << 2;
    QTest::newRow("capacity 0 guarded") << 0 << 0 << 4 << 20 << 4;
    QTest::newRow("negative capacity guarded") << 3 << -1 << 2 << 20 << 2;
}

void TestRules::adjustCapacity()
{
    QFETCH(int, created);
    QFETCH(int, capacity);
    QFETCH(int, minCapacity);
    QFETCH(int, maxCapacity);
    QFETCH(int, expected);
    QCOMPARE(pool::adjustCapacity(created, capacity, minCapacity, maxCapacity), expected);
}

// One manager cycle as PROTOCOL.md orders it, with an application that takes
// `taken` streams per cycle and every creation succeeding.
struct Cycle
{
    int idle;
    int capacity;
    Milliseconds interval;
};

static Cycle runCycle(Cycle state, int taken, int minCap, int maxCap, Milliseconds minIvl, Milliseconds maxIvl)
{
    state.idle = std::max(0, state.idle - taken);
    state.interval = pool::adjustInterval(state.idle, state.capacity, state.interval, minIvl, maxIvl);
    const int created = pool::streamsNeeded(state.capacity, state.idle);
    state.idle += created;
    state.capacity = pool::adjustCapacity(created, state.capacity, minCap, maxCap);
    return state;
}

void TestRules::fullPoolDriftsToMinCapacity()
{
    // A full pool nobody takes from creates nothing: ratio 0, so capacity
    // drops by one per cycle until minCap, and the interval grows to max.
    const int minCap = 4, maxCap = 32;
    Cycle state{32, 32, 100ms};
    QList<int> capacities;
    for (int i = 0; i < 40; ++i) {
        state = runCycle(state, 0, minCap, maxCap, 100ms, 1000ms);
        capacities.append(state.capacity);
    }
    for (int i = 0; i < 28; ++i)
        QCOMPARE(capacities.at(i), 31 - i);
    QCOMPARE(capacities.at(27), minCap);
    QCOMPARE(capacities.last(), minCap);
    QCOMPARE(state.interval.count(), 1000);

    // The same through adjustCapacity alone with created = 0.
    int capacity = 10;
    int cycles = 0;
    while (capacity > 2) {
        capacity = pool::adjustCapacity(0, capacity, 2, 10);
        ++cycles;
        QVERIFY(cycles <= 8);
    }
    QCOMPARE(cycles, 8);
    QCOMPARE(pool::adjustCapacity(0, capacity, 2, 10), 2);
}

void TestRules::drainedPoolGrowsToMaxCapacity()
{
    // The application takes every stream each cycle: every creation is
    // needed, ratio 1, capacity grows by one per cycle up to maxCap, and the
    // interval shortens to min once few streams are idle.
    const int minCap = 1, maxCap = 20;
    Cycle state{0, minCap, 1000ms};
    int cycles = 0;
    while (state.capacity < maxCap) {
        state = runCycle(state, state.idle, minCap, maxCap, 100ms, 1000ms);
        ++cycles;
        QVERIFY(cycles <= maxCap);
    }
    QCOMPARE(cycles, maxCap - minCap);
    for (int i = 0; i < 20; ++i)
        state = runCycle(state, state.idle, minCap, maxCap, 100ms, 1000ms);
    QCOMPARE(state.capacity, maxCap);
    QCOMPARE(state.interval.count(), 100);
}

void TestRules::intervalStaysWithinBounds()
{
    // Random idle counts never push the interval out of [min, max], and it
    // moves at most one step per cycle.
    QRandomGenerator random(7);
    Milliseconds interval = 250ms;
    for (int i = 0; i < 5000; ++i) {
        const int capacity = 1 + int(random.bounded(200));
        const int idle = int(random.bounded(capacity + 1));
        const Milliseconds next = pool::adjustInterval(idle, capacity, interval, 250ms, 2250ms);
        QVERIFY(next >= 250ms && next <= 2250ms);
        QVERIFY(std::chrono::abs(next - interval) <= kIntervalStep);
        interval = next;
    }
}

void TestRules::refusalSentenceNeverAsksForFewerThanAnswered()
{
    QCOMPARE(pool::refusalSentence(4, 8, 4), QStringLiteral("server pool full: accepted 4 of 8 streams"));
    QCOMPARE(pool::refusalSentence(0, 2, 2), QStringLiteral("server pool full: accepted 0 of 2 streams"));
    // A full pool's batch asks for none, and an earlier batch's stream is
    // refused meanwhile: one asked, not "accepted 0 of 0".
    QCOMPARE(pool::refusalSentence(0, 0, 1), QStringLiteral("server pool full: accepted 0 of 1 streams"));
}

void TestRules::backoffDoublesUpToTheCap()
{
    const Milliseconds cap(5000);
    QCOMPARE(backoffDelay(1, ErrorCode::HandshakeTimeout, cap, 0.0), Milliseconds(50));
    QCOMPARE(backoffDelay(2, ErrorCode::HandshakeTimeout, cap, 0.0), Milliseconds(100));
    QCOMPARE(backoffDelay(3, ErrorCode::ConnectionLost, cap, 0.0), Milliseconds(200));
    QCOMPARE(backoffDelay(7, ErrorCode::Unreachable, cap, 0.0), Milliseconds(3200));
    QCOMPARE(backoffDelay(8, ErrorCode::Unreachable, cap, 0.0), Milliseconds(5000));
    QCOMPARE(backoffDelay(1000, ErrorCode::ResolveFailed, cap, 0.0), Milliseconds(5000));
    // A cap below the first wait still waits the first wait.
    QCOMPARE(backoffDelay(3, ErrorCode::HandshakeTimeout, Milliseconds(10), 0.0), Milliseconds(50));
}

void TestRules::backoffWaitsLongestForWhatRedialingCannotHeal()
{
    const Milliseconds cap(5000);
    for (ErrorCode code : {ErrorCode::PinMismatch, ErrorCode::TlsHandshakeFailed, ErrorCode::Unauthorized,
                           ErrorCode::CertificateError, ErrorCode::InvalidAddress}) {
        QVERIFY(isPersistentFailure(code));
        QCOMPARE(backoffDelay(1, code, cap, 0.0), cap);
    }
    for (ErrorCode code : {ErrorCode::HandshakeTimeout, ErrorCode::ConnectionLost, ErrorCode::Unreachable,
                           ErrorCode::ResolveFailed, ErrorCode::StreamRefused, ErrorCode::ConnectionClosed})
        QVERIFY(!isPersistentFailure(code));
}

void TestRules::backoffJitterTakesAtMostAQuarter()
{
    const Milliseconds cap(4000);
    QCOMPARE(backoffDelay(10, ErrorCode::ConnectionLost, cap, 0.999999), Milliseconds(3000));
    QCOMPARE(backoffDelay(10, ErrorCode::ConnectionLost, cap, 0.5), Milliseconds(3500));
    // Out-of-range jitter is clamped, never negative or above the delay.
    QCOMPARE(backoffDelay(10, ErrorCode::ConnectionLost, cap, -3.0), Milliseconds(4000));
    QCOMPARE(backoffDelay(10, ErrorCode::ConnectionLost, cap, 7.0), Milliseconds(3000));
}

void TestRules::repeatedCauseIsReportedOnce()
{
    RepeatedCause cause;
    const Error timeout(ErrorCode::HandshakeTimeout, QStringLiteral("the QUIC handshake did not finish within 100 ms"));
    QVERIFY(cause.record(timeout).isNew);
    for (int i = 0; i < 242; ++i) {
        const RepeatedCause::Outcome again = cause.record(timeout);
        QVERIFY(!again.isNew);
        QCOMPARE(again.endedRepeats, 0);
    }
    QCOMPARE(cause.count(), 243);
    // Another cause is new, and closes the first with its count.
    const Error pin(ErrorCode::PinMismatch, QStringLiteral("the pin does not match"));
    const RepeatedCause::Outcome changed = cause.record(pin);
    QVERIFY(changed.isNew);
    QCOMPARE(changed.ended, timeout);
    QCOMPARE(changed.endedRepeats, 243);
    QCOMPARE(RepeatedCause::foldedText(changed.ended, changed.endedRepeats),
             QStringLiteral("the QUIC handshake did not finish within 100 ms (repeated 243 times)"));
    // Clearing after a single occurrence has nothing to fold.
    const RepeatedCause::Outcome cleared = cause.clear();
    QCOMPARE(cleared.endedRepeats, 0);
    QVERIFY(!cause.current().isError());
    QVERIFY(cause.record(timeout).isNew);   // seen again after clearing: new again
}

void TestRules::repeatedCauseFoldsRefusalsWhoseCountsMove()
{
    RepeatedCause cause;
    QVERIFY(cause.record(Error(ErrorCode::StreamRefused, QStringLiteral("server pool full: accepted 4 of 8 streams"))).isNew);
    QVERIFY(!cause.record(Error(ErrorCode::StreamRefused, QStringLiteral("server pool full: accepted 0 of 4 streams"))).isNew);
    // The latest numbers are what lastError() shows.
    QCOMPARE(cause.current().message(), QStringLiteral("server pool full: accepted 0 of 4 streams"));
    // Other causes compare their sentences.
    QVERIFY(cause.record(Error(ErrorCode::ResolveFailed, QStringLiteral("cannot resolve a"))).isNew);
    QVERIFY(cause.record(Error(ErrorCode::ResolveFailed, QStringLiteral("cannot resolve b"))).isNew);
}

QTEST_GUILESS_MAIN(TestRules)
#include "tst_rules.moc"
