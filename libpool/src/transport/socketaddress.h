// A socket address that converts between sockaddr (for the kernel and
// ngtcp2) and QHostAddress (for the API).
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

    bool operator==(const SocketAddress &o) const
    {
        return length == o.length && std::memcmp(&storage, &o.storage, length) == 0;
    }
};

} // namespace quicpool::transport
