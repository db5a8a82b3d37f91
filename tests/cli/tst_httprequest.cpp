// The /metrics endpoint's HTTP as pure functions: parseHttpRequest() on
// good, incomplete, malformed, oversized and hostile request heads (each
// refusal with its status), the responses httpResponse() gives, and a
// mutation run over thousands of damaged requests (under ASan in CI): an
// answer for each, never more than the head's bound looked at.
#include "httprequest.h"

#include <QtCore/QRandomGenerator>
#include <QtTest/QtTest>

using namespace quicpool::cli;

namespace {

QByteArray scrape(const QByteArray &extra = {})
{
    return "GET /metrics HTTP/1.1\r\nHost: 127.0.0.1:9464\r\nAccept: application/openmetrics-text\r\n" + extra
           + "\r\n";
}

} // namespace

class TestHttpRequest : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void goodRequests_data()
    {
        QTest::addColumn<QByteArray>("bytes");
        QTest::addColumn<QByteArray>("method");
        QTest::addColumn<QByteArray>("path");
        QTest::addColumn<int>("minor");
        QTest::newRow("prometheus") << scrape() << QByteArray("GET") << QByteArray("/metrics") << 1;
        QTest::newRow("no headers") << QByteArray("GET /metrics HTTP/1.1\r\n\r\n") << QByteArray("GET")
                                    << QByteArray("/metrics") << 1;
        QTest::newRow("HTTP/1.0, query") << QByteArray("HEAD /metrics?name[]=x HTTP/1.0\r\n\r\n")
                                         << QByteArray("HEAD") << QByteArray("/metrics") << 0;
        QTest::newRow("other path and method") << QByteArray("DELETE /a/b HTTP/1.1\r\nX-Y:z\r\n\r\n")
                                               << QByteArray("DELETE") << QByteArray("/a/b") << 1;
        QTest::newRow("value spaces and obs-text")
            << scrape("User-Agent: \t Prometheus/2.45 \xc3\xa9 \t\r\n") << QByteArray("GET") << QByteArray("/metrics")
            << 1;
        QTest::newRow("Content-Length 0") << scrape("Content-Length: 0\r\n") << QByteArray("GET")
                                          << QByteArray("/metrics") << 1;
        QTest::newRow("POST with a body") << QByteArray("POST /metrics HTTP/1.1\r\nContent-Length: 5\r\n\r\nhello")
                                          << QByteArray("POST") << QByteArray("/metrics") << 1;
        QTest::newRow("pipelined: the first") << scrape() + scrape() << QByteArray("GET") << QByteArray("/metrics")
                                              << 1;
        QTest::newRow("64 fields") << scrape(QByteArray("X: y\r\n").repeated(62)) << QByteArray("GET")
                                   << QByteArray("/metrics") << 1;
    }

    void goodRequests()
    {
        QFETCH(QByteArray, bytes);
        QFETCH(QByteArray, method);
        QFETCH(QByteArray, path);
        QFETCH(int, minor);
        const HttpParse p = parseHttpRequest(bytes);
        QVERIFY2(p.state == HttpParse::State::Complete, p.reason.constData());
        QCOMPARE(p.request.method, method);
        QCOMPARE(p.request.path, path);
        QCOMPARE(p.request.minorVersion, minor);
    }

    void incompleteRequestsWait()
    {
        // Every proper prefix of a good request waits for more.
        const QByteArray full = scrape();
        for (qsizetype n = 0; n < full.size(); ++n) {
            const HttpParse p = parseHttpRequest(full.left(n));
            QVERIFY2(p.state == HttpParse::State::Incomplete,
                     qPrintable(QString::number(n) + u' ' + QString::fromLatin1(p.reason)));
        }
        QVERIFY(parseHttpRequest(full).state == HttpParse::State::Complete);
    }

    void refusals_data()
    {
        QTest::addColumn<QByteArray>("bytes");
        QTest::addColumn<int>("status");
        const auto row = [](const char *name, const QByteArray &bytes, int status) {
            QTest::newRow(name) << bytes << status;
        };
        row("TLS ClientHello at once", QByteArray("\x16\x03\x01\x02\x00\x01", 6), 400);
        row("binary at once", QByteArray("GE\0T", 4), 400);
        row("lower-case garbage line", "nonsense\r\n\r\n", 400);
        row("no version", "GET /metrics\r\n\r\n", 400);
        row("not a path", "GET metrics HTTP/1.1\r\n\r\n", 400);
        row("absolute form", "GET http://x/metrics HTTP/1.1\r\n\r\n", 400);
        row("two spaces", "GET  /metrics HTTP/1.1\r\n\r\n", 400);
        row("trailing space", "GET /metrics HTTP/1.1 \r\n\r\n", 400);
        row("tab separator", "GET\t/metrics HTTP/1.1\r\n\r\n", 400);
        row("fragment", "GET /metrics#x HTTP/1.1\r\n\r\n", 400);
        row("control in target", "GET /met\x01rics HTTP/1.1\r\n\r\n", 400);
        row("8-bit in target", "GET /m\xc3\xa9trics HTTP/1.1\r\n\r\n", 400);
        row("method not a token", "GE(T /metrics HTTP/1.1\r\n\r\n", 400);
        row("lower-case http", "GET /metrics http/1.1\r\n\r\n", 400);
        row("HTTP/1.10", "GET /metrics HTTP/1.10\r\n\r\n", 400);
        row("HTTP/2.0", "GET /metrics HTTP/2.0\r\n\r\n", 505);
        row("HTTP/1.2", "GET /metrics HTTP/1.2\r\n\r\n", 505);
        row("HTTP/0.9", "GET /metrics HTTP/0.9\r\n\r\n", 505);
        row("bare LF", "GET /metrics HTTP/1.1\n\n", 400);
        row("bare LF in fields", "GET /metrics HTTP/1.1\r\nHost: x\n\r\n", 400);
        row("bare CR", "GET /metrics HTTP/1.1\r\nHost: x\ry\r\n\r\n", 400);
        row("space before colon", scrape("Host : x\r\n"), 400);
        row("no colon", scrape("Host\r\n"), 400);
        row("empty name", scrape(": x\r\n"), 400);
        row("folded line", scrape("X-A: b\r\n c\r\n"), 400);
        row("control in value", scrape("X-A: b\x01\r\n"), 400);
        row("DEL in value", scrape("X-A: b\x7f\r\n"), 400);
        row("NUL in value", scrape(QByteArray("X-A: b\0c\r\n", 10)), 400);
        row("GET with a body", scrape("Content-Length: 5\r\n"), 400);
        row("HEAD chunked", "HEAD /metrics HTTP/1.1\r\nTransfer-Encoding: chunked\r\n\r\n", 400);
        row("two lengths", "POST / HTTP/1.1\r\nContent-Length: 1\r\nContent-Length: 2\r\n\r\n", 400);
        row("signed length", "POST / HTTP/1.1\r\nContent-Length: +1\r\n\r\n", 400);
        row("two hosts", scrape("Host: y\r\n"), 400);
        row("65 fields", scrape(QByteArray("X: y\r\n").repeated(63)), 431);
        row("head over 8 KiB", "GET /metrics HTTP/1.1\r\nX: " + QByteArray(kMaxRequestHead, 'a'), 431);
        row("long line, no end", "GET /" + QByteArray(kMaxRequestHead, 'a'), 431);
    }

    void refusals()
    {
        QFETCH(QByteArray, bytes);
        QFETCH(int, status);
        const HttpParse p = parseHttpRequest(bytes);
        QVERIFY2(p.state == HttpParse::State::Invalid, bytes.left(80).toPercentEncoding().constData());
        QCOMPARE(p.status, status);
        QVERIFY(p.reason.endsWith('.'));
        const QByteArray r = httpResponse(p, [] { return QByteArray("must not be asked"); });
        QVERIFY2(r.startsWith("HTTP/1.1 " + QByteArray::number(status) + ' '), r.constData());
        QVERIFY(r.contains("\r\nConnection: close\r\n"));
        QVERIFY(r.endsWith("\r\n\r\n" + p.reason + '\n'));
    }

    void responses()
    {
        int calls = 0;
        const auto body = [&calls] {
            ++calls;
            return QByteArray("# EOF\n");
        };
        QByteArray r = httpResponse(parseHttpRequest(scrape()), body);
        QVERIFY2(r.startsWith("HTTP/1.1 200 OK\r\n"), r.constData());
        QVERIFY(r.contains("\r\nContent-Type: application/openmetrics-text; version=1.0.0; charset=utf-8\r\n"));
        QVERIFY(r.contains("\r\nContent-Length: 6\r\n"));
        QVERIFY(r.contains("\r\nConnection: close\r\n"));
        QVERIFY(r.endsWith("\r\n\r\n# EOF\n"));
        QCOMPARE(calls, 1);
        // HEAD: the same head, no body.
        r = httpResponse(parseHttpRequest("HEAD /metrics HTTP/1.1\r\n\r\n"), body);
        QVERIFY(r.startsWith("HTTP/1.1 200 OK\r\n"));
        QVERIFY(r.contains("\r\nContent-Length: 6\r\n"));
        QVERIFY(r.endsWith("\r\n\r\n"));
        r = httpResponse(parseHttpRequest("GET / HTTP/1.1\r\n\r\n"), body);
        QVERIFY2(r.startsWith("HTTP/1.1 404 Not Found\r\n"), r.constData());
        QVERIFY(r.endsWith("Not found: metrics are at /metrics.\n"));
        r = httpResponse(parseHttpRequest("HEAD /other HTTP/1.1\r\n\r\n"), body);
        QVERIFY(r.startsWith("HTTP/1.1 404 Not Found\r\n") && r.endsWith("\r\n\r\n"));
        r = httpResponse(parseHttpRequest("POST /metrics HTTP/1.1\r\nContent-Length: 3\r\n\r\nabc"), body);
        QVERIFY2(r.startsWith("HTTP/1.1 405 Method Not Allowed\r\n"), r.constData());
        QVERIFY(r.contains("\r\nAllow: GET, HEAD\r\n"));
        // Methods are case-sensitive (RFC 9110): "get" is not GET.
        r = httpResponse(parseHttpRequest("get /metrics HTTP/1.1\r\n\r\n"), body);
        QVERIFY(r.startsWith("HTTP/1.1 405 "));
        // Paths are compared as sent: no decoding, no second spelling.
        r = httpResponse(parseHttpRequest("GET /%6detrics HTTP/1.1\r\n\r\n"), body);
        QVERIFY(r.startsWith("HTTP/1.1 404 "));
        r = httpResponse(parseHttpRequest("GET /metrics/ HTTP/1.1\r\n\r\n"), body);
        QVERIFY(r.startsWith("HTTP/1.1 404 "));
        QCOMPARE(calls, 2);   // only GET and HEAD of /metrics built the text (HEAD for its length)
        for (int status : {408, 503}) {
            r = httpErrorResponse(status, "Why.");
            QVERIFY(r.startsWith("HTTP/1.1 " + QByteArray::number(status) + ' '));
            QVERIFY(r.endsWith("\r\n\r\nWhy.\n"));
        }
    }

    void damagedRequestsAlwaysGetAnAnswer()
    {
        // Thousands of mutations of good requests: truncation, flipped and
        // inserted bytes, duplicated spans, huge repeats. Each parse either
        // waits (and then only for a prefix that could still be a request,
        // within the bound) or ends in a response; nothing crashes (ASan).
        QRandomGenerator rng(20);
        const QList<QByteArray> seeds = {
            scrape(), "HEAD /metrics?x=1 HTTP/1.0\r\n\r\n", "POST /a HTTP/1.1\r\nContent-Length: 2\r\n\r\nxy",
            scrape("Transfer-Encoding: chunked\r\n"), QByteArray("\x16\x03\x01", 3)};
        int complete = 0, invalid = 0, incomplete = 0;
        for (int round = 0; round < 20000; ++round) {
            QByteArray bytes = seeds.at(int(rng.bounded(seeds.size())));
            const int edits = 1 + int(rng.bounded(4));
            for (int e = 0; e < edits && !bytes.isEmpty(); ++e) {
                const qsizetype at = qsizetype(rng.bounded(quint32(bytes.size())));
                switch (rng.bounded(5)) {
                case 0: bytes.truncate(at); break;
                case 1: bytes[at] = char(rng.bounded(256)); break;
                case 2: bytes.insert(at, char(rng.bounded(256))); break;
                case 3: bytes.insert(at, bytes.mid(at, 16)); break;
                default: bytes.insert(at, QByteArray(qsizetype(rng.bounded(3 * kMaxRequestHead)), bytes.at(at))); break;
                }
            }
            const HttpParse p = parseHttpRequest(bytes);
            switch (p.state) {
            case HttpParse::State::Complete: {
                ++complete;
                const QByteArray r = httpResponse(p, [] { return QByteArray("# EOF\n"); });
                QVERIFY(r.startsWith("HTTP/1.1 "));
                QVERIFY(p.request.path.startsWith('/'));
                break;
            }
            case HttpParse::State::Invalid:
                ++invalid;
                QVERIFY(p.status == 400 || p.status == 431 || p.status == 505);
                break;
            case HttpParse::State::Incomplete:
                ++incomplete;
                QVERIFY2(bytes.size() <= kMaxRequestHead, qPrintable(QString::number(bytes.size())));
                break;
            }
        }
        qInfo("complete %d, invalid %d, incomplete %d", complete, invalid, incomplete);
        QVERIFY(complete > 0 && invalid > 0 && incomplete > 0);
    }
};

QTEST_GUILESS_MAIN(TestHttpRequest)
#include "tst_httprequest.moc"
