// Thin helpers over Linux UDP sockets for the relay: addresses between Qt
// and sockaddr, non-blocking sockets with large buffers, and the sentences
// the relay reports when a socket call fails.
#pragma once

#include <QtCore/QString>
#include <QtNetwork/QHostAddress>
#include <array>
#include <cstdint>
#include <netinet/in.h>
#include <sys/socket.h>

namespace quicpool::relay {

/// A socket address as the kernel takes it.
struct Endpoint
{
    sockaddr_storage storage{};
    socklen_t length = 0;

    /// IPv4 or IPv6 from a Qt address; QHostAddress::Any becomes [::] (the
    /// socket is then made dual-stack). length 0 for a null address.
    static Endpoint from(const QHostAddress &address, quint16 port);
    /// Reads length bytes of a kernel-filled address.
    static Endpoint fromRaw(const sockaddr_storage &raw, socklen_t length);
    bool isValid() const { return length > 0; }
    int family() const { return storage.ss_family; }
    QHostAddress address() const;
    quint16 port() const;
    sockaddr *raw() { return reinterpret_cast<sockaddr *>(&storage); }
    const sockaddr *raw() const { return reinterpret_cast<const sockaddr *>(&storage); }
};

/// An endpoint reduced to what identifies a client: family, address, port.
struct EndpointKey
{
    std::array<uint8_t, 16> address{};
    uint16_t port = 0;
    uint8_t family = 0;
    friend bool operator==(const EndpointKey &, const EndpointKey &) = default;
};
EndpointKey keyOf(const sockaddr_storage &raw);

struct EndpointKeyHash
{
    size_t operator()(const EndpointKey &key) const noexcept;
};

/// "127.0.0.1:5000", "[::1]:5000"; an IPv4-mapped IPv6 address as IPv4.
QString formatEndpoint(const QHostAddress &address, quint16 port);

/// A non-blocking, close-on-exec UDP socket of the family with large send
/// and receive buffers (the relay must not be what drops under load), or
/// -1 with a sentence in *error.
int openUdpSocket(int family, bool dualStack, QString *error);
/// The port the socket is bound to, 0 if unknown.
quint16 localPort(int fd);
/// strerror(errno) as a QString, for sentences.
QString systemError(int errorNumber);

} // namespace quicpool::relay
