// The lifetime contract for pools (pool.h): a slot connected to any signal
// of a ClientPool or ServerPool, or a get's callback, may delete that pool
// or the other one, directly or with deleteLater(), and the library touches
// nothing of what went. Each signal is triggered the real way: start and
// handshake, refills and takes, flush and close, a dial nothing answers
// (ICMP), a TLS failure (pin mismatch), refused streams (a full server), a
// refused client IP, an idle timeout behind a blackhole, the other pool
// deleted, and a server killed with SIGKILL and restarted on its port (a
// stateless reset; the server is this program run again as a child).
// Stream signals: tst_lifetime.
#include "loopbackpools.h"

#include <QtCore/QCoreApplication>
#include <QtCore/QElapsedTimer>
#include <QtCore/QProcess>
#include <QtCore/QTimer>
#include <QtNetwork/QUdpSocket>
#include <QtCore/QScopeGuard>
#include <QtTest/QSignalSpy>
#include <QtTest/QTest>
#include <cstdio>

using namespace quicpool;
using namespace quicpool::testing;

namespace {

constexpr char kChildFlag[] = "--child-server";

/// The child: a server pool on 127.0.0.1:port with a fixed reset key, so a
/// restarted child's stateless resets are believed.
int runChildServer(int argc, char **argv)
{
    QCoreApplication app(argc, argv);
    ServerPoolConfig sc = serverConfig(16);
    sc.setListenAddress(QStringLiteral("127.0.0.1:%1").arg(app.arguments().value(2)));
    sc.setStatelessResetKey(QByteArray(32, 'r'));
    ServerPool server(sc);
    if (!server.start()) {
        std::fprintf(stderr, "child: %s\n", qPrintable(server.lastError().toString()));
        return 1;
    }
    std::printf("ready %u\n", unsigned(server.serverPort()));
    std::fflush(stdout);
    return app.exec();
}

enum class Trigger {
    Start,           // start()
    Handshake,       // the client connects
    Refill,          // streams are pooled
    Take,            // tryIncomingGet / tryOutgoingGet
    Flush,           // flush()
    Close,           // close()
    DialFailure,     // nothing listens (ICMP port unreachable)
    PinMismatch,     // TLS fails: the server's certificate is not the pinned one
    Refused,         // the server pool is full
    RefusedIp,       // the server only allows another client IP
    IdleTimeout,     // a blackhole between the pools
    OtherDeleted,    // the other pool is deleted
    StatelessReset,  // the server is killed and restarted on its port
};

enum class Action { DeleteSelf, DeleteSelfLater, DeleteOther };
enum class Side { Client, Server };

const char *name(Trigger t)
{
    switch (t) {
    case Trigger::Start: return "start";
    case Trigger::Handshake: return "handshake";
    case Trigger::Refill: return "refill";
    case Trigger::Take: return "take";
    case Trigger::Flush: return "flush";
    case Trigger::Close: return "close";
    case Trigger::DialFailure: return "dial failure";
    case Trigger::PinMismatch: return "pin mismatch";
    case Trigger::Refused: return "refused streams";
    case Trigger::RefusedIp: return "refused IP";
    case Trigger::IdleTimeout: return "idle timeout";
    case Trigger::OtherDeleted: return "other pool deleted";
    case Trigger::StatelessReset: return "stateless reset";
    }
    return "?";
}

quint16 freeUdpPort()
{
    QUdpSocket probe;
    probe.bind(QHostAddress::LocalHost, 0);
    return probe.localPort();
}

} // namespace

Q_DECLARE_METATYPE(Trigger)
Q_DECLARE_METATYPE(Action)
Q_DECLARE_METATYPE(Side)

class Trap : public QObject
{
    Q_OBJECT
public:
    std::function<void()> action;
    int fired = 0;

public Q_SLOTS:
    void fire()
    {
        if (fired++ == 0 && action)
            action();
    }
};

class TestPoolLifetime : public QObject
{
    Q_OBJECT

    /// Starts a child server on port (0: any); its port, or 0.
    static quint16 startChild(QProcess &p, quint16 port)
    {
        p.setProcessChannelMode(QProcess::ForwardedErrorChannel);
        p.start(QCoreApplication::applicationFilePath(), {QString::fromLatin1(kChildFlag), QString::number(port)});
        if (!p.waitForStarted(10000))
            return 0;
        QElapsedTimer t;
        t.start();
        while (!p.canReadLine() && t.elapsed() < 20000)
            p.waitForReadyRead(100);
        const QByteArray line = p.readLine().trimmed();
        return line.startsWith("ready ") ? quint16(line.mid(6).toUInt()) : 0;
    }

private Q_SLOTS:
    void initTestCase()
    {
        qRegisterMetaType<quicpool::Error>();
        qRegisterMetaType<quicpool::Pool::State>();
    }

