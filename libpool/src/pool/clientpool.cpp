// The client pool: one QUIC connection, a refill loop that keeps
// `capacity` streams pooled, each named by the ID its server gave it.
#include "pool/clientpool_p.h"

#include "common/logging.h"
#include "pool/closereasons.h"
#include "pool/rules.h"
#include "transport/streamaccess.h"

#include <QtCore/QRandomGenerator>
#include <QtCore/QSignalBlocker>
#include <QtNetwork/QHostInfo>

namespace quicpool {

using transport::Connection;

using pool::kPoolClosed;

void ClientPoolPrivate::cycle()
{
    if (!ready || cycleRunning)
        return;
    cycleRunning = true;
    const int idle = activeCount;
    const int cap = capacityValue;
    intervalMs = pool::adjustInterval(idle, cap, Milliseconds(intervalMs.load()), config.minInterval(),
                                      config.maxInterval()).count();
    if (!publish() || !ready)
        return;
    const int need = pool::streamsNeeded(cap, idle);
    if (need <= 0) {
        batchCreated = 0;
        (void)finishBatch();
        return;
    }
    Connection *c = connection.data();
    if (!c || c->state() != Connection::State::Connected) {
        cycleRunning = false;
        if (!c)
            (void)dial();
        return;  // the connected signal (or the retry timer) runs the next cycle
    }
    (void)startBatch(need);
}

bool ClientPoolPrivate::dial()
{
    if (dialing || !ready)
        return true;
    if (!setState(Pool::State::Connecting))
        return false;
    if (!ready)
        return true;   // a slot closed the pool
    QString hostPort = config.address();
    if (config.resolver()) {
        const ResolvedAddress r = config.resolver()();
        if (!r.error.isEmpty() || r.hostPort.isEmpty()) {
            return dialFailed(Error(ErrorCode::ResolveFailed,
                                    QStringLiteral("the address resolver failed: %1")
                                        .arg(r.error.isEmpty() ? QStringLiteral("it returned no address") : r.error)));
        }
        hostPort = r.hostPort;
    }
    QString host;
    quint16 port = 0;
    QString why;
    if (!parseHostPort(hostPort, &host, &port, &why) || port == 0) {
        return dialFailed(Error(ErrorCode::InvalidAddress,
                                QStringLiteral("cannot dial \"%1\": %2").arg(hostPort, why.isEmpty() ? QStringLiteral("port 0") : why)));
    }
    const QHostAddress address(host);
    if (!address.isNull())
        return dialAddress(address, port);
    // Names are looked up on every dial (through Qt's one-minute cache), so
    // a moved server is found again; off this thread, so a slow DNS server
    // stalls neither the pool nor an application running it on its GUI thread.
    dialing = true;
    lookupId = QHostInfo::lookupHost(host, q_ptr, [this, host, port](const QHostInfo &info) {
        if (info.lookupId() != lookupId)
            return;   // the pool closed (or restarted) meanwhile
        lookupId = -1;
        dialing = false;
        if (info.error() != QHostInfo::NoError || info.addresses().isEmpty()) {
            (void)dialFailed(Error(ErrorCode::ResolveFailed, QStringLiteral("cannot resolve %1: %2").arg(host, info.errorString())));
            return;
        }
        (void)dialAddress(info.addresses().constFirst(), port);
    });
    return true;
}

bool ClientPoolPrivate::dialFailed(const Error &why)
{
    dialing = false;
    ++dialFailures;
    const Milliseconds wait = pool::backoffDelay(dialFailures, why.code(), config.maxBackoff(),
                                                 QRandomGenerator::global()->generateDouble());
    qCDebug(lcPool) << "dial" << dialFailures << "failed; next in" << wait.count() << "ms:" << why.toString();
    // The next dial is set before anyone hears of this one: a slot may
    // close or delete the pool, and then there is nothing more to do.
    if (!cycleRunning)
        scheduleCycle(int(wait.count()));
    if (!failure(why))
        return false;
    if (!ready)
        return true;
    return setState(Pool::State::BackingOff);
}

bool ClientPoolPrivate::dialAddress(const QHostAddress &address, quint16 port)
{
    Error err;
    transport::TransportConfig tc;
    tc.keepAlive = config.keepAlive();
    tc.handshakeTimeout = config.handshakeTimeout();
    tc.maxIncomingBidiStreams = 0;  // the server never opens streams towards us
    tc.qlogDirectory = config.qlogDirectory();
    tc.congestionControl = config.congestionControl();
    tc.maxStreamWindow = uint64_t(config.maxStreamReceiveWindow());
    tc.maxConnectionWindow = uint64_t(config.maxConnectionReceiveWindow());
    tc.maxUnclaimedBytes = pool::kMaxUnclaimedBytes;
    tc.sendBufferLimit = uint64_t(config.sendBufferLimit());
    tc.busyPoll = config.busyPoll();
    // The server's token from an earlier connection spares this dial a
    // Retry (a server under a flood asks every new client for one).
    const QString server = transport::SocketAddress::fromQt(address, port).toString();
    tc.initialToken = tokens.value(server);
    Connection *c = Connection::dial(address, port, tls, tc, q_ptr, &err);
    if (!c)
        return dialFailed(err);
    dialing = true;
    connection = c;
    QObject::connect(c, &Connection::connected, q_ptr, [this, c] {
        if (c != connection)
            return;
        dialing = false;
        dialFailures = 0;
        recovered();
        qCInfo(lcPool) << "client pool connected to" << c->peer().toString();
        if (!cycleRunning)
            scheduleCycle(0);
        if (!setConnected(true) || !ready)
            return;
        (void)setState(Pool::State::Connected);
    });
    QObject::connect(c, &Connection::closed, q_ptr, [this, c](const Error &reason) {
        if (c != connection)
            return;
        (void)dropConnection(pool::clientCloseError(*c, reason));
    });
    QObject::connect(c, &Connection::streamsAvailable, q_ptr, [this] { (void)openMore(); });
    // One handler per connection, not three signal connections per stream:
    // they cost more memory than the stream (an idle one keeps none anyway).
    c->setPooledStreamHandlers(nullptr, [this](PooledStream *s) { onStreamChanged(s); });
    QObject::connect(c, &Connection::tokenReceived, q_ptr,
                     [this, server](const QByteArray &token) { tokens.insert(server, token); });
    return true;
}

bool ClientPoolPrivate::dropConnection(const Error &why)
{
    Connection *c = connection;
    connection = nullptr;
    const bool wasDialing = dialing;
    dialing = false;
    if (c) {
        forget(c);
        c->close(0, kPoolClosed);
        c->deleteLater();
    }
    // Streams of the dead connection are useless: drop those pooled (ones
    // on retired connections still work and stay). No application code
    // runs here: pooled streams have no slots but ours.
    dropPooled([](const PooledStream *s) { return transport::isPooledDetached(s); });
    // Creations in flight fail with the connection (the last ends the batch).
    batchToStart = 0;
    const QList<PooledStream *> inFlight = pending.keys();
    for (PooledStream *s : inFlight) {
        if (!resolveStream(s, Outcome::Failed, why.toString()))
            return false;
    }
    if (!wasDialing)
        dialFailures = 0;   // it worked until now: the first redial is quick
    if (!setConnected(false, why))
        return false;
    if (!ready)
        return true;
    // Report the cause (the Go pool swallows it and redials forever).
    return dialFailed(why.isError() ? why : Error(ErrorCode::ConnectionLost, QStringLiteral("the connection closed")));
}

bool ClientPoolPrivate::retire()
{
    Connection *c = connection;
    connection = nullptr;
    dialing = false;
    const QList<PooledStream *> inFlight = pending.keys();
    pending.clear();
    for (PooledStream *other : inFlight)
        transport::abortPooled(other);
    batchToStart = 0;
    if (c) {
        forget(c);
        QObject::connect(c, &Connection::closed, c, &QObject::deleteLater);
        retired.append(c);
    }
    if (!setConnected(false, lastError()))
        return false;
    if (!ready)
        return true;
    return setState(Pool::State::BackingOff);   // the batch ends and the next cycle dials
}

bool ClientPoolPrivate::startBatch(int need)
{
    batchNeeded = need;
    batchCreated = 0;
    batchRefused = 0;
    batchToStart = need;
    {
        QMutexLocker lock(&readyLock);
        readyQueue.reserve(readyQueue.size() + need);   // no rehashes while the batch lands
    }
    batchDeadline->start(int(config.idReadTimeout().count()));
    if (!openMore())
        return false;
    if (pending.isEmpty() && batchToStart == 0 && cycleRunning)
        return finishBatch();
    return true;
}

bool ClientPoolPrivate::openMore()
{
    for (;;) {
        // A plain pointer, checked each turn (GCC cannot see through QPointer).
        Connection *c = connection.data();
        if (batchToStart <= 0 || !c || c->state() != Connection::State::Connected)
            break;
        if (c->openableStreams() == 0) {
            // The server grants maxCap streams per connection: we are at its
            // limit. The rest of the batch counts as refused, and capacity
            // adjusts instead of waiting.
            batchRefused += batchToStart;
            errors += batchToStart;
            refusedStreams += batchToStart;
            batchToStart = 0;
            if (pending.isEmpty() && cycleRunning)
                return finishBatch();
            return publish();
        }
        Error err;
        // The pool owns it through its lists; it gets a Stream when taken.
        PooledStream *s = c->openPooledStream(&err);
        --batchToStart;
        if (!s)
            continue;
        pending.insert(s, Pending{});
        const char hello = 0x00;
        transport::pooledWrite(s, &hello, 1);
        transport::markApplicationSendStart(s);
    }
    return true;
}

void ClientPoolPrivate::onStreamChanged(PooledStream *s)
{
    auto it = pending.find(s);
    if (it == pending.end())
        return;   // pooled already: the sweep and the gets look at those
    Pending &p = *it;
    if (p.got < 4) {
        if (const qint64 n = transport::pooledRead(s, reinterpret_cast<char *>(p.id.data()) + p.got, 4 - p.got); n > 0)
            p.got += n;
    }
    if (p.got == 4) {
        transport::markApplicationStart(s);
        (void)resolveStream(s, Outcome::Created, QString(), p.id);
    } else if (transport::pooledIsFinished(s)) {
        // PROTOCOL.md: a server pool at maxCap closes new streams unanswered.
        (void)resolveStream(s, Outcome::Refused);
    } else if (const Error e = transport::pooledError(s); e.isError()) {
        (void)resolveStream(s, Outcome::Failed, e.toString());
    }
}

void ClientPoolPrivate::forget(Connection *c)
{
    QObject::disconnect(c, nullptr, q_ptr, nullptr);
    c->setPooledStreamHandlers(nullptr, nullptr);
}

bool ClientPoolPrivate::resolveStream(PooledStream *s, Outcome outcome, const QString &why, pool::StreamId id)
{
    if (!pending.remove(s))
        return true;
    switch (outcome) {
    case Outcome::Created:
        ++batchCreated;
        if (!pool(s, id))
            return false;
        break;
    case Outcome::Refused:
        // Not a failure of the connection: keep it and the streams it has.
        // The batch's summary says how many the server took.
        ++batchRefused;
        ++errors;
        ++refusedStreams;
        transport::abortPooled(s);
        if (!publish())
            return false;
        break;
    case Outcome::Failed:
        qCDebug(lcPool) << "stream creation failed:" << why;
        transport::abortPooled(s);
        // NodePass: a failed creation gives up on the connection; the next
        // cycle dials a new one. Streams already pooled on it stay usable.
        if (connection && ready) {
            if (!failure(Error(ErrorCode::StreamRefused, QStringLiteral("stream creation failed: %1").arg(why))))
                return false;
            if (connection && ready && !retire())
                return false;
        }
        break;
    }
    if (pending.isEmpty() && batchToStart == 0 && cycleRunning)
        return finishBatch();
    return true;
}

bool ClientPoolPrivate::finishBatch()
{
    batchDeadline->stop();
    capacityValue = pool::adjustCapacity(batchCreated, capacityValue, config.minCapacity(), config.maxCapacity());
    cycleRunning = false;
    const int needed = batchNeeded;
    batchNeeded = 0;
    bool announce = false;
    if (batchRefused > 0) {
        // Counted per stream above; reported once while it goes on.
        const pool::RepeatedCause::Outcome out = cause.record(
            Error(ErrorCode::StreamRefused, pool::refusalSentence(batchCreated, needed, batchRefused)));
        if (out.endedRepeats > 0)
            qCInfo(lcPool).noquote() << pool::RepeatedCause::foldedText(out.ended, out.endedRepeats);
        (void)setError(cause.current(), false);
        announce = out.isNew;
    } else if (needed > 0 && batchCreated == needed && connection) {
        recovered();
    }
    if (ready) {
        // Without a connection (retired, or dropped mid-batch) the next cycle
        // dials after the back-off; otherwise after the refill interval.
        const bool connected = connection && connection->state() == Connection::State::Connected;
        scheduleCycle(connected || dialFailures == 0 ? int(intervalMs.load())
                                                     : int(pool::backoffDelay(dialFailures, lastError().code(), config.maxBackoff(),
                                                                              QRandomGenerator::global()->generateDouble()).count()));
    }
    // Signals last: a slot may close or delete the pool.
    if (announce && !setError(cause.current(), true))
        return false;
    return publish();
}

void ClientPoolPrivate::closeImpl()
{
    cycleTimer->stop();
    batchDeadline->stop();
    const QList<PooledStream *> inFlight = pending.keys();
    pending.clear();
    for (PooledStream *s : inFlight)
        transport::abortPooled(s);
    cycleRunning = false;
    if (connection) {
        Connection *c = connection;
        connection = nullptr;
        forget(c);
        c->close(0, kPoolClosed);
        c->deleteLater();
    }
    dialing = false;
    if (lookupId >= 0) {
        QHostInfo::abortHostLookup(lookupId);
        lookupId = -1;   // an answer already on its way is ignored
    }
    for (const QPointer<Connection> &retiredConnection : std::as_const(retired)) {
        if (Connection *c = retiredConnection.data()) {
            c->setPooledStreamHandlers(nullptr, nullptr);
            c->close(0, kPoolClosed);
            c->deleteLater();
        }
    }
    retired.clear();
}

// ---------------------------------------------------------------- ClientPool

ClientPool::ClientPool(const ClientPoolConfig &config, QObject *parent)
    : Pool(*new ClientPoolPrivate, parent)
{
    Q_D(ClientPool);
    d->config = config.clamped();
    d->capacityValue = d->config.minCapacity();
    d->intervalMs = d->config.minInterval().count();
    d->cycleTimer = new QTimer(this);
    d->cycleTimer->setSingleShot(true);
    d->cycleTimer->setTimerType(Qt::PreciseTimer);
    connect(d->cycleTimer, &QTimer::timeout, this, [d] { d->cycle(); });
    d->batchDeadline = new QTimer(this);
    d->batchDeadline->setSingleShot(true);
    // Retired connections go once no stream of theirs is left.
    d->retiredSweep = new QTimer(this);
    connect(d->retiredSweep, &QTimer::timeout, this, [d] {
        for (auto it = d->retired.begin(); it != d->retired.end();) {
            Connection *c = it->data();
            if (c && c->streamCount() > 0) {
                ++it;
                continue;
            }
            if (c) {
                c->close(0, kPoolClosed);
                c->deleteLater();
            }
            it = d->retired.erase(it);
        }
    });
    d->retiredSweep->start(1000);
    connect(d->batchDeadline, &QTimer::timeout, this, [d] {
        d->batchToStart = 0;
        const QList<PooledStream *> late = d->pending.keys();
        for (PooledStream *s : late) {
            if (!d->resolveStream(s, ClientPoolPrivate::Outcome::Failed,
                                  QStringLiteral("no ID from the server within %1 ms").arg(d->config.idReadTimeout().count())))
                return;
        }
        if (d->cycleRunning)
            (void)d->finishBatch();
    });
    d->markPublished();
}

ClientPool::~ClientPool()
{
    // Closed without a word: a slot must not see (or delete) a pool that
    // is being destroyed. Waiting gets still hear PoolClosed.
    const QSignalBlocker quiet(this);
    close();
}

ClientPoolConfig ClientPool::config() const { return d_func()->config; }

bool ClientPool::start()
{
    Q_D(ClientPool);
    if (!d->canStart(d->config.validate(), d->config.qlogDirectory()))
        return false;
    if (!d->tls) {
        transport::TlsClientOptions o;
        o.mode = d->config.tlsMode();
        o.hostname = d->config.hostname();
        if (o.hostname.isEmpty() && !d->config.resolver()) {
            // As Go's dialer does: the name to verify is the host we dial.
            QString host;
            quint16 port = 0;
            if (parseHostPort(d->config.address(), &host, &port))
                o.hostname = host;
        }
        o.pinSha256 = d->config.pinSha256();
        o.extraCaCertificates = d->config.extraCaCertificates();
        o.caFile = d->config.caFile();
        Error err;
        auto ctx = transport::TlsContext::createClient(o, &err);
        if (!ctx) {
            (void)d->setError(err, false);
            return false;
        }
        d->tls = std::move(ctx);
    }
    (void)d->setError(Error(), false);
    d->ready = true;
    d->startStatsTimer();
    d->statsTimer->start();
    d->scheduleCycle(0);
    (void)d->setState(State::Connecting);   // last: a slot may delete the pool
    return true;
}

Stream *ClientPool::tryOutgoingGet(const QString &id, Error *error)
{
    bool ok = false;
    const QString norm = pool::normalizeId(id, &ok);
    if (!ok) {
        if (error)
            *error = Error(ErrorCode::InvalidId,
                           QStringLiteral("\"%1\" is not a stream ID (8 hex characters)").arg(id));
        return nullptr;
    }
    Stream *s = d_func()->take(norm);
    if (!s && error)
        *error = Error(ErrorCode::StreamNotFound, QStringLiteral("no pooled stream has ID %1").arg(norm));
    return s;
}

void ClientPool::outgoingGetAsync(const QString &id, Milliseconds timeout, QObject *context,
                                  GetCallback callback)
{
    Q_D(ClientPool);
    bool ok = false;
    const QString norm = pool::normalizeId(id, &ok);
    if (!ok) {
        d->deliverLater(context ? context : this, callback,  nullptr,
                        Error(ErrorCode::InvalidId, QStringLiteral("\"%1\" is not a stream ID (8 hex characters)").arg(id)));
        return;
    }
    d->asyncGet(norm, timeout, context, std::move(callback), ErrorCode::StreamNotFound,
                QStringLiteral("stream %1 did not arrive within %2 ms").arg(norm).arg(timeout.count()));
}

Stream *ClientPool::outgoingGet(const QString &id, Milliseconds timeout, Error *error)
{
    return d_func()->blockingGet(
        [this, id](Milliseconds t, QObject *ctx, GetCallback cb) { outgoingGetAsync(id, t, ctx, std::move(cb)); },
        timeout, error);
}

} // namespace quicpool
