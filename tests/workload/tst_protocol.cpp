// The workload protocol's pure parts: mode names, the pattern, its window
// and checkers, the sink reply and source request codecs, and the verdict
// on every kind of wrong answer in each mode. (Gathered from the CLI's,
// the GUI's and the bench's former tests of their own copies.)
#include <workload/protocol.h>

#include <QtTest/QtTest>
#include <limits>

using namespace quicpool::workload;

namespace {

PatternChecker checked(uint64_t offset, qint64 size)
{
    PatternChecker checker;
    const QByteArray data = patternBytes(offset, size);
    checker.feed(data);
    return checker;
}

} // namespace

class TestProtocol : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void modeNames();
    void modeNamesIgnoringCase();
    void patternByteValues();
    void patternAcrossPeriods();
    void countMismatchesAtAnyOffset();
    void countMismatchesAcrossChunks();
    void patternWindowMatchesThePattern_data();
    void patternWindowMatchesThePattern();
    void patternWindowChunksMakeOneStream();
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
    void echoVerdicts();
    void sinkVerdicts();
    void sourceVerdicts();
};

void TestProtocol::modeNames()
{
    for (Mode mode : {Mode::Echo, Mode::Sink, Mode::Source, Mode::Hold}) {
        Mode back = mode == Mode::Echo ? Mode::Hold : Mode::Echo;
        QVERIFY(parseMode(modeName(mode), &back));
        QCOMPARE(back, mode);
    }
    QCOMPARE(modeName(Mode::Echo), QStringLiteral("echo"));
    QCOMPARE(modeName(Mode::Sink), QStringLiteral("sink"));
    QCOMPARE(modeName(Mode::Source), QStringLiteral("source"));
    QCOMPARE(modeName(Mode::Hold), QStringLiteral("hold"));
    Mode untouched = Mode::Sink;
    QVERIFY(!parseMode(u"ECHO", &untouched));
    QVERIFY(!parseMode(u"", &untouched));
    QVERIFY(!parseMode(u"echo ", &untouched));
    QVERIFY(!parseMode(u"discard", &untouched));
    QCOMPARE(untouched, Mode::Sink);
}

void TestProtocol::modeNamesIgnoringCase()
{
    // quicpool-diag's reading of a mode name: any case.
    Mode m = Mode::Echo;
    QVERIFY(parseMode(u"SINK", &m, Qt::CaseInsensitive));
    QCOMPARE(m, Mode::Sink);
    QVERIFY(parseMode(u"source", &m, Qt::CaseInsensitive));
    QCOMPARE(m, Mode::Source);
    QVERIFY(!parseMode(u"ping", &m, Qt::CaseInsensitive));
    QCOMPARE(m, Mode::Source);
    QCOMPARE(modeName(Mode::Echo), QStringLiteral("echo"));
}

void TestProtocol::patternByteValues()
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

void TestProtocol::patternAcrossPeriods()
{
    const QByteArray p = patternBytes(0, 600);
    QCOMPARE(uchar(p.at(0)), uchar(0));
    QCOMPARE(uchar(p.at(502)), uchar(0));
    QCOMPARE(uchar(p.at(503)), uchar(1));
    QCOMPARE(patternBytes(251 + 7, 3), patternBytes(7, 3));
    QCOMPARE(countMismatches(p.mid(100), 100), 0);
    QByteArray bad = p;
    bad[10] = 'x';
    bad[20] = 'y';
    QCOMPARE(countMismatches(bad, 0), 2);
    QCOMPARE(countMismatches(p, 1), 600); // off by one: every byte differs
}

void TestProtocol::countMismatchesAtAnyOffset()
{
    // A checker may start at any stream offset, not only at 0.
    const QByteArray data = patternBytes(1000, 3000);
    PatternChecker checker(1000);
    checker.feed(data.left(7));
    checker.feed(data.mid(7));
    QVERIFY(checker.isClean());
    QCOMPARE(checker.total(), uint64_t(3000));
    PatternChecker wrongStart(999);
    wrongStart.feed(data);
    QCOMPARE(wrongStart.firstMismatch(), qint64(0));
    QCOMPARE(wrongStart.mismatches(), uint64_t(3000));
}

void TestProtocol::countMismatchesAcrossChunks()
{
    // The reference serves any offset, including ones past a period, and
    // the check runs on past one window's worth of bytes.
    const qint64 chunk = PatternWindow::chunkSize();
    for (uint64_t offset : {uint64_t(0), uint64_t(250), uint64_t(251), uint64_t(1) << 33}) {
        const QByteArray good = patternBytes(offset, chunk + 1000);
        QCOMPARE(countMismatches(good.constData(), good.size(), offset), 0);
        QByteArray bad = good;
        bad[0] = char(bad[0] + 1);
        bad[chunk + 5] = char(bad[chunk + 5] + 1);
        QCOMPARE(countMismatches(bad.constData(), bad.size(), offset), 2);
        // Shifted by one byte: almost everything differs.
        QVERIFY(countMismatches(good.constData(), 1000, offset + 1) > 990);
    }
    QCOMPARE(countMismatches(nullptr, 0, 7), 0);
    QCOMPARE(QByteArray(PatternWindow::at(5), 3), patternBytes(5, 3));
}

