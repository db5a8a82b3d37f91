#include "cliargs.h"

#include "units.h"

#include <quicpool/certificate.h>
#include <quicpool/global.h>
#include <QtNetwork/QHostAddress>
#include <algorithm>
#include <functional>
#include <limits>
#include <vector>

namespace quicpool::cli {

namespace {

const QStringList kCommands = {QStringLiteral("server"), QStringLiteral("client"), QStringLiteral("demo"),
                               QStringLiteral("bench")};

/// One option of a command. apply() gets the value ("" for flags) and
/// returns a usage error sentence, or an empty string.
struct Option
{
    QString name; ///< without the leading "--"
    bool takesValue = true;
    std::function<QString(const QString &value)> apply;
};

bool isHelp(const QString &arg)
{
    return arg == u"--help" || arg == u"-h";
}

QString parseOptions(const QString &command, const QStringList &args, const std::vector<Option> &options)
{
    for (qsizetype i = 0; i < args.size(); ++i) {
        const QString &arg = args.at(i);
        if (arg == u"--") {
            if (i + 1 < args.size())
                return QStringLiteral("Unexpected argument \"%1\": quicpool %2 takes no arguments, only options.")
                    .arg(args.at(i + 1), command);
            break;
        }
        if (!arg.startsWith(u"--")) {
            if (arg.startsWith(u'-') && arg.size() > 1)
                return QStringLiteral("Unknown option %1 for quicpool %2.").arg(arg, command);
            return QStringLiteral("Unexpected argument \"%1\": quicpool %2 takes no arguments, only options.")
                .arg(arg, command);
        }
        const qsizetype equals = arg.indexOf(u'=');
        const QString name = arg.mid(2, equals < 0 ? -1 : equals - 2);
        const bool inlineValue = equals >= 0;
        const auto option = std::find_if(options.begin(), options.end(),
                                         [&](const Option &o) { return o.name == name; });
        if (option == options.end())
            return QStringLiteral("Unknown option --%1 for quicpool %2.").arg(name, command);

        QString value;
        if (!option->takesValue) {
            if (inlineValue)
                return QStringLiteral("--%1 takes no value.").arg(name);
        } else if (inlineValue) {
            value = arg.mid(equals + 1);
        } else {
            // "--hostname --json" is a forgotten value, not a host called "--json".
            if (i + 1 >= args.size() || args.at(i + 1).startsWith(u"--"))
                return QStringLiteral("--%1 needs a value.").arg(name);
            value = args.at(++i);
        }
        const QString error = option->apply(value);
        if (!error.isEmpty())
            return error;
    }
    return {};
}

/// Strict decimal integer (optional '-', ASCII digits only), at least minimum.
QString parseInt(const QString &name, const QString &text, int minimum, int *out)
{
    QStringView digits(text);
    const bool negative = digits.startsWith(u'-');
    if (negative)
        digits = digits.mid(1);
    const bool numeric = !digits.isEmpty() && std::all_of(digits.begin(), digits.end(), [](QChar c) {
        return c >= u'0' && c <= u'9';
    });
    if (!numeric)
        return QStringLiteral("--%1 expects a whole number, not \"%2\".").arg(name, text);
    qint64 value = 0;
    for (QChar c : digits) {
        value = value * 10 + (c.unicode() - u'0');
        if (value > std::numeric_limits<int>::max())
            return QStringLiteral("--%1 is too large: %2.").arg(name, text);
    }
    if (negative)
        value = -value;
    if (value < minimum)
        return QStringLiteral("--%1 must be at least %2, not %3.").arg(name).arg(minimum).arg(text);
    *out = int(value);
    return {};
}

QString parsePositiveDuration(const QString &name, const QString &text, Milliseconds *out)
{
    QString why;
    Milliseconds value{};
    if (!parseDuration(text, &value, &why))
        return QStringLiteral("--%1: %2").arg(name, why);
    if (value.count() <= 0)
        return QStringLiteral("--%1 must be above zero, not %2.").arg(name, text);
    *out = value;
    return {};
}

QString parseSizeOption(const QString &name, const QString &text, qint64 *out)
{
    QString why;
    if (!parseSize(text, out, &why))
        return QStringLiteral("--%1: %2").arg(name, why);
    return {};
}

/// A server address to dial: needs a host and a port other than 0.
QString parseConnect(const QString &name, const QString &text, QString *out)
{
    QString host, why;
    quint16 port = 0;
    if (!parseHostPort(text, &host, &port, &why))
        return QStringLiteral("--%1: %2").arg(name, why);
    if (host.isEmpty())
        return QStringLiteral("--%1 needs a host to connect to; \"%2\" has none.").arg(name, text);
    if (port == 0)
        return QStringLiteral("--%1 needs a port from 1 to 65535; \"%2\" has 0.").arg(name, text);
    *out = text;
    return {};
}

QString parseNonEmpty(const QString &name, const QString &text, const QString &what, QString *out)
{
    if (text.isEmpty())
        return QStringLiteral("--%1 needs %2.").arg(name, what);
    *out = text;
    return {};
}

ParseResult failure(const QString &command, const QString &error)
{
    ParseResult result;
    result.commandName = command;
    result.error = error;
    return result;
}

ParseResult parseServer(const QStringList &args)
{
    const QString command = QStringLiteral("server");
    ServerOptions o;
    const std::vector<Option> options = {
        {QStringLiteral("listen"), true,
         [&](const QString &v) -> QString {
             QString why;
             if (!parseHostPort(v, nullptr, nullptr, &why))
                 return QStringLiteral("--listen: %1").arg(why);
             o.listen = v;
             return {};
         }},
        {QStringLiteral("max-cap"), true,
         [&](const QString &v) { return parseInt(QStringLiteral("max-cap"), v, 1, &o.maxCapacity); }},
        {QStringLiteral("client-ip"), true,
         [&](const QString &v) -> QString {
             QHostAddress address;
             if (v.isEmpty() || !address.setAddress(v) || v.startsWith(u'['))
                 return QStringLiteral("--client-ip expects an IP address, not \"%1\".").arg(v);
             o.clientIp = v;
             return {};
         }},
        {QStringLiteral("cert"), true,
         [&](const QString &v) {
             return parseNonEmpty(QStringLiteral("cert"), v, QStringLiteral("a PEM file name"), &o.certificateFile);
         }},
        {QStringLiteral("key"), true,
         [&](const QString &v) {
             return parseNonEmpty(QStringLiteral("key"), v, QStringLiteral("a PEM file name"), &o.privateKeyFile);
         }},
        {QStringLiteral("keep-alive"), true,
         [&](const QString &v) { return parsePositiveDuration(QStringLiteral("keep-alive"), v, &o.keepAlive); }},
        {QStringLiteral("mode"), true,
         [&](const QString &v) -> QString {
             if (!parseAppMode(v, &o.mode))
                 return QStringLiteral("--mode takes echo, sink, source or hold, not \"%1\".").arg(v);
             return {};
         }},
        {QStringLiteral("verbose"), false,
         [&](const QString &) {
             o.verbose = true;
             return QString();
         }},
    };
    if (QString error = parseOptions(command, args, options); !error.isEmpty())
        return failure(command, error);
    if (o.listen.isEmpty())
        return failure(command, QStringLiteral("quicpool server needs --listen HOST:PORT (port 0 picks a free one)."));
    if (o.certificateFile.isEmpty() != o.privateKeyFile.isEmpty()) {
        return failure(command, o.privateKeyFile.isEmpty()
                                    ? QStringLiteral("--cert needs --key: give the certificate's private key file too.")
                                    : QStringLiteral("--key needs --cert: give the key's certificate file too."));
    }
    return ParseResult{o, {}, command};
}

ParseResult parseClient(const QStringList &args)
{
    const QString command = QStringLiteral("client");
    ClientOptions o;
    bool minCapGiven = false, maxCapGiven = false, minIntervalGiven = false, maxIntervalGiven = false;
    const std::vector<Option> options = {
        {QStringLiteral("connect"), true,
         [&](const QString &v) { return parseConnect(QStringLiteral("connect"), v, &o.connect); }},
        {QStringLiteral("min-cap"), true,
         [&](const QString &v) {
             minCapGiven = true;
             return parseInt(QStringLiteral("min-cap"), v, 1, &o.minCapacity);
         }},
        {QStringLiteral("max-cap"), true,
         [&](const QString &v) {
             maxCapGiven = true;
             return parseInt(QStringLiteral("max-cap"), v, 1, &o.maxCapacity);
         }},
        {QStringLiteral("min-interval"), true,
         [&](const QString &v) {
             minIntervalGiven = true;
             return parsePositiveDuration(QStringLiteral("min-interval"), v, &o.minInterval);
         }},
        {QStringLiteral("max-interval"), true,
         [&](const QString &v) {
             maxIntervalGiven = true;
             return parsePositiveDuration(QStringLiteral("max-interval"), v, &o.maxInterval);
         }},
        {QStringLiteral("keep-alive"), true,
         [&](const QString &v) { return parsePositiveDuration(QStringLiteral("keep-alive"), v, &o.keepAlive); }},
        {QStringLiteral("tls"), true,
         [&](const QString &v) -> QString {
             if (v == u"0")
                 o.tlsMode = TlsMode::Insecure;
             else if (v == u"1")
                 o.tlsMode = TlsMode::SelfSigned;
             else if (v == u"2")
                 o.tlsMode = TlsMode::Verified;
             else
                 return QStringLiteral("--tls takes 0, 1 or 2, not \"%1\".").arg(v);
             return {};
         }},
        {QStringLiteral("hostname"), true,
         [&](const QString &v) {
             return parseNonEmpty(QStringLiteral("hostname"), v, QStringLiteral("a host name"), &o.hostname);
         }},
        {QStringLiteral("pin"), true,
         [&](const QString &v) -> QString {
             QString why;
             const QByteArray pin = parseFingerprint(v, &why);
             if (pin.size() != 32) {
                 if (!why.isEmpty())
                     return QStringLiteral("--pin: %1").arg(why);
                 return QStringLiteral("--pin \"%1\" is not a SHA-256 fingerprint; write sha256:AA:BB:... "
                                       "or 64 hex digits.").arg(v);
             }
             o.pinSha256 = pin;
             return {};
         }},
        {QStringLiteral("mode"), true,
         [&](const QString &v) -> QString {
             AppMode mode = AppMode::Echo;
             if (!parseAppMode(v, &mode) || mode == AppMode::Hold) {
                 return QStringLiteral("--mode takes echo, sink or source, not \"%1\"%2.")
                     .arg(v, mode == AppMode::Hold ? QStringLiteral(" (hold is a server mode)") : QString());
             }
             o.mode = mode;
             return {};
         }},
        {QStringLiteral("streams"), true,
         [&](const QString &v) { return parseInt(QStringLiteral("streams"), v, 1, &o.streams); }},
        {QStringLiteral("parallel"), true,
         [&](const QString &v) { return parseInt(QStringLiteral("parallel"), v, 1, &o.parallel); }},
        {QStringLiteral("bytes"), true,
         [&](const QString &v) { return parseSizeOption(QStringLiteral("bytes"), v, &o.bytes); }},
        {QStringLiteral("json"), false,
         [&](const QString &) {
             o.json = true;
             return QString();
         }},
        {QStringLiteral("timeout"), true,
         [&](const QString &v) { return parsePositiveDuration(QStringLiteral("timeout"), v, &o.timeout); }},
    };
    if (QString error = parseOptions(command, args, options); !error.isEmpty())
        return failure(command, error);
    if (o.connect.isEmpty())
        return failure(command, QStringLiteral("quicpool client needs --connect HOST:PORT."));

    // Explicit contradictions are errors; a default that is in the way of an
    // explicit value moves aside.
    if (minCapGiven && maxCapGiven && o.minCapacity > o.maxCapacity) {
        return failure(command, QStringLiteral("--min-cap (%1) is above --max-cap (%2).")
                                    .arg(o.minCapacity)
                                    .arg(o.maxCapacity));
    }
    if (!maxCapGiven)
        o.maxCapacity = std::max({o.maxCapacity, o.parallel, o.minCapacity});
    if (minIntervalGiven && maxIntervalGiven && o.minInterval > o.maxInterval) {
        return failure(command, QStringLiteral("--min-interval (%1) is above --max-interval (%2).")
                                    .arg(formatDuration(o.minInterval), formatDuration(o.maxInterval)));
    }
    if (o.minInterval > o.maxInterval) {
        if (minIntervalGiven)
            o.maxInterval = o.minInterval;
        else
            o.minInterval = o.maxInterval;
    }
    return ParseResult{o, {}, command};
}

ParseResult parseDemo(const QStringList &args)
{
    const QString command = QStringLiteral("demo");
    DemoOptions o;
    const std::vector<Option> options = {
        {QStringLiteral("seconds"), true,
         [&](const QString &v) { return parseInt(QStringLiteral("seconds"), v, 0, &o.seconds); }},
    };
    if (QString error = parseOptions(command, args, options); !error.isEmpty())
        return failure(command, error);
    return ParseResult{o, {}, command};
}

ParseResult parseBench(const QStringList &args)
{
    const QString command = QStringLiteral("bench");
    BenchOptions o;
    const std::vector<Option> options = {
        {QStringLiteral("quick"), false,
         [&](const QString &) {
             o.quick = true;
             return QString();
         }},
        {QStringLiteral("json"), false,
         [&](const QString &) {
             o.json = true;
             return QString();
         }},
        {QStringLiteral("repeat"), true,
         [&](const QString &v) {
             int repeat = 0;
             const QString error = parseInt(QStringLiteral("repeat"), v, 1, &repeat);
             if (error.isEmpty())
                 o.repeat = repeat;
             return error;
         }},
        {QStringLiteral("workload"), true,
         [&](const QString &v) {
             return parseNonEmpty(QStringLiteral("workload"), v, QStringLiteral("a workload name"), &o.workload);
         }},
        {QStringLiteral("bytes"), true,
         [&](const QString &v) {
             qint64 bytes = 0;
             const QString error = parseSizeOption(QStringLiteral("bytes"), v, &bytes);
             if (error.isEmpty())
                 o.bytes = bytes;
             return error;
         }},
        {QStringLiteral("connect"), true,
         [&](const QString &v) { return parseConnect(QStringLiteral("connect"), v, &o.connect); }},
    };
    if (QString error = parseOptions(command, args, options); !error.isEmpty())
        return failure(command, error);
    return ParseResult{o, {}, command};
}

const char kGeneralUsage[] = R"(Usage: quicpool <command> [options]

Pools of ready QUIC streams, wire compatible with NodePass's QUIC pools.

Commands:
  server    listen, pool the streams clients open and serve them in a mode
  client    connect, keep streams ready and run a workload over them
  demo      a server and a client pool in one process, with live counters
  bench     measure stream set-up and throughput

Options:
  -h, --help       show this text; "quicpool <command> --help" for a command
  -V, --version    show the versions of quicpool, ngtcp2 and the TLS library

Options take their value as "--opt value" or "--opt=value".
Durations need a unit: 500ms, 2s, 1.5s, 1m, 1h.
Sizes are bytes, or 64KiB, 1MiB, 1GiB (powers of 1024) or 64KB, 1MB, 1GB
(powers of 1000).
Exit status: 0 success, 1 failure, 2 usage error.
)";

const char kServerUsage[] = R"(Usage: quicpool server --listen HOST:PORT [options]

Listens for QUIC connections (ALPN np-quic), pools every stream a client
opens under a 4-byte ID, and serves each stream it takes in the chosen mode.

