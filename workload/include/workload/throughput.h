// The one formula every program turns bytes and seconds into a rate with:
// `quicpool client`'s mbps and its interval lines, the bench, and
// quicpool-diag's load-test summary, series and chart.
#pragma once

#include <QtCore/QtGlobal>

namespace quicpool::workload {

/// Megabytes (10^6 bytes) per second; zero for a span of zero or less.
inline double megabytesPerSecond(qint64 bytes, double seconds)
{
    return seconds > 0 ? double(bytes) / 1e6 / seconds : 0.0;
}

} // namespace quicpool::workload
