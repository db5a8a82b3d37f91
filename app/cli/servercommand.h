// `quicpool server`: a server pool that serves every stream it receives in
// one application mode, until SIGINT or SIGTERM.
#pragma once

#include "cliargs.h"

namespace quicpool::cli {

/// Runs the server; returns the exit code (0 after a clean stop by signal,
/// 1 when it cannot start). Needs a QCoreApplication.
int runServer(const ServerOptions &options);

} // namespace quicpool::cli
