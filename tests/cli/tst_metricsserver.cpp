// The /metrics endpoint over real TCP on loopback: one response per
// connection, then the server closes; a request in pieces; pipelined
// requests get one answer; what is malformed, too big, too slow or one
// connection too many gets its status at once and the connection closes;
// a body is never waited for; port 0 and a taken port.
#include "metricsserver.h"

#include <QtCore/QElapsedTimer>
#include <QtNetwork/QTcpSocket>
#include <QtTest/QtTest>
#include <memory>
#include <vector>

using namespace quicpool::cli;
using namespace std::chrono_literals;

namespace {

PoolMetrics onePool()
{
    PoolMetrics m;
    m.pool = QStringLiteral("server");
    m.address = QStringLiteral("127.0.0.1:4433");
    m.active = 3;
    return m;
}

struct Exchange
{
    QByteArray response;
    bool closedByServer = false;
    qint64 ms = 0;
};

/// Sends the pieces (one write each, the event loop running between them)
/// and reads until the server closes or the time is up.
Exchange exchange(quint16 port, const QList<QByteArray> &pieces, int timeoutMs = 5000)
{
    Exchange x;
    QTcpSocket socket;
    socket.connectToHost(QHostAddress::LocalHost, port);
    if (!socket.waitForConnected(5000))
        return x;
    QElapsedTimer clock;
    clock.start();
    for (const QByteArray &piece : pieces) {
        socket.write(piece);
        socket.flush();
        QTest::qWait(5);
        x.response += socket.readAll();
    }
    while (clock.elapsed() < timeoutMs) {
        if (socket.state() != QAbstractSocket::ConnectedState) {
            x.closedByServer = true;
            break;
        }
        QTest::qWait(10);
        x.response += socket.readAll();
    }
    x.response += socket.readAll();
    x.ms = clock.elapsed();
    return x;
}

const QByteArray kScrape = "GET /metrics HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n";

} // namespace

class TestMetricsServer : public QObject
{
    Q_OBJECT

    std::unique_ptr<MetricsServer> m_server;
    int m_scrapes = 0;

private Q_SLOTS:
    void init()
    {
        m_scrapes = 0;
        m_server = std::make_unique<MetricsServer>([this] {
            ++m_scrapes;
            return QList<PoolMetrics>{onePool()};
        });
        QVERIFY2(m_server->listen(QStringLiteral("127.0.0.1:0")), qPrintable(m_server->errorString()));
        QVERIFY(m_server->port() != 0);
        QCOMPARE(m_server->address(), QHostAddress(QHostAddress::LocalHost));
    }

    void cleanup() { m_server.reset(); }

    void scrapeThenClose()
    {
        const Exchange x = exchange(m_server->port(), {kScrape});
        QVERIFY2(x.closedByServer, x.response.constData());
        QVERIFY2(x.response.startsWith("HTTP/1.1 200 OK\r\n"), x.response.constData());
        QVERIFY(x.response.contains("\r\nConnection: close\r\n"));
        QVERIFY(x.response.endsWith(formatOpenMetrics({onePool()})));
        QCOMPARE(m_scrapes, 1);
        QTRY_COMPARE(m_server->connectionCount(), 0);
    }

    void requestInPieces()
    {
        QList<QByteArray> pieces;
        for (char c : kScrape)
            pieces.append(QByteArray(1, c));
        const Exchange x = exchange(m_server->port(), pieces);
        QVERIFY(x.closedByServer);
        QVERIFY2(x.response.startsWith("HTTP/1.1 200 OK\r\n"), x.response.constData());
        QCOMPARE(x.response.count("HTTP/1.1 "), 1);
    }

    void pipelinedRequestsGetOneAnswer()
    {
        const Exchange x = exchange(m_server->port(), {kScrape + kScrape + kScrape});
        QVERIFY(x.closedByServer);
        QCOMPARE(x.response.count("HTTP/1.1 "), 1);
        QCOMPARE(m_scrapes, 1);
    }

