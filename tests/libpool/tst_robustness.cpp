// What a pool must survive: garbage datagrams, loss and reordering, NAT
// rebinding, idle links kept alive, silent links detected, and peers that
// get the stream handshake wrong.
#include "garbage.h"
#include "poolfixture.h"
#include "rawlistener.h"
#include "relayfixture.h"

#include "transport/connection.h"
#include "transport/listener.h"
#include "transport/tls/tlscontext.h"

#include <QtNetwork/QNetworkDatagram>
#include <QtNetwork/QUdpSocket>
#include <QtTest/QSignalSpy>
#include <QtTest/QTest>

using namespace quicpool;
using namespace quicpool::testing;

class TestRobustness : public QObject
{
    Q_OBJECT

    // Sends payloads both ways over n pairs of streams and checks them.
    static bool exchange(ServerPool &server, ClientPool &client, int n, int size, QString *why)
    {
        struct Pair { Stream *in; Stream *out; QByteArray up, down, gotUp, gotDown; };
        std::vector<Pair> pairs;
        for (int i = 0; i < n; ++i) {
            Stream *in = server.incomingGet(10000ms);
            if (!in) { *why = QStringLiteral("no incoming stream %1").arg(i); return false; }
            Error err;
            Stream *out = client.outgoingGet(in->id(), 10000ms, &err);
            if (!out) { *why = err.toString(); return false; }
            pairs.push_back({in, out, pattern(size + i, i), pattern(size / 2 + i, i + 7), {}, {}});
        }
        for (Pair &p : pairs) {
            p.out->write(p.up);
            p.out->closeWrite();
            p.in->write(p.down);
            p.in->closeWrite();
        }
        QDeadlineTimer deadline(60000);
        while (!deadline.hasExpired()) {
            bool done = true;
            for (Pair &p : pairs) {
                p.gotUp += p.in->readAll();
                p.gotDown += p.out->readAll();
                done = done && p.in->atEnd() && p.out->atEnd();
            }
            if (done)
                break;
            QTest::qWait(20);
        }
        for (int i = 0; i < n; ++i) {
            const Pair &p = pairs[size_t(i)];
            if (p.gotUp != p.up || p.gotDown != p.down) {
                *why = QStringLiteral("stream %1 (%2): up %3/%4 down %5/%6").arg(i).arg(p.in->id())
                           .arg(p.gotUp.size()).arg(p.up.size()).arg(p.gotDown.size()).arg(p.down.size());
                return false;
            }
        }
        return true;
    }

private Q_SLOTS:
    void initTestCase() { qRegisterMetaType<quicpool::Error>(); }

    void garbageDatagramsLeaveServerServing()
    {
        ServerPool server(serverConfig(8));
        QVERIFY(server.start());
        ClientPool before(clientConfig(server.serverPort(), 2, 2));
        QVERIFY(before.start());
        QTRY_COMPARE_WITH_TIMEOUT(server.active(), 2, 10000);
        QCOMPARE(sendGarbage(QHostAddress::LocalHost, server.serverPort(), 3000, 42), 3000);
        QTest::qWait(200);
        ClientPool after(clientConfig(server.serverPort(), 2, 2));
        QVERIFY(after.start());
        QTRY_COMPARE_WITH_TIMEOUT(server.active(), 4, 10000);
        QString why;
        // The server hands out streams oldest first: `before`'s, then `after`'s.
        QVERIFY2(exchange(server, before, 2, 5000, &why), qPrintable(why));
        QVERIFY2(exchange(server, after, 2, 5000, &why), qPrintable(why));
    }

    void hundredStreamsThroughLossAndReordering()
    {
        const int n = 100;
        ServerPool server(serverConfig(n));
        QVERIFY(server.start());
        relay::RelayConfig faults = relayTo(server.serverPort(), 7);
        faults.setLoss(0.05);
        faults.reorder = 0.05;
        relay::Relay relay(faults);
        QVERIFY(relay.start());
        ClientPool client(clientConfig(relay.listenPort(), n, n));
        QVERIFY(client.start());
        QTRY_COMPARE_WITH_TIMEOUT(server.active(), n, 60000);
        QString why;
        QVERIFY2(exchange(server, client, n, 8000, &why), qPrintable(why));
        QVERIFY(relay.stats().up.dropped() > 0);
        QVERIFY(relay.stats().down.dropped() > 0);
        QVERIFY(relay.stats().up.reordered > 0);
    }