    void deleteFromPoolSignal_data()
    {
        QTest::addColumn<Side>("side");
        QTest::addColumn<QByteArray>("signal");
        QTest::addColumn<Trigger>("trigger");
        QTest::addColumn<Action>("action");
        struct Case
        {
            Side side;
            const char *signal;
            Trigger trigger;
        };
        const Case cases[] = {
            {Side::Client, SIGNAL(stateChanged(quicpool::Pool::State)), Trigger::Start},
            {Side::Client, SIGNAL(stateChanged(quicpool::Pool::State)), Trigger::Handshake},
            {Side::Client, SIGNAL(stateChanged(quicpool::Pool::State)), Trigger::IdleTimeout},
            {Side::Client, SIGNAL(stateChanged(quicpool::Pool::State)), Trigger::Close},
            {Side::Client, SIGNAL(connected()), Trigger::Handshake},
            {Side::Client, SIGNAL(disconnected(quicpool::Error)), Trigger::IdleTimeout},
            {Side::Client, SIGNAL(disconnected(quicpool::Error)), Trigger::OtherDeleted},
            {Side::Client, SIGNAL(disconnected(quicpool::Error)), Trigger::StatelessReset},
            {Side::Client, SIGNAL(errorOccurred(quicpool::Error)), Trigger::DialFailure},
            {Side::Client, SIGNAL(errorOccurred(quicpool::Error)), Trigger::PinMismatch},
            {Side::Client, SIGNAL(errorOccurred(quicpool::Error)), Trigger::Refused},
            {Side::Client, SIGNAL(errorOccurred(quicpool::Error)), Trigger::RefusedIp},
            {Side::Client, SIGNAL(errorOccurred(quicpool::Error)), Trigger::IdleTimeout},
            {Side::Client, SIGNAL(errorOccurred(quicpool::Error)), Trigger::StatelessReset},
            {Side::Client, SIGNAL(errorCountChanged(qint64)), Trigger::DialFailure},
            {Side::Client, SIGNAL(errorCountChanged(qint64)), Trigger::Refused},
            {Side::Client, SIGNAL(activeChanged(int)), Trigger::Refill},
            {Side::Client, SIGNAL(activeChanged(int)), Trigger::Take},
            {Side::Client, SIGNAL(activeChanged(int)), Trigger::Flush},
            {Side::Client, SIGNAL(capacityChanged(int)), Trigger::Refill},
            {Side::Client, SIGNAL(intervalChanged(qint64)), Trigger::Refill},
            {Side::Client, SIGNAL(streamPooled(QString)), Trigger::Refill},
            {Side::Client, SIGNAL(streamTaken(QString)), Trigger::Take},
            {Side::Client, SIGNAL(closed()), Trigger::Close},
            {Side::Server, SIGNAL(stateChanged(quicpool::Pool::State)), Trigger::Start},
            {Side::Server, SIGNAL(stateChanged(quicpool::Pool::State)), Trigger::Handshake},
            {Side::Server, SIGNAL(stateChanged(quicpool::Pool::State)), Trigger::OtherDeleted},
            {Side::Server, SIGNAL(stateChanged(quicpool::Pool::State)), Trigger::Close},
            {Side::Server, SIGNAL(connected()), Trigger::Handshake},
            {Side::Server, SIGNAL(disconnected(quicpool::Error)), Trigger::OtherDeleted},
            {Side::Server, SIGNAL(disconnected(quicpool::Error)), Trigger::IdleTimeout},
            {Side::Server, SIGNAL(clientConnected(QHostAddress,quint16)), Trigger::Handshake},
            {Side::Server, SIGNAL(clientRefused(QHostAddress,QString)), Trigger::RefusedIp},
            {Side::Server, SIGNAL(activeChanged(int)), Trigger::Refill},
            {Side::Server, SIGNAL(activeChanged(int)), Trigger::Take},
            {Side::Server, SIGNAL(streamPooled(QString)), Trigger::Refill},
            {Side::Server, SIGNAL(streamTaken(QString)), Trigger::Take},
            {Side::Server, SIGNAL(closed()), Trigger::Close},
        };
        for (const Case &c : cases) {
            const QByteArray sig = QByteArray(c.signal + 1).left(QByteArray(c.signal + 1).indexOf('('));
            for (Action a : {Action::DeleteSelf, Action::DeleteSelfLater, Action::DeleteOther}) {
                if (a == Action::DeleteOther && (c.trigger == Trigger::DialFailure || c.trigger == Trigger::StatelessReset
                                                 || c.trigger == Trigger::OtherDeleted))
                    continue;   // no other pool in this process (or it is gone already)
                QTest::addRow("%s %s on %s: %s", c.side == Side::Client ? "client" : "server", sig.constData(),
                              name(c.trigger),
                              a == Action::DeleteSelf ? "delete it" : a == Action::DeleteSelfLater ? "deleteLater it"
                                                                                                   : "delete the other pool")
                    << c.side << QByteArray(c.signal) << c.trigger << a;
            }
        }
    }

