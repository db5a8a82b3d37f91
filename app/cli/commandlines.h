// The option tables of quicpool's commands (optiontable.h), each built over
// the options it fills. Built over default-constructed options, a table's
// defaults are the ones --help shows, so a default is written once: in the
// options struct (cliargs.h).
#pragma once

#include "cliargs.h"
#include "optiontable.h"

namespace quicpool::cli {

CommandLine serverCommandLine(ServerOptions &o);
CommandLine clientCommandLine(ClientOptions &o);
CommandLine demoCommandLine(DemoOptions &o);
CommandLine benchCommandLine(BenchOptions &o);
CommandLine relayCommandLine(RelayOptions &o);

/// What server and client share: the path group, and --metrics.
OptionGroup pathOptions(PathOptions &o);
Option metricsOption(QString *out);
/// --busy-poll US (0 to 1000, whole microseconds), with the command's help text.
Option busyPollOption(int *out, const QString &help);

/// What a pool config refuses (a window out of range, say) as a usage
/// error; other problems (a file that cannot be read) wait for the run.
QString configRefusal(const Error &e);

} // namespace quicpool::cli
