// The server pool: a listener whose clients' streams are each given a
// 4-byte ID (the first ever is 00000000), stored, then announced.
#include "pool/poolcore.h"
#include "pool/rules.h"
#include "transport/connection.h"
#include "transport/listener.h"
#include "transport/logging.h"
#include "transport/streamaccess.h"

#include <QtCore/QElapsedTimer>
#include <QtCore/QHash>
#include <quicpool/certificate.h>

namespace quicpool {

using transport::Connection;

namespace {
constexpr char kPoolClosed[] = "pool closed";
constexpr char kUnauthorized[] = "unauthorized IP";
constexpr int kHelloSweepMs = 1000;
}

class ServerPoolPrivate : public PoolCore
{
public:
    ServerPoolConfig config;
    std::unique_ptr<transport::Listener> listener;
    std::shared_ptr<transport::TlsContext> tls;
    QPointer<Connection> current;   // the newest connection: address and TLS reporting
    QHostAddress allowed;
    bool firstId = true;
    QHash<Stream *, qint64> awaitingHello;  // stream -> deadline (ms since start)
    QElapsedTimer clock;
    QTimer *helloSweep = nullptr;

    ServerPool *sq() const { return static_cast<ServerPool *>(q); }

    void onConnection(Connection *c);
    void onNewStream(Stream *s);
    void tryHello(Stream *s);
    void refuse(Stream *s, const char *why);

