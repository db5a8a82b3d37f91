// What a server does with a client's first Initial packet, decided before
// it spends anything on it: refuse it (allow-list), drop it (bounds), ask
// for a Retry (address validation under load), refuse a bad Retry token, or
// accept it, with or without a proven address. Pure: plain facts in, a
// decision out; the Listener gathers the facts and carries the decision out.
#pragma once

#include "transport/transportconfig.h"

namespace quicpool::transport {

/// What the Initial brought, checked.
enum class InitialToken {
    None,            ///< no token, or one that proves nothing (a NEW_TOKEN token
                     ///< that does not check out: RFC 9000 8.1.3 says carry on without)
    ValidRetry,      ///< a Retry token of ours for this address and connection ID
    ValidNewToken,   ///< a NEW_TOKEN token of ours for this address
    InvalidRetry,    ///< a Retry token that does not check out
};

struct InitialFacts
{
    bool allowed = true;              ///< the allow-list (if any) names the source address
    InitialToken token = InitialToken::None;
    int pending = 0;                  ///< handshakes under way now
    /// ... from the source address, counted apart for proven addresses
    /// (a valid token) and unproven ones: a flood in an address's name
    /// must not keep out the real client that proves it.
    int pendingFromAddress = 0;
};

enum class Admission {
    Accept,            ///< start a handshake; the address is not proven (3x limit)
    AcceptValidated,   ///< start a handshake with a proven address
    SendRetry,         ///< answer with a Retry, keep nothing
    Refuse,            ///< not on the allow-list: CONNECTION_REFUSED (rate-limited) or nothing
    RejectToken,       ///< a bad Retry token: INVALID_TOKEN (RFC 9000 8.1.2), keep nothing
    DropForLimit,      ///< a bound is reached and no Retry may help: nothing
};

Admission decideAdmission(const AdmissionLimits &limits, const InitialFacts &facts);

/// "accept", "retry", ...: for logs and test failures.
const char *admissionName(Admission admission);

} // namespace quicpool::transport
