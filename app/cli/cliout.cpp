#include "cliout.h"

namespace quicpool::cli {

void printLine(std::FILE *out, const QString &line)
{
    const QByteArray bytes = line.toUtf8() + '\n';
    std::fwrite(bytes.constData(), 1, size_t(bytes.size()), out);
    // stderr is unbuffered; stdout may be a pipe that a test reads while we run.
    if (out == stdout)
        std::fflush(stdout);
}

} // namespace quicpool::cli