    ConnectionStats currentStats() const override
    {
        Connection *c = current.data();
        ConnectionStats s = c ? c->stats() : ConnectionStats{};
        if (listener) {
            // Connections share the listener's socket: its counters are the totals.
            const transport::UdpSocket &u = listener->udpSocket();
            s.bytesSent = qint64(u.bytesSent());
            s.bytesReceived = qint64(u.bytesReceived());
            s.packetsSent = qint64(u.datagramsSent());
            s.packetsReceived = qint64(u.datagramsReceived());
        }
        return s;
    }
    ConnectionInfo currentInfo() const override
    {
        Connection *c = current.data();
        ConnectionInfo info = c ? c->info() : ConnectionInfo();
        if (tls)
            info.localCertificate = tls->localCertificate();
        if (!c && listener) {
            info.localAddress = listener->address();
            info.localPort = listener->port();
        }
        return info;
    }
    void closeImpl() override;
};

void ServerPoolPrivate::onConnection(Connection *c)
{
    const QHostAddress peer = c->peer().address();
    if (!allowed.isNull() && !peer.isEqual(allowed, QHostAddress::TolerantConversion)) {
        qCInfo(lcPool) << "refusing" << c->peer().toString() << ": only" << allowed.toString() << "is allowed";
        Q_EMIT sq()->clientRefused(peer, QString::fromLatin1(kUnauthorized));
        c->close(0, kUnauthorized);
        return;
    }
    current = c;
    // The pool owns new streams through its lists (no QObject parent) until
    // it hands them out: cheap at 10,000 streams.
    c->setParentlessStreams(true);
    qCInfo(lcPool) << "server pool accepted" << c->peer().toString();
    QObject::connect(c, &Connection::newStream, q, [this](Stream *s) { onNewStream(s); });
    QObject::connect(c, &Connection::closed, q, [this, c](const Error &reason) {
        if (c == current) {
            current = nullptr;
            // Another live connection becomes current, if there is one.
            for (Connection *other : listener->connections()) {
                if (other != c && other->state() == Connection::State::Connected) {
                    current = other;
                    break;
                }
            }
        }
        if (!current)
            setConnected(false, reason);
    });
    setConnected(true);
    Q_EMIT sq()->clientConnected(peer, c->peer().port());
}

void ServerPoolPrivate::onNewStream(Stream *s)
{
    if (activeCount >= config.maxCapacity) {
        refuse(s, "the pool is full");
        return;
    }
    awaitingHello.insert(s, clock.elapsed() + config.helloTimeout.count());
    if (s->bytesAvailable() > 0 || s->atEnd()) {
        // The usual case: the hello came with the stream. No signal
        // connections then, which would stay allocated on every pooled stream.
        tryHello(s);
        return;
    }
    QObject::connect(s, &Stream::readyRead, q, [this, s] { tryHello(s); });
    QObject::connect(s, &Stream::readChannelFinished, q, [this, s] { tryHello(s); });
    QObject::connect(s, &Stream::errorOccurred, q, [this, s] { refuse(s, "the stream failed during its handshake"); });
    tryHello(s);
}

void ServerPoolPrivate::tryHello(Stream *s)
{
    if (!awaitingHello.contains(s))
        return;
    if (s->bytesAvailable() < 1) {
        if (s->atEnd())
            refuse(s, nullptr);  // FIN with no data: a quiet close, not an error
        return;
    }
    char hello = 0;
    s->read(&hello, 1);
    if (config.strictHello && (hello != 0 || s->bytesAvailable() > 0)) {
        refuse(s, "the stream's hello was not a single 0x00 byte");
        return;
    }
    awaitingHello.remove(s);
    QObject::disconnect(s, nullptr, q, nullptr);

    const pool::StreamId raw = pool::makeStreamId(firstId, [](void *buf, size_t len) {
        transport::randomBytes(buf, len);
    });
    firstId = false;
    const QString id = pool::encodeId(raw);
    {
        QMutexLocker lock(&readyLock);
        if (readyQueue.contains(id)) {
            lock.unlock();
            refuse(s, "its random ID is already pooled");
            return;
        }
    }
    transport::setStreamPoolId(s, id);
    s->write(reinterpret_cast<const char *>(raw.data()), 4);
    transport::markApplicationStart(s);
    // Store first, then announce: the Go server does it the other way round
    // and can lose a stream to a concurrent IncomingGet.
    pool(s);
}

void ServerPoolPrivate::refuse(Stream *s, const char *why)
{
    awaitingHello.remove(s);
    QObject::disconnect(s, nullptr, q, nullptr);
    if (why)
        qCDebug(lcPool) << "refusing stream" << s->streamId() << ":" << why;
    // Close without answering: the client sees the stream end before its ID.
    s->close();
    s->deleteLater();
}

void ServerPoolPrivate::closeImpl()
{
    helloSweep->stop();
    const QList<Stream *> waiting = awaitingHello.keys();
    for (Stream *s : waiting)
        refuse(s, nullptr);
    if (listener)
        listener->close(0, kPoolClosed);
    current = nullptr;
    // The listener keeps its connections for their closing period; it goes
    // with them after that.
    if (listener) {
        transport::Listener *l = listener.release();
        QTimer::singleShot(3000, l, [l] { delete l; });
    }
}

// ---------------------------------------------------------------- ServerPool

ServerPool::ServerPool(const ServerPoolConfig &config, QObject *parent)
    : Pool(std::make_unique<ServerPoolPrivate>(), parent)
{
    ServerPoolPrivate *d = ds();
    d->config = config.clamped();
    d->capacityValue = d->config.maxCapacity;
    d->clock.start();
    d->helloSweep = new QTimer(this);
    connect(d->helloSweep, &QTimer::timeout, this, [d] {
        const qint64 now = d->clock.elapsed();
        const QList<Stream *> waiting = d->awaitingHello.keys();
        for (Stream *s : waiting)
            if (d->awaitingHello.value(s) <= now)
                d->refuse(s, "no hello byte in time");
    });
}

ServerPool::~ServerPool()
{
    close();
}

ServerPoolPrivate *ServerPool::ds() const { return static_cast<ServerPoolPrivate *>(core()); }
const ServerPoolConfig &ServerPool::config() const { return ds()->config; }

bool ServerPool::start()
{
    ServerPoolPrivate *d = ds();
    if (!d->canStart(d->config.validate()))
        return false;
    QString host;
    quint16 port = 0;
    QString why;
    if (!parseHostPort(d->config.listenAddress, &host, &port, &why)) {
        d->setError(Error(ErrorCode::InvalidAddress, why), false);
        return false;
    }
    const QHostAddress address = host.isEmpty() ? QHostAddress(QHostAddress::AnyIPv4) : QHostAddress(host);
    if (address.isNull()) {
        d->setError(Error(ErrorCode::InvalidAddress,
                          QStringLiteral("\"%1\" is not an IP address to listen on").arg(host)), false);
        return false;
    }
    d->allowed = d->config.clientIp.isEmpty() ? QHostAddress() : QHostAddress(d->config.clientIp);

    if (!d->tls) {
        transport::TlsServerOptions o;
        o.certificateFile = d->config.certificateFile;
        o.privateKeyFile = d->config.privateKeyFile;
        o.certificatePem = d->config.certificatePem;
        o.privateKeyPem = d->config.privateKeyPem;
        o.selfSignedName = d->config.selfSignedName;
        Error err;
        auto ctx = transport::TlsContext::createServer(o, &err);
        if (!ctx) {
            d->setError(err, false);
            return false;
        }
        d->tls = std::move(ctx);
    }

    transport::TransportConfig tc;
    tc.keepAlive = d->config.keepAlive;
    tc.handshakeTimeout = d->config.handshakeTimeout;
    tc.maxIncomingBidiStreams = uint64_t(d->config.maxCapacity);
    tc.qlogDirectory = d->config.qlogDirectory;
    auto listener = std::make_unique<transport::Listener>(this); // a child: moveToThread() takes it along
    Error err;
    if (!listener->listen(address, port, d->tls, tc, &err)) {
        d->setError(err, false);
        return false;
    }
    connect(listener.get(), &transport::Listener::newConnection, this,
            [d](Connection *c) { d->onConnection(c); });
    d->listener = std::move(listener);
    d->lastError = Error();
    d->firstId = true;
    d->ready = true;
    d->helloSweep->start(kHelloSweepMs);
    d->startStatsTimer();
    d->statsTimer->start();
    qCInfo(lcPool) << "server pool listening on" << d->listener->address().toString() << d->listener->port();
    return true;
}

QHostAddress ServerPool::serverAddress() const
{
    return ds()->listener ? ds()->listener->address() : QHostAddress();
}

quint16 ServerPool::serverPort() const
{
    return ds()->listener ? ds()->listener->port() : 0;
}

QSslCertificate ServerPool::certificate() const
{
    return ds()->tls ? ds()->tls->localCertificate() : QSslCertificate();
}

QString ServerPool::certificateFingerprint() const
{
    const QSslCertificate c = certificate();
    return c.isNull() ? QString() : quicpool::certificateFingerprint(c);
}

int ServerPool::connectionCount() const
{
    if (!ds()->listener)
        return 0;
    int n = 0;
    for (Connection *c : ds()->listener->connections())
        if (c->state() == Connection::State::Connected)
            ++n;
    return n;
}

Stream *ServerPool::tryIncomingGet()
{
    return ds()->takeOldest();
}

void ServerPool::incomingGetAsync(Milliseconds timeout, QObject *context, GetCallback callback)
{
    ServerPoolPrivate *d = ds();
    QObject *ctx = context ? context : this;
    auto later = [ctx, callback](Stream *s, const Error &e) { PoolCore::deliverLater(ctx, callback, s, e); };
    if (!d->ready) {
        later(nullptr, Error(ErrorCode::NotStarted, QStringLiteral("the pool is not running")));
        return;
    }
    if (Stream *s = d->takeOldest()) {
        later(s, Error());
        return;
    }
    d->addWaiter(QString(), timeout, ctx, std::move(callback), ErrorCode::InsufficientStreams,
                 QStringLiteral("insufficient streams: none became ready within %1 ms").arg(timeout.count()));
}

Stream *ServerPool::incomingGet(Milliseconds timeout, Error *error)
{
    return ds()->blockingGet(
        [this](Milliseconds t, QObject *ctx, GetCallback cb) { incomingGetAsync(t, ctx, std::move(cb)); },
        timeout, error);
}

} // namespace quicpool