  --listen HOST:PORT  address to listen on (required); port 0 picks a free
                      port, ":PORT" listens on every address, IPv6 as [::1]:PORT
  --max-cap N         most streams pooled at once (default 1024)
  --client-ip IP      accept connections from this address only (default any)
  --cert PEM          certificate file, together with --key (default: a
                      self-signed certificate generated at start)
  --key PEM           private key file of --cert
  --keep-alive DUR    ping an idle connection this often; it is dropped after
                      three times as long without a sign of life (default 30s)
  --mode MODE         echo, sink, source or hold (default echo)
  --verbose           report every connection and stream
  -h, --help          show this text

Modes:
  echo     write back every byte received, end when the client ends
  sink     read to the end, check the test pattern, answer with 16 bytes:
           bytes received and bytes wrong (both 64-bit big-endian)
  source   read an 8-byte big-endian count, send that many pattern bytes
  hold     take streams and keep them open without reading
)";

const char kClientUsage[] = R"(Usage: quicpool client --connect HOST:PORT [options]

Connects to a server pool, keeps streams ready, and runs --streams streams in
the chosen mode, --parallel at a time, each carrying --bytes of test pattern.
Prints "stream <id> bytes=N ms=X ok" (or "fail: <why>") per stream and a
summary; exits 1 if any stream failed.

  --connect HOST:PORT  server to connect to (required); IPv6 as [::1]:PORT
  --min-cap N          fewest streams kept ready (default 1)
  --max-cap N          most streams kept ready (default 64, or more when
                       --parallel or --min-cap ask for more)
  --min-interval DUR   shortest refill interval (default 100ms)
  --max-interval DUR   longest refill interval (default 1s)
  --keep-alive DUR     ping an idle connection this often (default 30s)
  --tls 0|1|2          0: encrypt without verifying the server; 1: the server
                       has a self-signed certificate, not verified; 2: verify
                       the chain and the host name (default 1)
  --hostname NAME      TLS server name (default: the host of --connect)
  --pin sha256:HEX     accept only a server certificate with this SHA-256
                       fingerprint, in every TLS mode
  --mode MODE          echo, sink or source; see "quicpool server --help"
                       (default echo)
  --streams N          streams to run (default 1)
  --parallel P         streams running at once (default 1)
  --bytes SIZE         payload per stream (default 64KiB)
  --json               print one JSON object instead: streams, ok, failed,
                       bytes, seconds, mbps (bytes/seconds/10^6)
  --timeout DUR        give up when no stream is ready this long after start,
                       and fail a stream that moves no byte for this long
                       (default 10s)
  -h, --help           show this text
)";