    void refusedAtOnce_data()
    {
        QTest::addColumn<QByteArray>("request");
        QTest::addColumn<QByteArray>("status");
        QTest::newRow("TLS ClientHello") << QByteArray("\x16\x03\x01\x00\xa5\x01\x00\x00", 8) << QByteArray("400 ");
        QTest::newRow("other path") << QByteArray("GET / HTTP/1.1\r\n\r\n") << QByteArray("404 ");
        // The body is not waited for: the answer comes at the end of the head.
        QTest::newRow("POST with a large body")
            << QByteArray("POST /metrics HTTP/1.1\r\nContent-Length: 1000000000\r\n\r\nabc") << QByteArray("405 ");
        QTest::newRow("head over 8 KiB") << QByteArray("GET /metrics HTTP/1.1\r\nX: ") + QByteArray(64 * 1024, 'a')
                                         << QByteArray("431 ");
        QTest::newRow("HTTP/2 preface") << QByteArray("PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n") << QByteArray("400 ");
    }

    void refusedAtOnce()
    {
        QFETCH(QByteArray, request);
        QFETCH(QByteArray, status);
        const Exchange x = exchange(m_server->port(), {request});
        QVERIFY2(x.closedByServer, x.response.constData());
        QVERIFY2(x.response.startsWith("HTTP/1.1 " + status), x.response.constData());
        QVERIFY2(x.ms < 4000, qPrintable(QString::number(x.ms)));   // long before the 5 s timeout
        QCOMPARE(m_scrapes, 0);
    }

    void slowRequestTimesOut()
    {
        m_server->setRequestTimeout(300ms);
        const Exchange x = exchange(m_server->port(), {"GET /metr"});
        QVERIFY(x.closedByServer);
        QCOMPARE(x.response.left(25), QByteArray("HTTP/1.1 408 Request Time"));
        QVERIFY(x.response.endsWith("No complete request within 300ms.\n"));
        // Measured from after the last write; the timer runs from accept.
        QVERIFY2(x.ms >= 250 && x.ms < 4000, qPrintable(QString::number(x.ms)));
    }

    void tooManyConnections()
    {
        // kMaxMetricsConnections idle connections are held (until their
        // timeout); one more is answered 503 and closed at once; once they
        // are gone a scrape works again.
        m_server->setRequestTimeout(1500ms);
        std::vector<std::unique_ptr<QTcpSocket>> idle;
        for (int i = 0; i < kMaxMetricsConnections; ++i) {
            idle.push_back(std::make_unique<QTcpSocket>());
            idle.back()->connectToHost(QHostAddress::LocalHost, m_server->port());
            QVERIFY(idle.back()->waitForConnected(5000));
        }
        QTRY_COMPARE(m_server->connectionCount(), kMaxMetricsConnections);
        const Exchange refused = exchange(m_server->port(), {kScrape}, 1000);
        QVERIFY2(refused.closedByServer, refused.response.constData());
        QVERIFY2(refused.response.startsWith("HTTP/1.1 503 Service Unavailable\r\n"), refused.response.constData());
        QCOMPARE(m_scrapes, 0);
        QTRY_COMPARE_WITH_TIMEOUT(m_server->connectionCount(), 0, 5000);
        for (const auto &socket : idle)
            QVERIFY(socket->readAll().startsWith("HTTP/1.1 408 "));
        const Exchange after = exchange(m_server->port(), {kScrape});
        QVERIFY2(after.response.startsWith("HTTP/1.1 200 OK\r\n"), after.response.constData());
    }

    void portInUseIsAnError()
    {
        MetricsServer second([] { return QList<PoolMetrics>{}; });
        QVERIFY(!second.listen(QStringLiteral("127.0.0.1:%1").arg(m_server->port())));
        QVERIFY(!second.errorString().isEmpty());
        QVERIFY(!second.listen(QStringLiteral("not-an-address")));
        QVERIFY(second.errorString().contains(QStringLiteral("port is missing")));
        QVERIFY(!second.listen(QStringLiteral("example.com:0")));
        QVERIFY(second.errorString().contains(QStringLiteral("not an IP address")));
    }
};

QTEST_GUILESS_MAIN(TestMetricsServer)
#include "tst_metricsserver.moc"
