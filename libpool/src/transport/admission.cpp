#include "transport/admission.h"

namespace quicpool::transport {

Admission decideAdmission(const AdmissionLimits &limits, const InitialFacts &facts)
{
    // The allow-list first: a refused address costs nothing more, whatever it sent.
    if (!facts.allowed)
        return Admission::Refuse;
    if (facts.token == InitialToken::InvalidRetry)
        return Admission::RejectToken;
    const bool full = facts.pending >= limits.maxPending || facts.pendingFromAddress >= limits.maxPendingPerAddress;
    if (facts.token == InitialToken::ValidRetry || facts.token == InitialToken::ValidNewToken)
        return full ? Admission::DropForLimit : Admission::AcceptValidated;
    // An unproven address past a bound still gets a Retry when Retries are
    // allowed: it costs no state, and a real client comes back with a
    // token (then the bounds decide).
    const bool wantRetry = limits.retry == RetryMode::Always
        || (limits.retry == RetryMode::Auto && (facts.pending >= limits.retryThreshold || full));
    if (wantRetry)
        return Admission::SendRetry;
    return full ? Admission::DropForLimit : Admission::Accept;
}

const char *admissionName(Admission admission)
{
    switch (admission) {
    case Admission::Accept:
        return "accept";
    case Admission::AcceptValidated:
        return "accept-validated";
    case Admission::SendRetry:
        return "retry";
    case Admission::Refuse:
        return "refuse";
    case Admission::RejectToken:
        return "reject-token";
    case Admission::DropForLimit:
        return "drop-for-limit";
    }
    return "unknown";
}

} // namespace quicpool::transport
