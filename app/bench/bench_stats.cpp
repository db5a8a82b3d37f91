#include "bench_stats.h"

#include <algorithm>
#include <cmath>

namespace quicpool::cli::bench {

double percentileSorted(const std::vector<double> &sorted, double q)
{
    if (sorted.empty())
        return 0;
    q = std::clamp(q, 0.0, 1.0);
    // Nearest rank: ceil(q * n), 1-based; q = 0 is the minimum. The small
    // epsilon keeps 0.99 * 10000 at 9900 despite binary rounding.
    const double rank = std::ceil(q * double(sorted.size()) - 1e-9);
    const size_t index = rank < 1 ? 0 : std::min(sorted.size(), size_t(rank)) - 1;
    return sorted[index];
}

double percentile(std::vector<double> values, double q)
{
    std::sort(values.begin(), values.end());
    return percentileSorted(values, q);
}

Summary summarize(const QList<double> &values)
{
    Summary s;
    if (values.isEmpty())
        return s;
    QList<double> sorted = values;
    std::sort(sorted.begin(), sorted.end());
    s.count = int(sorted.size());
    s.min = sorted.first();
    s.max = sorted.last();
    const qsizetype mid = sorted.size() / 2;
    s.median = sorted.size() % 2 ? sorted[mid] : (sorted[mid - 1] + sorted[mid]) / 2;
    return s;
}

} // namespace quicpool::cli::bench
