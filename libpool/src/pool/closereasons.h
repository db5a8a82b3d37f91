// The reasons a pool puts in an application CONNECTION_CLOSE (code 0), as
// NodePass's Go pools send them (PROTOCOL.md, "Refusals and limits"), and
// what a client makes of the ones it receives.
#pragma once

#include "transport/connection.h"
#include <quicpool/error.h>

namespace quicpool::pool {

inline constexpr char kPoolClosed[] = "pool closed";
inline constexpr char kUnauthorized[] = "unauthorized IP";

/// The error a client reports for a closed connection: the transport's
/// sentence, or the pool's meaning of a reason it knows. A QuicPool server
/// refuses an address before the handshake (CONNECTION_REFUSED with the
/// reason); a NodePass one, or ours as a second line, after it.
inline Error clientCloseError(const transport::Connection &connection, const Error &transportReason)
{
    const auto app = connection.peerApplicationClose();
    const auto refusal = connection.peerRefusal();
    if ((app && app->reason == kUnauthorized) || (refusal && refusal->reason == kUnauthorized))
        return Error(ErrorCode::Unauthorized, QStringLiteral("the server refused this client's IP (unauthorized IP)"));
    return transportReason;
}

} // namespace quicpool::pool
