// What client and server pools share: the NodePass pool API.
#pragma once

#include <quicpool/connectioninfo.h>
#include <quicpool/config.h>
#include <quicpool/error.h>
#include <quicpool/stream.h>
#include <QtCore/QObject>
#include <QtCore/QPointer>
#include <QtCore/QStringList>
#include <functional>
#include <memory>

namespace quicpool {

class PoolCore;

/// Called once with a stream, or with nullptr and the reason.
using GetCallback = std::function<void(Stream *stream, const Error &error)>;

/// Base of ClientPool and ServerPool. All counters (active, capacity,
/// interval, errorCount, stats) are atomics: read them from any thread.
/// Everything else belongs to the thread the pool lives on.
class QUICPOOL_EXPORT Pool : public QObject
{
    Q_OBJECT
public:
    ~Pool() override;

    /// Starts dialing (client) or listening (server). False with lastError() set.
    virtual bool start() = 0;
    /// Closes every pooled stream and the connection(s) ("pool closed"). Idempotent.
    void close();
    /// Closes every pooled stream (FIN); the pool refills them (client).
    void flush();

    bool isReady() const;           ///< started and not closed
    int active() const;             ///< streams pooled right now
    int capacity() const;           ///< target number of pooled streams
    Milliseconds interval() const;  ///< current refill interval
    void addError();
    qint64 errorCount() const;
    void resetError();
    bool isConnected() const;       ///< a QUIC connection is up
    ConnectionStats stats() const;  ///< latest figures, any thread

    /// IDs pooled right now, oldest first.
    QStringList readyIds() const;
    /// TLS and transport figures of the current connection; call on the pool's thread.
    ConnectionInfo connectionInfo() const;
    Error lastError() const;

Q_SIGNALS:
    void streamPooled(const QString &id);
    void streamTaken(const QString &id);
    void connected();
    void disconnected(const quicpool::Error &reason);
    void errorOccurred(const quicpool::Error &error);
    void closed();

protected:
    explicit Pool(std::unique_ptr<PoolCore> core, QObject *parent);
    PoolCore *core() const { return m_core.get(); }

private:
    std::unique_ptr<PoolCore> m_core;
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

    const ClientPoolConfig &config() const;
    bool start() override;

    /// Takes the stream with this ID if it is pooled now; nullptr otherwise
    /// (error says whether the ID was malformed or just absent).
    Stream *tryOutgoingGet(const QString &id, Error *error = nullptr);
    /// Calls back the moment the ID is pooled, or after timeout with
    /// StreamNotFound. No polling. If context is destroyed first, nothing is called.
    void outgoingGetAsync(const QString &id, Milliseconds timeout, QObject *context,
                          GetCallback callback);
    /// Blocking form for worker threads and tools (runs a local event loop
    /// when called on the pool's thread). Never call it on a GUI thread.
    Stream *outgoingGet(const QString &id, Milliseconds timeout, Error *error = nullptr);

private:
    ClientPoolPrivate *dc() const;
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

    const ServerPoolConfig &config() const;
    bool start() override;

    QHostAddress serverAddress() const;  ///< after start()
    quint16 serverPort() const;          ///< after start(); the real port when 0 was asked
    QSslCertificate certificate() const; ///< the server's own certificate, after start()
    QString certificateFingerprint() const; ///< "sha256:AA:..."
    int connectionCount() const;

    /// Takes the stream that has waited longest; nullptr if none.
    Stream *tryIncomingGet();
    /// Calls back the moment a stream is pooled (FIFO), or after timeout
    /// with InsufficientStreams. If context is destroyed first, nothing is called.
    void incomingGetAsync(Milliseconds timeout, QObject *context, GetCallback callback);
    /// Blocking form; see ClientPool::outgoingGet.
    Stream *incomingGet(Milliseconds timeout, Error *error = nullptr);

Q_SIGNALS:
    void clientConnected(const QHostAddress &address, quint16 port);
    void clientRefused(const QHostAddress &address, const QString &reason);

private:
    ServerPoolPrivate *ds() const;
};

} // namespace quicpool
