// One QUIC connection as the pool layer sees it: dial, open streams, close
// with a reason, read its figures, hear about it through signals. Nothing
// here names ngtcp2 or a TLS library (connection_p.h holds those), and
// nothing here knows about pools or stream IDs.
#pragma once

#include "transport/socketaddress.h"
#include "transport/streamaccess.h"
#include "transport/transportconfig.h"
#include <quicpool/connectioninfo.h>
#include <quicpool/error.h>
#include <QtCore/QByteArray>
#include <QtCore/QObject>
#include <functional>
#include <memory>
#include <optional>

namespace quicpool {
class Stream;
}

namespace quicpool::transport {

class ConnectionPrivate;
class TlsContext;

class Connection : public QObject
{
    Q_OBJECT
public:
    enum class State { Handshaking, Connected, Closing, Closed };
    Q_ENUM(State)

    /// An application-level CONNECTION_CLOSE the peer sent: its code and
    /// reason, for the layer above to interpret ("pool closed", ...).
    struct ApplicationClose
    {
        quint64 code = 0;
        QByteArray reason;
    };

    ~Connection() override;

    /// Client side: binds its own UDP socket and starts the handshake.
    static Connection *dial(const QHostAddress &address, quint16 port,
                            std::shared_ptr<TlsContext> tls, const TransportConfig &config,
                            QObject *parent, Error *error);

    State state() const;
    bool isServer() const;

    /// Opens a bidirectional stream owned by parent (nullptr: by the caller);
    /// nullptr (StreamRefused) when the peer's stream limit is reached: wait
    /// for streamsAvailable().
    Stream *openStream(QObject *parent, Error *error);
    /// Opens a bidirectional stream for a pool: no Stream object until one
    /// is taken (streamaccess.h); the caller owns it. nullptr as openStream().
    PooledStream *openPooledStream(Error *error);
    /// Pool mode. Peer-opened streams go to `opened` as PooledStream (the
    /// receiver owns them) instead of newStream(); a change on any pooled
    /// stream of this connection (bytes, FIN, reset, error) calls `changed`
    /// once per dispatch. Both run outside ngtcp2's callbacks, like slots,
    /// and may end the stream or delete the connection's owner.
    void setPooledStreamHandlers(std::function<void(PooledStream *)> opened,
                                 std::function<void(PooledStream *)> changed);
    /// How many more streams the peer lets us open now.
    quint64 openableStreams() const;
    /// Streams still open on this connection (pooled, taken or closing).
    int streamCount() const;

    /// Closes with an application error code and reason ("pool closed").
    void close(quint64 applicationErrorCode, const QByteArray &reason);
    /// Drops all state at once, sending nothing (process exit, tests).
    void abort();

    ConnectionInfo info() const;
    /// All zero until the handshake has completed.
    ConnectionStats stats() const;
    SocketAddress peer() const;
    /// A server connection: the address the client dialled (on a listener
    /// on 0.0.0.0 or [::], one of the host's). A client: the address its
    /// socket is bound to (0.0.0.0 or [::], and its port).
    SocketAddress local() const;
    /// Why the connection closed (valid once closed() was emitted).
    Error closeReason() const;
    /// Set when the peer closed the connection at the application level.
    std::optional<ApplicationClose> peerApplicationClose() const;
    /// Set when the server refused the connection before its handshake
    /// (CONNECTION_REFUSED, code 0x2), with its reason ("unauthorized IP").
    std::optional<ApplicationClose> peerRefusal() const;

Q_SIGNALS:
    void connected();
    /// Emitted once; the object lingers (draining) and is deleted by its owner.
    void closed(const quicpool::Error &reason);
    /// The peer opened a stream (its first data has arrived).
    void newStream(quicpool::Stream *stream);
    /// The peer raised our stream limit.
    void streamsAvailable();
    /// Client side: the server gave a token (NEW_TOKEN) that spares a later
    /// dial to it a Retry (TransportConfig::initialToken).
    void tokenReceived(const QByteArray &token);

private:
    friend class ConnectionPrivate;
    explicit Connection(QObject *parent);
    std::unique_ptr<ConnectionPrivate> d;
};

} // namespace quicpool::transport
