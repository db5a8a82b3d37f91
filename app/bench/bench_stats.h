// Statistics for `quicpool bench`: percentiles of latency samples and the
// min / median / max of figures repeated over runs. Pure functions.
#pragma once

#include <QtCore/QList>
#include <vector>

namespace quicpool::cli::bench {

/// The q-quantile (0 <= q <= 1) of values by the nearest-rank method: the
/// smallest sample with at least q of the samples at or below it, so p99 of
/// 10,000 samples is the 9,900th smallest. 0 for no samples.
double percentile(std::vector<double> values, double q);
/// The same on samples already sorted ascending (no copy).
double percentileSorted(const std::vector<double> &sorted, double q);

/// Where a figure lay over repeated runs.
struct Summary
{
    int count = 0;
    double min = 0;
    double median = 0;   ///< the middle value; the mean of the two middle ones for an even count
    double max = 0;
};
Summary summarize(const QList<double> &values);

} // namespace quicpool::cli::bench
