#include "transport/socketaddress.h"

#include <arpa/inet.h>

namespace quicpool::transport {

SocketAddress SocketAddress::fromQt(const QHostAddress &address, quint16 port)
{
    SocketAddress sa;
    if (address.protocol() == QAbstractSocket::IPv6Protocol) {
        auto *in6 = reinterpret_cast<sockaddr_in6 *>(&sa.storage);
        in6->sin6_family = AF_INET6;
        in6->sin6_port = htons(port);
        const Q_IPV6ADDR raw = address.toIPv6Address();
        std::memcpy(&in6->sin6_addr, raw.c, 16);
        in6->sin6_scope_id = address.scopeId().toUInt();
        sa.length = sizeof(sockaddr_in6);
    } else {
        auto *in4 = reinterpret_cast<sockaddr_in *>(&sa.storage);
        in4->sin_family = AF_INET;
        in4->sin_port = htons(port);
        in4->sin_addr.s_addr = htonl(address.toIPv4Address());
        sa.length = sizeof(sockaddr_in);
    }
    return sa;
}

QHostAddress SocketAddress::address() const
{
    QHostAddress a(data());
    // A dual-stack socket reports IPv4 peers as ::ffff:a.b.c.d; show them as IPv4.
    bool ok = false;
    const quint32 v4 = a.toIPv4Address(&ok);
    if (ok && a.protocol() == QAbstractSocket::IPv6Protocol)
        return QHostAddress(v4);
    return a;
}

quint16 SocketAddress::port() const
{
    if (storage.ss_family == AF_INET6)
        return ntohs(reinterpret_cast<const sockaddr_in6 *>(&storage)->sin6_port);
    if (storage.ss_family == AF_INET)
        return ntohs(reinterpret_cast<const sockaddr_in *>(&storage)->sin_port);
    return 0;
}

QString SocketAddress::toString() const
{
    const QHostAddress a = address();
    if (a.protocol() == QAbstractSocket::IPv6Protocol)
        return QStringLiteral("[%1]:%2").arg(a.toString()).arg(port());
    return QStringLiteral("%1:%2").arg(a.toString()).arg(port());
}

} // namespace quicpool::transport
