// What client and server pools share: the NodePass pool API, in Qt's manner.
#pragma once

#include <quicpool/config.h>
#include <quicpool/connectioninfo.h>
#include <quicpool/error.h>
#include <quicpool/stream.h>
#include <QtCore/QObject>
#include <QtCore/QStringList>
#include <functional>
#include <memory>

namespace quicpool {

class PoolPrivate;

/// Called once with a stream, or with nullptr and the reason; always on the
/// thread of the context object it was given with, never inside the call
/// that asked for it.
using GetCallback = std::function<void(Stream *stream, const Error &error)>;

/// Base of ClientPool and ServerPool.
///
/// **Threads.** A pool, its connections and its streams live on one thread
/// (the one that made the pool, or the one it was moved to with
/// moveToThread()). The counters (active, capacity, interval, errorCount),
/// state(), isReady(), isConnected(), lastError(), stats() and readyIds()
/// may be read from any thread; everything else is called on the pool's
/// thread, and every signal is emitted there. A stream cannot leave that
/// thread (see Stream): gets hand streams out only on the pool's thread.
/// An asynchronous get's callback runs on its context's thread; a context
/// on another thread than the pool's is answered there at once with
/// WrongThread and no stream. The blocking gets, called on the pool's
/// thread, spin a local event loop; called from any other thread they
/// return nullptr with WrongThread at once: the stream they would return
/// could not be used there.
///
/// **Lifetime.** A slot connected to any signal of a pool or of its streams
/// may delete the pool (directly or with deleteLater()), its streams or
/// any other QuicPool object, and so may a get's callback; the library
/// touches nothing of what was deleted. Deleting a pool closes it without
/// emitting signals; gets still waiting are answered with PoolClosed on
/// their context's thread. If a get's context is destroyed before its
/// answer, a stream meant for it is aborted and deleted, which frees its
/// slot in the server's pool.
///
/// The state, active, capacity, interval (in milliseconds) and errorCount
/// are Qt properties with change signals, emitted on the pool's thread as
/// the values change, for widgets and QML to bind to.
class QUICPOOL_EXPORT Pool : public QObject
{
    Q_OBJECT
    Q_PROPERTY(quicpool::Pool::State state READ state NOTIFY stateChanged)
    Q_PROPERTY(int active READ active NOTIFY activeChanged)
    Q_PROPERTY(int capacity READ capacity NOTIFY capacityChanged)
    Q_PROPERTY(qint64 interval READ intervalMsecs NOTIFY intervalChanged)
    Q_PROPERTY(qint64 errorCount READ errorCount NOTIFY errorCountChanged)
public:
    /// Where a pool is in its life. A client pool moves between Connecting,
    /// Connected and BackingOff (waiting before it dials again); a server
    /// pool is Listening, or Connected while a client is connected.
    enum class State {
        Idle,        ///< not started, or start() failed (see lastError())
        Connecting,  ///< looking up the address or in the QUIC handshake
        Connected,   ///< a connection is up
        Listening,   ///< a server pool with no client connected
        BackingOff,  ///< a client pool waiting before it dials again
        Closed,      ///< close() was called
    };
    Q_ENUM(State)

    ~Pool() override;

    /// Starts dialing (client) or listening (server). False with lastError() set.
    virtual bool start() = 0;
    /// Closes every pooled stream and the connection(s) ("pool closed"). Idempotent.
    void close();
    /// Closes every pooled stream (FIN); the pool refills them (client).
    void flush();

    State state() const;
    bool isReady() const;           ///< started and not closed
    bool isConnected() const;       ///< a QUIC connection is up
    int active() const;             ///< streams pooled right now
    int capacity() const;           ///< target number of pooled streams
    Milliseconds interval() const;  ///< current refill interval
    /// Counts one failed attempt (as NodePass's AddError); any thread.
    void addError();
    qint64 errorCount() const;      ///< failed attempts, as NodePass counts them
    /// Sets errorCount() back to 0; any thread.
    void resetError();
    /// Streams refused since the pool was made. A server pool counts the
    /// streams it closed unanswered: pool full, no hello byte in time, a
    /// hello other than 0x00 (strictHello), a random ID already pooled. A
    /// client pool counts the streams the server refused: ended before
    /// their ID, or beyond the server's stream limit.
    qint64 refusedStreamCount() const;
    /// The current connection's figures, one consistent snapshot (refreshed
    /// five times a second); all zero before a handshake completes.
    ConnectionStats stats() const;