    void deleteFromPoolSignal()
    {
        QFETCH(Side, side);
        QFETCH(QByteArray, signal);
        QFETCH(Trigger, trigger);
        QFETCH(Action, action);

        LoopbackPools p;
        QProcess child, restarted;
        const auto killChildren = qScopeGuard([&] {
            for (QProcess *c : {&child, &restarted}) {
                c->kill();
                c->waitForFinished(5000);
            }
        });
        // Idle timeouts come 3 keep-alives after the silence; after a
        // restart, the client's next keep-alive earns the stateless reset.
        const Milliseconds keepAlive = trigger == Trigger::IdleTimeout ? 300ms
                                       : trigger == Trigger::StatelessReset ? 1500ms
                                                                            : 5000ms;

        // The pools, and the one whose signal is trapped.
        quint16 serverPort = 0;
        if (trigger == Trigger::DialFailure) {
            serverPort = freeUdpPort();
        } else if (trigger == Trigger::StatelessReset) {
            serverPort = startChild(child, 0);
            QVERIFY(serverPort);
        } else {
            ServerPoolConfig sc = serverConfig(trigger == Trigger::Refused ? 2 : 16);
            sc.setKeepAlive(keepAlive);
            if (trigger == Trigger::RefusedIp)
                sc.setClientIp(QStringLiteral("10.9.8.7"));
            p.server = new ServerPool(sc);
            if (!(side == Side::Server && trigger == Trigger::Start))
                QVERIFY(p.server->start());
            serverPort = p.server->serverPort();
        }
        if (trigger == Trigger::IdleTimeout) {
            p.relay = std::make_unique<relay::Relay>(relayTo(serverPort));
            QVERIFY(p.relay->start());
            serverPort = p.relay->listenPort();
        }
        ClientPoolConfig cc = clientConfig(serverPort, 4, 4);
        cc.setKeepAlive(keepAlive);
        if (trigger == Trigger::Refill && side == Side::Client) {
            cc.setMinCapacity(2);   // capacity and interval move with the refill
            cc.setMaxCapacity(8);
            cc.setMinInterval(20ms);
            cc.setMaxInterval(400ms);
        }
        if (trigger == Trigger::PinMismatch)
            cc.setPinSha256(QByteArray(32, '\x42'));
        p.client = new ClientPool(cc);

        QPointer<Pool> self(side == Side::Client ? static_cast<Pool *>(p.client.data()) : p.server.data());
        QPointer<Pool> other(side == Side::Client ? static_cast<Pool *>(p.server.data()) : p.client.data());
        QVERIFY(self);
        // How the client lost its server, for the stateless reset rows.
        QSignalSpy lost(p.client.data(), &Pool::disconnected);
        Trap trap;
        trap.action = [&] {
            switch (action) {
            case Action::DeleteSelf:
                delete self.data();
                break;
            case Action::DeleteSelfLater:
                self->deleteLater();
                break;
            case Action::DeleteOther:
                delete other.data();
                break;
            }
        };
        // Triggers after the setup hook the signal once things are running.
        const bool early = trigger == Trigger::Start || trigger == Trigger::Handshake || trigger == Trigger::Refill
                           || trigger == Trigger::DialFailure || trigger == Trigger::PinMismatch
                           || trigger == Trigger::Refused || trigger == Trigger::RefusedIp;
        if (early)
            QVERIFY(connect(self.data(), signal.constData(), &trap, SLOT(fire())));
        if (trigger == Trigger::Start && side == Side::Server)
            p.server->start();
        if (p.client)
            p.client->start();

        if (!early) {
            QVERIFY(waitUntil([&] { return p.client && p.client->active() >= 4 && (!p.server || p.server->active() >= 4); }, 20000));
            QVERIFY(connect(self.data(), signal.constData(), &trap, SLOT(fire())));
            switch (trigger) {
            case Trigger::Take: {
                // A slot that deletes the pool takes the stream (its child)
                // with it: the get returns nullptr, not a freed stream.
                QPointer<Stream> in = p.server->tryIncomingGet();
                if (side == Side::Server) {
                    QVERIFY(action != Action::DeleteSelf || !in);
                    delete in.data();
                    break;
                }
                QVERIFY(in);
                const QString id = in->id();
                QVERIFY(waitUntil([&] { return p.client->readyIds().contains(id); }));
                QPointer<Stream> out = p.client->tryOutgoingGet(id);
                QVERIFY(action != Action::DeleteSelf || !out);
                delete out.data();
                delete in.data();
                break;
            }
            case Trigger::Flush:
                self->flush();
                break;
            case Trigger::Close:
                self->close();
                break;
            case Trigger::IdleTimeout:
                p.relay->setBlackhole(true);
                break;
            case Trigger::OtherDeleted:
                delete other.data();
                break;
            case Trigger::StatelessReset:
                child.kill();   // SIGKILL: no CONNECTION_CLOSE
                child.waitForFinished(5000);
                QCOMPARE(startChild(restarted, serverPort), serverPort);
                break;
            default:
                break;
            }
        }
        QVERIFY2(waitUntil([&] { return trap.fired > 0; }, 20000), "the signal never came");
        waitUntil([] { return false; }, 200);   // whatever was queued runs now
        if (action == Action::DeleteOther)
            QVERIFY(!other);
        else
            QVERIFY(!self);
        if (trigger == Trigger::StatelessReset) {
            QVERIFY(!lost.isEmpty());
            const QString reason = lost.first().first().value<Error>().toString();
            QVERIFY2(reason.contains(QLatin1String("stateless reset")), qPrintable(reason));
        }
        QString why;
        QVERIFY2(p.stillWorks(&why), qPrintable(why));
    }

