// A server pool and a client pool to it over loopback UDP with real TLS, for
// the workload suites: the server side is served by whatever the test puts
// on it, the client side hands out the streams it has pooled.
#pragma once

#include "poolfixture.h"

#include <quicpool/quicpool.h>
#include <QtTest/QTest>
#include <memory>

namespace quicpool::testing {

struct LoopbackPair
{
    std::unique_ptr<ServerPool> server;
    std::unique_ptr<ClientPool> client;

    /// Starts both pools; the client keeps `streams` streams ready.
    bool start(int streams)
    {
        server = std::make_unique<ServerPool>(serverConfig(streams + 8));
        if (!server->start())
            return false;
        client = std::make_unique<ClientPool>(clientConfig(server->serverPort(), streams, streams));
        return client->start();
    }

    /// Waits until the client has `count` streams ready.
    bool waitReady(int count, int timeoutMs = 10000)
    {
        return QTest::qWaitFor([&] { return client->readyIds().size() >= count; }, timeoutMs);
    }

    /// A ready client stream (waiting for one), or nullptr.
    Stream *take(int timeoutMs = 10000)
    {
        if (!waitReady(1, timeoutMs))
            return nullptr;
        return client->tryOutgoingGet(client->readyIds().constFirst());
    }
};

} // namespace quicpool::testing
