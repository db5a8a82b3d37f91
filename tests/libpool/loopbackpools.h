// A server and a client pool on loopback, optionally through the
// impairment relay (for blackholes), held by QPointer so a test's slots may
// delete either; and a wait that wakes on events instead of sleeping.
#pragma once

#include "poolfixture.h"
#include "relayfixture.h"

#include <QtCore/QCoreApplication>
#include <QtCore/QDeadlineTimer>
#include <QtCore/QPointer>
#include <memory>

namespace quicpool::testing {

/// Runs the event loop until pred() holds; false after ms. Unlike
/// QTest::qWaitFor it sleeps in the event loop, not in 10 ms naps, so
/// hundreds of rounds stay quick; deferred deletes are run as there.
template <typename Pred>
bool waitUntil(Pred pred, int ms = 10000)
{
    QDeadlineTimer deadline(ms);
    for (;;) {
        if (pred())
            return true;
        if (deadline.hasExpired())
            return false;
        QCoreApplication::processEvents(QEventLoop::WaitForMoreEvents, 10);
        QCoreApplication::sendPostedEvents(nullptr, QEvent::DeferredDelete);
    }
}

class LoopbackPools
{
public:
    QPointer<ServerPool> server;
    QPointer<ClientPool> client;
    std::unique_ptr<relay::Relay> relay;

    LoopbackPools() = default;
    LoopbackPools(const LoopbackPools &) = delete;
    LoopbackPools &operator=(const LoopbackPools &) = delete;
    ~LoopbackPools() { reset(); }

    void reset()
    {
        delete client.data();
        delete server.data();
        relay.reset();
    }

    /// Starts both pools (the client through a relay when asked) and waits
    /// until `streams` are pooled on each side.
    bool start(int streams, bool viaRelay = false, Milliseconds keepAlive = 5000ms, int serverCap = 0)
    {
        reset();
        ServerPoolConfig sc = serverConfig(serverCap > 0 ? serverCap : std::max(streams * 2, 8));
        sc.setKeepAlive(keepAlive);
        server = new ServerPool(sc);
        if (!server->start())
            return false;
        quint16 port = server->serverPort();
        if (viaRelay) {
            relay = std::make_unique<relay::Relay>(relayTo(port));
            if (!relay->start())
                return false;
            port = relay->listenPort();
        }
        ClientPoolConfig cc = clientConfig(port, streams, streams);
        cc.setKeepAlive(keepAlive);
        client = new ClientPool(cc);
        if (!client->start())
            return false;
        return waitUntil([&] { return client && server && client->active() >= streams && server->active() >= streams; },
                         15000);
    }

    /// Takes one stream pair: the server's end (in) and the client's (out).
    /// A server stream whose client end never shows up (pooled on a
    /// connection that died but has not timed out on the server yet) is
    /// dropped and the next one tried.
    bool take(Stream **in, Stream **out, int ms = 10000)
    {
        *in = *out = nullptr;
        QDeadlineTimer deadline(ms);
        while (!deadline.hasExpired()) {
            if (!waitUntil([&] { return server && server->active() > 0; }, int(deadline.remainingTime())))
                return false;
            Stream *s = server->tryIncomingGet();
            if (!s)
                continue;
            const QString id = s->id();
            if (waitUntil([&] { return client && client->readyIds().contains(id); },
                          int(std::min<qint64>(deadline.remainingTime(), 3000)))) {
                *in = s;
                *out = client->tryOutgoingGet(id);
                return *out != nullptr;
            }
            delete s;
        }
        return false;
    }

    /// After whatever a test did: a fresh pair on whatever pools remain
    /// carries data both ways (the library is still whole).
    bool stillWorks(QString *why)
    {
        if (!client || !server)
            return true;
        Stream *in = nullptr, *out = nullptr;
        if (!take(&in, &out, 15000)) {
            *why = QStringLiteral("no new stream pair");
            return false;
        }
        QPointer<Stream> i(in), o(out);
        out->write("ping");
        out->closeWrite();
        QByteArray got;
        const bool up = waitUntil([&] { return i && (got += i->readAll(), i->atEnd()); }, 10000);
        if (!up || got != "ping") {
            *why = QStringLiteral("client to server carried \"%1\"").arg(QString::fromLatin1(got));
            return false;
        }
        in->write("pong");
        in->close();
        got.clear();
        const bool down = waitUntil([&] { return o && (got += o->readAll(), o->atEnd()); }, 10000);
        delete i.data();
        delete o.data();
        if (!down || got != "pong") {
            *why = QStringLiteral("server to client carried \"%1\"").arg(QString::fromLatin1(got));
            return false;
        }
        return true;
    }
};

} // namespace quicpool::testing
