// Value types the pool worker hands to the GUI thread through queued signals.
#pragma once

#include <quicpool/connectioninfo.h>

#include <QtCore/QDateTime>
#include <QtCore/QMetaType>
#include <QtCore/QString>
#include <memory>

namespace quicpool {
class Pool;
}

namespace quicpool::diag {

/// Shared so the GUI can read the pool's atomic counters while the worker
/// owns it; the deleter defers the deletion to the pool's own thread.
using PoolPtr = std::shared_ptr<quicpool::Pool>;

enum class PoolKind { Client, Server };

/// A stream the user took out of a pool, as shown in the streams table.
struct StreamInfo
{
    int key = 0;                ///< the worker's handle for the stream
    QString id;                 ///< the pool's 8-hex ID
    QString state;              ///< "open", "half-closed (local)", ..., "closed"
    qint64 bytesIn = 0;
    qint64 bytesOut = 0;
    qint64 takenAtMs = 0;       ///< QDateTime::currentMSecsSinceEpoch() when taken
    QString error;              ///< last stream error, empty if none
    bool gone = false;          ///< deleted: drop it from the table
};

/// connectionInfo() plus what the GUI shows beside it.
struct ConnectionDetails
{
    ConnectionInfo info;
    QString serverFingerprint;  ///< server pools: own certificate's fingerprint
    int connectionCount = -1;   ///< server pools
    QString error;
};

} // namespace quicpool::diag

Q_DECLARE_METATYPE(quicpool::diag::PoolPtr)
Q_DECLARE_METATYPE(quicpool::diag::StreamInfo)
Q_DECLARE_METATYPE(quicpool::diag::ConnectionDetails)
