// Which stateless resets a server may send. A reset answers a packet whose
// source address nobody checked, so unlimited resets let a forged source
// aim a server's answers at a third party (RFC 9000 10.3 and 21.11). The
// limits: a token bucket for the whole endpoint and one per source
// address, and a byte budget: resets never add up to more than a fixed
// share of the bytes of the packets that asked for them. Pure logic with
// time passed in, so tests control the clock.
#pragma once

#include <QtCore/QHash>
#include <QtNetwork/QHostAddress>
#include <chrono>
#include <cstddef>
#include <cstdint>

namespace quicpool::transport {

class ResetLimiter
{
public:
    struct Limits
    {
        double perSecond = 200;          ///< resets per second, whole endpoint
        double burst = 100;
        double perSourcePerSecond = 10;  ///< resets per second to one address
        double perSourceBurst = 10;
        int byteShare = 4;               ///< out <= in / byteShare
        qint64 maxByteCredit = 256 * 1024; ///< unspent bytes in, at most (no hoarding)
        int maxSources = 4096;           ///< addresses remembered at once
    };

    enum class Verdict { Allowed, NoByteCredit, EndpointRate, SourceRate };

    ResetLimiter() = default;
    explicit ResetLimiter(const Limits &limits) : m_limits(limits) {}

    /// A packet of `received` bytes from `source` asks for a reset of
    /// `resetLength` bytes at `now`. Counts the packet's bytes in, and when
    /// allowed charges every budget; a refusal charges none.
    Verdict check(const QHostAddress &source, size_t received, size_t resetLength, std::chrono::nanoseconds now);

    /// Addresses remembered now (bounded by Limits::maxSources).
    int sourceCount() const { return int(m_sources.size()); }
    quint64 bytesIn() const { return m_bytesIn; }
    quint64 bytesOut() const { return m_bytesOut; }

private:
    struct Bucket
    {
        double tokens = 0;
        std::chrono::nanoseconds at{0};
    };
    static void refill(Bucket &b, double rate, double burst, std::chrono::nanoseconds now);
    Bucket *sourceBucket(const QHostAddress &source, std::chrono::nanoseconds now);

    Limits m_limits;
    Bucket m_global{-1, {}};             // tokens < 0: not started yet
    QHash<QHostAddress, Bucket> m_sources;
    qint64 m_byteCredit = 0;
    quint64 m_bytesIn = 0, m_bytesOut = 0;
};

} // namespace quicpool::transport
