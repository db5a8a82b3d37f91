// A socket address that converts between sockaddr (for the kernel and
// ngtcp2) and QHostAddress (for the API), and a datagram's path: its two
// ends and its ECN mark.
#pragma once

#include <QtNetwork/QHostAddress>
#include <netinet/in.h>
#include <sys/socket.h>
#include <cstring>
#include <string>

namespace quicpool::transport {

struct SocketAddress
{
    sockaddr_storage storage{};
    socklen_t length = 0;

    static SocketAddress fromQt(const QHostAddress &address, quint16 port);
    QHostAddress address() const;
    quint16 port() const;
    int family() const { return storage.ss_family; }
    sockaddr *data() { return reinterpret_cast<sockaddr *>(&storage); }
    const sockaddr *data() const { return reinterpret_cast<const sockaddr *>(&storage); }
    QString toString() const;
    /// Nothing set, or 0.0.0.0 / :: (the kernel chooses).
    bool isUnspecified() const;
    /// An IPv6 address of the form ::ffff:a.b.c.d (an IPv4 peer of a
    /// dual-stack socket).
    bool isV4Mapped() const;

    bool operator==(const SocketAddress &o) const
    {
        return length == o.length && std::memcmp(&storage, &o.storage, length) == 0;
    }
};

/// A datagram's path. Received: who sent it (peer), which of our addresses
/// it reached (local: the destination address of its IP header, with the
/// socket's port) and its ECN codepoint. To send: where it goes, which of
/// our addresses it leaves from (unspecified: the kernel's choice) and the
/// ECN codepoint to mark it with. ecn is 0..3 (Not-ECT, ECT(1), ECT(0), CE).
struct UdpPath
{
    SocketAddress local;
    SocketAddress peer;
    unsigned ecn = 0;

    bool operator==(const UdpPath &o) const { return ecn == o.ecn && peer == o.peer && local == o.local; }
};

} // namespace quicpool::transport
