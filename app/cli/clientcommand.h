// `quicpool client`: a client pool against a server, and --streams runs of
// the chosen mode over its streams, --parallel at a time, each checked.
#pragma once

#include "cliargs.h"

namespace quicpool::cli {

/// Runs the client; returns the exit code (0: every stream checked out,
/// 1: anything else). Needs a QCoreApplication.
int runClient(const ClientOptions &options);

} // namespace quicpool::cli
