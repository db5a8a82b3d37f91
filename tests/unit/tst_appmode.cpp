// The CLI's application protocol: pattern, checker, reply/request codecs,
// per-stream lines and the JSON summary.
#include "appmode.h"

#include <QtCore/QJsonDocument>
#include <QtCore/QJsonObject>
#include <QtTest/QtTest>
#include <limits>

using namespace quicpool::cli;

class TestAppMode : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void modeNames();
    void patternByteValues();
    void fillPatternMatchesPatternByte_data();
    void fillPatternMatchesPatternByte();
    void patternBytesEdgeCases();
    void checkerCleanStream_data();
    void checkerCleanStream();
    void checkerSingleCorruption_data();
    void checkerSingleCorruption();
    void checkerSeveralCorruptions();
    void checkerSeesLostAndRepeatedBlocks_data();
    void checkerSeesLostAndRepeatedBlocks();
    void checkerStartsAtOffsetZero();
    void checkerReset();
    void sinkReplyCodec();
    void sinkReplyWrongSizes();
    void sourceRequestCodec();
    void sourceRequestWrongSizes();
    void streamLines();
    void summaryJsonFields();
    void summaryMbpsArithmetic();
    void summaryTextLine();
};

void TestAppMode::modeNames()
{
    for (AppMode mode : {AppMode::Echo, AppMode::Sink, AppMode::Source, AppMode::Hold}) {
        AppMode back = mode == AppMode::Echo ? AppMode::Hold : AppMode::Echo;
        QVERIFY(parseAppMode(appModeName(mode), &back));
        QCOMPARE(back, mode);
    }
    QCOMPARE(appModeName(AppMode::Echo), QStringLiteral("echo"));
    QCOMPARE(appModeName(AppMode::Sink), QStringLiteral("sink"));
    QCOMPARE(appModeName(AppMode::Source), QStringLiteral("source"));
    QCOMPARE(appModeName(AppMode::Hold), QStringLiteral("hold"));
    AppMode untouched = AppMode::Sink;
    QVERIFY(!parseAppMode(u"ECHO", &untouched));
    QVERIFY(!parseAppMode(u"", &untouched));
    QVERIFY(!parseAppMode(u"echo ", &untouched));
    QVERIFY(!parseAppMode(u"discard", &untouched));
    QCOMPARE(untouched, AppMode::Sink);
}

void TestAppMode::patternByteValues()
{
    QCOMPARE(patternByte(0), uint8_t(0));
    QCOMPARE(patternByte(1), uint8_t(1));
    QCOMPARE(patternByte(250), uint8_t(250));
    QCOMPARE(patternByte(251), uint8_t(0));
    QCOMPARE(patternByte(252), uint8_t(1));
    QCOMPARE(patternByte(256), uint8_t(5));
    QCOMPARE(patternByte(uint64_t(1) << 40), uint8_t((uint64_t(1) << 40) % 251));
    QCOMPARE(patternByte(std::numeric_limits<uint64_t>::max()),
             uint8_t(std::numeric_limits<uint64_t>::max() % 251));
}

void TestAppMode::fillPatternMatchesPatternByte_data()
{
    QTest::addColumn<quint64>("offset");
    QTest::addColumn<qint64>("size");
    for (quint64 offset : {quint64(0), quint64(1), quint64(250), quint64(251), quint64(1000),
                           (quint64(1) << 33) + 7}) {
        for (qint64 size : {qint64(0), qint64(1), qint64(250), qint64(251), qint64(252), qint64(5000)}) {
            QTest::addRow("offset %llu size %lld", offset, size) << offset << size;
        }
    }
}

void TestAppMode::fillPatternMatchesPatternByte()
{
    QFETCH(quint64, offset);
    QFETCH(qint64, size);
    QByteArray buffer(size + 2, '\x7f');
    fillPattern(buffer.data() + 1, size, offset);
    QCOMPARE(buffer.front(), '\x7f'); // nothing written outside the range
    QCOMPARE(buffer.back(), '\x7f');
    for (qint64 i = 0; i < size; ++i)
        QCOMPARE(uint8_t(buffer.at(1 + i)), patternByte(offset + uint64_t(i)));
    QCOMPARE(patternBytes(offset, size), buffer.mid(1, size));
}

void TestAppMode::patternBytesEdgeCases()
{
    QVERIFY(patternBytes(0, 0).isEmpty());
    QVERIFY(patternBytes(10, -5).isEmpty());
    const QByteArray wrap = patternBytes(249, 4);
    QCOMPARE(wrap, QByteArray::fromHex("f9fa0001"));
}

void TestAppMode::checkerCleanStream_data()
{
    QTest::addColumn<qint64>("chunk");
    for (qint64 chunk : {qint64(1), qint64(7), qint64(250), qint64(251), qint64(4096), qint64(100000)})
        QTest::addRow("chunk %lld", chunk) << chunk;
}

