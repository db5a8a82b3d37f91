// Connection between a dialing client and a Listener on loopback, with real
// TLS: handshake and figures, the peer's stream limit, closing with a code
// and reason the layer above can read, and aborting.
#include "transport/connection.h"
#include "transport/listener.h"
#include "transport/tls/tlscontext.h"

#include <quicpool/stream.h>
#include "transport/udpsocket.h"

#include <QtCore/QDir>
#include <QtCore/QElapsedTimer>
#include <QtCore/QJsonDocument>
#include <QtCore/QJsonObject>
#include <QtCore/QPointer>
#include <QtCore/QSet>
#include <QtCore/QTemporaryDir>
#include <QtTest/QSignalSpy>
#include <QtTest/QTest>

using namespace quicpool;
using namespace quicpool::transport;
using namespace std::chrono_literals;

class TestConnection : public QObject
{
    Q_OBJECT

    std::unique_ptr<Listener> listener;
    QPointer<Connection> serverSide;
    QPointer<Connection> client;

    bool connectPair(uint64_t serverGrantsStreams = 100)
    {
        Error err;
        auto serverTls = TlsContext::createServer(TlsServerOptions(), &err);
        TransportConfig sc;
        sc.maxIncomingBidiStreams = serverGrantsStreams;
        listener = std::make_unique<Listener>();
        if (!serverTls || !listener->listen(QHostAddress::LocalHost, 0, std::move(serverTls), sc, &err))
            return false;
        connect(listener.get(), &Listener::newConnection, this, [this](Connection *c) { serverSide = c; });
        TlsClientOptions o;
        o.mode = TlsMode::SelfSigned;
        client = Connection::dial(QHostAddress::LocalHost, listener->port(), TlsContext::createClient(o, &err),
                                  TransportConfig(), this, &err);
        if (!client)
            return false;
        QSignalSpy up(client.data(), &Connection::connected);
        return up.wait(10000) && QTest::qWaitFor([this] { return !serverSide.isNull(); }, 5000);
    }

private Q_SLOTS:
    void cleanup()
    {
        delete client.data();
        listener.reset();
    }

    void handshakeGivesFiguresAndFacts()
    {
        Error err;
        TlsClientOptions o;
        o.mode = TlsMode::SelfSigned;
        // Before the handshake: no figures, no facts.
        auto serverTls = TlsContext::createServer(TlsServerOptions(), &err);
        listener = std::make_unique<Listener>();
        QVERIFY(listener->listen(QHostAddress::LocalHost, 0, std::move(serverTls), TransportConfig(), &err));
        client = Connection::dial(QHostAddress::LocalHost, listener->port(), TlsContext::createClient(o, &err),
                                  TransportConfig(), this, &err);
        QVERIFY(client);
        QCOMPARE(client->state(), Connection::State::Handshaking);
        QCOMPARE(client->stats().smoothedRttUs(), 0);
        QVERIFY(!client->info().isValid());
        QSignalSpy up(client.data(), &Connection::connected);
        QVERIFY(up.wait(10000));
        QCOMPARE(client->state(), Connection::State::Connected);
        const ConnectionInfo info = client->info();
        QVERIFY(info.isValid());
        QCOMPARE(info.alpn(), QStringLiteral("np-quic"));
        QCOMPARE(info.tlsVersion(), QStringLiteral("TLS1.3"));
        QCOMPARE(info.peerCertificates().size(), 1);
        QVERIFY(client->stats().smoothedRttUs() > 0);
        QVERIFY(client->stats().congestionWindow() > 0);
        QVERIFY(client->stats().packetsSent() > 0);
        QVERIFY(!client->isServer());
    }

    void thePeersStreamLimitHolds()
    {
        QVERIFY(connectPair(2));
        Error err;
        QCOMPARE(client->openableStreams(), quint64(2));
        Stream *a = client->openStream(this, &err);
        Stream *b = client->openStream(this, &err);
        QVERIFY(a && b);
        QCOMPARE(client->streamCount(), 2);
        QVERIFY(!client->openStream(this, &err));
        QCOMPARE(err.code(), ErrorCode::StreamRefused);
        QCOMPARE(err.message(), QStringLiteral("the peer's stream limit is reached"));

        // When one stream is over both ways, the server grants another.
        QSignalSpy available(client.data(), &Connection::streamsAvailable);
        QList<Stream *> inbound;
        connect(serverSide, &Connection::newStream, this, [&](Stream *s) { inbound.append(s); });
        a->write("x");
        a->close();
        QTRY_VERIFY_WITH_TIMEOUT(!inbound.isEmpty(), 5000);
        inbound.first()->readAll();
        inbound.first()->close();
        // Often already there: the client's close() asked the server to stop
        // sending (its FIN had not come), the server reset its side at once
        // and the stream was over before the poll above saw it. wait() only
        // counts a signal that comes while it waits.
        QVERIFY(available.count() > 0 || available.wait(5000));
        QVERIFY(client->openableStreams() >= 1);
        QVERIFY(client->openStream(this, &err));
    }

    void anApplicationCloseCarriesCodeAndReason()
    {
        QVERIFY(connectPair());
        QSignalSpy closed(serverSide.data(), &Connection::closed);
        client->close(7, "time to go");
        QVERIFY(closed.wait(5000));
        const Error reason = closed.first().first().value<Error>();
        QCOMPARE(reason.code(), ErrorCode::ConnectionClosed);
        QCOMPARE(reason.message(), QStringLiteral("the peer closed the connection (code 7, \"time to go\")"));
        const auto app = serverSide->peerApplicationClose();
        QVERIFY(app.has_value());
        QCOMPARE(app->code, quint64(7));
        QCOMPARE(app->reason, QByteArray("time to go"));
        // The side that closed knows why, and heard nothing from the peer.
        QCOMPARE(client->closeReason().message(), QStringLiteral("closed locally (time to go)"));
        QVERIFY(!client->peerApplicationClose().has_value());
    }

