// A time series kept to a fixed number of buckets however long it runs, for
// files with millions of events: buckets start 1 ms wide and, whenever a
// time falls past the last one, double in width (neighbours merge). A gauge
// (congestion window, RTT) keeps the latest sample of each bucket, so what
// is drawn are real samples, thinned; a counter (packets, bytes) keeps the
// sum of each bucket, drawn as a rate. Memory: capacity buckets, always.
// Pure.
#pragma once

#include <QtCore/QList>
#include <QtCore/QPointF>

#include <vector>

namespace quicpool::diag {

class AdaptiveBuckets
{
public:
    explicit AdaptiveBuckets(int capacity = 2048, double initialWidthMs = 1.0);

    /// A gauge's sample at tMs (>= 0): the latest (by time) of a bucket stays.
    void addSample(double tMs, double value);
    /// A counter's amount at tMs (>= 0), summed per bucket.
    void addCount(double tMs, double amount);

    double widthMs() const { return m_width; }
    int capacity() const { return int(m_buckets.size()); }
    bool isEmpty() const { return m_used == 0; }
    /// The total of every addCount().
    double total() const { return m_total; }

    /// Gauge: one (t seconds, value) per bucket that holds a sample, in time order.
    QList<QPointF> samples() const;
    /// Counter: the sums in bins of binMs (rounded up to a whole number of
    /// buckets) as rates per second, at each bin's middle, from 0 to endMs
    /// (the last bin cut at endMs).
    QList<QPointF> rates(double binMs, double endMs) const;

private:
    struct Bucket
    {
        bool used = false;
        double t = 0;      ///< ms, the latest sample's time
        double value = 0;  ///< the latest sample
        double sum = 0;
    };
    /// The bucket for tMs, widening first if it lies past the last one;
    /// nullptr for times that cannot be placed (negative, not finite).
    Bucket *bucketFor(double tMs, bool *fresh);
    void widen();

    std::vector<Bucket> m_buckets;
    double m_width;
    int m_used = 0;
    double m_total = 0;
};

} // namespace quicpool::diag
