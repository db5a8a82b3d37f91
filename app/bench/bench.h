// `quicpool bench`: loopback benchmarks of the pool and its data path.
#pragma once

#include "cliargs.h"

namespace quicpool::cli {

/// Runs the benchmark the options ask for; returns the process exit code.
int runBench(const BenchOptions &options);

} // namespace quicpool::cli
