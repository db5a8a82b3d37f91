// UdpSocket over real loopback sockets: binding, batched reads, GSO sends
// that arrive as separate datagrams, counters, and the errors a user sees.
#include "closedport.h"
#include "transport/turnhooks.h"
#include "transport/udpsocket.h"
#include "transport/unreachable.h"

#include <QtNetwork/QUdpSocket>
#include <QtCore/QElapsedTimer>
#include <QtCore/QPair>
#include <QtCore/QThread>
#include <QtCore/QTimer>
#include <QtTest/QSignalSpy>
#include <QtTest/QTest>
#include <atomic>
#include <cerrno>
#include <chrono>
#include <thread>

using namespace quicpool;
using namespace quicpool::transport;

namespace {

struct Received
{
    QList<QByteArray> datagrams;
    QList<quint16> fromPorts;
    QList<UdpPath> paths;
    int batches = 0;
};

void collect(UdpSocket &socket, Received *into)
{
    socket.setReceiver([into](const uint8_t *data, size_t len, const UdpPath &path) {
        into->datagrams.append(QByteArray(reinterpret_cast<const char *>(data), qsizetype(len)));
        into->fromPorts.append(path.peer.port());
        into->paths.append(path);
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
        const quint16 port = quicpool::testing::closedUdpPort(to);
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

    void datagramsCostNoErrorQueueRead()
    {
        // A socket that listens for ICMP errors reads its error queue when
        // the kernel says one waits, not once per wake-up: 50 datagrams
        // one at a time cost 50 reads of an empty queue before, none now.
        UdpSocket s;
        Error error;
        QVERIFY(s.bind(QHostAddress::LocalHost, 0, &error));
        Received got;
        collect(s, &got);
        QList<int> errs;
        s.setIcmpErrorReceiver([&](const SocketAddress &, int err) { errs.append(err); });
        QUdpSocket peer;
        QVERIFY(peer.bind(QHostAddress::LocalHost, 0));
        for (int i = 0; i < 50; ++i) {
            peer.writeDatagram(bytes(100, char(i)), QHostAddress::LocalHost, s.localAddress().port());
            QTRY_COMPARE_WITH_TIMEOUT(got.datagrams.size(), i + 1, 5000);
        }
        QCOMPARE(s.errorQueueReads(), quint64(0));
        QVERIFY(errs.isEmpty());
        // And an error that does come is still read and reported.
        const quint16 closed = quicpool::testing::closedUdpPort();
        const QByteArray hello = bytes(100, 1);
        QCOMPARE(s.send(SocketAddress::fromQt(QHostAddress::LocalHost, closed),
                        reinterpret_cast<const uint8_t *>(hello.constData()), size_t(hello.size()), 1500),
                 UdpSocket::SendResult::Sent);
        QTRY_VERIFY_WITH_TIMEOUT(!errs.isEmpty(), 2000);
        QCOMPARE(errs.first(), ECONNREFUSED);
        QVERIFY(s.errorQueueReads() >= 1);
    }

    void busyPollReadsWhatComesWithinItsBudget_data()
    {
        QTest::addColumn<int>("budgetUs");
        QTest::addColumn<quint64>("hits");
        QTest::newRow("busy-polling") << 1000 << quint64(1);
        QTest::newRow("off: a second turn of the loop") << 0 << quint64(0);
    }

    void busyPollReadsWhatComesWithinItsBudget()
    {
        // A datagram that comes while the socket busy-polls is read there,
        // in the same turn of the loop, with its own batch callback. The
        // second is sent from the first batch's callback (loopback delivers
        // it before the send returns, unless a loaded kernel defers it to
        // ksoftirqd: hence up to five tries), so it is there to be found.
        QFETCH(int, budgetUs);
        QFETCH(quint64, hits);
        UdpSocket s;
        Error error;
        QVERIFY(s.bind(QHostAddress::LocalHost, 0, &error));
        s.setBusyPoll(std::chrono::microseconds(budgetUs));
        Received got;
        collect(s, &got);
        UdpSocket peer;
        QVERIFY(peer.bind(QHostAddress::LocalHost, 0, &error));
        const SocketAddress to = s.localAddress();
        const QByteArray first = bytes(100, 1);
        const QByteArray second = bytes(100, 2);
        auto send = [&](const QByteArray &d) {
            peer.send(to, reinterpret_cast<const uint8_t *>(d.constData()), size_t(d.size()), 1500);
        };
        s.setBatchDone([&] {
            if (++got.batches % 2 == 1)
                send(second);
        });
        for (int round = 1; round <= 5; ++round) {
            send(first);
            QTRY_COMPARE_WITH_TIMEOUT(got.datagrams.size(), 2 * round, 5000);
            QCOMPARE(got.datagrams.at(2 * round - 1), second);
            QCOMPARE(got.batches, 2 * round);
            if (s.busyPollHits() >= hits && hits > 0)
                break;
        }
        if (hits > 0)
            QVERIFY2(s.busyPollHits() >= hits, "no follow-up caught in five tries");
        else
            QCOMPARE(s.busyPollHits(), quint64(0));
        QCOMPARE(s.errorQueueReads(), quint64(0));   // an empty spin is no error
    }

    void busyPollStopsForPostedWork()
    {
        // Work posted for the next turn (a queued flush) ends the spin: only
        // the loop can run it. The first batch's callback sends a second
        // datagram, which the spin reads; that batch's callback sends a
        // third and posts work, so the third waits for the next turn.
        UdpSocket s;
        Error error;
        QVERIFY(s.bind(QHostAddress::LocalHost, 0, &error));
        s.setBusyPoll(std::chrono::microseconds(1000));
        Received got;
        collect(s, &got);
        UdpSocket peer;
        QVERIFY(peer.bind(QHostAddress::LocalHost, 0, &error));
        const SocketAddress to = s.localAddress();
        auto send = [&](char seed) {
            const QByteArray d = bytes(100, seed);
            peer.send(to, reinterpret_cast<const uint8_t *>(d.constData()), size_t(d.size()), 1500);
        };
        s.setBatchDone([&] {
            ++got.batches;
            if (got.datagrams.size() == 1) {
                send(2);
            } else if (got.datagrams.size() == 2) {
                send(3);
                turnhooks::notePostedWork();
            }
        });
        send(1);
        QTRY_COMPARE_WITH_TIMEOUT(got.datagrams.size(), 3, 5000);
        if (s.busyPollHits() == 0)
            QSKIP("the kernel delivered the second datagram after the spin (a loaded machine)");
        QCOMPARE(s.busyPollHits(), quint64(1));   // the third came in a later turn
    }

    void oneSocketOfAThreadSpinsPerTurn()
    {
        // A pool's sockets share its thread: if each spun its budget in one
        // turn, the loop would wait for all of them. Two busy-polling
        // sockets readable in the same turn: one spins (and catches the
        // follow-up sent from its callback), the other reads its follow-up
        // in a later turn.
        Error error;
        UdpSocket a, b, peer;
        QVERIFY(a.bind(QHostAddress::LocalHost, 0, &error));
        QVERIFY(b.bind(QHostAddress::LocalHost, 0, &error));
        QVERIFY(peer.bind(QHostAddress::LocalHost, 0, &error));
        Received gotA, gotB;
        collect(a, &gotA);
        collect(b, &gotB);
        auto send = [&](UdpSocket &to, char seed) {
            const QByteArray d = bytes(100, seed);
            peer.send(to.localAddress(), reinterpret_cast<const uint8_t *>(d.constData()), size_t(d.size()), 1500);
        };
        a.setBatchDone([&] {
            if (++gotA.batches == 1)
                send(a, 2);
        });
        b.setBatchDone([&] {
            if (++gotB.batches == 1)
                send(b, 2);
        });
        a.setBusyPoll(std::chrono::microseconds(1000));
        b.setBusyPoll(std::chrono::microseconds(1000));
        send(a, 1);
        send(b, 1);   // both readable before the loop looks
        QTRY_VERIFY_WITH_TIMEOUT(gotA.datagrams.size() == 2 && gotB.datagrams.size() == 2, 5000);
        if (a.busyPollHits() + b.busyPollHits() == 0)
            QSKIP("the kernel delivered the follow-ups after the spin (a loaded machine)");
        QCOMPARE(a.busyPollHits() + b.busyPollHits(), quint64(1));
    }

    void busyPollLeavesTheLoopItsTurns()
    {
        // Datagrams every 100 us for 300 ms keep a socket with a 1 ms
        // budget busy all along; the event loop must still run its timers
        // (a turn at least every millisecond), or a busy-polling pool would
        // starve its own keep-alives and the application's slots.
        UdpSocket s;
        Error error;
        QVERIFY(s.bind(QHostAddress::LocalHost, 0, &error));
        s.setBusyPoll(std::chrono::microseconds(1000));
        Received got;
        collect(s, &got);
        const quint16 port = s.localAddress().port();
        std::atomic_bool stop{false};
        std::thread peer([port, &stop] {
            QUdpSocket out;
            const QByteArray one = bytes(64, 7);
            while (!stop) {
                out.writeDatagram(one, QHostAddress::LocalHost, port);
                std::this_thread::sleep_for(std::chrono::microseconds(100));
            }
        });
        int ticks = 0;
        QTimer tick;
        connect(&tick, &QTimer::timeout, this, [&] { ++ticks; });
        tick.start(10);
        QElapsedTimer run;
        run.start();
        while (run.elapsed() < 300)
            QCoreApplication::processEvents(QEventLoop::WaitForMoreEvents, 50);
        stop = true;
        peer.join();
        qInfo() << "timer ticks:" << ticks << "datagrams:" << got.datagrams.size() << "spin hits:" << s.busyPollHits();
        QVERIFY(s.busyPollHits() > 0);
        // 30 due; a loaded machine may merge some.
        QVERIFY2(ticks >= 10, qPrintable(QString::number(ticks)));
    }

    void anErrorASendMetIsReportedWithTheNextBatch()
    {
        // The kernel hands a pending ICMP error to whichever call comes
        // first; when that is a send, the error queue still holds the
        // details, and the next batch of reads must look there even though
        // it finds datagrams (under steady traffic no wake-up comes empty).
        UdpSocket s;
        Error error;
        QVERIFY(s.bind(QHostAddress::LocalHost, 0, &error));
        Received got;
        collect(s, &got);
        QList<int> errs;
        s.setIcmpErrorReceiver([&](const SocketAddress &, int err) { errs.append(err); });
        const SocketAddress closed = SocketAddress::fromQt(QHostAddress::LocalHost, quicpool::testing::closedUdpPort());
        const QByteArray hello = bytes(100, 1);
        auto sendClosed = [&] {
            return s.send(closed, reinterpret_cast<const uint8_t *>(hello.constData()), size_t(hello.size()), 1500);
        };
        QCOMPARE(sendClosed(), UdpSocket::SendResult::Sent);
        QThread::msleep(50);   // the port-unreachable arrives; no event loop runs
        QCOMPARE(sendClosed(), UdpSocket::SendResult::Sent);   // ... and this send is told of it
        QUdpSocket peer;
        QVERIFY(peer.bind(QHostAddress::LocalHost, 0));
        peer.writeDatagram(bytes(64, 2), QHostAddress::LocalHost, s.localAddress().port());
        QThread::msleep(20);
        QCoreApplication::processEvents();   // one turn: the datagram, and the error's details
        QCOMPARE(got.datagrams.size(), 1);
        QCOMPARE(errs.size(), 1);
        QCOMPARE(errs.first(), ECONNREFUSED);
    }

    void icmpErrorsAreIgnoredUnlessAsked()
    {
        // Without a receiver the socket keeps its old behaviour: ICMP errors
        // are not seen, nothing fails.
        const quint16 port = quicpool::testing::closedUdpPort();
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
        QCOMPARE(s.localAddress().address(), QHostAddress(QHostAddress::AnyIPv6));   // not 0.0.0.0
        Received got;
        collect(s, &got);
        QUdpSocket peer;
        peer.writeDatagram("v4", QHostAddress::LocalHost, s.localAddress().port());
        QTRY_COMPARE_WITH_TIMEOUT(got.datagrams.size(), 1, 5000);
        QCOMPARE(got.datagrams.first(), QByteArray("v4"));
    }

    void destinationAddressIsReported_data()
    {
        QTest::addColumn<QString>("bindTo");
        QTest::addColumn<QString>("sendTo");
        QTest::addColumn<QString>("peerFrom");
        QTest::newRow("0.0.0.0, to 127.0.0.2") << "0.0.0.0" << "127.0.0.2" << "127.0.0.1";
        QTest::newRow("0.0.0.0, to 127.0.0.1") << "0.0.0.0" << "127.0.0.1" << "127.0.0.1";
        QTest::newRow("[::], to ::1") << "::" << "::1" << "::1";
        QTest::newRow("[::], to 127.0.0.2 (mapped)") << "::" << "127.0.0.2" << "127.0.0.1";
        QTest::newRow("127.0.0.1") << "127.0.0.1" << "127.0.0.1" << "127.0.0.1";
        QTest::newRow("::1") << "::1" << "::1" << "::1";
    }

    void destinationAddressIsReported()
    {
        // A socket on an any-address learns which of its addresses each
        // datagram reached, and an answer along that path leaves from it:
        // the peer sees its answer come from the address it dialled.
        QFETCH(QString, bindTo);
        QFETCH(QString, sendTo);
        QFETCH(QString, peerFrom);
        UdpSocket server, peer;
        Error error;
        if (!server.bind(QHostAddress(bindTo), 0, &error) || !peer.bind(QHostAddress(peerFrom), 0, &error))
            QSKIP("no such address family here");
        Received atServer, atPeer;
        collect(server, &atServer);
        collect(peer, &atPeer);
        const QByteArray hello = bytes(60, 4);
        const SocketAddress dialled = SocketAddress::fromQt(QHostAddress(sendTo), server.localAddress().port());
        QCOMPARE(peer.send(dialled, reinterpret_cast<const uint8_t *>(hello.constData()), size_t(hello.size()), 1500),
                 UdpSocket::SendResult::Sent);
        QTRY_COMPARE_WITH_TIMEOUT(atServer.datagrams.size(), 1, 5000);
        const UdpPath in = atServer.paths.first();
        QCOMPARE(in.local.address(), QHostAddress(sendTo));
        QCOMPARE(in.local.port(), server.localAddress().port());
        QCOMPARE(in.peer.port(), peer.localAddress().port());

        const UdpPath answer{in.local, in.peer, 0};
        QCOMPARE(server.send(answer, reinterpret_cast<const uint8_t *>(hello.constData()), size_t(hello.size()), 1500),
                 UdpSocket::SendResult::Sent);
        QTRY_COMPARE_WITH_TIMEOUT(atPeer.datagrams.size(), 1, 5000);
        QCOMPARE(atPeer.paths.first().peer.address(), QHostAddress(sendTo));
        QCOMPARE(atPeer.paths.first().peer.port(), server.localAddress().port());
    }

    void withoutASourceTheKernelPicks()
    {
        // What went wrong before IP_PKTINFO: an answer from a socket on
        // 0.0.0.0 to a peer on 127.0.0.1 leaves from 127.0.0.1, whatever
        // the peer dialled.
        UdpSocket server, peer;
        Error error;
        QVERIFY(server.bind(QHostAddress::AnyIPv4, 0, &error));
        QVERIFY(peer.bind(QHostAddress::LocalHost, 0, &error));
        Received atPeer;
        collect(peer, &atPeer);
        const QByteArray hello = bytes(60, 5);
        QCOMPARE(server.send(peer.localAddress(), reinterpret_cast<const uint8_t *>(hello.constData()),
                             size_t(hello.size()), 1500),
                 UdpSocket::SendResult::Sent);
        QTRY_COMPARE_WITH_TIMEOUT(atPeer.datagrams.size(), 1, 5000);
        QCOMPARE(atPeer.paths.first().peer.address(), QHostAddress(QHostAddress::LocalHost));
    }

    void ecnMarksAreSentAndReadBack_data()
    {
        QTest::addColumn<QString>("bindTo");
        QTest::addColumn<QString>("peerAt");
        QTest::addColumn<bool>("gso");
        QTest::newRow("ipv4") << "127.0.0.1" << "127.0.0.1" << false;
        QTest::newRow("ipv4, a GSO send") << "127.0.0.1" << "127.0.0.1" << true;
        QTest::newRow("ipv6") << "::1" << "::1" << false;
        QTest::newRow("ipv6, a GSO send") << "::1" << "::1" << true;
        QTest::newRow("dual-stack to an IPv4 peer") << "::" << "127.0.0.1" << false;
        QTest::newRow("dual-stack to an IPv4 peer, a GSO send") << "::" << "127.0.0.1" << true;
    }

    void ecnMarksAreSentAndReadBack()
    {
        // Each codepoint set on send (IP_TOS / IPV6_TCLASS control message)
        // is the one read back from the TOS byte on the other side.
        QFETCH(QString, bindTo);
        QFETCH(QString, peerAt);
        QFETCH(bool, gso);
        UdpSocket sender, receiver;
        Error error;
        if (!sender.bind(QHostAddress(bindTo), 0, &error) || !receiver.bind(QHostAddress(peerAt), 0, &error))
            QSKIP("no such address family here");
        Received got;
        collect(receiver, &got);
        SocketAddress to = receiver.localAddress();
        if (bindTo == QLatin1String("::"))
            to = SocketAddress::fromQt(QHostAddress(QStringLiteral("::ffff:") + peerAt), to.port());
        const int segments = gso ? 3 : 1;
        for (unsigned ecn : {0u, 1u, 2u, 3u}) {
            const QByteArray payload = bytes(500, char(ecn)).repeated(segments);
            QCOMPARE(sender.send(UdpPath{{}, to, ecn}, reinterpret_cast<const uint8_t *>(payload.constData()),
                                 size_t(payload.size()), 500),
                     UdpSocket::SendResult::Sent);
        }
        QTRY_COMPARE_WITH_TIMEOUT(got.datagrams.size(), 4 * segments, 5000);
        for (int i = 0; i < got.datagrams.size(); ++i)
            QCOMPARE(got.paths.at(i).ecn, unsigned(got.datagrams.at(i).at(0)));
    }

    void aGsoRefusalFallsBackForThatDestinationOnly()
    {
        // The kernel refuses a GSO send to one destination (EINVAL: its
        // path cannot take the segment size; made here by the send seam).
        // That send goes out one datagram at a time, and so do later sends
        // to it; other destinations keep GSO.
        UdpSocket sender, refusing, fine;
        Error error;
        QVERIFY(sender.bind(QHostAddress::LocalHost, 0, &error));
        QVERIFY(refusing.bind(QHostAddress::LocalHost, 0, &error));
        QVERIFY(fine.bind(QHostAddress::LocalHost, 0, &error));
        Received atRefusing, atFine;
        collect(refusing, &atRefusing);
        collect(fine, &atFine);
        QList<QPair<quint16, size_t>> attempts;   // destination port, segment size (0: one datagram)
        sender.setSendFault([&](const UdpPath &path, size_t, size_t segmentSize) {
            attempts.append({path.peer.port(), segmentSize});
            return segmentSize > 0 && path.peer == refusing.localAddress() ? EINVAL : 0;
        });
        const QByteArray payload = bytes(4 * 1000, 'g');
        const auto *data = reinterpret_cast<const uint8_t *>(payload.constData());
        QCOMPARE(sender.send(refusing.localAddress(), data, size_t(payload.size()), 1000), UdpSocket::SendResult::Sent);
        QTRY_COMPARE_WITH_TIMEOUT(atRefusing.datagrams.size(), 4, 5000);
        QCOMPARE(atRefusing.datagrams.join(), payload);
        QVERIFY(sender.gsoEnabled());
        QVERIFY(sender.gsoRefusedFor(refusing.localAddress()));
        QVERIFY(!sender.gsoRefusedFor(fine.localAddress()));

        attempts.clear();
        QCOMPARE(sender.send(fine.localAddress(), data, size_t(payload.size()), 1000), UdpSocket::SendResult::Sent);
        QCOMPARE(sender.send(refusing.localAddress(), data, size_t(payload.size()), 1000), UdpSocket::SendResult::Sent);
        QTRY_COMPARE_WITH_TIMEOUT(atFine.datagrams.size(), 4, 5000);
        QTRY_COMPARE_WITH_TIMEOUT(atRefusing.datagrams.size(), 8, 5000);
        const QList<QPair<quint16, size_t>> expected{
            {fine.localAddress().port(), 1000},          // one GSO send
            {refusing.localAddress().port(), 0}, {refusing.localAddress().port(), 0},
            {refusing.localAddress().port(), 0}, {refusing.localAddress().port(), 0}};
        QCOMPARE(attempts, expected);
    }

    void refusedDestinationsAreBounded()
    {
        UdpSocket sender;
        Error error;
        QVERIFY(sender.bind(QHostAddress::LocalHost, 0, &error));
        sender.setSendFault([](const UdpPath &, size_t, size_t segmentSize) { return segmentSize > 0 ? EINVAL : ENETUNREACH; });
        const QByteArray payload = bytes(2 * 100, 'b');
        for (int port = 1; port <= UdpSocket::kMaxGsoRefused + 10; ++port) {
            const SocketAddress to = SocketAddress::fromQt(QHostAddress::LocalHost, quint16(port));
            sender.send(to, reinterpret_cast<const uint8_t *>(payload.constData()), size_t(payload.size()), 100);
        }
        QCOMPARE(sender.gsoRefusedCount(), UdpSocket::kMaxGsoRefused);
        QVERIFY(!sender.gsoRefusedFor(SocketAddress::fromQt(QHostAddress::LocalHost, 1)));   // the oldest went
        QVERIFY(sender.gsoRefusedFor(SocketAddress::fromQt(QHostAddress::LocalHost, quint16(UdpSocket::kMaxGsoRefused + 10))));
        QVERIFY(sender.gsoEnabled());
    }

    void noBuffersIsNotWouldBlock()
    {
        // ENOBUFS is the kernel short of buffers below the socket; the
        // socket stays writable, so waiting for it to be would spin.
        UdpSocket sender, receiver;
        Error error;
        QVERIFY(sender.bind(QHostAddress::LocalHost, 0, &error));
        QVERIFY(receiver.bind(QHostAddress::LocalHost, 0, &error));
        int faults = 2;
        sender.setSendFault([&](const UdpPath &, size_t, size_t) { return faults-- > 0 ? ENOBUFS : 0; });
        const QByteArray one = bytes(100, 'n');
        const auto *data = reinterpret_cast<const uint8_t *>(one.constData());
        QCOMPARE(sender.send(receiver.localAddress(), data, size_t(one.size()), 1500), UdpSocket::SendResult::NoBuffers);
        QCOMPARE(sender.send(receiver.localAddress(), data, size_t(one.size()), 1500), UdpSocket::SendResult::NoBuffers);
        QCOMPARE(sender.send(receiver.localAddress(), data, size_t(one.size()), 1500), UdpSocket::SendResult::Sent);
        // The waits: 1 ms doubling, never over kMaxNoBufferDelay.
        QList<qint64> delays;
        for (int n = 1; n <= 9; ++n)
            delays.append(UdpSocket::noBufferDelay(n).count());
        QCOMPARE(delays, (QList<qint64>{1, 2, 4, 8, 16, 32, 32, 32, 32}));
        QCOMPARE(UdpSocket::noBufferDelay(1000).count(), qint64(32));
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
