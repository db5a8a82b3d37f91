// Address validation tokens (RFC 9000 8.1): what a server puts in a Retry
// packet or a NEW_TOKEN frame, and how it checks one a client brings back.
// Pure functions over bytes, an address and a clock reading (no sockets,
// no state), built on ngtcp2's token helpers (AES-128-GCM under a key
// derived per token from the secret, the client's address as associated
// data, a timestamp inside):
//   - a Retry token names the client's address and port, the connection ID
//     the Retry chose and the client's original one; it lives seconds;
//   - a NEW_TOKEN token names the client's address (not its port: a client
//     behind NAT comes back from another) and lives hours.
// A forged, garbled or foreign token cannot be told from one made with
// another secret (Unreadable); an expired one is Refused, and so is a Retry
// token from another address or port. A NEW_TOKEN token from another
// address fails its integrity check (the address is its associated data),
// so it reads as Unreadable: either way it proves nothing.
#pragma once

#include "transport/connectionid.h"
#include "transport/socketaddress.h"
#include <QtCore/QByteArray>
#include <array>
#include <cstdint>

namespace quicpool::transport {

/// The secret every token of one server derives from (32 bytes).
struct TokenKey
{
    std::array<uint8_t, 32> bytes{};
};
/// The token key for a server's stable secret (its stateless reset secret):
/// another key, so the two secrets never meet in one algorithm.
TokenKey tokenKeyFromSecret(const uint8_t *secret, size_t length);

/// Which kind of token a client sent, by its first byte.
enum class TokenKind { None, Retry, NewToken, Unknown };
TokenKind tokenKind(const uint8_t *token, size_t length);

enum class TokenVerdict {
    Valid,
    Unreadable,   ///< not made with this key (forged, garbled, another server's)
    Refused,      ///< ours, but expired or for another address (or connection ID)
};

/// Nanoseconds on the wall clock: tokens outlive a process (a restarted
/// server with the same secret honours them), so not the monotonic clock.
uint64_t tokenClockNs();

/// A Retry token for a client at `client` whose Initial had `originalDcid`,
/// told to come back to `retryScid`. Empty on failure.
QByteArray makeRetryToken(const TokenKey &key, const SocketAddress &client, const ConnectionId &retryScid,
                          const ConnectionId &originalDcid, uint64_t nowNs);

struct RetryTokenCheck
{
    TokenVerdict verdict = TokenVerdict::Unreadable;
    ConnectionId originalDcid;   ///< valid tokens: the client's first DCID
};
/// Checks a Retry token that arrived from `client` in an Initial to `dcid`
/// (which must be the Retry's connection ID).
RetryTokenCheck checkRetryToken(const TokenKey &key, const uint8_t *token, size_t length, const SocketAddress &client,
                                const ConnectionId &dcid, uint64_t lifetimeNs, uint64_t nowNs);

/// A NEW_TOKEN token for a client at `client`'s address. Empty on failure.
QByteArray makeNewToken(const TokenKey &key, const SocketAddress &client, uint64_t nowNs);
TokenVerdict checkNewToken(const TokenKey &key, const uint8_t *token, size_t length, const SocketAddress &client,
                           uint64_t lifetimeNs, uint64_t nowNs);

} // namespace quicpool::transport