    void natRebindingKeepsConnection()
    {
        ServerPool server(serverConfig(8));
        QVERIFY(server.start());
        relay::Relay relay(relayTo(server.serverPort(), 3));
        QVERIFY(relay.start());
        ClientPool client(clientConfig(relay.listenPort(), 2, 2));
        QSignalSpy down(&client, &Pool::disconnected);
        QVERIFY(client.start());
        QTRY_COMPARE_WITH_TIMEOUT(server.active(), 2, 10000);
        const quint16 before = server.connectionInfo().peerPort();
        QVERIFY(relay.rebindNow() >= 1);
        QString why;
        QVERIFY2(exchange(server, client, 2, 20000, &why), qPrintable(why));
        QCOMPARE(down.count(), 0);
        QTRY_VERIFY(server.connectionInfo().peerPort() != before);
    }

    void keepAliveHoldsAnIdleConnection()
    {
        ServerPoolConfig sc = serverConfig(4);
        sc.setKeepAlive(200ms);
        ServerPool server(sc);
        QVERIFY(server.start());
        ClientPoolConfig cc = clientConfig(server.serverPort(), 1, 1);
        cc.setKeepAlive(200ms);  // idle timeout 600 ms
        ClientPool client(cc);
        QSignalSpy down(&client, &Pool::disconnected);
        QVERIFY(client.start());
        QTRY_COMPARE_WITH_TIMEOUT(client.active(), 1, 10000);
        QTest::qWait(1500);
        QCOMPARE(down.count(), 0);
        QCOMPARE(client.active(), 1);
        QVERIFY(client.isConnected());
    }

    void silentLinkIsDetectedAndRecovered()
    {
        ServerPoolConfig sc = serverConfig(4);
        sc.setKeepAlive(200ms);
        ServerPool server(sc);
        QVERIFY(server.start());
        relay::Relay relay(relayTo(server.serverPort(), 5));
        QVERIFY(relay.start());
        ClientPoolConfig cc = clientConfig(relay.listenPort(), 2, 2);
        cc.setKeepAlive(200ms);
        cc.setHandshakeTimeout(1000ms);
        ClientPool client(cc);
        QSignalSpy down(&client, &Pool::disconnected);
        QVERIFY(client.start());
        QTRY_COMPARE_WITH_TIMEOUT(client.active(), 2, 10000);
        relay.setBlackhole(true);
        QTRY_VERIFY_WITH_TIMEOUT(down.count() >= 1, 5000);
        QCOMPARE(down.first().first().value<quicpool::Error>().code(), ErrorCode::ConnectionLost);
        QCOMPARE(client.active(), 0);
        relay.setBlackhole(false);
        QTRY_COMPARE_WITH_TIMEOUT(client.active(), 2, 15000);
    }

    void serverRefusesBadHellosWithoutHarm()
    {
        ServerPoolConfig sc = serverConfig(8);
        sc.setStrictHello(true);
        ServerPool server(sc);
        QVERIFY(server.start());
        ClientPool good(clientConfig(server.serverPort(), 2, 2));
        QVERIFY(good.start());
        QTRY_COMPARE_WITH_TIMEOUT(server.active(), 2, 10000);

        // A raw QUIC client that gets the hello wrong three ways.
        transport::TlsClientOptions o;
        o.mode = TlsMode::SelfSigned;
        Error err;
        std::shared_ptr<transport::TlsContext> tls = transport::TlsContext::createClient(o, &err);
        QVERIFY(tls);
        transport::TransportConfig tc;
        QPointer<transport::Connection> raw = transport::Connection::dial(
            QHostAddress::LocalHost, server.serverPort(), tls, tc, this, &err);
        QVERIFY(raw);
        QSignalSpy up(raw.data(), &transport::Connection::connected);
        QTRY_VERIFY_WITH_TIMEOUT(up.count() == 1, 10000);
        Stream *empty = raw->openStream(this, &err);        // FIN, no byte
        Stream *wrongByte = raw->openStream(this, &err);    // 0x01
        Stream *tooMany = raw->openStream(this, &err);      // 0x00 0x00
        QVERIFY(empty && wrongByte && tooMany);
        empty->close();
        wrongByte->write("\x01", 1);
        tooMany->write(QByteArray("\x00\x00", 2));
        for (Stream *s : {empty, wrongByte, tooMany})
            QTRY_VERIFY_WITH_TIMEOUT(s->isFinished(), 5000);
        for (Stream *s : {empty, wrongByte, tooMany})
            QVERIFY2(s->readAll().isEmpty(), "a refused stream must not get an ID");
        QCOMPARE(server.active(), 2);
        QString why;
        QVERIFY2(exchange(server, good, 2, 3000, &why), qPrintable(why));
        raw->close(0, "bye");
    }

