// A server pool facing clients it has no reason to trust, end to end: the
// allow-list (clientIp) refuses other addresses before any TLS work and
// says so once per source; a client pool keeps the server's NEW_TOKEN token
// and skips the Retry when it comes back (here, to the server restarted on
// the same port with the same key); pooled streams hold what arrived, not
// a 64 KiB chunk, and a connection's streams nobody has taken hold at most
// their bound (pool::kMaxUnclaimedBytes).
#include "floodkit.h"
#include "poolfixture.h"
#include "pool/rules.h"
#include "transport/connection_p.h"
#include "transport/listener.h"
#include "transport/stream_p.h"
#include "transport/tls/tlscontext.h"

#include <QtTest/QSignalSpy>
#include <QtTest/QTest>

using namespace quicpool;
using namespace quicpool::testing;

namespace {

transport::Connection *serverConnection(ServerPool &server)
{
    auto *listener = server.findChild<transport::Listener *>();
    if (!listener || listener->connections().isEmpty())
        return nullptr;
    return listener->connections().first();
}

} // namespace

class TestServerDefence : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void initTestCase() { qRegisterMetaType<quicpool::Error>(); }

    void floodHoldsAgainstARetryStampedAfterTheReading()
    {
        // A monitor takes "now", then reads lastRetryNs, which the
        // listener's thread may have stamped in between: later than that
        // now. The flood is on; an unsigned now - last must not wrap.
        transport::DefenceCounters c;
        c.retryThreshold = 8;
        const uint64_t now = 100ull * 1000 * 1000 * 1000;
        QVERIFY(!c.underFlood(now));
        c.lastRetryNs = now - 1000;
        QVERIFY(c.underFlood(now));
        c.lastRetryNs = now + 1000;
        QVERIFY(c.underFlood(now));
        c.lastRetryNs = now - transport::DefenceCounters::kFloodHoldNs;
        QVERIFY(!c.underFlood(now));
        c.pending = 9;
        QVERIFY(c.underFlood(now));
    }

    void theAllowListRefusesBeforeAnyTlsWork()
    {
        ServerPoolConfig sc = serverConfig(4);
        sc.setClientIp(QStringLiteral("127.0.0.1"));
        ServerPool server(sc);
        QSignalSpy refused(&server, &ServerPool::clientRefused);
        QVERIFY(server.start());

        // 12 handshakes from 127.0.0.2 (two Initial datagrams each with
        // OpenSSL's ClientHello, one with GnuTLS's: each is refused).
        Error err;
        transport::TlsClientOptions o;
        std::shared_ptr<transport::TlsContext> tls = transport::TlsContext::createClient(o, &err);
        QVERIFY(tls);
        flood::FloodPlan plan;
        QString why;
        QVERIFY2(flood::makeFloodPlan(&plan, *tls, QHostAddress(QStringLiteral("127.0.0.2")), 2,
                                      transport::SocketAddress::fromQt(QHostAddress::LocalHost, server.serverPort()),
                                      12, &why),
                 qPrintable(why));
        qint64 sent = 0;
        qint64 datagrams = 0;
        for (size_t i = 0; i < plan.flights.size(); ++i) {
            flood::sendFlight(plan.sockets[i % 2], plan.flights[i], plan.target);
            for (const QByteArray &d : plan.flights[i])
                sent += d.size();
            datagrams += qint64(plan.flights[i].size());
            QTest::qWait(5);
        }
        QVERIFY(datagrams >= 12);
        QTRY_COMPARE_WITH_TIMEOUT(server.defenceStats().allowListRefusals(), datagrams, 5000);
        QTest::qWait(200);
        const DefenceStats s = server.defenceStats();
        // No handshake began: no connection, no TLS session, nothing pending
        // (seen failing with the check after the handshake only: 12 started).
        QCOMPARE(s.handshakesStarted(), qint64(0));
        QCOMPARE(s.pendingHandshakes(), qint64(0));
        QCOMPARE(server.connectionCount(), 0);
        QCOMPARE(server.findChild<transport::Listener *>()->connections().size(), 0);
        // Reported once for the source, however often it tries.
        QCOMPARE(refused.count(), 1);
        QCOMPARE(refused.first().at(0).value<QHostAddress>(), QHostAddress(QStringLiteral("127.0.0.2")));
        QCOMPARE(refused.first().at(1).toString(), QStringLiteral("unauthorized IP"));
        // The refusals that went back: few, small, rationed.
        int answers = 0;
        qint64 answerBytes = 0;
        for (int fd : plan.sockets)
            flood::drainSocket(fd, &answers, &answerBytes);
        qInfo("%lld refused Initials (%lld bytes): %d refusals back (%lld bytes)", datagrams, sent, answers, answerBytes);
        QVERIFY(answers >= 1);
        QVERIFY2(answers <= 8, qPrintable(QString::number(answers)));
        QVERIFY(answerBytes * 3 <= sent);
        QCOMPARE(s.unvalidatedBytesReceived(), sent);
        QCOMPARE(s.unvalidatedBytesSent(), answerBytes);
        flood::closeFloodPlan(&plan);

        // The allowed address gets in.
        ClientPool client(clientConfig(server.serverPort(), 1, 1));
        QVERIFY(client.start());
        QTRY_COMPARE_WITH_TIMEOUT(server.active(), 1, 10000);
        QCOMPARE(server.defenceStats().handshakesStarted(), qint64(1));
        QCOMPARE(server.defenceStats().handshakesCompleted(), qint64(1));
    }

    void aRefusedClientHearsWhyAtOnce()
    {
        ServerPoolConfig sc = serverConfig(4);
        sc.setClientIp(QStringLiteral("127.0.0.2"));   // we dial from 127.0.0.1
        ServerPool server(sc);
        QVERIFY(server.start());
        ClientPool client(clientConfig(server.serverPort(), 1, 1));
        QSignalSpy errors(&client, &Pool::errorOccurred);
        QVERIFY(client.start());
        QTRY_VERIFY_WITH_TIMEOUT(!errors.isEmpty(), 5000);
        const Error e = errors.first().first().value<quicpool::Error>();
        QCOMPARE(e.code(), ErrorCode::Unauthorized);
        QCOMPARE(server.defenceStats().handshakesStarted(), qint64(0));
        QVERIFY(server.defenceStats().allowListRefusals() >= 1);
    }

    void aClientPoolComesBackWithItsToken()
    {
        ServerPoolConfig sc = serverConfig(4);
        sc.setRetryMode(RetryMode::Always);
        sc.setStatelessResetKey(QByteArray(32, 'r'));   // tokens outlive a restart with the same key
        auto first = std::make_unique<ServerPool>(sc);
        QVERIFY(first->start());
        const quint16 port = first->serverPort();
        ClientPool client(clientConfig(port, 1, 1));
        QVERIFY(client.start());
        QTRY_COMPARE_WITH_TIMEOUT(first->active(), 1, 10000);
        QVERIFY(first->defenceStats().retriesSent() >= 1);   // one per Initial datagram of its first flight
        QTest::qWait(300);   // the NEW_TOKEN frame follows the handshake
        first.reset();

        sc.setListenAddress(QStringLiteral("127.0.0.1:%1").arg(port));
        ServerPool second(sc);
        QVERIFY(second.start());
        QSignalSpy connected(&client, &Pool::connected);
        QTRY_VERIFY_WITH_TIMEOUT(connected.count() >= 1, 15000);
        QTRY_COMPARE_WITH_TIMEOUT(second.active(), 1, 10000);
        // Seen failing without the client's token memory: one Retry more.
        QCOMPARE(second.defenceStats().retriesSent(), qint64(0));
        QCOMPARE(second.defenceStats().tokensAccepted(), qint64(1));
    }

    void aPooledStreamHoldsWhatArrived()
    {
        ServerPool server(serverConfig(4));
        QVERIFY(server.start());
        ClientPool client(clientConfig(server.serverPort(), 1, 1));
        QVERIFY(client.start());
        QTRY_VERIFY_WITH_TIMEOUT(!client.readyIds().isEmpty(), 10000);
        Stream *out = client.tryOutgoingGet(client.readyIds().first());
        QVERIFY(out);
        out->write(pattern(512, 1));
        // The server has not taken it: 512 bytes wait in a pooled stream.
        QTest::qWait(300);
        Stream *in = server.tryIncomingGet();
        QVERIFY(in);
        QCOMPARE(in->bytesAvailable(), qint64(512));
        const qint64 held = StreamPrivate::of(in)->receiveBufferCapacity();
        // Seen failing before: a 64 KiB chunk for any piece of 512 bytes or more.
        QVERIFY2(held <= 1024, qPrintable(QString::number(held)));
        QCOMPARE(in->readAll(), pattern(512, 1));
    }

    void streamsNobodyTookHoldABoundedAmount()
    {
        ServerPool server(serverConfig(64));
        QVERIFY(server.start());
        ClientPoolConfig cc = clientConfig(server.serverPort(), 40, 40);
        cc.setMinInterval(60000ms);   // no refill while we look
        cc.setMaxInterval(60000ms);
        ClientPool client(cc);
        QVERIFY(client.start());
        QTRY_COMPARE_WITH_TIMEOUT(server.active(), 40, 15000);
        QTRY_COMPARE_WITH_TIMEOUT(client.active(), 40, 15000);
        // The client's application takes its streams and writes 64 KiB to
        // each; the server's application takes none: 2.5 MiB aimed at
        // streams nobody reads. The pools' bound (16 MiB) is above the
        // initial connection window, so a peer reaches it only after the
        // window grew; the mechanism is the same at any bound, so this
        // connection gets 1 MiB.
        transport::Connection *c = serverConnection(server);
        QVERIFY(c);
        QCOMPARE(transport::ConnectionPrivate::of(c)->config.maxUnclaimedBytes, pool::kMaxUnclaimedBytes);
        constexpr uint64_t kBound = 1024 * 1024;
        transport::ConnectionPrivate::of(c)->config.maxUnclaimedBytes = kBound;
        QList<Stream *> outs;
        int resets = 0;
        for (const QString &id : client.readyIds()) {
            Stream *s = client.tryOutgoingGet(id);
            QVERIFY(s);
            connect(s, &Stream::errorOccurred, this, [&resets] { ++resets; });
            s->write(pattern(64 * 1024, int(outs.size())));
            outs.append(s);
        }
        uint64_t most = 0;
        QElapsedTimer t;
        t.start();
        while (t.elapsed() < 3000) {
            most = std::max(most, transport::ConnectionPrivate::of(c)->unclaimedBytes);
            QTest::qWait(5);
        }
        qInfo("2.5 MiB to 40 untaken streams: at most %llu bytes held, %d client streams reset", qulonglong(most),
              resets);
        QVERIFY2(most <= kBound, qPrintable(QString::number(most)));
        QVERIFY(resets > 0);
        // The server sweeps the reset ones out of its pool.
        QTRY_VERIFY_WITH_TIMEOUT(server.active() < 40, 5000);
        // What is left still works: a taken stream is its application's,
        // unbounded by this (flow control bounds it).
        Stream *in = server.tryIncomingGet();
        QVERIFY(in);
        QVERIFY(in->bytesAvailable() > 0);
    }

    void aStreamHandedToAWaiterIsTheApplications()
    {
        // A get waiting when the stream arrives takes it straight from the
        // connection (PoolPrivate::serveWaiter, not handOut()): the stream
        // is the application's from then on, however much it leaves unread.
        // Seen failing when that path did not claim it: reset at the bound.
        ServerPool server(serverConfig(8));
        QVERIFY(server.start());
        Stream *in = nullptr;
        server.incomingGetAsync(15000ms, this, [&in](Stream *s, const Error &) { in = s; });
        ClientPool client(clientConfig(server.serverPort(), 1, 1));
        QVERIFY(client.start());
        QTRY_VERIFY_WITH_TIMEOUT(in != nullptr, 15000);
        transport::Connection *c = serverConnection(server);
        QVERIFY(c);
        constexpr uint64_t kBound = 64 * 1024;
        transport::ConnectionPrivate::of(c)->config.maxUnclaimedBytes = kBound;
        QSignalSpy failed(in, &Stream::errorOccurred);
        QTRY_VERIFY_WITH_TIMEOUT(client.readyIds().contains(in->id()), 15000);
        Stream *out = client.tryOutgoingGet(in->id());
        QVERIFY(out);
        QCOMPARE(out->write(pattern(256 * 1024, 7)), qint64(256 * 1024));
        QTRY_VERIFY_WITH_TIMEOUT(in->bytesAvailable() >= qint64(4 * kBound), 10000);
        QTest::qWait(300);
        QVERIFY2(failed.isEmpty(), qPrintable(in->errorString()));
        QCOMPARE(transport::ConnectionPrivate::of(c)->unclaimedBytes, uint64_t(0));
        QCOMPARE(in->readAll(), pattern(256 * 1024, 7));
    }
};

QTEST_GUILESS_MAIN(TestServerDefence)
#include "tst_serverdefence.moc"
