// The server pool: a listener whose clients' streams are each given a
// 4-byte ID (the first ever is 00000000), stored, then announced.
#include "pool/serverpool_p.h"

#include "common/logging.h"
#include "pool/closereasons.h"
#include "pool/resetsecret.h"
#include "pool/rules.h"
#include "transport/streamaccess.h"

#include <QtCore/QElapsedTimer>
#include <QtCore/QFile>
#include <QtCore/QHash>
#include <quicpool/certificate.h>

namespace quicpool {

using transport::Connection;

using pool::kPoolClosed;
using pool::kUnauthorized;

namespace {
constexpr int kHelloSweepMs = 1000;
}

void ServerPoolPrivate::onConnection(Connection *c)
{
    const QHostAddress peer = c->peer().address();
    if (!allowed.isNull() && !peer.isEqual(allowed, QHostAddress::TolerantConversion)) {
        qCInfo(lcPool) << "refusing" << c->peer().toString() << ": only" << allowed.toString() << "is allowed";
        Q_EMIT q_func()->clientRefused(peer, QString::fromLatin1(kUnauthorized));
        c->close(0, kUnauthorized);
        return;
    }
    current = c;
    // The pool owns new streams through its lists (no QObject parent) until
    // it hands them out: cheap at 10,000 streams.
    c->setParentlessStreams(true);
    qCInfo(lcPool) << "server pool accepted" << c->peer().toString();
    QObject::connect(c, &Connection::newStream, q_ptr, [this](Stream *s) { onNewStream(s); });
    QObject::connect(c, &Connection::closed, q_ptr, [this, c](const Error &reason) {
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
        if (!current) {
            setConnected(false, reason);
            if (ready)
                setState(Pool::State::Listening);
        }
    });
    setConnected(true);
    setState(Pool::State::Connected);
    Q_EMIT q_func()->clientConnected(peer, c->peer().port());
}

void ServerPoolPrivate::onNewStream(Stream *s)
{
    if (activeCount >= config.maxCapacity()) {
        refuse(s, "the pool is full");
        return;
    }
    awaitingHello.insert(s, clock.elapsed() + config.helloTimeout().count());
    if (s->bytesAvailable() > 0 || s->atEnd()) {
        // The usual case: the hello came with the stream. No signal
        // connections then, which would stay allocated on every pooled stream.
        tryHello(s);
        return;
    }
    QObject::connect(s, &Stream::readyRead, q_ptr, [this, s] { tryHello(s); });
    QObject::connect(s, &Stream::readChannelFinished, q_ptr, [this, s] { tryHello(s); });
    QObject::connect(s, &Stream::errorOccurred, q_ptr, [this, s] { refuse(s, "the stream failed during its handshake", Counted::No); });
    tryHello(s);
}

void ServerPoolPrivate::tryHello(Stream *s)
{
    if (!awaitingHello.contains(s))
        return;
    if (s->bytesAvailable() < 1) {
        if (s->atEnd())
            refuse(s, nullptr, Counted::No);  // FIN with no data: a quiet close, not an error
        return;
    }
    char hello = 0;
    s->read(&hello, 1);
    if (config.strictHello() && (hello != 0 || s->bytesAvailable() > 0)) {
        refuse(s, "the stream's hello was not a single 0x00 byte");
        return;
    }
    awaitingHello.remove(s);
    QObject::disconnect(s, nullptr, q_ptr, nullptr);

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

void ServerPoolPrivate::refuse(Stream *s, const char *why, Counted counted)
{
    awaitingHello.remove(s);
    QObject::disconnect(s, nullptr, q_ptr, nullptr);
    if (counted == Counted::Yes)
        ++refusedStreams;
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
        refuse(s, nullptr, Counted::No);   // closing, not refusing
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
    : Pool(*new ServerPoolPrivate, parent)
{
    Q_D(ServerPool);
    d->config = config.clamped();
    d->capacityValue = d->config.maxCapacity();
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

ServerPoolConfig ServerPool::config() const { return d_func()->config; }

bool ServerPool::start()
{
    Q_D(ServerPool);
    if (!d->canStart(d->config.validate(), d->config.qlogDirectory()))
        return false;
    QString host;
    quint16 port = 0;
    QString why;
    if (!parseHostPort(d->config.listenAddress(), &host, &port, &why)) {
        d->setError(Error(ErrorCode::InvalidAddress, why), false);
        return false;
    }
    const QHostAddress address = host.isEmpty() ? QHostAddress(QHostAddress::AnyIPv4) : QHostAddress(host);
    if (address.isNull()) {
        d->setError(Error(ErrorCode::InvalidAddress,
                          QStringLiteral("\"%1\" is not an IP address to listen on").arg(host)), false);
        return false;
    }
    d->allowed = d->config.clientIp().isEmpty() ? QHostAddress() : QHostAddress(d->config.clientIp());

    if (!d->tls) {
        transport::TlsServerOptions o;
        o.certificateFile = d->config.certificateFile();
        o.privateKeyFile = d->config.privateKeyFile();
        o.certificatePem = d->config.certificatePem();
        o.privateKeyPem = d->config.privateKeyPem();
        o.selfSignedName = d->config.selfSignedName();
        Error err;
        auto ctx = transport::TlsContext::createServer(o, &err);
        if (!ctx) {
            d->setError(err, false);
            return false;
        }
        d->tls = std::move(ctx);
    }

    transport::TransportConfig tc;
    tc.keepAlive = d->config.keepAlive();
    tc.handshakeTimeout = d->config.handshakeTimeout();
    tc.maxIncomingBidiStreams = uint64_t(d->config.maxCapacity());
    tc.qlogDirectory = d->config.qlogDirectory();
    tc.congestionControl = d->config.congestionControl();
    tc.maxStreamWindow = uint64_t(d->config.maxStreamReceiveWindow());
    tc.maxConnectionWindow = uint64_t(d->config.maxConnectionReceiveWindow());
    tc.sendBufferLimit = uint64_t(d->config.sendBufferLimit());
    auto listener = std::make_unique<transport::Listener>(this); // a child: moveToThread() takes it along
    Error err;
    if (!listener->listen(address, port, d->tls, tc, &err)) {
        d->setError(err, false);
        return false;
    }
    // The address as bound (a port 0 resolved), which a restart on the
    // same port finds again.
    QByteArray keyBytes = d->config.privateKeyPem();
    if (keyBytes.isEmpty() && !d->config.privateKeyFile().isEmpty()) {
        QFile keyFile(d->config.privateKeyFile());
        if (keyFile.open(QIODevice::ReadOnly)) // the TLS context has read it already
            keyBytes = keyFile.readAll();
    }
    listener->setResetSecret(deriveResetSecret(
        d->config.statelessResetKey(), keyBytes,
        QStringLiteral("%1:%2").arg(listener->address().toString()).arg(listener->port())));
    connect(listener.get(), &transport::Listener::newConnection, this,
            [d](Connection *c) { d->onConnection(c); });
    d->listener = std::move(listener);
    d->setError(Error(), false);
    d->firstId = true;
    d->ready = true;
    d->setState(State::Listening);
    d->helloSweep->start(kHelloSweepMs);
    d->startStatsTimer();
    d->statsTimer->start();
    qCInfo(lcPool) << "server pool listening on" << d->listener->address().toString() << d->listener->port();
    return true;
}

QHostAddress ServerPool::serverAddress() const
{
    return d_func()->listener ? d_func()->listener->address() : QHostAddress();
}

quint16 ServerPool::serverPort() const
{
    return d_func()->listener ? d_func()->listener->port() : 0;
}

QSslCertificate ServerPool::certificate() const
{
    return d_func()->tls ? d_func()->tls->localCertificate() : QSslCertificate();
}

QString ServerPool::certificateFingerprint() const
{
    const QSslCertificate c = certificate();
    return c.isNull() ? QString() : quicpool::certificateFingerprint(c);
}

int ServerPool::connectionCount() const
{
    if (!d_func()->listener)
        return 0;
    int n = 0;
    for (Connection *c : d_func()->listener->connections())
        if (c->state() == Connection::State::Connected)
            ++n;
    return n;
}

Stream *ServerPool::tryIncomingGet()
{
    return d_func()->takeOldest();
}

void ServerPool::incomingGetAsync(Milliseconds timeout, QObject *context, GetCallback callback)
{
    Q_D(ServerPool);
    QObject *ctx = context ? context : this;
    auto later = [ctx, callback](Stream *s, const Error &e) { PoolPrivate::deliverLater(ctx, callback, s, e); };
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
    return d_func()->blockingGet(
        [this](Milliseconds t, QObject *ctx, GetCallback cb) { incomingGetAsync(t, ctx, std::move(cb)); },
        timeout, error);
}

} // namespace quicpool
