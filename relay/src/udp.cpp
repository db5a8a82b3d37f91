#include "udp.h"

#include <QtCore/QHashFunctions>
#include <cerrno>
#include <cstring>
#include <unistd.h>

namespace quicpool::relay {

namespace {

/// Socket buffers of 4 MiB: a burst of 2,000 full-size datagrams fits.
/// The kernel caps the request at net.core.[rw]mem_max without failing.
constexpr int kSocketBuffer = 4 * 1024 * 1024;

} // namespace

Endpoint Endpoint::from(const QHostAddress &address, quint16 port)
{
    Endpoint e;
    if (address.isNull())
        return e;
    if (address.protocol() == QAbstractSocket::IPv4Protocol) {
        auto *in = reinterpret_cast<sockaddr_in *>(&e.storage);
        in->sin_family = AF_INET;
        in->sin_port = htons(port);
        in->sin_addr.s_addr = htonl(address.toIPv4Address());
        e.length = sizeof(sockaddr_in);
        return e;
    }
    auto *in6 = reinterpret_cast<sockaddr_in6 *>(&e.storage);
    in6->sin6_family = AF_INET6;
    in6->sin6_port = htons(port);
    if (address.protocol() == QAbstractSocket::IPv6Protocol) {
        const Q_IPV6ADDR raw = address.toIPv6Address();
        std::memcpy(&in6->sin6_addr, raw.c, 16);
        bool ok = false;
        const uint scope = address.scopeId().toUInt(&ok);
        if (ok)
            in6->sin6_scope_id = scope;
    } // else QHostAddress::Any: in6addr_any, all zero
    e.length = sizeof(sockaddr_in6);
    return e;
}

Endpoint Endpoint::fromRaw(const sockaddr_storage &raw, socklen_t length)
{
    Endpoint e;
    std::memcpy(&e.storage, &raw, std::min<size_t>(length, sizeof e.storage));
    e.length = length;
    return e;
}

QHostAddress Endpoint::address() const
{
    return length > 0 ? QHostAddress(raw()) : QHostAddress();
}

quint16 Endpoint::port() const
{
    if (family() == AF_INET)
        return ntohs(reinterpret_cast<const sockaddr_in *>(&storage)->sin_port);
    if (family() == AF_INET6)
        return ntohs(reinterpret_cast<const sockaddr_in6 *>(&storage)->sin6_port);
    return 0;
}

EndpointKey keyOf(const sockaddr_storage &raw)
{
    EndpointKey key;
    key.family = uint8_t(raw.ss_family);
    if (raw.ss_family == AF_INET) {
        const auto *in = reinterpret_cast<const sockaddr_in *>(&raw);
        std::memcpy(key.address.data(), &in->sin_addr, 4);
        key.port = in->sin_port;
    } else if (raw.ss_family == AF_INET6) {
        const auto *in6 = reinterpret_cast<const sockaddr_in6 *>(&raw);
        std::memcpy(key.address.data(), &in6->sin6_addr, 16);
        key.port = in6->sin6_port;
    }
    return key;
}

size_t EndpointKeyHash::operator()(const EndpointKey &key) const noexcept
{
    return qHashBits(key.address.data(), key.address.size(), size_t(key.port) << 8 | key.family);
}

QString formatEndpoint(const QHostAddress &address, quint16 port)
{
    if (address.protocol() == QAbstractSocket::IPv6Protocol) {
        bool mapped = false;
        const quint32 v4 = address.toIPv4Address(&mapped);
        if (mapped && !address.isEqual(QHostAddress(QHostAddress::AnyIPv6), QHostAddress::StrictConversion))
            return QStringLiteral("%1:%2").arg(QHostAddress(v4).toString()).arg(port);
        return QStringLiteral("[%1]:%2").arg(address.toString()).arg(port);
    }
    if (address.protocol() == QAbstractSocket::AnyIPProtocol)
        return QStringLiteral(":%1").arg(port);
    return QStringLiteral("%1:%2").arg(address.toString()).arg(port);
}

int openUdpSocket(int family, bool dualStack, QString *error)
{
    const int fd = ::socket(family, SOCK_DGRAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
    if (fd < 0) {
        *error = QStringLiteral("cannot make a UDP socket: %1").arg(systemError(errno));
        return -1;
    }
    const int size = kSocketBuffer;
    ::setsockopt(fd, SOL_SOCKET, SO_RCVBUF, &size, sizeof size);
    ::setsockopt(fd, SOL_SOCKET, SO_SNDBUF, &size, sizeof size);
    if (family == AF_INET6) {
        const int only = dualStack ? 0 : 1;
        ::setsockopt(fd, IPPROTO_IPV6, IPV6_V6ONLY, &only, sizeof only);
    }
    return fd;
}

quint16 localPort(int fd)
{
    sockaddr_storage raw{};
    socklen_t length = sizeof raw;
    if (::getsockname(fd, reinterpret_cast<sockaddr *>(&raw), &length) != 0)
        return 0;
    return Endpoint::fromRaw(raw, length).port();
}

QString systemError(int errorNumber)
{
    char buffer[128];
    // The GNU strerror_r returns the message (maybe not in buffer).
    return QString::fromLocal8Bit(::strerror_r(errorNumber, buffer, sizeof buffer));
}

} // namespace quicpool::relay
