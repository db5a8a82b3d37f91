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
#include <QtCore/QSignalBlocker>
#include <quicpool/certificate.h>
#include <chrono>

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
    const quint16 peerPort = c->peer().port();
    if (!allowed.isNull() && !peer.isEqual(allowed, QHostAddress::TolerantConversion)) {
        qCInfo(lcPool) << "refusing" << c->peer().toString() << ": only" << allowed.toString() << "is allowed";
        c->close(0, kUnauthorized);
        Q_EMIT q_func()->clientRefused(peer, QString::fromLatin1(kUnauthorized));   // last: may delete the pool
        return;
    }
    current = c;
    // The pool owns new streams through its lists, with no Stream object
    // until one is taken (10,000 idle QIODevices would cost 10 MB), and
    // hears of them through one handler per connection.
    c->setPooledStreamHandlers([this](PooledStream *s) { onNewStream(s); },
                               [this](PooledStream *s) { (void)tryHello(s); });
    qCInfo(lcPool) << "server pool accepted" << c->peer().toString();
    QObject::connect(c, &Connection::closed, q_ptr, [this, c](const Error &reason) {
        if (c == current) {
            current = nullptr;
            // Another live connection becomes current, if there is one.
            const QList<Connection *> others = listener ? listener->connections() : QList<Connection *>();
            for (Connection *other : others) {
                if (other != c && other->state() == Connection::State::Connected) {
                    current = other;
                    break;
                }
            }
        }
        if (!current) {
            if (!setConnected(false, reason) || !ready)
                return;
            (void)setState(Pool::State::Listening);
        }
    });
    if (!setConnected(true) || !ready || !setState(Pool::State::Connected))
        return;
    Q_EMIT q_func()->clientConnected(peer, peerPort);
}

void ServerPoolPrivate::onNewStream(PooledStream *s)
{
    if (!ready) {
        refuse(s, nullptr, Counted::No);   // announced while the pool closed
        return;
    }
    if (activeCount >= config.maxCapacity()) {
        refuse(s, "the pool is full");
        return;
    }
    if (transport::pooledBytesAvailable(s) > 0 || transport::pooledAtEnd(s)) {
        // The usual case: the hello came with the stream.
        (void)answerHello(s);
        return;
    }
    // The connection's handler calls tryHello() when more arrives.
    awaitingHello.insert(s, clock.elapsed() + config.helloTimeout().count());
}

bool ServerPoolPrivate::tryHello(PooledStream *s)
{
    if (!awaitingHello.contains(s))
        return true;   // pooled already: the sweep and the gets look at those
    return answerHello(s);
}

bool ServerPoolPrivate::answerHello(PooledStream *s)
{
    std::optional<uint8_t> hello;
    if (char byte = 0; transport::pooledBytesAvailable(s) > 0 && transport::pooledRead(s, &byte, 1) == 1)
        hello = uint8_t(byte);
    switch (pool::helloVerdict(hello, transport::pooledBytesAvailable(s), transport::pooledAtEnd(s),
                               config.strictHello())) {
    case pool::HelloVerdict::Wait:
        if (transport::pooledError(s).isError())
            refuse(s, "the stream failed during its handshake", Counted::No);
        return true;
    case pool::HelloVerdict::QuietClose:
        refuse(s, nullptr, Counted::No);  // FIN with no data: a quiet close, not an error
        return true;
    case pool::HelloVerdict::Refuse:
        refuse(s, "the stream's hello was not a single 0x00 byte");
        return true;
    case pool::HelloVerdict::Accept:
        break;
    }
    awaitingHello.remove(s);

    const pool::StreamId raw = pool::makeStreamId(firstId, idBytes.filler());
    firstId = false;
    {
        QMutexLocker lock(&readyLock);
        if (readyQueue.contains(ReadyQueue::keyOf(raw))) {
            lock.unlock();
            refuse(s, "its random ID is already pooled");
            return true;
        }
    }
    transport::pooledWrite(s, reinterpret_cast<const char *>(raw.data()), 4);
    transport::markApplicationStart(s);
    // Store first, then announce: the Go server does it the other way round
    // and can lose a stream to a concurrent IncomingGet.
    return pool(s, raw);
}

void ServerPoolPrivate::refuse(PooledStream *s, const char *why, Counted counted)
{
    awaitingHello.remove(s);
    if (counted == Counted::Yes)
        ++refusedStreams;
    if (why)
        qCDebug(lcPool) << "refusing stream" << transport::pooledStreamId(s) << ":" << why;
    // Close without answering: the client sees the stream end before its ID.
    transport::closePooled(s);
}