const char kDemoUsage[] = R"(Usage: quicpool demo [--seconds S]

Runs a server pool and a client pool in this process over loopback and
prints their counters (active, capacity, interval, errors) as they change.

  --seconds S   how long to run, in whole seconds; 0 runs until interrupted
                (default 10)
  -h, --help    show this text
)";

const char kBenchUsage[] = R"(Usage: quicpool bench [options]

Measures stream set-up and throughput over loopback, against an in-process
server unless --connect names one.

  --quick              short runs, for CI
  --json               print the results as JSON
  --repeat N           runs per workload (default: set by the workload)
  --workload NAME      run this workload only (default: all)
  --bytes SIZE         payload per stream (default: set by the workload)
  --connect HOST:PORT  use this server instead of an in-process one
  -h, --help           show this text
)";

} // namespace

ParseResult parseArguments(const QStringList &arguments)
{
    if (arguments.isEmpty())
        return failure({}, QStringLiteral("No command given; use server, client, demo or bench."));
    const QString &first = arguments.first();
    const QStringList rest = arguments.mid(1);

    if (isHelp(first) || first == u"help") {
        if (rest.isEmpty())
            return ParseResult{HelpRequest{}, {}, {}};
        if (rest.size() == 1 && kCommands.contains(rest.first()))
            return ParseResult{HelpRequest{rest.first()}, {}, rest.first()};
        return failure({}, QStringLiteral("Unexpected argument \"%1\" after %2.").arg(rest.first(), first));
    }
    if (first == u"--version" || first == u"-V" || first == u"version") {
        if (!rest.isEmpty())
            return failure({}, QStringLiteral("Unexpected argument \"%1\" after %2.").arg(rest.first(), first));
        return ParseResult{VersionRequest{}, {}, {}};
    }
    if (!kCommands.contains(first)) {
        if (first.startsWith(u'-'))
            return failure({}, QStringLiteral("Unknown option %1; a command (server, client, demo or bench) "
                                              "comes first.").arg(first));
        return failure({}, QStringLiteral("Unknown command \"%1\"; use server, client, demo or bench.").arg(first));
    }

    // "--help" anywhere among a command's options wins over everything else,
    // so a half-typed command line can still ask for help.
    const qsizetype end = rest.indexOf(QStringLiteral("--"));
    const QStringList options = end < 0 ? rest : rest.mid(0, end);
    if (std::any_of(options.begin(), options.end(), isHelp))
        return ParseResult{HelpRequest{first}, {}, first};

    if (first == u"server")
        return parseServer(rest);
    if (first == u"client")
        return parseClient(rest);
    if (first == u"demo")
        return parseDemo(rest);
    return parseBench(rest);
}

