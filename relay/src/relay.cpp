#include <quicpool/relay/relay.h>

#include "engine.h"

namespace quicpool::relay {

Relay::Relay(const RelayConfig &config, QObject *parent)
    : QObject(parent), m_engine(std::make_unique<Engine>(this, config))
{
}

Relay::~Relay()
{
    // Sockets close before the QObject goes, so no notifier outlives its fd;
    // no stopped() from a dying object.
    m_engine->stop(false);
}

bool Relay::start()
{
    return m_engine->start();
}

void Relay::stop()
{
    m_engine->stop();
}

bool Relay::isRunning() const
{
    return m_engine->isRunning();
}

QHostAddress Relay::listenAddress() const
{
    return m_engine->listenAddress();
}

quint16 Relay::listenPort() const
{
    return m_engine->listenPort();
}

QString Relay::errorString() const
{
    return m_engine->errorString();
}

RelayConfig Relay::config() const
{
    return m_engine->config();
}

void Relay::setConfig(const RelayConfig &config)
{
    m_engine->setConfig(config);
}

void Relay::setLoss(Direction direction, double probability)
{
    RelayConfig c = m_engine->config();
    (direction == Direction::Up ? c.lossUp : c.lossDown) = probability;
    m_engine->setConfig(c);
}

void Relay::setBlackhole(bool on)
{
    m_engine->setBlackhole(on);
}

bool Relay::blackhole() const
{
    return m_engine->blackhole();
}

int Relay::rebindNow()
{
    return m_engine->rebindAll();
}

RelayStats Relay::stats() const
{
    return m_engine->stats();
}

QList<Mapping> Relay::mappings() const
{
    return m_engine->mappings();
}

} // namespace quicpool::relay
