#include "pool/rules.h"

#include <algorithm>

namespace quicpool::pool {

namespace {

constexpr double kLowRatio = 0.2;
constexpr double kHighRatio = 0.8;

/// 0..15 for an ASCII hex digit, -1 otherwise (QChar::isDigit would also
/// accept non-ASCII digits such as U+0661, which are no part of an ID).
int hexValue(QChar c)
{
    const char16_t u = c.unicode();
    if (u >= u'0' && u <= u'9')
        return u - u'0';
    if (u >= u'a' && u <= u'f')
        return u - u'a' + 10;
    if (u >= u'A' && u <= u'F')
        return u - u'A' + 10;
    return -1;
}

/// Go's int(float64(capacity) * ratio): double product, truncated.
int scaled(int capacity, double ratio)
{
    return static_cast<int>(static_cast<double>(capacity) * ratio);
}

} // namespace

QString encodeId(const StreamId &id)
{
    static constexpr char16_t digits[] = u"0123456789abcdef";
    QString text(8, Qt::Uninitialized);
    for (size_t i = 0; i < id.size(); ++i) {
        text[qsizetype(2 * i)] = QChar(digits[id[i] >> 4]);
        text[qsizetype(2 * i + 1)] = QChar(digits[id[i] & 0x0f]);
    }
    return text;
}

bool decodeId(QStringView text, StreamId *out)
{
    if (text.size() != 8)
        return false;
    StreamId id{};
    for (qsizetype i = 0; i < 8; i += 2) {
        const int high = hexValue(text[i]);
        const int low = hexValue(text[i + 1]);
        if (high < 0 || low < 0)
            return false;
        id[size_t(i / 2)] = uint8_t(high << 4 | low);
    }
    if (out)
        *out = id;
    return true;
}

bool isValidId(QStringView text)
{
    return decodeId(text, nullptr);
}

QString normalizeId(QStringView text, bool *ok)
{
    StreamId id;
    const bool valid = decodeId(text, &id);
    if (ok)
        *ok = valid;
    return valid ? encodeId(id) : QString();
}

HelloVerdict helloVerdict(std::optional<uint8_t> first, qint64 more, bool finished, bool strict)
{
    if (!first)
        return finished ? HelloVerdict::QuietClose : HelloVerdict::Wait;
    if (strict && (*first != 0 || more > 0))
        return HelloVerdict::Refuse;
    return HelloVerdict::Accept;
}

StreamId makeStreamId(bool firstOfPool, const RandomFill &random)
{
    StreamId id{};
    if (!firstOfPool && random)
        random(id.data(), id.size());
    return id;
}

Milliseconds adjustInterval(int idle, int capacity, Milliseconds interval, Milliseconds minInterval,
                            Milliseconds maxInterval)
{
    // Few idle streams: the pool drains faster than it refills, cycle sooner.
    if (idle < scaled(capacity, kLowRatio) && interval > minInterval)
        interval = std::max(interval - kIntervalStep, minInterval);
    // Mostly idle: nothing to do, cycle more lazily.
    if (idle > scaled(capacity, kHighRatio) && interval < maxInterval)
        interval = std::min(interval + kIntervalStep, maxInterval);
    return interval;
}

int streamsNeeded(int capacity, int idle)
{
    return std::max(0, capacity - idle);
}

int adjustCapacity(int created, int capacity, int minCapacity, int maxCapacity)
{
    if (capacity < 1)
        return minCapacity;
    const double ratio = static_cast<double>(created) / static_cast<double>(capacity);
    if (ratio < kLowRatio && capacity > minCapacity)
        --capacity;
    if (ratio > kHighRatio && capacity < maxCapacity)
        ++capacity;
    return capacity;
}

bool isPersistentFailure(ErrorCode code)
{
    switch (code) {
    case ErrorCode::PinMismatch:
    case ErrorCode::TlsHandshakeFailed:
    case ErrorCode::Unauthorized:
    case ErrorCode::InvalidAddress:
    case ErrorCode::CertificateError:
        return true;
    default:
        return false;
    }
}

Milliseconds backoffDelay(int failures, ErrorCode cause, Milliseconds cap, double jitter)
{
    const Milliseconds ceiling = std::max(cap, kFirstBackoff);
    Milliseconds delay = ceiling;
    if (!isPersistentFailure(cause)) {
        delay = kFirstBackoff;
        for (int i = 1; i < failures && delay < ceiling; ++i)
            delay *= 2;
        delay = std::min(delay, ceiling);
    }
    const double off = std::clamp(jitter, 0.0, 1.0) * 0.25;
    return std::max(Milliseconds(1), Milliseconds(qint64(double(delay.count()) * (1.0 - off))));
}

QString refusalSentence(int accepted, int asked, int refused)
{
    return QStringLiteral("server pool full: accepted %1 of %2 streams")
        .arg(accepted)
        .arg(std::max(asked, accepted + refused));
}

} // namespace quicpool::pool