void TestAppMode::checkerCleanStream()
{
    QFETCH(qint64, chunk);
    const QByteArray data = patternBytes(0, 100000);
    PatternChecker checker;
    for (qint64 at = 0; at < data.size(); at += chunk)
        checker.feed(QByteArrayView(data).sliced(at, std::min(chunk, data.size() - at)));
    QCOMPARE(checker.total(), uint64_t(100000));
    QCOMPARE(checker.mismatches(), uint64_t(0));
    QCOMPARE(checker.firstMismatch(), qint64(-1));
    QVERIFY(checker.isClean());
}

void TestAppMode::checkerSingleCorruption_data()
{
    QTest::addColumn<qint64>("offset");
    QTest::addColumn<qint64>("chunk");
    const qint64 size = 20000;
    for (qint64 offset : {qint64(0), qint64(1), qint64(250), qint64(251), qint64(4095), qint64(4096), size - 1}) {
        for (qint64 chunk : {qint64(1), qint64(3), qint64(250), qint64(251), qint64(1024), size})
            QTest::addRow("byte %lld, chunk %lld", offset, chunk) << offset << chunk;
    }
}

void TestAppMode::checkerSingleCorruption()
{
    QFETCH(qint64, offset);
    QFETCH(qint64, chunk);
    QByteArray data = patternBytes(0, 20000);
    data[offset] = char(data.at(offset) ^ 0x40);
    PatternChecker checker;
    for (qint64 at = 0; at < data.size(); at += chunk)
        checker.feed(data.constData() + at, std::min(chunk, data.size() - at));
    QCOMPARE(checker.total(), uint64_t(20000));
    QCOMPARE(checker.mismatches(), uint64_t(1));
    QCOMPARE(checker.firstMismatch(), offset);
    QVERIFY(!checker.isClean());
}

void TestAppMode::checkerSeveralCorruptions()
{
    QByteArray data = patternBytes(0, 3000);
    for (qint64 at : {2999, 17, 1500})
        data[at] = char(~uchar(data.at(at)));
    PatternChecker checker;
    checker.feed(data.left(1000));
    checker.feed(nullptr, 0); // empty chunks change nothing
    checker.feed(data.mid(1000));
    QCOMPARE(checker.mismatches(), uint64_t(3));
    QCOMPARE(checker.firstMismatch(), qint64(17));
    QCOMPARE(checker.total(), uint64_t(3000));
}

void TestAppMode::checkerSeesLostAndRepeatedBlocks_data()
{
    QTest::addColumn<qint64>("block");
    for (qint64 block : {qint64(1), qint64(256), qint64(1024), qint64(1200), qint64(4096), qint64(65536)})
        QTest::addRow("block %lld", block) << block;
}

void TestAppMode::checkerSeesLostAndRepeatedBlocks()
{
    // Why the period is a prime: a block of a typical buffer size that goes
    // missing or comes twice leaves the rest of the stream off pattern.
    QFETCH(qint64, block);
    const QByteArray data = patternBytes(0, 200000);
    const qint64 at = 70000;

    const QByteArray lost = data.left(at) + data.mid(at + block);
    PatternChecker lostChecker;
    lostChecker.feed(lost);
    QCOMPARE(lostChecker.firstMismatch(), at);
    QVERIFY(lostChecker.mismatches() > uint64_t(lost.size() - at) / 2);

    const QByteArray repeated = data.left(at + block) + data.mid(at);
    PatternChecker repeatedChecker;
    repeatedChecker.feed(repeated);
    QCOMPARE(repeatedChecker.firstMismatch(), at + block);
    QCOMPARE(repeatedChecker.total(), uint64_t(repeated.size()));
}

void TestAppMode::checkerStartsAtOffsetZero()
{
    // A stream that starts mid-pattern is wrong from byte 0.
    PatternChecker checker;
    checker.feed(patternBytes(1, 10));
    QCOMPARE(checker.mismatches(), uint64_t(10));
    QCOMPARE(checker.firstMismatch(), qint64(0));
}

void TestAppMode::checkerReset()
{
    PatternChecker checker;
    checker.feed(QByteArrayView("xyz"));
    QVERIFY(!checker.isClean());
    checker.reset();
    QCOMPARE(checker.total(), uint64_t(0));
    QCOMPARE(checker.mismatches(), uint64_t(0));
    QCOMPARE(checker.firstMismatch(), qint64(-1));
    checker.feed(patternBytes(0, 600));
    QVERIFY(checker.isClean());
}

void TestAppMode::sinkReplyCodec()
{
    const QByteArray bytes = encodeSinkReply({0x0102030405060708ULL, 0x1112131415161718ULL});
    QCOMPARE(bytes.size(), kSinkReplySize);
    QCOMPARE(bytes, QByteArray::fromHex("0102030405060708" "1112131415161718"));
    SinkReply reply;
    QVERIFY(decodeSinkReply(bytes, &reply));
    QCOMPARE(reply.total, 0x0102030405060708ULL);
    QCOMPARE(reply.mismatches, 0x1112131415161718ULL);

    const uint64_t max = std::numeric_limits<uint64_t>::max();
    for (SinkReply sample : {SinkReply{0, 0}, SinkReply{65536, 0}, SinkReply{max, max}, SinkReply{1, max - 1}}) {
        SinkReply back{7, 7};
        QVERIFY(decodeSinkReply(encodeSinkReply(sample), &back));
        QCOMPARE(back.total, sample.total);
        QCOMPARE(back.mismatches, sample.mismatches);
    }
    QCOMPARE(encodeSinkReply({65536, 0}), QByteArray::fromHex("0000000000010000" "0000000000000000"));
}