void TestProtocol::patternWindowMatchesThePattern_data()
{
    QTest::addColumn<quint64>("offset");
    QTest::newRow("0") << quint64(0);
    QTest::newRow("1") << quint64(1);
    QTest::newRow("250") << quint64(250);
    QTest::newRow("251") << quint64(251);
    QTest::newRow("64 KiB") << quint64(65536);
    QTest::newRow("1 GiB - 1") << quint64((1ull << 30) - 1);
    QTest::newRow("2^40 + 7") << quint64((1ull << 40) + 7);
}

void TestProtocol::patternWindowMatchesThePattern()
{
    QFETCH(quint64, offset);
    const qint64 n = PatternWindow::chunkSize();
    QVERIFY(n >= 60000);        // big enough that writes are not chopped small
    QVERIFY(n >= 256 * 1024);   // the bench writes and reads 256 KiB at a time
    const QByteArray expected = patternBytes(offset, n);
    QCOMPARE(QByteArray(PatternWindow::at(offset), n), expected);
}

void TestProtocol::patternWindowChunksMakeOneStream()
{
    // Chunks taken one after another at odd sizes read as one clean stream.
    PatternChecker checker;
    uint64_t offset = 0;
    for (qint64 size : std::initializer_list<qint64>{1, 250, 251, 4096, 65000, 3, PatternWindow::chunkSize()}) {
        checker.feed(PatternWindow::at(offset), size);
        offset += uint64_t(size);
    }
    QVERIFY(checker.isClean());
    QCOMPARE(checker.total(), offset);
}

void TestProtocol::fillPatternMatchesPatternByte_data()
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

void TestProtocol::fillPatternMatchesPatternByte()
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

void TestProtocol::patternBytesEdgeCases()
{
    QVERIFY(patternBytes(0, 0).isEmpty());
    QVERIFY(patternBytes(10, -5).isEmpty());
    const QByteArray wrap = patternBytes(249, 4);
    QCOMPARE(wrap, QByteArray::fromHex("f9fa0001"));
}

void TestProtocol::checkerCleanStream_data()
{
    QTest::addColumn<qint64>("chunk");
    for (qint64 chunk : {qint64(1), qint64(7), qint64(250), qint64(251), qint64(4096), qint64(100000)})
        QTest::addRow("chunk %lld", chunk) << chunk;
}

void TestProtocol::checkerCleanStream()
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

void TestProtocol::checkerSingleCorruption_data()
{
    QTest::addColumn<qint64>("offset");
    QTest::addColumn<qint64>("chunk");
    const qint64 size = 20000;
    for (qint64 offset : {qint64(0), qint64(1), qint64(250), qint64(251), qint64(4095), qint64(4096), size - 1}) {
        for (qint64 chunk : {qint64(1), qint64(3), qint64(250), qint64(251), qint64(1024), size})
            QTest::addRow("byte %lld, chunk %lld", offset, chunk) << offset << chunk;
    }
}

void TestProtocol::checkerSingleCorruption()
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

void TestProtocol::checkerSeveralCorruptions()
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

void TestProtocol::checkerSeesLostAndRepeatedBlocks_data()
{
    QTest::addColumn<qint64>("block");
    for (qint64 block : {qint64(1), qint64(256), qint64(1024), qint64(1200), qint64(4096), qint64(65536)})
        QTest::addRow("block %lld", block) << block;
}

void TestProtocol::checkerSeesLostAndRepeatedBlocks()
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

void TestProtocol::checkerStartsAtOffsetZero()
{
    // A stream that starts mid-pattern is wrong from byte 0.
    PatternChecker checker;
    checker.feed(patternBytes(1, 10));
    QCOMPARE(checker.mismatches(), uint64_t(10));
    QCOMPARE(checker.firstMismatch(), qint64(0));
}

void TestProtocol::checkerReset()
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

void TestProtocol::sinkReplyCodec()
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
    SinkReply three;
    QVERIFY(decodeSinkReply(encodeSinkReply({65536, 3}), &three));
    QCOMPARE(three.total, 65536ULL);
    QCOMPARE(three.mismatches, 3ULL);
}

