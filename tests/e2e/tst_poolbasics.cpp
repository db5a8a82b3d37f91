// End to end over loopback with real TLS: pools fill, IDs match on both
// sides, gets hand out the right streams and time out when they should.
#include <quicpool/quicpool.h>

#include <QtCore/QElapsedTimer>
#include <QtTest/QSignalSpy>
#include <QtTest/QTest>

using namespace quicpool;
using namespace std::chrono_literals;

class TestPoolBasics : public QObject
{
    Q_OBJECT

    std::unique_ptr<ServerPool> makeServer(int maxCap)
    {
        ServerPoolConfig sc;
        sc.maxCapacity = maxCap;
        sc.listenAddress = QStringLiteral("127.0.0.1:0");
        auto server = std::make_unique<ServerPool>(sc);
        if (!server->start())
            qWarning() << server->lastError().toString();
        return server;
    }
    std::unique_ptr<ClientPool> makeClient(quint16 port, int minCap, int maxCap)
    {
        ClientPoolConfig cc;
        cc.minCapacity = minCap;
        cc.maxCapacity = maxCap;
        cc.minInterval = 100ms;
        cc.maxInterval = 1000ms;
        cc.tlsMode = TlsMode::SelfSigned;
        cc.address = QStringLiteral("127.0.0.1:%1").arg(port);
        return std::make_unique<ClientPool>(cc);
    }

private Q_SLOTS:
    void fillsAndIdsMatch()
    {
        auto server = makeServer(16);
        QVERIFY(server->isReady());
        QVERIFY(server->serverPort() != 0);
        auto client = makeClient(server->serverPort(), 8, 8);
        QVERIFY2(client->start(), qPrintable(client->lastError().toString()));
        QTRY_COMPARE_WITH_TIMEOUT(client->active(), 8, 10000);
        QTRY_COMPARE_WITH_TIMEOUT(server->active(), 8, 5000);
        QStringList c = client->readyIds();
        QStringList s = server->readyIds();
        QCOMPARE(s.first(), QStringLiteral("00000000"));
        c.sort();
        s.sort();
        QCOMPARE(c, s);
        const ConnectionInfo info = client->connectionInfo();
        QVERIFY(info.valid);
        QCOMPARE(info.alpn, QStringLiteral("np-quic"));
        QCOMPARE(info.tlsVersion, QStringLiteral("TLS1.3"));
        QCOMPARE(certificateFingerprint(info.peerCertificates.value(0)), server->certificateFingerprint());
    }

    void getsHandOutMatchingStreamsAndCarryData()
    {
        auto server = makeServer(16);
        auto client = makeClient(server->serverPort(), 4, 4);
        QVERIFY(client->start());
        QTRY_COMPARE_WITH_TIMEOUT(server->active(), 4, 10000);
        Error err;
        Stream *in = server->incomingGet(1000ms, &err);
        QVERIFY2(in, qPrintable(err.toString()));
        QCOMPARE(in->id(), QStringLiteral("00000000"));
        Stream *out = client->outgoingGet(in->id(), 1000ms, &err);
        QVERIFY2(out, qPrintable(err.toString()));
        QCOMPARE(out->id(), in->id());
        QCOMPARE(out->write("hello"), 5);
        QTRY_COMPARE_WITH_TIMEOUT(in->bytesAvailable(), 5, 5000);
        QCOMPARE(in->readAll(), QByteArray("hello"));
        in->write("world");
        in->close();
        QTRY_VERIFY_WITH_TIMEOUT(out->atEnd() && out->isFinished() && out->bytesAvailable() == 0
                                     ? false : out->bytesAvailable() == 5, 5000);
        QCOMPARE(out->readAll(), QByteArray("world"));
        QTRY_VERIFY_WITH_TIMEOUT(out->atEnd(), 5000);
    }

    void getsTimeOut()
    {
        auto server = makeServer(4);
        QElapsedTimer t;
        t.start();
        Error err;
        QVERIFY(!server->incomingGet(200ms, &err));
        QCOMPARE(err.code, ErrorCode::InsufficientStreams);
        QVERIFY(t.elapsed() >= 190);
        auto client = makeClient(server->serverPort(), 1, 1);
        QVERIFY(client->start());
        QVERIFY(!client->outgoingGet(QStringLiteral("deadbeef"), 200ms, &err));
        QCOMPARE(err.code, ErrorCode::StreamNotFound);
        QVERIFY(!client->tryOutgoingGet(QStringLiteral("xyz"), &err));
        QCOMPARE(err.code, ErrorCode::InvalidId);
    }
};

QTEST_GUILESS_MAIN(TestPoolBasics)
#include "tst_poolbasics.moc"
