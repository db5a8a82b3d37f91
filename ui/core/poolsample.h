// One reading of a pool's atomic counters and connection figures, and the
// rates derived from two readings. Pure, so the charts' numbers are tested.
#pragma once

#include <quicpool/connectioninfo.h>

#include <QtCore/QByteArray>
#include <QtCore/QList>

namespace quicpool {
class Pool;
}

namespace quicpool::diag {

struct PoolSample
{
    double t = 0;                   ///< seconds since the view started
    int active = 0;
    int capacity = 0;
    qint64 intervalMs = 0;
    qint64 errors = 0;
    bool connected = false;
    ConnectionStats stats;
    // Derived from the previous sample:
    double rxKiBps = 0;             ///< bytesReceived delta, KiB/s
    double txKiBps = 0;             ///< bytesSent delta, KiB/s
};

/// Reads the counters (any thread: they are atomics).
PoolSample samplePool(const Pool &pool, double t);
/// Fills the rates of cur from prev (zero on the first sample or a counter reset).
void deriveRates(const PoolSample &prev, PoolSample *cur);

/// "time_s,active,capacity,..." header plus one row per sample.
QByteArray samplesToCsv(const QList<PoolSample> &samples);

} // namespace quicpool::diag
