// The impairment relay (quicpool_relay) between a test's pools: a config
// that relays 127.0.0.1:<ephemeral> to a server on loopback.
#pragma once

#include <quicpool/relay/relay.h>

namespace quicpool::testing {

/// Listens on 127.0.0.1 (a free port: Relay::listenPort() after start()),
/// relays to 127.0.0.1:serverPort; seed makes the faults reproducible.
inline relay::RelayConfig relayTo(quint16 serverPort, quint64 seed = 1)
{
    relay::RelayConfig c;
    c.listenAddress = QHostAddress(QHostAddress::LocalHost);
    c.upstreamAddress = QHostAddress(QHostAddress::LocalHost);
    c.upstreamPort = serverPort;
    c.seed = seed;
    return c;
}

} // namespace quicpool::testing