    void getCallbackDeletesPool_data()
    {
        QTest::addColumn<Side>("side");
        QTest::addColumn<int>("answer");   // 0 at once, 1 a waiter served, 2 timeout, 3 pool closed, 4 not started
        const char *answers[] = {"a stream at once", "a waiter served", "timeout", "pool closed", "not started"};
        for (Side side : {Side::Client, Side::Server})
            for (int a = 0; a < 5; ++a)
                QTest::addRow("%s, %s", side == Side::Client ? "outgoingGetAsync" : "incomingGetAsync", answers[a])
                    << side << a;
    }

    void getCallbackDeletesPool()
    {
        QFETCH(Side, side);
        QFETCH(int, answer);
        LoopbackPools p;
        const bool client = side == Side::Client;
        switch (answer) {
        case 0:   // streams pooled on both sides
            QVERIFY(p.start(2));
            break;
        case 1:   // the get waits; the pools start afterwards
        case 2:   // nothing will come
        case 3:
            p.server = new ServerPool(serverConfig(8));
            QVERIFY(p.server->start());
            p.client = new ClientPool(clientConfig(p.server->serverPort(), 1, 1));
            if (client)
                QVERIFY(p.client->start());   // its get waits for an ID not yet pooled
            break;
        case 4:   // neither started
            p.server = new ServerPool(serverConfig(8));
            p.client = new ClientPool(clientConfig(1, 1, 1));
            break;
        }
        QPointer<Pool> self(client ? static_cast<Pool *>(p.client.data()) : p.server.data());
        int calls = 0;
        QPointer<Stream> got;
        bool gotStream = false;
        Error why;
        auto callback = [&](Stream *s, const Error &e) {
            ++calls;
            got = s;
            gotStream = s != nullptr;
            why = e;
            delete self.data();
        };
        QObject context;
        const Milliseconds timeout = answer == 2 ? 50ms : 15000ms;
        if (client) {
            const QString id = answer == 0 ? p.client->readyIds().value(0)
                               : answer == 1 ? QStringLiteral("00000000")   // the server's first ID: pooled soon
                                             : QStringLiteral("deadbeef");
            p.client->outgoingGetAsync(id, timeout, &context, callback);
        } else {
            p.server->incomingGetAsync(timeout, &context, callback);
        }
        QCOMPARE(calls, 0);   // never inside the call
        if (answer == 1 && !client)
            QVERIFY(p.client->start());
        if (answer == 3)
            self->close();
        QVERIFY2(waitUntil([&] { return calls > 0; }, 20000), "no callback");
        waitUntil([] { return false; }, 200);
        QCOMPARE(calls, 1);
        QVERIFY(!self);
        if (answer <= 1) {
            QVERIFY2(gotStream && !why.isError(), qPrintable(why.toString()));
            QVERIFY2(!got, "the stream is the pool's child: it went with the pool");
        } else {
            QVERIFY(!gotStream && why.isError());
        }
        QString message;
        QVERIFY2(p.stillWorks(&message), qPrintable(message));
    }
};

int main(int argc, char **argv)
{
    if (argc >= 3 && qstrcmp(argv[1], kChildFlag) == 0)
        return runChildServer(argc, argv);
    QCoreApplication app(argc, argv);
    TestPoolLifetime test;
    return QTest::qExec(&test, argc, argv);
}

#include "tst_poollifetime.moc"
