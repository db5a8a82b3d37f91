// What a pool tab's banner, tab icon and status line say: the pool's
// Pool::State and the sentence of its current error (Pool::lastError()),
// folded into one line and a severity. Pure, so every sentence is tested.
#pragma once

#include "workertypes.h"

#include <quicpool/error.h>
#include <quicpool/pool.h>

#include <QtCore/QString>

namespace quicpool::diag {

/// How the view got where it is; the pool's own State says the rest.
enum class PoolPhase {
    Starting,     ///< start asked, no answer from the worker yet
    Running,      ///< start() succeeded: Pool::State applies
    StartFailed,  ///< start() failed: the error says why
    Stopped,      ///< the user stopped the pool
};

/// Banner colour and tab icon, from calm to alarming.
enum class StatusLevel {
    Neutral,  ///< stopped, closed
    Working,  ///< starting, connecting for the first time
    Good,     ///< connected, listening
    Trouble,  ///< running but not connected, with a reason (retrying)
    Failed,   ///< not running because of an error
};

struct PoolStatus
{
    StatusLevel level = StatusLevel::Working;
    QString text;     ///< the banner line: "Not connected: the server certificate … does not match the pin"
    QString state;    ///< poolStateName() of the pool's state, or the phase's word
};

/// "Idle", "Connecting", "Connected", "Listening", "Backing off", "Closed".
QString poolStateName(Pool::State state);

/// An error's sentence as the clause after "Failed: " or "Not connected: ":
/// first letter lowered (unless it starts an acronym or a name such as
/// "TLS" or "127.0.0.1"), trailing full stop dropped.
QString errorClause(const Error &error);

/// The banner for a pool. `where` is the client's target or the server's
/// bound address ("127.0.0.1:4433"), used when there is no error to tell.
PoolStatus describePoolStatus(PoolKind kind, PoolPhase phase, Pool::State state, const Error &error,
                              const QString &where = {});

} // namespace quicpool::diag
