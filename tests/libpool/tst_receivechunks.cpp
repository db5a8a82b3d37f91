// Receive chunks on a real connection: a busy reader's read-out chunks are
// reused (the bytes stay right), kept only a few at a time, and freed once
// the connection has been idle for a second.
#include "poolfixture.h"

#include "transport/connection_p.h"
#include "transport/listener.h"
#include "transport/tls/tlscontext.h"

#include <QtCore/QPointer>
#include <QtTest/QSignalSpy>
#include <QtTest/QTest>
#include <algorithm>

using namespace quicpool;
using namespace quicpool::testing;

class TestReceiveChunks : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void reusedWhileBusyFreedWhenIdle()
    {
        transport::TlsServerOptions so;
        Error err;
        std::shared_ptr<transport::TlsContext> serverTls = transport::TlsContext::createServer(so, &err);
        QVERIFY2(serverTls, qPrintable(err.toString()));
        // The payloads first: under a sanitizer making them takes seconds,
        // which an open connection would spend without a keep-alive.
        constexpr int kStreams = 4;
        QList<QByteArray> sent;
        for (int i = 0; i < kStreams; ++i)
            sent.append(pattern(3000000 + i * 1234, 70 + i));

        transport::TransportConfig tc;
        tc.keepAlive = 1000ms;   // the idle connection's timer fires every second
        transport::Listener listener;
        QVERIFY(listener.listen(QHostAddress::LocalHost, 0, serverTls, tc, &err));

        QPointer<transport::Connection> serverSide;
        QList<Stream *> inbound;
        QList<QByteArray> got;
        connect(&listener, &transport::Listener::newConnection, this, [&](transport::Connection *c) {
            serverSide = c;
            connect(c, &transport::Connection::newStream, this, [&](Stream *s) {
                const int index = int(inbound.size());
                inbound.append(s);
                got.append(QByteArray());
                connect(s, &QIODevice::readyRead, this, [&, s, index] { got[index] += s->readAll(); });
            });
        });

        transport::TlsClientOptions o;
        o.mode = TlsMode::SelfSigned;
        std::shared_ptr<transport::TlsContext> clientTls = transport::TlsContext::createClient(o, &err);
        QVERIFY(clientTls);
        QPointer<transport::Connection> client =
            transport::Connection::dial(QHostAddress::LocalHost, listener.port(), clientTls, tc, this, &err);
        QVERIFY2(client, qPrintable(err.toString()));
        QSignalSpy up(client.data(), &transport::Connection::connected);
        QTRY_VERIFY_WITH_TIMEOUT(up.count() == 1, 10000);

        // Four streams of 3 MB each, read as they arrive: far more 64 KiB
        // chunks than are ever kept.
        for (int i = 0; i < kStreams; ++i) {
            Stream *s = client->openStream(this, &err);
            QVERIFY(s);
            s->setSendBufferSize(sent[i].size());
            QCOMPARE(s->write(sent[i]), sent[i].size());
            s->close();
        }
        QTRY_VERIFY_WITH_TIMEOUT(inbound.size() == kStreams && std::all_of(inbound.begin(), inbound.end(), [](Stream *s) {
                                     return s->atEnd();
                                 }),
                                 60000);
        for (int i = 0; i < kStreams; ++i)
            QVERIFY2(got[i] == sent[i], qPrintable(QStringLiteral("stream %1: %2 of %3 bytes").arg(i).arg(got[i].size()).arg(sent[i].size())));
        QVERIFY(serverSide);
        const size_t spares = transport::ConnectionPrivate::of(serverSide.data())->rxChunks().spares();
        QVERIFY2(spares >= 1 && spares <= 16, qPrintable(QString::number(spares)));

        // Idle: freed within about a second and a keep-alive period.
        QTRY_COMPARE_WITH_TIMEOUT(transport::ConnectionPrivate::of(serverSide.data())->rxChunks().spares(), size_t(0), 10000);
        client->close(0, "bye");
    }
};

QTEST_GUILESS_MAIN(TestReceiveChunks)
#include "tst_receivechunks.moc"
