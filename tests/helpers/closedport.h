// A loopback UDP port nothing listens on, for tests of "nobody there".
#pragma once

#include <QtNetwork/QHostAddress>

namespace quicpool::testing {

/// A UDP port free on `address` now and outside the kernel's ephemeral
/// range (/proc/sys/net/ipv4/ip_local_port_range), 0 if none is found. A
/// port from that range, bound and let go, can be handed to any process
/// that binds port 0 a moment later; suites run in parallel, and a dial
/// meant to find nobody then finds another suite's server (seen in CI:
/// tst_poolbehaviour's back-off counted that server's "pool closed").
quint16 closedUdpPort(const QHostAddress &address = QHostAddress(QHostAddress::LocalHost));

/// The first port of the kernel's ephemeral range (32768 if unknown).
int ephemeralPortsStart();

} // namespace quicpool::testing
