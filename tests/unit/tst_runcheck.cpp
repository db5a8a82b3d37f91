// The CLI runners' pure parts: the pattern window, the verdict on every
// kind of wrong answer in each mode, host:port and demo line formatting,
// which pool errors stop a client at once, and the client's --timeout.
#include "cliargs.h"
#include "runcheck.h"

#include <QtTest/QTest>

using namespace quicpool;
using namespace quicpool::cli;

namespace {

PatternChecker checked(uint64_t offset, qint64 size)
{
    PatternChecker checker;
    const QByteArray data = patternBytes(offset, size);
    checker.feed(data);
    return checker;
}

} // namespace

class TestRunCheck : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void patternWindowMatchesThePattern_data()
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

    void patternWindowMatchesThePattern()
    {
        QFETCH(quint64, offset);
        const qint64 n = PatternWindow::chunkSize();
        QVERIFY(n >= 60000);   // big enough that writes are not chopped small
        const QByteArray expected = patternBytes(offset, n);
        QCOMPARE(QByteArray(PatternWindow::at(offset), n), expected);
    }

    void patternWindowChunksMakeOneStream()
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

    void echoVerdicts()
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

    void sinkVerdicts()
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

    void sourceVerdicts()
    {
        QCOMPARE(sourceVerdict(5000, checked(0, 5000)), QString());
        QCOMPARE(sourceVerdict(5000, checked(0, 4990)), QStringLiteral("received 4990 of 5000 bytes before the stream ended"));
        QCOMPARE(sourceVerdict(5000, checked(0, 5001)), QStringLiteral("received 5001 bytes, more than the 5000 asked for"));
        // The right length but shifted by one byte: nearly everything differs.
        PatternChecker shifted;
        shifted.feed(patternBytes(1, 5000));
        QVERIFY(sourceVerdict(5000, shifted).startsWith(QStringLiteral("5000 of 5000 bytes differ from the pattern (first at offset 0)")));
    }

    void fatalStartErrors()
    {
        for (ErrorCode code : {ErrorCode::PinMismatch, ErrorCode::TlsHandshakeFailed, ErrorCode::Unauthorized,
                               ErrorCode::HandshakeTimeout, ErrorCode::CertificateError, ErrorCode::InvalidAddress,
                               ErrorCode::ResolveFailed, ErrorCode::InvalidConfig})
            QVERIFY2(isFatalStartError(code), qPrintable(errorCodeString(code)));
        // A full server pool or a lost connection may pass: keep waiting.
        for (ErrorCode code : {ErrorCode::NoError, ErrorCode::StreamRefused, ErrorCode::ConnectionLost,
                               ErrorCode::ConnectionClosed, ErrorCode::SocketError, ErrorCode::StreamReset})
            QVERIFY2(!isFatalStartError(code), qPrintable(errorCodeString(code)));
    }

    void hostPort()
    {
        QCOMPARE(formatHostPort(QHostAddress(QStringLiteral("127.0.0.1")), 4433), QStringLiteral("127.0.0.1:4433"));
        QCOMPARE(formatHostPort(QHostAddress(QStringLiteral("::1")), 4433), QStringLiteral("[::1]:4433"));
        QCOMPARE(formatHostPort(QHostAddress(QHostAddress::AnyIPv6), 1), QStringLiteral("[::]:1"));
        QCOMPARE(formatHostPort(QHostAddress(QStringLiteral("::ffff:10.0.0.1")), 80), QStringLiteral("10.0.0.1:80"));
        QCOMPARE(formatHostPort(QHostAddress(QHostAddress::AnyIPv4), 0), QStringLiteral("0.0.0.0:0"));
    }

    void demoLine()
    {
        DemoFigures f;
        f.seconds = 3;
        f.clientActive = 12;
        f.clientCapacity = 13;
        f.clientIntervalMs = 100;
        f.clientErrors = 1;
        f.serverActive = 0;
        f.serverServing = 12;
        f.serverConnections = 1;
        f.smoothedRttUs = 123;
        f.cwnd = 13 * 1024 + 512;
        f.echoOk = 25;
        f.echoFailed = 2;
        QCOMPARE(formatDemoLine(f), QStringLiteral("t=3s client active=12 cap=13 interval=100ms errors=1 | server "
                                                   "active=0 serving=12 conns=1 | rtt=0.12ms cwnd=13.5KiB | echo "
                                                   "ok=25 fail=2"));
    }

    void clientTimeoutOption()
    {
        const auto parse = [](const QString &extra) {
            return parseArguments(QStringList{QStringLiteral("client"), QStringLiteral("--connect"),
                                              QStringLiteral("127.0.0.1:4433")}
                                  + extra.split(u' ', Qt::SkipEmptyParts));
        };
        ParseResult r = parse(QString());
        QVERIFY(r.ok());
        QCOMPARE(std::get<ClientOptions>(r.command).timeout, Milliseconds(10000));
        r = parse(QStringLiteral("--timeout 1500ms"));
        QVERIFY2(r.ok(), qPrintable(r.error));
        QCOMPARE(std::get<ClientOptions>(r.command).timeout, Milliseconds(1500));
        r = parse(QStringLiteral("--timeout=2m"));
        QVERIFY2(r.ok(), qPrintable(r.error));
        QCOMPARE(std::get<ClientOptions>(r.command).timeout, Milliseconds(120000));
        for (const char *bad : {"--timeout 5", "--timeout 0s", "--timeout", "--timeout soon"}) {
            r = parse(QString::fromLatin1(bad));
            QVERIFY2(!r.ok(), bad);
            QVERIFY2(r.error.contains(QStringLiteral("--timeout")), qPrintable(r.error));
        }
        QVERIFY(usageText(u"client").contains(QStringLiteral("--timeout DUR")));
        // The server has no such option.
        r = parseArguments({QStringLiteral("server"), QStringLiteral("--listen"), QStringLiteral(":0"),
                            QStringLiteral("--timeout"), QStringLiteral("1s")});
        QVERIFY(!r.ok());
    }
};

QTEST_GUILESS_MAIN(TestRunCheck)
#include "tst_runcheck.moc"
