// UdpSocket over real loopback sockets: binding, batched reads, GSO sends
// that arrive as separate datagrams, counters, and the errors a user sees.
#include "transport/udpsocket.h"
#include "transport/unreachable.h"

#include <QtNetwork/QUdpSocket>
#include <QtTest/QSignalSpy>
#include <QtTest/QTest>
#include <cerrno>

using namespace quicpool;
using namespace quicpool::transport;

namespace {

struct Received
{
    QList<QByteArray> datagrams;
    QList<quint16> fromPorts;
    int batches = 0;
};

void collect(UdpSocket &socket, Received *into)
{
    socket.setReceiver([into](const uint8_t *data, size_t len, const SocketAddress &from, unsigned) {
        into->datagrams.append(QByteArray(reinterpret_cast<const char *>(data), qsizetype(len)));
        into->fromPorts.append(from.port());
    });
    socket.setBatchDone([into] { ++into->batches; });
}

QByteArray bytes(int size, char seed)
{
    QByteArray out(size, Qt::Uninitialized);
    for (int i = 0; i < size; ++i)
        out[i] = char(seed + i * 7);
    return out;
}

/// A loopback UDP port nothing listens on (bound once, then let go).
quint16 closedPort(const QHostAddress &address)
{
    UdpSocket s;
    Error error;
    if (!s.bind(address, 0, &error))
        return 0;
    return s.localAddress().port();
}

} // namespace

