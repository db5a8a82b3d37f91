// What a server connection needs from the endpoint that carries it (the
// Listener): the shared socket, routes for its connection IDs, and the
// stateless reset tokens that go with them.
#pragma once

#include "transport/connectionid.h"
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
    virtual void removeConnectionId(const ConnectionId &cid) = 0;
    /// Writes the 16-byte stateless reset token for cid.
    virtual void generateResetToken(uint8_t *token, const ConnectionId &cid) = 0;
};

} // namespace quicpool::transport
