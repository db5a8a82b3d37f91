// Listener: how it answers what arrives on its socket. Hand-made QUIC
// headers from a plain QUdpSocket check the demultiplexer's rules; a real
// dialing Connection checks that a handshake makes a routed connection.
#include "transport/connection.h"
#include "transport/listener.h"
#include "transport/tls/tlscontext.h"

#include <QtCore/QPointer>
#include <QtNetwork/QUdpSocket>
#include <QtTest/QSignalSpy>
#include <QtTest/QTest>

using namespace quicpool;
using namespace quicpool::transport;
using namespace std::chrono_literals;

namespace {

QByteArray longHeader(quint32 version, const QByteArray &dcid, const QByteArray &scid, int padTo)
{
    QByteArray p;
    p.append(char(0xc0));                     // long header, fixed bit, Initial
    for (int shift = 24; shift >= 0; shift -= 8)
        p.append(char((version >> shift) & 0xff));
    p.append(char(dcid.size())).append(dcid);
    p.append(char(scid.size())).append(scid);
    p.append(QByteArray(qMax(0, padTo - int(p.size())), '\0'));
    return p;
}

QByteArray shortHeader(const QByteArray &dcid, int size)
{
    QByteArray p;
    p.append(char(0x40 | 0x01));              // short header, fixed bit
    p.append(dcid);
    p.append(QByteArray(qMax(0, size - int(p.size())), char(0x5a)));
    return p;
}

quint32 readU32(const QByteArray &b, int at)
{
    return (quint32(quint8(b[at])) << 24) | (quint32(quint8(b[at + 1])) << 16)
        | (quint32(quint8(b[at + 2])) << 8) | quint32(quint8(b[at + 3]));
}

} // namespace

class TestListener : public QObject
{
    Q_OBJECT

    std::unique_ptr<Listener> listener;
    QUdpSocket peer;

    QByteArray exchange(const QByteArray &datagram, int waitMs = 1000)
    {
        peer.writeDatagram(datagram, QHostAddress::LocalHost, listener->port());
        // The listener answers from this thread's event loop: keep it turning.
        if (!QTest::qWaitFor([this] { return peer.hasPendingDatagrams(); }, waitMs))
            return {};
        QByteArray answer(int(peer.pendingDatagramSize()), Qt::Uninitialized);
        peer.readDatagram(answer.data(), answer.size());
        return answer;
    }

private Q_SLOTS:
    void init()
    {
        Error err;
        std::shared_ptr<TlsContext> tls = TlsContext::createServer(TlsServerOptions(), &err);
        QVERIFY2(tls, qPrintable(err.toString()));
        listener = std::make_unique<Listener>();
        QVERIFY2(listener->listen(QHostAddress::LocalHost, 0, tls, TransportConfig(), &err), qPrintable(err.toString()));
        QVERIFY(peer.bind(QHostAddress::LocalHost, 0));
    }

    void cleanup()
    {
        listener.reset();
        peer.close();
    }

    void anUnknownVersionGetsVersionNegotiation()
    {
        const QByteArray dcid = QByteArray::fromHex("0102030405060708");
        const QByteArray scid = QByteArray::fromHex("a1a2a3a4");
        const QByteArray answer = exchange(longHeader(0xbabababa, dcid, scid, 1200));
        QVERIFY2(!answer.isEmpty(), "no Version Negotiation came back");
        QVERIFY(quint8(answer[0]) & 0x80);             // a long header
        QCOMPARE(readU32(answer, 1), quint32(0));       // version 0: Version Negotiation
        // The IDs come back swapped: its DCID is our SCID and vice versa.
        QCOMPARE(answer.mid(6, quint8(answer[5])), scid);
        const int at = 6 + quint8(answer[5]);
        QCOMPARE(answer.mid(at + 1, quint8(answer[at])), dcid);
        QCOMPARE(readU32(answer, at + 1 + quint8(answer[at])), quint32(1));   // QUIC v1 offered
        QCOMPARE(listener->versionNegotiationsSent(), quint64(1));
    }

    void anUnknownConnectionGetsAStatelessReset()
    {
        const QByteArray answer = exchange(shortHeader(QByteArray::fromHex("1122334455667788"), 200));
        QVERIFY2(!answer.isEmpty(), "no stateless reset came back");
        QVERIFY(!(quint8(answer[0]) & 0x80));           // looks like a short header
        QVERIFY(quint8(answer[0]) & 0x40);
        // Smaller than what triggered it (RFC 9000 10.3), so resets cannot loop.
        QVERIFY2(answer.size() < 200, qPrintable(QString::number(answer.size())));
        QVERIFY(answer.size() >= 21);                   // header byte + 16-byte token at least
        QCOMPARE(listener->statelessResetsSent(), quint64(1));
    }

    void aShortPacketGetsNoReset()
    {
        // A reset is at least 21 bytes and must be smaller than its trigger
        // (RFC 9000 10.3): a 21-byte packet cannot have one.
        QVERIFY(exchange(shortHeader(QByteArray::fromHex("1122334455667788"), 21), 300).isEmpty());
        QCOMPARE(listener->statelessResetsSent(), quint64(0));
        QCOMPARE(listener->datagramsDropped(), quint64(1));
    }

    void smallPacketsPayForAResetTogether()
    {
        // A keep-alive-sized packet (30 bytes) asks for a 29-byte reset,
        // which costs four times that in bytes received: the fourth such
        // packet brings the credit, and it alone gets an answer.
        const QByteArray small = shortHeader(QByteArray::fromHex("1122334455667788"), 30);
        for (int i = 0; i < 3; ++i)
            QVERIFY(exchange(small, 200).isEmpty());
        const QByteArray answer = exchange(small);
        QCOMPARE(answer.size(), 29);
        QCOMPARE(listener->statelessResetsSent(), quint64(1));
    }

    void garbageIsDropped()
    {
        QVERIFY(exchange(QByteArray(1, char(0x00)), 300).isEmpty());
        QVERIFY(exchange(longHeader(1, QByteArray(3, 'x'), QByteArray(), 1200), 300).isEmpty()); // DCID too short
        QCOMPARE(listener->datagramsDropped(), quint64(2));
        QVERIFY(listener->connections().isEmpty());
    }

    void aHandshakeMakesARoutedConnection()
    {
        Error err;
        TlsClientOptions o;
        o.mode = TlsMode::SelfSigned;
        std::shared_ptr<TlsContext> clientTls = TlsContext::createClient(o, &err);
        QVERIFY(clientTls);
        QSignalSpy accepted(listener.get(), &Listener::newConnection);
        QPointer<Connection> client = Connection::dial(QHostAddress::LocalHost, listener->port(), clientTls,
                                                       TransportConfig(), this, &err);
        QVERIFY2(client, qPrintable(err.toString()));
        QTRY_COMPARE_WITH_TIMEOUT(accepted.count(), 1, 10000);
        QCOMPARE(listener->connections().size(), 1);
        auto *serverSide = accepted.first().first().value<Connection *>();
        QVERIFY(serverSide->isServer());
        QCOMPARE(serverSide->peer().port(), client->local().port());
        QVERIFY(listener->socketCounters().datagramsReceived > 0);

        // Closing forgets the connection once its closing period is over.
        client->close(0, "bye");
        QTRY_VERIFY_WITH_TIMEOUT(listener->connections().isEmpty(), 10000);
        delete client.data();
    }
};

QTEST_GUILESS_MAIN(TestListener)
#include "tst_listener.moc"
