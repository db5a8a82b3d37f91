// What a Relay has done, as plain values: per-direction counts and the
// client mappings. Relay::stats() hands out a consistent copy from any
// thread, so within one snapshot every datagram is accounted for:
//   datagramsOut == datagramsIn - dropped() + duplicated - queued.
#pragma once

#include "relayconfig.h"

#include <QtCore/QtGlobal>
#include <QtNetwork/QHostAddress>

namespace quicpool::relay {

struct DirectionStats
{
    quint64 datagramsIn = 0;            ///< read from the sending side
    quint64 bytesIn = 0;
    quint64 datagramsOut = 0;           ///< written to the receiving side (copies included)
    quint64 bytesOut = 0;

    // Dropped, by cause. A datagram is counted under the first cause that
    // applies, in this order.
    quint64 droppedBlackhole = 0;       ///< during the blackhole window or Relay::setBlackhole(true)
    quint64 droppedMtu = 0;             ///< larger than the mtu
    quint64 droppedLoss = 0;            ///< random loss
    quint64 droppedQueue = 0;           ///< the rate queue was full (tail drop), or the relay's own buffer
    quint64 droppedFailed = 0;          ///< could not be sent: socket error, or its client mapping was gone

    quint64 duplicated = 0;             ///< extra copies made
    quint64 reordered = 0;              ///< sent after a datagram of the same client that arrived after it
    quint64 corrupted = 0;              ///< had one bit flipped
    quint64 queued = 0;                 ///< in the relay right now: queue, delay line or held back

    /// Time datagrams waited in the rate queue before the link took them
    /// (0 for each without a rate): over every datagram admitted.
    quint64 queueDelaySamples = 0;
    qint64 queueDelaySumNs = 0;
    qint64 queueDelayMaxNs = 0;

    quint64 dropped() const
    {
        return droppedBlackhole + droppedMtu + droppedLoss + droppedQueue + droppedFailed;
    }
    double queueDelayAverageMs() const
    {
        return queueDelaySamples ? double(queueDelaySumNs) / double(queueDelaySamples) / 1e6 : 0.0;
    }
    double queueDelayMaxMs() const { return double(queueDelayMaxNs) / 1e6; }
};

struct RelayStats
{
    DirectionStats up;                  ///< client -> server
    DirectionStats down;                ///< server -> client
    int clients = 0;                    ///< client mappings alive now
    quint64 clientsSeen = 0;            ///< mappings made since start
    quint64 rebinds = 0;                ///< upstream sockets moved to a new port
    quint64 expired = 0;                ///< mappings forgotten after idleTimeout
    qint64 elapsedNs = 0;               ///< since start(), when this snapshot was taken

    const DirectionStats &direction(Direction d) const { return d == Direction::Up ? up : down; }
    double seconds() const { return double(elapsedNs) / 1e9; }
};

/// One client the relay maps: the server sees it as upstreamPort.
struct Mapping
{
    QHostAddress clientAddress;
    quint16 clientPort = 0;
    quint16 upstreamPort = 0;           ///< the local port of its upstream socket
};

} // namespace quicpool::relay
