// Line output of the CLI's commands, UTF-8, one line per call.
#pragma once

#include <QtCore/QString>
#include <cstdio>

namespace quicpool::cli {

/// Writes the line and a newline to out (stdout or stderr).
void printLine(std::FILE *out, const QString &line);

} // namespace quicpool::cli
