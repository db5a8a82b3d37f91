#include "cliargs.h"

#include "commandlines.h"
#include "units.h"

#include <quicpool/global.h>
#include <algorithm>

namespace quicpool::cli {

namespace {

const QStringList kCommands = {QStringLiteral("server"), QStringLiteral("client"), QStringLiteral("demo"),
                               QStringLiteral("bench"), QStringLiteral("relay")};

bool isHelp(const QString &arg)
{
    return arg == u"--help" || arg == u"-h";
}

bool isVersion(const QString &arg)
{
    return arg == u"--version" || arg == u"-v" || arg == u"-V" || arg == u"version";
}

ParseResult failure(const QString &command, const QString &error, const QString &hint = {})
{
    ParseResult result;
    result.commandName = command;
    result.error = error;
    result.hint = hint;
    return result;
}

/// One command: its options struct, filled through its table.
template <typename Options>
ParseResult parseCommand(const QString &command, CommandLine (*table)(Options &), const QStringList &args)
{
    Options o;
    const CommandLineRead read = readCommandLine(table(o), args);
    if (read.help)
        return ParseResult{HelpRequest{command}, {}, command, {}};
    if (!read.error.isEmpty())
        return failure(command, read.error, read.hint);
    return ParseResult{o, {}, command, {}};
}

/// Calls f with the command's table, built over default options.
template <typename F>
auto withTable(QStringView command, F f)
{
    if (command == u"server") {
        ServerOptions o;
        return f(serverCommandLine(o));
    }
    if (command == u"client") {
        ClientOptions o;
        return f(clientCommandLine(o));
    }
    if (command == u"demo") {
        DemoOptions o;
        return f(demoCommandLine(o));
    }
    if (command == u"bench") {
        BenchOptions o;
        return f(benchCommandLine(o));
    }
    RelayOptions o;
    return f(relayCommandLine(o));
}

const char kGeneralUsage[] = R"(Usage: quicpool <command> [options]

Pools of ready QUIC streams, wire compatible with NodePass's QUIC pools.

Commands:
  server    listen, pool the streams clients open and serve them in a mode
  client    connect, keep streams ready and run a workload over them
  demo      a server and a client pool in one process, with live counters
  bench     measure stream set-up and throughput
  relay     relay UDP between clients and a server over an emulated path:
            delay, jitter, rate, loss, reordering, NAT rebinding, ...

Options:
  -h, --help       show this text; "quicpool <command> --help" for a command
  -v, --version    show the versions of quicpool, ngtcp2 and the TLS library
                   (-V too)

Options take their value as "--opt value" or "--opt=value", short ones as
"-t 10" or "-t10"; flags combine ("-RJ").
Durations need a unit: 500ms, 2s, 1.5s, 1m, 1h (iperf3's -t and -i read a bare
number as seconds).
Sizes are bytes, or 64KiB, 1MiB, 1GiB (powers of 1024) or 64KB, 1MB, 1GB
(powers of 1000).
Exit status: 0 success, 1 failure, 2 usage error.
)";

} // namespace

ParseResult parseArguments(const QStringList &arguments)
{
    if (arguments.isEmpty())
        return failure({}, QStringLiteral("No command given; use server, client, demo, bench or relay."));
    const QString &first = arguments.first();
    const QStringList rest = arguments.mid(1);

    if (isHelp(first) || first == u"help") {
        if (rest.isEmpty())
            return ParseResult{HelpRequest{}, {}, {}, {}};
        if (rest.size() == 1 && kCommands.contains(rest.first()))
            return ParseResult{HelpRequest{rest.first()}, {}, rest.first(), {}};
        return failure({}, QStringLiteral("Unexpected argument \"%1\" after %2.").arg(rest.first(), first));
    }
    if (isVersion(first)) {
        if (!rest.isEmpty())
            return failure({}, QStringLiteral("Unexpected argument \"%1\" after %2.").arg(rest.first(), first));
        return ParseResult{VersionRequest{}, {}, {}, {}};
    }
    if (!kCommands.contains(first)) {
        if (first.startsWith(u'-'))
            return failure({}, QStringLiteral("Unknown option %1; a command (server, client, demo, bench or "
                                              "relay) comes first.").arg(first));
        return failure({}, QStringLiteral("Unknown command \"%1\"; use server, client, demo, bench or relay.")
                               .arg(first));
    }

    // "--help" anywhere among a command's options wins over everything else,
    // so a half-typed command line can still ask for help.
    const qsizetype end = rest.indexOf(QStringLiteral("--"));
    const QStringList options = end < 0 ? rest : rest.mid(0, end);
    if (std::any_of(options.begin(), options.end(), isHelp))
        return ParseResult{HelpRequest{first}, {}, first, {}};

    if (first == u"server")
        return parseCommand(first, serverCommandLine, rest);
    if (first == u"client")
        return parseCommand(first, clientCommandLine, rest);
    if (first == u"demo")
        return parseCommand(first, demoCommandLine, rest);
    if (first == u"relay")
        return parseCommand(first, relayCommandLine, rest);
    return parseCommand(first, benchCommandLine, rest);
}