void TestProtocol::sinkReplyWrongSizes()
{
    for (int size : {0, 8, 15, 17, 32}) {
        SinkReply reply{5, 6};
        QVERIFY(!decodeSinkReply(QByteArray(size, '\0'), &reply));
        QCOMPARE(reply.total, uint64_t(5));
        QCOMPARE(reply.mismatches, uint64_t(6));
    }
}

void TestProtocol::sourceRequestCodec()
{
    QCOMPARE(encodeSourceRequest(0x0102030405060708ULL), QByteArray::fromHex("0102030405060708"));
    QCOMPARE(encodeSourceRequest(65536), QByteArray::fromHex("0000000000010000"));
    uint64_t decoded = 0;
    QVERIFY(decodeSourceRequest(QByteArray::fromHex("0102030405060708"), &decoded));
    QCOMPARE(decoded, 0x0102030405060708ULL);
    for (uint64_t n : {uint64_t(0), uint64_t(1), uint64_t(1) << 32, std::numeric_limits<uint64_t>::max()}) {
        const QByteArray bytes = encodeSourceRequest(n);
        QCOMPARE(bytes.size(), kSourceRequestSize);
        uint64_t back = 12345;
        QVERIFY(decodeSourceRequest(bytes, &back));
        QCOMPARE(back, n);
    }
}

void TestProtocol::sourceRequestWrongSizes()
{
    for (int size : {0, 1, 7, 9, 16}) {
        uint64_t n = 99;
        QVERIFY(!decodeSourceRequest(QByteArray(size, '\x01'), &n));
        QCOMPARE(n, uint64_t(99));
    }
}

void TestProtocol::echoVerdicts()
{
    QCOMPARE(echoVerdict(1000, checked(0, 1000)), QString());
    QCOMPARE(echoVerdict(0, PatternChecker()), QString());
    QCOMPARE(echoVerdict(1000, checked(0, 999)), QStringLiteral("got back 999 of 1000 bytes before the stream ended"));
    QCOMPARE(echoVerdict(1000, checked(0, 1001)), QStringLiteral("got back 1001 bytes, more than the 1000 sent"));
    QByteArray data = patternBytes(0, 1000);
    data[10] = char(data[10] + 1);
    data[20] = char(data[20] + 1);
    PatternChecker changed;
    changed.feed(data);
    QCOMPARE(echoVerdict(1000, changed), QStringLiteral("2 of 1000 bytes came back changed (first at offset 10)"));
    // Short and changed: both are said.
    PatternChecker both;
    both.feed(QByteArrayView(data).first(500));
    QCOMPARE(echoVerdict(1000, both), QStringLiteral("got back 500 of 1000 bytes before the stream ended; "
                                                     "2 of 500 bytes came back changed (first at offset 10)"));
}

void TestProtocol::sinkVerdicts()
{
    QCOMPARE(sinkVerdict(1000, encodeSinkReply({1000, 0})), QString());
    QCOMPARE(sinkVerdict(0, encodeSinkReply({0, 0})), QString());
    QCOMPARE(sinkVerdict(1000, QByteArray()), QStringLiteral("the server ended the stream without its 16-byte reply"));
    QCOMPARE(sinkVerdict(1000, QByteArray(15, '\0')), QStringLiteral("the reply was 15 bytes, not 16"));
    QCOMPARE(sinkVerdict(1000, encodeSinkReply({1000, 0}) + 'x'), QStringLiteral("the reply was 17 bytes, not 16"));
    QCOMPARE(sinkVerdict(1000, encodeSinkReply({999, 0})), QStringLiteral("the server counted 999 bytes, not the 1000 sent"));
    QCOMPARE(sinkVerdict(1000, encodeSinkReply({1000, 3})), QStringLiteral("the server saw 3 bytes differ from the pattern"));
    QCOMPARE(sinkVerdict(1000, encodeSinkReply({1001, 1})),
             QStringLiteral("the server counted 1001 bytes, not the 1000 sent; the server saw 1 bytes differ from the pattern"));
}

void TestProtocol::sourceVerdicts()
{
    QCOMPARE(sourceVerdict(5000, checked(0, 5000)), QString());
    QCOMPARE(sourceVerdict(5000, checked(0, 4990)), QStringLiteral("received 4990 of 5000 bytes before the stream ended"));
    QCOMPARE(sourceVerdict(5000, checked(0, 5001)), QStringLiteral("received 5001 bytes, more than the 5000 asked for"));
    // The right length but shifted by one byte: nearly everything differs.
    PatternChecker shifted;
    shifted.feed(patternBytes(1, 5000));
    QVERIFY(sourceVerdict(5000, shifted).startsWith(QStringLiteral("5000 of 5000 bytes differ from the pattern (first at offset 0)")));
}

QTEST_GUILESS_MAIN(TestProtocol)
#include "tst_protocol.moc"
