// ServerPool's private side: the listener, the streams awaiting their hello
// byte, and the newest connection (what address and TLS reports show).
#pragma once

#include "pool/pool_p.h"
#include "pool/randomreserve.h"
#include "transport/listener.h"
#include "transport/tls/tlscontext.h"
#include <QtCore/QElapsedTimer>
#include <QtCore/QHash>

namespace quicpool {

using transport::Connection;

class ServerPoolPrivate : public PoolPrivate
{
    Q_DECLARE_PUBLIC(ServerPool)
public:
    ServerPoolConfig config;
    std::unique_ptr<transport::Listener> listener;
    std::shared_ptr<transport::TlsContext> tls;
    QPointer<Connection> current;   // the newest connection: address and TLS reporting
    QHostAddress allowed;
    bool firstId = true;
    pool::RandomReserve idBytes{[](void *out, size_t length) { transport::randomBytes(out, length); }};
    QHash<PooledStream *, qint64> awaitingHello;  // stream -> deadline (ms since start)
    QElapsedTimer clock;
    QTimer *helloSweep = nullptr;
    // The listener counts into these; readable from any thread, kept across restarts.
    const std::shared_ptr<transport::DefenceCounters> defence = std::make_shared<transport::DefenceCounters>();

    void onConnection(Connection *c);
    void onNewStream(PooledStream *s);
    /// False when a slot (on streamPooled, or a get's callback) deleted the pool.
    [[nodiscard]] bool tryHello(PooledStream *s);
    /// tryHello() for a stream whose hello (or FIN) is there.
    [[nodiscard]] bool answerHello(PooledStream *s);
    /// Closes s unanswered. why (for the debug log) is null for quiet ends;
    /// a refusal counts in refusedStreamCount(), a stream the client gave
    /// up on itself (failed, or ended before its hello) does not.
    enum class Counted { No, Yes };
    void refuse(PooledStream *s, const char *why, Counted counted = Counted::Yes);

    ConnectionStats currentStats() const override
    {
        Connection *c = current.data();
        ConnectionStats s = c ? c->stats() : ConnectionStats{};
        if (listener) {
            // Connections share the listener's socket: its counters are the totals.
            const transport::UdpCounters u = listener->socketCounters();
            s.setBytesSent(qint64(u.bytesSent));
            s.setBytesReceived(qint64(u.bytesReceived));
            s.setPacketsSent(qint64(u.datagramsSent));
            s.setPacketsReceived(qint64(u.datagramsReceived));
        }
        return s;
    }
    ConnectionInfo currentInfo() const override
    {
        Connection *c = current.data();
        ConnectionInfo info = c ? c->info() : ConnectionInfo();
        if (tls)
            info.setLocalCertificate(tls->localCertificate());
        if (!c && listener) {
            info.setLocalAddress(listener->address());
            info.setLocalPort(listener->port());
        }
        return info;
    }
    void closeImpl() override;
};

} // namespace quicpool
