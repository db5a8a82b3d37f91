// `quicpool relay`: runs an impairment relay until SIGINT or SIGTERM.
#pragma once

#include "cliargs.h"

namespace quicpool::cli {

/// Needs a QCoreApplication; returns the exit code.
int runRelay(const RelayOptions &options);

} // namespace quicpool::cli
