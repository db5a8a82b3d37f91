// One reading of a pool's atomic counters and connection figures, and the
// rates derived from two readings. Pure, so the charts' numbers are tested.
#pragma once

#include "defencefigures.h"

#include <quicpool/connectioninfo.h>

#include <QtCore/QByteArray>
#include <QtCore/QList>
#include <QtCore/QString>
#include <QtCore/QStringList>

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
    // Server pools: ServerPool::defenceStats() and its rates.
    bool hasDefence = false;
    DefenceStats defence;
    DefenceRates defenceRates;
};

/// Reads the counters (any thread: they are atomics), and a server pool's
/// defence figures (readable from any thread too). With `readyIds`,
/// also the pooled IDs, oldest first, and `active` is their number: one
/// reading under the pool's lock, so a table of the IDs and the counter
/// line drawn from the sample always agree (two reads of a pool that is
/// filling and being drawn from at the same time do not).
PoolSample samplePool(const Pool &pool, double t, QStringList *readyIds = nullptr);
/// Fills the rates of cur from prev (zero on the first sample or a counter reset).
void deriveRates(const PoolSample &prev, PoolSample *cur);

/// Whether the sample carries a connection's figures: connected, with a
/// handshake completed (the library reports all zeros before that).
bool hasConnectionFigures(const PoolSample &sample);

/// The line beside a pool's buttons: "active 4 / capacity 4 · interval 100 ms
/// · errors 0 · RTT 0.21 ms". Active can exceed capacity for a moment (the
/// capacity shrank and the extra streams wait to be used); the line says so
/// rather than reading "active 5 / capacity 4". RTT reads "–" until a
/// handshake has completed.
QString countersLine(const PoolSample &sample);

/// "time_s,active,capacity,..." header plus one row per sample; a server
/// pool's samples add its defence figures ("pending_handshakes,...").
QByteArray samplesToCsv(const QList<PoolSample> &samples);

} // namespace quicpool::diag