QString usageText(QStringView command)
{
    if (!kCommands.contains(command))
        return QString::fromUtf8(kGeneralUsage);
    return withTable(command, [](const CommandLine &t) { return formatHelp(t); });
}

QList<OptionSpelling> commandOptions(QStringView command)
{
    if (!kCommands.contains(command))
        return {};
    return withTable(command, [](const CommandLine &t) {
        QList<OptionSpelling> list;
        for (const Option &o : allOptions(t))
            list.append({o.names, o.valueName});
        return list;
    });
}

QString versionText()
{
    return QStringLiteral("quicpool %1 (ngtcp2 %2, %3)").arg(version(), ngtcp2Version(), tlsLibraryVersionString());
}

QString usageErrorText(const ParseResult &result)
{
    const QString help = result.commandName.isEmpty() ? QStringLiteral("quicpool --help")
                                                      : QStringLiteral("quicpool %1 --help").arg(result.commandName);
    const QString hint = result.hint.isEmpty() ? QString() : result.hint + u' ';
    return QStringLiteral("quicpool: %1\n%2Run \"%3\" for usage.\n").arg(result.error, hint, help);
}

ServerPoolConfig toServerPoolConfig(const ServerOptions &options)
{
    ServerPoolConfig config;
    applyPathOptions(config, options.path);
    config.setMaxCapacity(options.maxCapacity);
    config.setClientIp(options.clientIp);
    config.setListenAddress(options.listen);
    config.setKeepAlive(options.keepAlive);
    config.setCertificateFile(options.certificateFile);
    config.setPrivateKeyFile(options.privateKeyFile);
    config.setRetryMode(options.retry);
    config.setRetryThreshold(options.retryThreshold);
    config.setMaxPendingHandshakes(options.maxHandshakes);
    config.setMaxPendingHandshakesPerAddress(options.maxHandshakesPerIp);
    return config;
}

ClientPoolConfig toClientPoolConfig(const ClientOptions &options)
{
    ClientPoolConfig config;
    applyPathOptions(config, options.path);
    config.setMinCapacity(options.minCapacity);
    config.setMaxCapacity(options.maxCapacity);
    config.setMinInterval(options.minInterval);
    config.setMaxInterval(options.maxInterval);
    config.setKeepAlive(options.keepAlive);
    config.setHandshakeTimeout(options.handshakeTimeout);
    config.setTlsMode(options.tlsMode);
    config.setAddress(options.connect);
    config.setPinSha256(options.pinSha256);
    config.setCaFile(options.caFile);
    config.setHostname(options.hostname);
    if (config.hostname().isEmpty()) {
        QString host;
        if (parseHostPort(options.connect, &host, nullptr))
            config.setHostname(host);
    }
    return config;
}

relay::RelayConfig toRelayConfig(const RelayOptions &options)
{
    relay::RelayConfig config;
    config.lossUp = options.lossUp;
    config.lossDown = options.lossDown;
    config.delay = options.delay;
    config.jitter = options.jitter;
    config.rate = options.rate;
    config.queue = options.queue;
    config.mtu = options.mtu;
    config.reorder = options.reorder;
    config.duplicate = options.duplicate;
    config.corrupt = options.corrupt;
    config.blackholeAt = options.blackholeAt;
    config.blackholeFor = options.blackholeFor;
    config.rebindEvery = options.rebindEvery;
    config.seed = options.seed;
    return config;
}

} // namespace quicpool::cli