class TestUdpSocket : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void unreachableSentences_data()
    {
        QTest::addColumn<int>("err");
        QTest::addColumn<QString>("sentence");
        QTest::newRow("port") << ECONNREFUSED << QStringLiteral("nothing is listening on 127.0.0.1:4433");
        QTest::newRow("host") << EHOSTUNREACH << QStringLiteral("no route to 127.0.0.1:4433 (host unreachable)");
        QTest::newRow("network") << ENETUNREACH << QStringLiteral("no route to 127.0.0.1:4433 (network unreachable)");
        QTest::newRow("prohibited") << EACCES
                                    << QStringLiteral("a firewall rejects datagrams to 127.0.0.1:4433 (administratively prohibited)");
        QTest::newRow("too big") << EMSGSIZE << QString();
        QTest::newRow("parameter problem") << EPROTO << QString();
    }

    void unreachableSentences()
    {
        QFETCH(int, err);
        QFETCH(QString, sentence);
        const std::optional<Error> e = unreachableError(err, QStringLiteral("127.0.0.1:4433"));
        QCOMPARE(e.has_value(), !sentence.isEmpty());
        if (e) {
            QCOMPARE(e->code(), ErrorCode::Unreachable);
            QCOMPARE(e->message(), sentence);
        }
    }

    void icmpPortUnreachableIsReported_data()
    {
        QTest::addColumn<QString>("toText");
        QTest::addColumn<QString>("fromText");
        QTest::newRow("ipv4") << QStringLiteral("127.0.0.1") << QStringLiteral("0.0.0.0");
        QTest::newRow("ipv6") << QStringLiteral("::1") << QStringLiteral("::");
    }

    void icmpPortUnreachableIsReported()
    {
        QFETCH(QString, toText);
        QFETCH(QString, fromText);
        const QHostAddress to(toText), from(fromText);
        const quint16 port = closedPort(to);
        if (port == 0)
            QSKIP("no such loopback address here");
        UdpSocket s;
        Error error;
        QVERIFY(s.bind(from, 0, &error));
        Received got;
        collect(s, &got);
        QList<int> errs;
        QList<SocketAddress> dests;
        s.setIcmpErrorReceiver([&](const SocketAddress &dest, int err) {
            errs.append(err);
            dests.append(dest);
        });
        const SocketAddress dest = SocketAddress::fromQt(to, port);
        const QByteArray hello = bytes(100, 1);
        QCOMPARE(s.send(dest, reinterpret_cast<const uint8_t *>(hello.constData()), size_t(hello.size()), 1500),
                 UdpSocket::SendResult::Sent);
        QTRY_VERIFY_WITH_TIMEOUT(!errs.isEmpty(), 2000);
        QCOMPARE(errs.first(), ECONNREFUSED);
        QCOMPARE(dests.first().address(), to);
        QCOMPARE(dests.first().port(), port);
        // The error queue is drained: the socket does not stay readable
        // (that would spin the loop and call the batch callback again and again).
        const int batches = got.batches;
        QTest::qWait(100);
        QVERIFY2(got.batches - batches <= 1, qPrintable(QString::number(got.batches - batches)));
        QVERIFY(got.datagrams.isEmpty());
    }

    void icmpErrorsAreIgnoredUnlessAsked()
    {
        // Without a receiver the socket keeps its old behaviour: ICMP errors
        // are not seen, nothing fails.
        const quint16 port = closedPort(QHostAddress(QHostAddress::LocalHost));
        UdpSocket s;
        Error error;
        QVERIFY(s.bind(QHostAddress(QHostAddress::AnyIPv4), 0, &error));
        Received got;
        collect(s, &got);
        const QByteArray hello = bytes(100, 1);
        const SocketAddress dest = SocketAddress::fromQt(QHostAddress(QHostAddress::LocalHost), port);
        QCOMPARE(s.send(dest, reinterpret_cast<const uint8_t *>(hello.constData()), size_t(hello.size()), 1500),
                 UdpSocket::SendResult::Sent);
        QTest::qWait(100);
        QCOMPARE(got.batches, 0);
        QVERIFY(s.isOpen());
    }

    void bindsAnEphemeralPort()
    {
        UdpSocket s;
        Error error;
        QVERIFY2(s.bind(QHostAddress::LocalHost, 0, &error), qPrintable(error.toString()));
        QVERIFY(s.isOpen());
        QVERIFY(s.localAddress().port() != 0);
        QCOMPARE(s.localAddress().address(), QHostAddress(QHostAddress::LocalHost));
    }

    void aTakenPortSaysSo()
    {
        UdpSocket first;
        Error error;
        QVERIFY(first.bind(QHostAddress::LocalHost, 0, &error));
        UdpSocket second;
        QVERIFY(!second.bind(QHostAddress::LocalHost, first.localAddress().port(), &error));
        QCOMPARE(error.code(), ErrorCode::AddressInUse);
        QCOMPARE(error.message(), QStringLiteral("127.0.0.1:%1 is already in use").arg(first.localAddress().port()));
        QVERIFY(!second.isOpen());
    }

    void receivesEveryDatagramAndEndsEachBatch()
    {
        UdpSocket s;
        Error error;
        QVERIFY(s.bind(QHostAddress::LocalHost, 0, &error));
        Received got;
        collect(s, &got);
        QUdpSocket peer;
        QVERIFY(peer.bind(QHostAddress::LocalHost, 0));
        for (int i = 0; i < 50; ++i)
            peer.writeDatagram(bytes(100 + i, char(i)), QHostAddress::LocalHost, s.localAddress().port());
        QTRY_COMPARE_WITH_TIMEOUT(got.datagrams.size(), 50, 5000);
        for (int i = 0; i < 50; ++i) {
            QCOMPARE(got.datagrams.at(i), bytes(100 + i, char(i)));
            QCOMPARE(got.fromPorts.at(i), peer.localPort());
        }
        QVERIFY(got.batches >= 1);
        QCOMPARE(s.datagramsReceived(), quint64(50));
    }

    void aGsoSendArrivesAsSeparateDatagrams()
    {
        // One call, 10 segments of 1200 bytes and a shorter last one: the
        // peer must see 11 datagrams of exactly those sizes and bytes,
        // whether the kernel segmented them (GSO) or we fell back.
        UdpSocket sender, receiver;
        Error error;
        QVERIFY(sender.bind(QHostAddress::LocalHost, 0, &error));
        QVERIFY(receiver.bind(QHostAddress::LocalHost, 0, &error));
        Received got;
        collect(receiver, &got);
        QByteArray payload;
        for (int i = 0; i < 10; ++i)
            payload += bytes(1200, char(i));
        payload += bytes(345, 'z');
        const auto *data = reinterpret_cast<const uint8_t *>(payload.constData());
        QCOMPARE(sender.send(receiver.localAddress(), data, size_t(payload.size()), 1200), UdpSocket::SendResult::Sent);
        QTRY_COMPARE_WITH_TIMEOUT(got.datagrams.size(), 11, 5000);
        for (int i = 0; i < 10; ++i)
            QCOMPARE(got.datagrams.at(i), bytes(1200, char(i)));
        QCOMPARE(got.datagrams.at(10), bytes(345, 'z'));
        QCOMPARE(sender.datagramsSent(), quint64(11));
        QCOMPARE(sender.bytesSent(), quint64(payload.size()));
        QCOMPARE(receiver.bytesReceived(), quint64(payload.size()));
        const UdpCounters c = sender.counters();
        QCOMPARE(c.datagramsSent, quint64(11));
    }

    void gsoCanBeTurnedOff()
    {
        qputenv("QUICPOOL_DISABLE_GSO", "1");
        UdpSocket sender, receiver;
        Error error;
        QVERIFY(sender.bind(QHostAddress::LocalHost, 0, &error));
        qunsetenv("QUICPOOL_DISABLE_GSO");
        QVERIFY(!sender.gsoEnabled());
        QVERIFY(receiver.bind(QHostAddress::LocalHost, 0, &error));
        Received got;
        collect(receiver, &got);
        const QByteArray payload = bytes(3 * 1000, 'a');
        sender.send(receiver.localAddress(), reinterpret_cast<const uint8_t *>(payload.constData()),
                    size_t(payload.size()), 1000);
        QTRY_COMPARE_WITH_TIMEOUT(got.datagrams.size(), 3, 5000);
        QCOMPARE(got.datagrams.join(), payload);
    }

    void dualStackAnyTakesIpv4()
    {
        UdpSocket s;
        Error error;
        if (!s.bind(QHostAddress::AnyIPv6, 0, &error))
            QSKIP("no IPv6 on this machine");
        Received got;
        collect(s, &got);
        QUdpSocket peer;
        peer.writeDatagram("v4", QHostAddress::LocalHost, s.localAddress().port());
        QTRY_COMPARE_WITH_TIMEOUT(got.datagrams.size(), 1, 5000);
        QCOMPARE(got.datagrams.first(), QByteArray("v4"));
    }

    void closedSocketStopsReading()
    {
        UdpSocket s;
        Error error;
        QVERIFY(s.bind(QHostAddress::LocalHost, 0, &error));
        const quint16 port = s.localAddress().port();
        s.close();
        QVERIFY(!s.isOpen());
        // The port is free again.
        UdpSocket again;
        QVERIFY2(again.bind(QHostAddress::LocalHost, port, &error), qPrintable(error.toString()));
    }
};

QTEST_GUILESS_MAIN(TestUdpSocket)
#include "tst_udpsocket.moc"
