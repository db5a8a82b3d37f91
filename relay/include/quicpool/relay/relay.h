// A userspace network impairment relay for UDP: clients send to its listen
// address, it forwards to one upstream server and back, and on the way it
// delays, rate-limits, queues, loses, reorders, duplicates and corrupts
// datagrams as a RelayConfig says. No root, no kernel modules.
//
// Like a NAT, each client address gets its own upstream socket, so the
// server sees one source port per client and replies go back to the client
// they belong to; RelayConfig::rebindEvery moves those sockets to new ports.
//
// Threads: a Relay belongs to one thread (the one that made it, or the one
// it was moveToThread()-ed to); call start(), stop(), config(), setConfig()
// and the rest there (QMetaObject::invokeMethod from outside). stats(),
// mappings(), listenAddress(), listenPort(), errorString() and isRunning()
// may be called from any thread. Signals sent while datagrams are moving
// (clientAdded, clientRebound, clientExpired, errorOccurred after start)
// arrive on the next loop turn, so their slots may stop or delete the relay.
#pragma once

#include "relayconfig.h"
#include "relaystats.h"

#include <QtCore/QList>
#include <QtCore/QObject>
#include <QtCore/QString>
#include <memory>

namespace quicpool::relay {

class Engine;

class Relay : public QObject
{
    Q_OBJECT

public:
    explicit Relay(const RelayConfig &config = RelayConfig(), QObject *parent = nullptr);
    ~Relay() override;

    Relay(const Relay &) = delete;
    Relay &operator=(const Relay &) = delete;

    /// Binds the listen socket and starts relaying. False with a sentence in
    /// errorString() (and errorOccurred) when it cannot, e.g.
    /// "127.0.0.1:5000 is already in use". Starting a running relay restarts it.
    Q_INVOKABLE bool start();
    /// Stops relaying: closes every socket and forgets queued datagrams
    /// (stats().direction(d).queued says how many). The counts stay
    /// readable until the next start(). Emits stopped() if it was running.
    Q_INVOKABLE void stop();
    bool isRunning() const;

    /// The address and port bound (the real port after asking for 0); 0 when not running.
    QHostAddress listenAddress() const;
    quint16 listenPort() const;
    QString errorString() const;

    RelayConfig config() const;
    /// New impairments apply to the next datagram read; addresses and the
    /// seed wait for the next start().
    void setConfig(const RelayConfig &config);
    /// Shorthand for changing one direction's loss in the config.
    void setLoss(Direction direction, double probability);
    /// A manual outage on top of the configured window: while on, every
    /// datagram either way is dropped (cause "blackhole").
    Q_INVOKABLE void setBlackhole(bool on);
    bool blackhole() const;
    /// Moves every client's upstream socket to a new port now, as
    /// rebindEvery does periodically. Returns how many were moved.
    Q_INVOKABLE int rebindNow();

    /// A consistent snapshot of the counts, from any thread.
    RelayStats stats() const;
    /// The clients mapped now, from any thread.
    QList<Mapping> mappings() const;

Q_SIGNALS:
    void started();
    void stopped();
    /// Start failures and trouble while running (e.g. no socket for a new client).
    void errorOccurred(const QString &sentence);
    void clientAdded(const QHostAddress &address, quint16 port, quint16 upstreamPort);
    void clientRebound(const QHostAddress &address, quint16 port, quint16 upstreamPort);
    void clientExpired(const QHostAddress &address, quint16 port);

private:
    friend class Engine;
    std::unique_ptr<Engine> m_engine;
};

} // namespace quicpool::relay
