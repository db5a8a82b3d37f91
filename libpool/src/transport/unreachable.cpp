#include "transport/unreachable.h"

#include <cerrno>

namespace quicpool::transport {

std::optional<Error> unreachableError(int err, const QString &hostPort)
{
    switch (err) {
    case ECONNREFUSED:
        return Error(ErrorCode::Unreachable, QStringLiteral("nothing is listening on %1").arg(hostPort));
    case EHOSTUNREACH:
    case EHOSTDOWN:
        return Error(ErrorCode::Unreachable, QStringLiteral("no route to %1 (host unreachable)").arg(hostPort));
    case ENETUNREACH:
        return Error(ErrorCode::Unreachable, QStringLiteral("no route to %1 (network unreachable)").arg(hostPort));
    case EACCES:
        // ICMP "administratively prohibited": a firewall rejects the datagrams.
        return Error(ErrorCode::Unreachable,
                     QStringLiteral("a firewall rejects datagrams to %1 (administratively prohibited)").arg(hostPort));
    default:
        return std::nullopt;
    }
}

} // namespace quicpool::transport
