// Fuzz target: the `quicpool` command line, through the one function main()
// hands it to. The input is the arguments after the program name, split at
// NUL bytes. Kept to that entry point on purpose: whatever parses inside it
// (options, DUR, SIZE, RATE, P%, HOST:PORT), this target follows.
#include "cliargs.h"

#include <QtCore/QStringList>

extern "C" int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    QStringList arguments;
    for (const QByteArray &a : QByteArray(reinterpret_cast<const char *>(data), qsizetype(size)).split('\0'))
        arguments.append(QString::fromUtf8(a));
    const quicpool::cli::ParseResult result = quicpool::cli::parseArguments(arguments);
    if (!result.ok())
        (void)quicpool::cli::usageErrorText(result);
    return 0;
}
