// What a server connection needs from the endpoint that carries it (the
// Listener): the shared socket, routes for its connection IDs, the
// stateless reset tokens that go with them, NEW_TOKEN tokens, and a tally
// of what it exchanged with a peer whose address is not proven yet.
#pragma once

#include "transport/connectionid.h"
#include "transport/socketaddress.h"
#include <QtCore/QByteArray>
#include <cstdint>

namespace quicpool::transport {

class Connection;
class UdpSocket;

class ConnectionHost
{
public:
    virtual ~ConnectionHost() = default;
    virtual UdpSocket *hostSocket() = 0;
    virtual void addConnectionId(const ConnectionId &cid, Connection *connection) = 0;
    /// Forgets the route if it still leads to connection.
    virtual void removeConnectionId(const ConnectionId &cid, Connection *connection) = 0;
    /// Writes the 16-byte stateless reset token for cid.
    virtual void generateResetToken(uint8_t *token, const ConnectionId &cid) = 0;
    /// A token for a NEW_TOKEN frame to a client at this address; empty: none.
    virtual QByteArray makeNewToken(const SocketAddress &client) = 0;
    /// UDP payload bytes received from and sent to a peer not validated yet.
    virtual void noteUnvalidated(size_t received, size_t sent) = 0;
};

} // namespace quicpool::transport
