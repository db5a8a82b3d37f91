// The CLI commands' pure parts: the client's per-stream lines and its
// summary (plain and JSON), host:port and demo line formatting, which pool
// errors stop a client at once, and the client's --timeout. (The pattern
// and the verdicts are the workload library's: tests/workload/tst_protocol.)
#include "cliargs.h"
#include "runcheck.h"

#include <QtCore/QJsonArray>
#include <QtCore/QJsonDocument>
#include <QtCore/QJsonObject>
#include <QtTest/QTest>

using namespace quicpool;
using namespace quicpool::cli;

class TestRunCheck : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void streamLines()
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

    void summaryJsonFields()
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

    void summaryMbpsArithmetic()
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

    void summaryJsonWithIntervals()
    {
        IntervalSummary intervals;
        intervals.intervals = {{0.0, 1.0, 1000, 0}, {1.0, 1.5, 500, 0}};
        intervals.sentBytes = 1500;
        intervals.receivedBytes = 0;
        const QJsonObject object = QJsonDocument::fromJson(summaryJson({2, 2, 0, 1500, 1.5}, &intervals)).object();
        QCOMPARE(object.keys(), (QStringList{"bytes", "failed", "intervals", "mbps", "ok", "received_bytes",
                                             "seconds", "sent_bytes", "streams"}));
        QCOMPARE(object.value(u"sent_bytes").toInteger(), 1500);
        QCOMPARE(object.value(u"received_bytes").toInteger(), 0);
        const QJsonArray array = object.value(u"intervals").toArray();
        QCOMPARE(array.size(), 2);
        QCOMPARE(array.at(1).toObject().value(u"start").toDouble(), 1.0);
        QCOMPARE(array.at(1).toObject().value(u"sent_mbps").toDouble(), 0.001);   // 500 B in 0.5 s
        // Without intervals the object keeps its six keys.
        QCOMPARE(QJsonDocument::fromJson(summaryJson({2, 2, 0, 1500, 1.5})).object().size(), 6);
    }

    void summaryTextLine()
    {
        QCOMPARE(summaryLine({4, 3, 1, 262144, 0.5}),
                 QStringLiteral("streams=4 ok=3 failed=1 bytes=262144 seconds=0.500 mbps=0.52"));
    }

    void fatalStartErrors()
    {
        for (ErrorCode code : {ErrorCode::PinMismatch, ErrorCode::TlsHandshakeFailed, ErrorCode::Unauthorized,
                               ErrorCode::CertificateError, ErrorCode::InvalidAddress,
                               ErrorCode::ResolveFailed, ErrorCode::InvalidConfig})
            QVERIFY2(isFatalStartError(code), qPrintable(errorCodeString(code)));
        // A full server pool, a lost connection, a lost handshake or a
        // server not up yet may pass: keep waiting (the pool redials).
        for (ErrorCode code : {ErrorCode::NoError, ErrorCode::StreamRefused, ErrorCode::ConnectionLost,
                               ErrorCode::ConnectionClosed, ErrorCode::SocketError, ErrorCode::StreamReset,
                               ErrorCode::HandshakeTimeout, ErrorCode::Unreachable})
            QVERIFY2(!isFatalStartError(code), qPrintable(errorCodeString(code)));
    }

    void waitExpired()
    {
        using namespace std::chrono_literals;
        QCOMPARE(waitExpiredReason(30000ms, false,
                                   Error(ErrorCode::HandshakeTimeout,
                                         QStringLiteral("the QUIC handshake did not finish within 10000 ms"))),
                 QStringLiteral("no connection after 30s: the QUIC handshake did not finish within 10000 ms"));
        QCOMPARE(waitExpiredReason(3000ms, false,
                                   Error(ErrorCode::Unreachable, QStringLiteral("nothing is listening on 127.0.0.1:9"))),
                 QStringLiteral("no connection after 3s: nothing is listening on 127.0.0.1:9"));
        QCOMPARE(waitExpiredReason(1500ms, false, Error()),
                 QStringLiteral("no connection after 1.5s: the server did not answer"));
        QCOMPARE(waitExpiredReason(5000ms, true,
                                   Error(ErrorCode::StreamRefused, QStringLiteral("server pool full: accepted 0 of 8 streams"))),
                 QStringLiteral("no stream became ready within 5s (server pool full: accepted 0 of 8 streams)"));
        QCOMPARE(waitExpiredReason(5000ms, true, Error()),
                 QStringLiteral("no stream became ready within 5s (the server did not answer)"));
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
