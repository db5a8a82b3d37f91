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
    // A dual-stack socket reports IPv4 peers as ::ffff:a.b.c.d; show them
    // as IPv4. Only those: Qt would also turn :: into 0.0.0.0.
    if (isV4Mapped())
        return QHostAddress(a.toIPv4Address());
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

bool SocketAddress::isUnspecified() const
{
    if (length == 0 || family() == AF_UNSPEC)
        return true;
    if (family() == AF_INET)
        return reinterpret_cast<const sockaddr_in *>(&storage)->sin_addr.s_addr == htonl(INADDR_ANY);
    if (family() == AF_INET6)
        return IN6_IS_ADDR_UNSPECIFIED(&reinterpret_cast<const sockaddr_in6 *>(&storage)->sin6_addr);
    return true;
}

bool SocketAddress::isV4Mapped() const
{
    return family() == AF_INET6 && IN6_IS_ADDR_V4MAPPED(&reinterpret_cast<const sockaddr_in6 *>(&storage)->sin6_addr);
}

QString SocketAddress::toString() const
{
    const QHostAddress a = address();
    if (a.protocol() == QAbstractSocket::IPv6Protocol)
        return QStringLiteral("[%1]:%2").arg(a.toString()).arg(port());
    return QStringLiteral("%1:%2").arg(a.toString()).arg(port());
}

} // namespace quicpool::transport
