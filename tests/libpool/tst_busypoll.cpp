// Busy-polling (ClientPoolConfig/ServerPoolConfig::setBusyPoll, down to
// UdpSocket::setBusyPoll): a connection that spins on its socket still
// carries every byte, catches answers while it spins, and its pools run as
// any other. Real QUIC over loopback; the server on its own thread, as
// the bench's echo runs it.
#include "transport/connection.h"
#include "transport/connection_p.h"
#include "transport/listener.h"
#include "transport/tls/tlscontext.h"
#include "transport/udpsocket.h"

#include "loopbackpools.h"
#include "threadedlistener.h"

#include <quicpool/pool.h>
#include <quicpool/stream.h>

#include <QtCore/QPointer>
#include <QtCore/QScopeGuard>
#include <QtTest/QSignalSpy>
#include <QtTest/QTest>

using namespace quicpool;
using namespace quicpool::transport;
using namespace std::chrono_literals;

class TestBusyPoll : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void aSpinningConnectionEchoesAndCatchesAnswers()
    {
        TransportConfig spinning;
        spinning.busyPoll = 1000us;
        testing::ThreadedListener remote(spinning, [](Connection *c) {
            connect(c, &Connection::newStream, c, [](Stream *s) {
                connect(s, &QIODevice::readyRead, s, [s] { s->write(s->readAll()); });
            });
        });
        const quint16 port = remote.port();
        QVERIFY(port != 0);

        Error err;
        TlsClientOptions o;
        o.mode = TlsMode::SelfSigned;
        QPointer<Connection> client = Connection::dial(QHostAddress::LocalHost, port, TlsContext::createClient(o, &err),
                                                       spinning, this, &err);
        QVERIFY(client);
        auto dropClient = qScopeGuard([&] { delete client.data(); });
        QSignalSpy up(client.data(), &Connection::connected);
        QVERIFY(up.wait(10000));
        UdpSocket *socket = ConnectionPrivate::of(client)->ownSocket.get();
        QCOMPARE(socket->busyPoll(), 1000us);
        Stream *mine = client->openStream(this, &err);
        QVERIFY(mine);

        // 200 round trips of 64 bytes, each sent from the slot that read
        // the last answer: with the client spinning, answers are read while
        // it spins, in the turn that sent the question.
        QByteArray message(64, '\0');
        int trips = 0;
        bool intact = true;
        QByteArray got;
        connect(mine, &QIODevice::readyRead, this, [&] {
            got += mine->readAll();
            while (got.size() >= message.size()) {
                intact = intact && got.left(message.size()) == message;
                got.remove(0, message.size());
                if (++trips < 200) {
                    message.fill(char(trips));
                    mine->write(message);
                }
            }
        });
        const quint64 hitsBefore = socket->busyPollHits();
        mine->write(message);
        QVERIFY(testing::waitUntil([&] { return trips >= 200; }, 30000));
        QVERIFY(intact);
        qInfo() << "answers caught while spinning:" << socket->busyPollHits() - hitsBefore << "of 200";
        QVERIFY(socket->busyPollHits() > hitsBefore);
    }

    void poolsCarryTheSetting()
    {
        // The pools hand it to their sockets: a busy-polling pair pools,
        // hands out and echoes as any other.
        ServerPoolConfig sc = testing::serverConfig(8);
        sc.setBusyPoll(200us);
        ServerPool server(sc);
        QVERIFY2(server.start(), qPrintable(server.lastError().toString()));
        ClientPoolConfig cc = testing::clientConfig(server.serverPort(), 2, 2);
        cc.setBusyPoll(200us);
        ClientPool client(cc);
        QVERIFY2(client.start(), qPrintable(client.lastError().toString()));
        QVERIFY(testing::waitUntil([&] { return client.active() >= 2 && server.active() >= 2; }));
        // Every socket of either pool got the budget.
        const QList<UdpSocket *> sockets = server.findChildren<UdpSocket *>() + client.findChildren<UdpSocket *>();
        QVERIFY(sockets.size() >= 2);
        for (const UdpSocket *s : sockets)
            QCOMPARE(s->busyPoll(), 200us);
        Stream *in = server.tryIncomingGet();
        QVERIFY(in);
        Stream *out = client.tryOutgoingGet(in->id());
        QVERIFY(out);
        connect(in, &QIODevice::readyRead, in, [in] { in->write(in->readAll()); });
        out->write("spin");
        QVERIFY(testing::waitUntil([&] { return out->bytesAvailable() >= 4; }));
        QCOMPARE(out->readAll(), QByteArray("spin"));
        delete out;
        delete in;
    }
};

QTEST_GUILESS_MAIN(TestBusyPoll)
#include "tst_busypoll.moc"
