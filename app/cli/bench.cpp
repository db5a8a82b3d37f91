// Placeholder until the benchmark lands: says so and fails.
#include "bench.h"

#include <cstdio>

namespace quicpool::cli {

int runBench(const BenchOptions &)
{
    std::fputs("quicpool: bench is not implemented yet\n", stderr);
    return 1;
}

} // namespace quicpool::cli