void ServerPoolPrivate::closeImpl()
{
    helloSweep->stop();
    const QList<PooledStream *> waiting = awaitingHello.keys();
    for (PooledStream *s : waiting)
        refuse(s, nullptr, Counted::No);   // closing, not refusing
    if (listener) {
        // The connections linger for their closing period: not for us.
        for (Connection *c : listener->connections())
            c->setPooledStreamHandlers(nullptr, nullptr);
        listener->close(0, kPoolClosed);
    }
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
        const QList<PooledStream *> waiting = d->awaitingHello.keys();
        for (PooledStream *s : waiting) {
            if (d->awaitingHello.value(s) > now)
                continue;
            // One whose connection went is no refusal of ours.
            if (transport::isPooledDetached(s))
                d->refuse(s, nullptr, ServerPoolPrivate::Counted::No);
            else
                d->refuse(s, "no hello byte in time");
        }
    });
    d->markPublished();
}

ServerPool::~ServerPool()
{
    // Closed without a word: a slot must not see (or delete) a pool that
    // is being destroyed. Waiting gets still hear PoolClosed.
    const QSignalBlocker quiet(this);
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
        (void)d->setError(Error(ErrorCode::InvalidAddress, why), false);
        return false;
    }
    const QHostAddress address = host.isEmpty() ? QHostAddress(QHostAddress::AnyIPv4) : QHostAddress(host);
    if (address.isNull()) {
        (void)d->setError(Error(ErrorCode::InvalidAddress,
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
            (void)d->setError(err, false);
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
    tc.busyPoll = d->config.busyPoll();
    tc.maxUnclaimedBytes = pool::kMaxUnclaimedBytes;
    tc.admission.maxPending = d->config.maxPendingHandshakes();
    tc.admission.maxPendingPerAddress = d->config.maxPendingHandshakesPerAddress();
    tc.admission.retry = d->config.retryMode();
    tc.admission.retryThreshold = d->config.retryThreshold();
    if (!d->allowed.isNull()) {
        // The allow-list before any TLS work; onConnection() checks again.
        tc.acceptSource = [allowed = d->allowed](const QHostAddress &source) {
            return source.isEqual(allowed, QHostAddress::TolerantConversion);
        };
        tc.refusalReason = kUnauthorized;
    }
    auto listener = std::make_unique<transport::Listener>(this); // a child: moveToThread() takes it along
    listener->setDefenceCounters(d->defence);
    Error err;
    if (!listener->listen(address, port, d->tls, tc, &err)) {
        (void)d->setError(err, false);
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
    connect(listener.get(), &transport::Listener::sourceRefused, this, [this](const QHostAddress &source) {
        Q_EMIT clientRefused(source, QString::fromLatin1(kUnauthorized));
    });
    d->listener = std::move(listener);
    (void)d->setError(Error(), false);
    d->firstId = true;
    d->ready = true;
    d->helloSweep->start(kHelloSweepMs);
    d->startStatsTimer();
    d->statsTimer->start();
    qCInfo(lcPool) << "server pool listening on" << d->listener->address().toString() << d->listener->port();
    (void)d->setState(State::Listening);   // last: a slot may delete the pool
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

DefenceStats ServerPool::defenceStats() const
{
    const transport::DefenceCounters &c = *d_func()->defence;
    const uint64_t now = uint64_t(std::chrono::duration_cast<std::chrono::nanoseconds>(
                                      std::chrono::steady_clock::now().time_since_epoch())
                                      .count());
    DefenceStats s;
    s.setPendingHandshakes(c.pending.load());
    s.setPendingHandshakesPeak(c.pendingPeak.load());
    s.setHandshakesStarted(c.started.load());
    s.setHandshakesCompleted(c.completed.load());
    s.setHandshakesTimedOut(c.timedOut.load());
    s.setRetriesSent(c.retriesSent.load());
    s.setTokensAccepted(c.tokensAccepted.load());
    s.setTokensRejected(c.tokensRejected.load());
    s.setAllowListRefusals(c.allowListRefusals.load());
    s.setLimitDrops(c.limitDrops.load());
    s.setUnvalidatedBytesReceived(c.unvalidatedReceived.load());
    s.setUnvalidatedBytesSent(c.unvalidatedSent.load());
    s.setUnderFlood(c.underFlood(now));
    return s;
}

Stream *ServerPool::tryIncomingGet()
{
    return d_func()->takeOldest();
}

void ServerPool::incomingGetAsync(Milliseconds timeout, QObject *context, GetCallback callback)
{
    d_func()->asyncGet(QString(), timeout, context, std::move(callback), ErrorCode::InsufficientStreams,
                       QStringLiteral("insufficient streams: none became ready within %1 ms").arg(timeout.count()));
}

Stream *ServerPool::incomingGet(Milliseconds timeout, Error *error)
{
    return d_func()->blockingGet(
        [this](Milliseconds t, QObject *ctx, GetCallback cb) { incomingGetAsync(t, ctx, std::move(cb)); },
        timeout, error);
}

} // namespace quicpool