    void qlogIsJsonSeqWithTheEventsQvisReads()
    {
        QTemporaryDir dir;
        QVERIFY(dir.isValid());
        Error err;
        auto serverTls = TlsContext::createServer(TlsServerOptions(), &err);
        listener = std::make_unique<Listener>();
        QVERIFY(listener->listen(QHostAddress::LocalHost, 0, std::move(serverTls), TransportConfig(), &err));
        TlsClientOptions o;
        o.mode = TlsMode::SelfSigned;
        TransportConfig tc;
        tc.qlogDirectory = dir.path();
        client = Connection::dial(QHostAddress::LocalHost, listener->port(), TlsContext::createClient(o, &err), tc,
                                  this, &err);
        QVERIFY(client);
        QSignalSpy up(client.data(), &Connection::connected);
        QVERIFY(up.wait(10000));
        Stream *s = client->openStream(this, &err);
        QVERIFY(s);
        s->write(QByteArray(100000, 'q'));
        s->close();
        QTest::qWait(300);
        QSignalSpy closed(client.data(), &Connection::closed);
        client->close(0, "done");
        delete client.data();   // the file is complete once the connection is gone

        const QStringList files = QDir(dir.path()).entryList({QStringLiteral("*.sqlog")}, QDir::Files);
        QCOMPARE(files.size(), 1);
        QFile f(QDir(dir.path()).filePath(files.first()));
        QVERIFY(f.open(QIODevice::ReadOnly));
        const QByteArray all = f.readAll();
        // JSON-SEQ (RFC 7464): each record starts with RS (0x1E), then JSON.
        QVERIFY(all.startsWith('\x1e'));
        const QList<QByteArray> records = all.split('\x1e');
        QSet<QString> events;
        int parsed = 0;
        for (const QByteArray &raw : records) {
            if (raw.trimmed().isEmpty())
                continue;
            QJsonParseError pe;
            const QJsonDocument doc = QJsonDocument::fromJson(raw, &pe);
            QVERIFY2(pe.error == QJsonParseError::NoError && doc.isObject(),
                     qPrintable(pe.errorString() + QStringLiteral(": ") + QString::fromUtf8(raw.left(120))));
            ++parsed;
            if (parsed == 1)
                QVERIFY2(doc.object().contains(QStringLiteral("qlog_version")), raw.constData());
            const QString name = doc.object().value(QStringLiteral("name")).toString();
            if (!name.isEmpty())
                events.insert(name);
        }
        QVERIFY(parsed > 10);
        for (const char *wanted : {"transport:packet_sent", "transport:packet_received", "recovery:metrics_updated",
                                   "transport:parameters_set"})
            QVERIFY2(events.contains(QLatin1String(wanted)), wanted);
    }

    void aClosedPortFailsTheDialAtOnce_data()
    {
        QTest::addColumn<QString>("host");
        QTest::newRow("ipv4") << QStringLiteral("127.0.0.1");
        QTest::newRow("ipv6") << QStringLiteral("::1");
    }

    void aClosedPortFailsTheDialAtOnce()
    {
        // The kernel answers our Initial with ICMP port unreachable: the
        // dial fails with that, not after the 10 s handshake timeout.
        QFETCH(QString, host);
        const QHostAddress address(host);
        quint16 port = 0;
        {
            UdpSocket probe;
            Error err;
            if (!probe.bind(address, 0, &err))
                QSKIP("no such loopback address here");
            port = probe.localAddress().port();
        }
        Error err;
        TlsClientOptions o;
        o.mode = TlsMode::SelfSigned;
        QElapsedTimer clock;
        clock.start();
        client = Connection::dial(address, port, TlsContext::createClient(o, &err), TransportConfig(), this, &err);
        QVERIFY(client);
        QSignalSpy closed(client.data(), &Connection::closed);
        QVERIFY(closed.wait(12000));
        const qint64 ms = clock.elapsed();
        const Error why = closed.first().first().value<Error>();
        QCOMPARE(why.code(), ErrorCode::Unreachable);
        const QString where = address.protocol() == QAbstractSocket::IPv6Protocol
            ? QStringLiteral("[%1]:%2").arg(host).arg(port) : QStringLiteral("%1:%2").arg(host).arg(port);
        QCOMPARE(why.message(), QStringLiteral("nothing is listening on %1").arg(where));
        qInfo("dial of a closed port failed after %lld ms", ms);
        QVERIFY2(ms < 500, qPrintable(QString::number(ms)));
        QCOMPARE(client->state(), Connection::State::Closed);
    }

    void abortDropsAtOnce()
    {
        QVERIFY(connectPair());
        Error err;
        Stream *s = client->openStream(this, &err);
        QVERIFY(s);
        QSignalSpy closed(client.data(), &Connection::closed);
        QSignalSpy streamError(s, &Stream::errorOccurred);
        client->abort();
        QCOMPARE(client->state(), Connection::State::Closed);
        QCOMPARE(closed.count(), 0);   // on the next turn, never inside the call
        QTRY_COMPARE_WITH_TIMEOUT(closed.count(), 1, 2000);
        QCOMPARE(closed.first().first().value<Error>().message(), QStringLiteral("aborted locally"));
        QTRY_COMPARE_WITH_TIMEOUT(streamError.count(), 1, 2000);
        QCOMPARE(s->write("late"), -1);
    }
};

QTEST_GUILESS_MAIN(TestConnection)
#include "tst_connection.moc"