    /// IDs pooled right now, oldest first.
    QStringList readyIds() const;
    /// TLS and transport facts of the current connection; call on the pool's thread.
    ConnectionInfo connectionInfo() const;

    /// The current cause of trouble, with its sentence; NoError once the
    /// pool works again. Readable from any thread.
    Error lastError() const;
    ErrorCode error() const;
    QString errorString() const;

Q_SIGNALS:
    void stateChanged(quicpool::Pool::State state);
    void activeChanged(int active);
    void capacityChanged(int capacity);
    void intervalChanged(qint64 msecs);
    void errorCountChanged(qint64 count);
    void streamPooled(const QString &id);
    void streamTaken(const QString &id);
    void connected();
    void disconnected(const quicpool::Error &reason);
    /// A new cause of trouble (reported once, not once per attempt).
    void errorOccurred(const quicpool::Error &error);
    void closed();

protected:
    Pool(PoolPrivate &dd, QObject *parent);
    std::unique_ptr<PoolPrivate> d_ptr;

private:
    qint64 intervalMsecs() const { return interval().count(); }
    Q_DECLARE_PRIVATE(Pool)
    Q_DISABLE_COPY_MOVE(Pool)
};

class ClientPoolPrivate;

/// The dialing side: keeps `capacity` streams open towards a server pool,
/// each with the ID the server gave it.
class QUICPOOL_EXPORT ClientPool : public Pool
{
    Q_OBJECT
public:
    explicit ClientPool(const ClientPoolConfig &config, QObject *parent = nullptr);
    ~ClientPool() override;

    /// The configuration in use (clamped).
    ClientPoolConfig config() const;
    bool start() override;

    /// Takes the stream with this ID if it is pooled now; nullptr otherwise
    /// (error says whether the ID was malformed or just absent).
    Stream *tryOutgoingGet(const QString &id, Error *error = nullptr);
    /// Calls back the moment the ID is pooled, or after timeout with
    /// StreamNotFound. No polling. The callback runs on context's thread
    /// (nullptr: the pool); if context is destroyed first, nothing is
    /// called and a stream meant for it is aborted.
    void outgoingGetAsync(const QString &id, Milliseconds timeout, QObject *context,
                          GetCallback callback);
    /// Blocking form for tools and worker threads running the pool: runs a
    /// local event loop on the pool's thread (never call it on a GUI
    /// thread); from another thread, nullptr with WrongThread at once.
    Stream *outgoingGet(const QString &id, Milliseconds timeout, Error *error = nullptr);

private:
    Q_DECLARE_PRIVATE(ClientPool)
};

class ServerPoolPrivate;

/// The listening side: accepts connections and pools every stream its
/// clients open, giving each a 4-byte ID.
class QUICPOOL_EXPORT ServerPool : public Pool
{
    Q_OBJECT
public:
    explicit ServerPool(const ServerPoolConfig &config, QObject *parent = nullptr);
    ~ServerPool() override;

    /// The configuration in use (clamped).
    ServerPoolConfig config() const;
    bool start() override;

    QHostAddress serverAddress() const;  ///< after start()
    quint16 serverPort() const;          ///< after start(); the real port when 0 was asked
    QSslCertificate certificate() const; ///< the server's own certificate, after start()
    QString certificateFingerprint() const; ///< "sha256:AA:..."
    int connectionCount() const;
    /// What the listener did about clients not yet trusted (pending
    /// handshakes, Retries, tokens, allow-list refusals, drops, bytes to
    /// unvalidated addresses): a snapshot, readable from any thread; all
    /// zero before start().
    DefenceStats defenceStats() const;

    /// Takes the stream that has waited longest; nullptr if none.
    Stream *tryIncomingGet();
    /// Calls back the moment a stream is pooled (FIFO), or after timeout
    /// with InsufficientStreams; the thread and context rules of
    /// ClientPool::outgoingGetAsync.
    void incomingGetAsync(Milliseconds timeout, QObject *context, GetCallback callback);
    /// Blocking form; see ClientPool::outgoingGet.
    Stream *incomingGet(Milliseconds timeout, Error *error = nullptr);

Q_SIGNALS:
    void clientConnected(const QHostAddress &address, quint16 port);
    void clientRefused(const QHostAddress &address, const QString &reason);

private:
    Q_DECLARE_PRIVATE(ServerPool)
};

} // namespace quicpool
