// What an ICMP error the kernel reports for a datagram we sent means to a
// user dialing HOST:PORT. Only "unreachable" errors count: the rest
// (fragmentation needed, TTL exceeded, ...) say nothing about whether a
// server is there, and QUIC's own recovery handles them.
#pragma once

#include <quicpool/error.h>
#include <QtCore/QString>
#include <optional>

namespace quicpool::transport {

/// err is the errno the kernel gives an ICMP error (sock_extended_err's
/// ee_errno, see ip(7) IP_RECVERR): ECONNREFUSED for port unreachable,
/// EHOSTUNREACH / ENETUNREACH (and the "administratively prohibited"
/// kinds) for host or network unreachable. hostPort is where we dialed.
/// nullopt for errors that do not mean unreachable.
std::optional<Error> unreachableError(int err, const QString &hostPort);

} // namespace quicpool::transport
