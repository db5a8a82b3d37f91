// A server on an any-address (0.0.0.0, [::]) answers from the address each
// client dialled, so a client that dials 127.0.0.2 or ::1 connects: replies
// from another address would be a packet from a stranger to its QUIC stack.
// A [::] server also serves IPv4 clients (IPv4-mapped). Real pools, real
// handshakes, over loopback (127.0.0.0/8 and ::1 all reach lo).
#include "poolfixture.h"

#include <QtNetwork/QUdpSocket>
#include <QtTest/QTest>

using namespace quicpool;
using namespace quicpool::testing;

class TestAnyAddress : public QObject
{
    Q_OBJECT

    static bool haveIpv6Loopback()
    {
        QUdpSocket probe;
        return probe.bind(QHostAddress::LocalHostIPv6, 0);
    }

private Q_SLOTS:
    void dialledAddressAnswers_data()
    {
        QTest::addColumn<QString>("listen");
        QTest::addColumn<QString>("dial");        // host part, the port is the server's
        QTest::addColumn<QString>("serverLocal"); // the address the server's connection says it is on
        QTest::newRow("0.0.0.0 dialled at 127.0.0.2") << "0.0.0.0:0" << "127.0.0.2" << "127.0.0.2";
        QTest::newRow("0.0.0.0 dialled at 127.0.0.1") << "0.0.0.0:0" << "127.0.0.1" << "127.0.0.1";
        QTest::newRow("[::] dialled at ::1") << "[::]:0" << "[::1]" << "::1";
        QTest::newRow("[::] dialled at 127.0.0.1 (mapped)") << "[::]:0" << "127.0.0.1" << "127.0.0.1";
        QTest::newRow("[::] dialled at 127.0.0.2 (mapped)") << "[::]:0" << "127.0.0.2" << "127.0.0.2";
        QTest::newRow("::1") << "[::1]:0" << "[::1]" << "::1";
    }

    void dialledAddressAnswers()
    {
        QFETCH(QString, listen);
        QFETCH(QString, dial);
        QFETCH(QString, serverLocal);
        if ((listen.startsWith(u'[') || dial.startsWith(u'[')) && !haveIpv6Loopback())
            QSKIP("no IPv6 loopback on this machine");
        ServerPoolConfig sc = serverConfig(8);
        sc.setListenAddress(listen);
        ServerPool server(sc);
        QVERIFY2(server.start(), qPrintable(server.lastError().toString()));
        ClientPoolConfig cc = clientConfig(server.serverPort(), 2, 2);
        cc.setAddress(QStringLiteral("%1:%2").arg(dial).arg(server.serverPort()));
        cc.setHandshakeTimeout(std::chrono::milliseconds(3000));
        ClientPool client(cc);
        QVERIFY2(client.start(), qPrintable(client.lastError().toString()));
        QTRY_VERIFY2_WITH_TIMEOUT(client.active() == 2, qPrintable(client.lastError().toString()), 10000);
        QTRY_COMPARE_WITH_TIMEOUT(server.active(), 2, 5000);

        // Streams carry data both ways on that connection.
        Stream *in = server.tryIncomingGet();
        QVERIFY(in);
        Stream *out = client.tryOutgoingGet(in->id());
        QVERIFY(out);
        const QByteArray payload = pattern(100000, 3);
        out->write(payload);
        QByteArray got;
        QTRY_VERIFY_WITH_TIMEOUT((got += in->readAll()).size() == payload.size(), 10000);
        QCOMPARE(got, payload);

        // Both ends name the address the client dialled.
        const ConnectionInfo serverSide = server.connectionInfo();
        QCOMPARE(serverSide.localAddress(), QHostAddress(serverLocal));
        QCOMPARE(serverSide.localPort(), server.serverPort());
        const ConnectionInfo clientSide = client.connectionInfo();
        QCOMPARE(clientSide.peerAddress(), QHostAddress(serverLocal));
        delete out;
        delete in;
    }
};

QTEST_GUILESS_MAIN(TestAnyAddress)
#include "tst_anyaddress.moc"