    void clientRefusesShortIdsWithoutHarm()
    {
        // A raw server that answers every other stream with only 3 ID bytes
        // and FIN: those creations fail, the good ones are pooled.
        ServerPool reference(serverConfig(1));  // only for its certificate
        QVERIFY(reference.start());
        Error err;
        transport::Listener listener;
        QVERIFY2(listenRaw(listener, &err), qPrintable(err.toString()));
        int served = 0;
        connect(&listener, &transport::Listener::newConnection, this, [&](transport::Connection *c) {
            connect(c, &transport::Connection::newStream, this, [&](Stream *s) {
                connect(s, &Stream::readyRead, this, [&, s] {
                    if (s->bytesAvailable() < 1 || s->property("answered").toBool())
                        return;
                    s->read(1);
                    s->setProperty("answered", true);
                    const quint32 n = quint32(++served);
                    const char id[4] = {char(n >> 24), char(n >> 16), char(n >> 8), char(n)};
                    s->write(id, n % 2 ? 3 : 4);
                    if (n % 2)
                        s->closeWrite();
                });
            });
        });
        ClientPool client(clientConfig(listener.port(), 4, 4));
        QSignalSpy errors(&client, &Pool::errorOccurred);
        QVERIFY(client.start());
        QTRY_VERIFY_WITH_TIMEOUT(client.active() >= 2, 15000);
        QVERIFY(errors.count() >= 1);
        const auto e = errors.first().first().value<quicpool::Error>();
        QCOMPARE(e.code(), ErrorCode::StreamRefused);
        for (const QString &id : client.readyIds()) {
            bool ok = false;
            const quint32 n = id.toUInt(&ok, 16);
            QVERIFY(ok);
            QCOMPARE(n % 2, 0u);  // only full 4-byte answers were pooled
        }
    }

    void versionNegotiationAndStatelessReset()
    {
        ServerPool server(serverConfig(4));
        QVERIFY(server.start());
        QUdpSocket probe;
        QVERIFY(probe.bind(QHostAddress::LocalHost, 0));

        // A long header with an unknown version gets Version Negotiation.
        QByteArray initial(1200, '\0');
        initial[0] = char(0xc0);
        initial[1] = 0x1a; initial[2] = 0x2a; initial[3] = 0x3a; initial[4] = 0x4a;
        initial[5] = 8;            // DCID length
        for (int i = 0; i < 8; ++i) initial[6 + i] = char(i + 1);
        initial[14] = 4;           // SCID length
        for (int i = 0; i < 4; ++i) initial[15 + i] = char(0x70 + i);
        probe.writeDatagram(initial, QHostAddress::LocalHost, server.serverPort());
        QTRY_VERIFY_WITH_TIMEOUT(probe.hasPendingDatagrams(), 5000);
        const QByteArray vn = probe.receiveDatagram().data();
        QVERIFY(vn.size() >= 7 + 4 + 8 + 4);
        QVERIFY(quint8(vn[0]) & 0x80);
        QCOMPARE(vn.mid(1, 4), QByteArray(4, '\0'));              // version 0: VN
        QVERIFY(vn.contains(QByteArray("\x00\x00\x00\x01", 4)));  // offers QUIC v1

        // A short header for an unknown connection gets a stateless reset,
        // shorter than what caused it: 200 bytes pay for a 50-byte reset
        // under the reset byte budget (transport/resetlimiter.h).
        QByteArray shortHdr(200, '\x5a');
        shortHdr[0] = char(0x41);
        probe.writeDatagram(shortHdr, QHostAddress::LocalHost, server.serverPort());
        QTRY_VERIFY_WITH_TIMEOUT(probe.hasPendingDatagrams(), 5000);
        const QByteArray reset = probe.receiveDatagram().data();
        QVERIFY(reset.size() < shortHdr.size());
        QCOMPARE(quint8(reset[0]) & 0xc0, 0x40);

        // A tiny one gets nothing (no reset loops).
        probe.writeDatagram(shortHdr.left(30), QHostAddress::LocalHost, server.serverPort());
        QTest::qWait(200);
        QVERIFY(!probe.hasPendingDatagrams());
    }
};

QTEST_GUILESS_MAIN(TestRobustness)
#include "tst_robustness.moc"
