// quicpool: parses the command line and hands over to the command's runner.
#include "bench.h"
#include "clientcommand.h"
#include "cliargs.h"
#include "democommand.h"
#include "relaycommand.h"
#include "servercommand.h"

#include <QtCore/QCoreApplication>
#include <QtCore/QLoggingCategory>
#include <cstdio>

using namespace quicpool::cli;

int main(int argc, char *argv[])
{
    QCoreApplication app(argc, argv);
    QCoreApplication::setApplicationName(QStringLiteral("quicpool"));
    // The library's info and debug logs are for debugging (QT_LOGGING_RULES
    // turns them on); the commands print what a user needs themselves.
    if (qEnvironmentVariableIsEmpty("QT_LOGGING_RULES"))
        QLoggingCategory::setFilterRules(QStringLiteral("quicpool.*.info=false\nquicpool.*.debug=false"));
    const ParseResult result = parseArguments(app.arguments().mid(1));
    if (!result.ok()) {
        std::fputs(qPrintable(usageErrorText(result)), stderr);
        return kUsageExitCode;
    }
    if (const auto *help = std::get_if<HelpRequest>(&result.command)) {
        std::fputs(qPrintable(usageText(help->command)), stdout);
        return 0;
    }
    if (std::holds_alternative<VersionRequest>(result.command)) {
        std::printf("%s\n", qPrintable(versionText()));
        return 0;
    }
    if (const auto *server = std::get_if<ServerOptions>(&result.command))
        return runServer(*server);
    if (const auto *client = std::get_if<ClientOptions>(&result.command))
        return runClient(*client);
    if (const auto *demo = std::get_if<DemoOptions>(&result.command))
        return runDemo(*demo);
    if (const auto *bench = std::get_if<BenchOptions>(&result.command))
        return runBench(*bench);
    if (const auto *relay = std::get_if<RelayOptions>(&result.command))
        return runRelay(*relay);
    return kUsageExitCode;
}