void TestAppMode::sinkReplyWrongSizes()
{
    for (int size : {0, 8, 15, 17, 32}) {
        SinkReply reply{5, 6};
        QVERIFY(!decodeSinkReply(QByteArray(size, '\0'), &reply));
        QCOMPARE(reply.total, uint64_t(5));
        QCOMPARE(reply.mismatches, uint64_t(6));
    }
}

void TestAppMode::sourceRequestCodec()
{
    QCOMPARE(encodeSourceRequest(0x0102030405060708ULL), QByteArray::fromHex("0102030405060708"));
    QCOMPARE(encodeSourceRequest(65536), QByteArray::fromHex("0000000000010000"));
    for (uint64_t n : {uint64_t(0), uint64_t(1), uint64_t(1) << 32, std::numeric_limits<uint64_t>::max()}) {
        const QByteArray bytes = encodeSourceRequest(n);
        QCOMPARE(bytes.size(), kSourceRequestSize);
        uint64_t back = 12345;
        QVERIFY(decodeSourceRequest(bytes, &back));
        QCOMPARE(back, n);
    }
}

void TestAppMode::sourceRequestWrongSizes()
{
    for (int size : {0, 1, 7, 9, 16}) {
        uint64_t n = 99;
        QVERIFY(!decodeSourceRequest(QByteArray(size, '\x01'), &n));
        QCOMPARE(n, uint64_t(99));
    }
}

void TestAppMode::streamLines()
{
    QCOMPARE(formatStreamLine(QStringLiteral("00000000"), 65536, 12.34, true),
             QStringLiteral("stream 00000000 bytes=65536 ms=12.3 ok"));
    QCOMPARE(formatStreamLine(QStringLiteral("a1b2c3d4"), 0, 0.0, true),
             QStringLiteral("stream a1b2c3d4 bytes=0 ms=0.0 ok"));
    QCOMPARE(formatStreamLine(QStringLiteral("a1b2c3d4"), 100, 1500.06, false,
                              QStringLiteral("3 bytes differ from the pattern")),
             QStringLiteral("stream a1b2c3d4 bytes=100 ms=1500.1 fail: 3 bytes differ from the pattern"));
    QCOMPARE(formatStreamLine(QStringLiteral("ffffffff"), 5, 2.0, false),
             QStringLiteral("stream ffffffff bytes=5 ms=2.0 fail: unknown error"));
}

void TestAppMode::summaryJsonFields()
{
    ClientSummary summary;
    summary.streams = 10;
    summary.ok = 9;
    summary.failed = 1;
    summary.bytes = 5000000000LL; // beyond 32 bits
    summary.seconds = 4.0;
    const QByteArray json = summaryJson(summary);
    QVERIFY(!json.contains('\n')); // one line, for scripts
    QJsonParseError error;
    const QJsonDocument document = QJsonDocument::fromJson(json, &error);
    QCOMPARE(error.error, QJsonParseError::NoError);
    QVERIFY(document.isObject());
    const QJsonObject object = document.object();
    QCOMPARE(object.keys().size(), 6);
    QCOMPARE(object.value(u"streams").toInt(), 10);
    QCOMPARE(object.value(u"ok").toInt(), 9);
    QCOMPARE(object.value(u"failed").toInt(), 1);
    QCOMPARE(object.value(u"bytes").toInteger(), 5000000000LL);
    QCOMPARE(object.value(u"seconds").toDouble(), 4.0);
    QCOMPARE(object.value(u"mbps").toDouble(), 1250.0); // 5e9 B / 1e6 / 4 s
}

void TestAppMode::summaryMbpsArithmetic()
{
    QCOMPARE(summaryMbps({1, 1, 0, 125000000, 1.0}), 125.0);
    QCOMPARE(summaryMbps({1, 1, 0, 125000, 0.5}), 0.25);
    QCOMPARE(summaryMbps({1, 1, 0, 65536, 0.001}), 65.536);
    QCOMPARE(summaryMbps({1, 0, 1, 0, 3.0}), 0.0);
    QCOMPARE(summaryMbps({1, 1, 0, 1000, 0.0}), 0.0); // no time measured: no rate, no division by zero
    const QJsonObject zero = QJsonDocument::fromJson(summaryJson({0, 0, 0, 0, 0.0})).object();
    QCOMPARE(zero.value(u"mbps").toDouble(-1), 0.0);
    QCOMPARE(zero.value(u"streams").toInt(-1), 0);
}

void TestAppMode::summaryTextLine()
{
    QCOMPARE(summaryLine({4, 3, 1, 262144, 0.5}),
             QStringLiteral("streams=4 ok=3 failed=1 bytes=262144 seconds=0.500 mbps=0.52"));
}

QTEST_GUILESS_MAIN(TestAppMode)
#include "tst_appmode.moc"
