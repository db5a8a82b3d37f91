// `quicpool demo`: a server pool and a client pool over loopback in one
// process, a light echo load between them, and one line of figures a second.
#pragma once

#include "cliargs.h"

namespace quicpool::cli {

/// Runs the demo for options.seconds (0: until SIGINT/SIGTERM); returns 0
/// when every echo checked out, 1 otherwise. Needs a QCoreApplication.
int runDemo(const DemoOptions &options);

} // namespace quicpool::cli
