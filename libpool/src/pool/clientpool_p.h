// ClientPool's private side: the refill cycle's state, the connection it
// dials and the connections it retired.
#pragma once

#include "pool/pool_p.h"
#include "transport/connection.h"
#include "transport/tls/tlscontext.h"
#include <QtCore/QHash>
#include <array>

namespace quicpool {

using transport::Connection;

class ClientPoolPrivate : public PoolPrivate
{
    Q_DECLARE_PUBLIC(ClientPool)
public:
    ClientPoolConfig config;
    std::shared_ptr<transport::TlsContext> tls;
    QPointer<Connection> connection;
    QTimer *cycleTimer = nullptr;
    bool cycleRunning = false;
    bool dialing = false;       // a name lookup or a handshake is under way
    int lookupId = -1;          // QHostInfo's, while a name is being looked up
    int dialFailures = 0;       // in a row; the back-off grows with it

    // One refill batch at a time, as the Go loop waits for its goroutines.
    struct Pending
    {
        std::array<uint8_t, 4> id{};   // the ID's bytes so far
        qint64 got = 0;
    };
    QHash<PooledStream *, Pending> pending;
    int batchNeeded = 0;      // streams this batch set out to create
    int batchCreated = 0;
    int batchRefused = 0;     // ended by the server before their ID: its pool is full
    int batchToStart = 0;     // creations not yet started in this batch
    QTimer *batchDeadline = nullptr;


    void scheduleCycle(int ms)
    {
        cycleTimer->start(ms);
    }

    // Each function that may emit a signal (or call a get's callback)
    // returns false when a slot deleted the pool; the caller returns too.
    void cycle();
    [[nodiscard]] bool dial();
    /// A dial (lookup, socket, handshake) failed: count it, report its
    /// cause once, and wait before the next one (longer each time).
    [[nodiscard]] bool dialFailed(const Error &why);
    [[nodiscard]] bool dialAddress(const QHostAddress &address, quint16 port);
    [[nodiscard]] bool startBatch(int need);
    [[nodiscard]] bool openMore();
    /// Something happened on a stream of the connection: bytes, FIN, reset.
    void onStreamChanged(PooledStream *s);
    enum class Outcome { Created, Refused, Failed };
    /// `id`: what the server named a Created stream (a copy: the entry in
    /// `pending` goes first).
    [[nodiscard]] bool resolveStream(PooledStream *s, Outcome outcome, const QString &why = QString(),
                                     pool::StreamId id = {});
    /// The pool stops hearing from c (dropped, retired or closed).
    void forget(Connection *c);
    [[nodiscard]] bool finishBatch();
    [[nodiscard]] bool dropConnection(const Error &why);
    [[nodiscard]] bool retire();
    QList<QPointer<Connection>> retired;
    /// NEW_TOKEN tokens by server address ("ip:port"), for the pool's life.
    QHash<QString, QByteArray> tokens;
    QTimer *retiredSweep = nullptr;

    ConnectionStats currentStats() const override
    {
        Connection *c = connection.data();
        return c ? c->stats() : ConnectionStats{};
    }
    ConnectionInfo currentInfo() const override
    {
        Connection *c = connection.data();
        return c ? c->info() : ConnectionInfo();
    }
    void closeImpl() override;
    void afterFlush() override
    {
        if (ready && !cycleRunning)
            scheduleCycle(0);
    }
};

} // namespace quicpool
