#include "adaptivebuckets.h"

#include <cmath>

namespace quicpool::diag {

AdaptiveBuckets::AdaptiveBuckets(int capacity, double initialWidthMs)
    : m_buckets(size_t(qMax(2, capacity))), m_width(initialWidthMs > 0 ? initialWidthMs : 1.0)
{
}

void AdaptiveBuckets::widen()
{
    // Bucket i of the new width holds old buckets 2i and 2i+1.
    const size_t n = m_buckets.size();
    m_used = 0;
    for (size_t i = 0; i < n; ++i) {
        Bucket merged;
        for (size_t from : {2 * i, 2 * i + 1}) {
            if (from >= n || !m_buckets[from].used)
                continue;
            const Bucket &b = m_buckets[from];
            if (!merged.used || b.t >= merged.t) {
                merged.t = b.t;
                merged.value = b.value;
            }
            merged.sum += b.sum;
            merged.used = true;
        }
        m_buckets[i] = merged;
        if (merged.used)
            ++m_used;
    }
    m_width *= 2;
}

AdaptiveBuckets::Bucket *AdaptiveBuckets::bucketFor(double tMs, bool *fresh)
{
    if (!std::isfinite(tMs) || tMs < 0)
        return nullptr;
    // Each doubling halves the index: about a thousand at most for any double.
    while (tMs / m_width >= double(m_buckets.size()))
        widen();
    Bucket &b = m_buckets[size_t(tMs / m_width)];
    *fresh = !b.used;
    if (!b.used) {
        b.used = true;
        ++m_used;
    }
    return &b;
}

void AdaptiveBuckets::addSample(double tMs, double value)
{
    if (!std::isfinite(value))
        return;
    bool fresh = false;
    Bucket *b = bucketFor(tMs, &fresh);
    if (b && (fresh || tMs >= b->t)) {
        b->t = tMs;
        b->value = value;
    }
}

void AdaptiveBuckets::addCount(double tMs, double amount)
{
    if (!std::isfinite(amount))
        return;
    bool fresh = false;
    Bucket *b = bucketFor(tMs, &fresh);
    if (!b)
        return;
    b->sum += amount;
    if (fresh || tMs >= b->t)
        b->t = tMs;
    m_total += amount;
}

QList<QPointF> AdaptiveBuckets::samples() const
{
    QList<QPointF> out;
    out.reserve(m_used);
    for (const Bucket &b : m_buckets) {
        if (b.used)
            out.append(QPointF(b.t / 1000.0, b.value));
    }
    return out;
}

QList<QPointF> AdaptiveBuckets::rates(double binMs, double endMs) const
{
    QList<QPointF> out;
    if (!(endMs > 0))
        return out;
    // Never more bins than buckets, whatever binMs asks.
    const double wanted = std::max(binMs, endMs / double(m_buckets.size()));
    const int per = qMax(1, int(std::min(std::ceil(wanted / m_width), double(m_buckets.size()))));
    const double bin = per * m_width;
    const int bins = int(std::ceil(endMs / bin));
    out.reserve(bins);
    for (int k = 0; k < bins; ++k) {
        double sum = 0;
        for (int j = k * per; j < (k + 1) * per && j < int(m_buckets.size()); ++j)
            sum += m_buckets[size_t(j)].sum;
        const double from = k * bin;
        const double to = std::min(endMs, from + bin);
        const double span = to - from;
        if (span <= 0)
            break;
        out.append(QPointF((from + span / 2) / 1000.0, sum / (span / 1000.0)));
    }
    return out;
}

} // namespace quicpool::diag