QString usageText(QStringView command)
{
    if (command == u"server")
        return QString::fromUtf8(kServerUsage);
    if (command == u"client")
        return QString::fromUtf8(kClientUsage);
    if (command == u"demo")
        return QString::fromUtf8(kDemoUsage);
    if (command == u"bench")
        return QString::fromUtf8(kBenchUsage);
    return QString::fromUtf8(kGeneralUsage);
}

QString versionText()
{
    return QStringLiteral("quicpool %1 (ngtcp2 %2, %3)").arg(version(), ngtcp2Version(), tlsLibraryVersionString());
}

QString usageErrorText(const ParseResult &result)
{
    const QString help = result.commandName.isEmpty() ? QStringLiteral("quicpool --help")
                                                      : QStringLiteral("quicpool %1 --help").arg(result.commandName);
    return QStringLiteral("quicpool: %1\nRun \"%2\" for usage.\n").arg(result.error, help);
}

ServerPoolConfig toServerPoolConfig(const ServerOptions &options)
{
    ServerPoolConfig config;
    config.setMaxCapacity(options.maxCapacity);
    config.setClientIp(options.clientIp);
    config.setListenAddress(options.listen);
    config.setKeepAlive(options.keepAlive);
    config.setCertificateFile(options.certificateFile);
    config.setPrivateKeyFile(options.privateKeyFile);
    return config;
}

ClientPoolConfig toClientPoolConfig(const ClientOptions &options)
{
    ClientPoolConfig config;
    config.setMinCapacity(options.minCapacity);
    config.setMaxCapacity(options.maxCapacity);
    config.setMinInterval(options.minInterval);
    config.setMaxInterval(options.maxInterval);
    config.setKeepAlive(options.keepAlive);
    config.setTlsMode(options.tlsMode);
    config.setAddress(options.connect);
    config.setPinSha256(options.pinSha256);
    config.setHostname(options.hostname);
    if (config.hostname().isEmpty()) {
        QString host;
        if (parseHostPort(options.connect, &host, nullptr))
            config.setHostname(host);
    }
    return config;
}

} // namespace quicpool::cli
