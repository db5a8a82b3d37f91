#include "cliargs.h"

#include "units.h"

#include <quicpool/certificate.h>
#include <quicpool/global.h>
#include <quicpool/relay/pathprofile.h>
#include <QtCore/QFileInfo>
#include <QtNetwork/QHostAddress>
#include <algorithm>
#include <functional>
#include <limits>
#include <optional>
#include <vector>

namespace quicpool::cli {

namespace {

const QStringList kCommands = {QStringLiteral("server"), QStringLiteral("client"), QStringLiteral("demo"),
                               QStringLiteral("bench"), QStringLiteral("relay")};

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

QString parseNonNegativeDuration(const QString &name, const QString &text, Milliseconds *out)
{
    QString why;
    if (!parseDuration(text, out, &why))
        return QStringLiteral("--%1: %2").arg(name, why);
    return {};
}

QString parsePercentOption(const QString &name, const QString &text, double *out)
{
    QString why;
    if (!parsePercent(text, out, &why))
        return QStringLiteral("--%1: %2").arg(name, why);
    return {};
}

/// AT+FOR: two durations, the second above zero ("10s+2s").
QString parseWindow(const QString &name, const QString &text, Milliseconds *at, Milliseconds *length)
{
    const qsizetype plus = text.indexOf(u'+');
    if (plus < 0 || text.indexOf(u'+', plus + 1) >= 0) {
        return QStringLiteral("--%1 takes AT+FOR, two durations as in 10s+2s (dropping everything from 10 s "
                              "after start for 2 s), not \"%2\".").arg(name, text);
    }
    QString why;
    if (!parseDuration(QStringView(text).left(plus), at, &why))
        return QStringLiteral("--%1: %2").arg(name, why);
    if (!parseDuration(QStringView(text).mid(plus + 1), length, &why))
        return QStringLiteral("--%1: %2").arg(name, why);
    if (length->count() <= 0)
        return QStringLiteral("--%1 needs a length above zero after the +, not \"%2\".").arg(name, text);
    return {};
}

/// A seed: any unsigned 64-bit decimal number.
QString parseSeed(const QString &name, const QString &text, quint64 *out)
{
    const bool digits = !text.isEmpty() && std::all_of(text.begin(), text.end(), [](QChar c) {
        return c >= u'0' && c <= u'9';
    });
    bool ok = false;
    const quint64 value = digits ? text.toULongLong(&ok, 10) : 0;
    if (!ok) {
        return QStringLiteral("--%1 expects a whole number from 0 to 18446744073709551615, not \"%2\".")
            .arg(name, text);
    }
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

/// The options of PathOptions, for any command that makes connections.
std::vector<Option> pathOptions(PathOptions &o)
{
    return {
        {QStringLiteral("cc"), true,
         [&o](const QString &v) -> QString {
             if (!parseCongestionControl(v, &o.congestionControl))
                 return QStringLiteral("--cc takes cubic, reno or bbr, not \"%1\".").arg(v);
             return {};
         }},
        {QStringLiteral("stream-window"), true,
         [&o](const QString &v) { return parseSizeOption(QStringLiteral("stream-window"), v, &o.streamWindow); }},
        {QStringLiteral("conn-window"), true,
         [&o](const QString &v) { return parseSizeOption(QStringLiteral("conn-window"), v, &o.connectionWindow); }},
        {QStringLiteral("send-buffer"), true,
         [&o](const QString &v) { return parseSizeOption(QStringLiteral("send-buffer"), v, &o.sendBufferLimit); }},
        {QStringLiteral("qlog"), true,
         [&o](const QString &v) {
             return parseNonEmpty(QStringLiteral("qlog"), v, QStringLiteral("a folder name"), &o.qlogDirectory);
         }},
    };
}

/// Appends the path options to a command's own.
std::vector<Option> withPathOptions(std::vector<Option> options, PathOptions &o)
{
    for (Option &extra : pathOptions(o))
        options.push_back(std::move(extra));
    return options;
}

/// What the pool config refuses (a window out of range, say), as a usage
/// error; other problems (a file that cannot be read) wait for the run.
QString configRefusal(const Error &e)
{
    return e.code() == ErrorCode::InvalidConfig ? e.message() : QString();
}

/// Where /metrics listens: a port is needed (0 picks one); no host listens
/// on every address.
QString parseMetrics(const QString &text, QString *out)
{
    QString why;
    if (!parseHostPort(text, nullptr, nullptr, &why))
        return QStringLiteral("--metrics: %1").arg(why);
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
    const std::vector<Option> options = withPathOptions({
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
        {QStringLiteral("reset-key"), true,
         [&](const QString &v) {
             return parseNonEmpty(QStringLiteral("reset-key"), v, QStringLiteral("a file name"), &o.resetKeyFile);
         }},
        {QStringLiteral("keep-alive"), true,
         [&](const QString &v) { return parsePositiveDuration(QStringLiteral("keep-alive"), v, &o.keepAlive); }},
        {QStringLiteral("mode"), true,
         [&](const QString &v) -> QString {
             if (!workload::parseMode(v, &o.mode))
                 return QStringLiteral("--mode takes echo, sink, source or hold, not \"%1\".").arg(v);
             return {};
         }},
        {QStringLiteral("verbose"), false,
         [&](const QString &) {
             o.verbose = true;
             return QString();
         }},
        {QStringLiteral("metrics"), true,
         [&](const QString &v) { return parseMetrics(v, &o.metrics); }},
        {QStringLiteral("retry"), true,
         [&](const QString &v) -> QString {
             if (!parseRetryMode(v, &o.retry))
                 return QStringLiteral("--retry takes auto, always or never, not \"%1\".").arg(v);
             return {};
         }},
        {QStringLiteral("retry-threshold"), true,
         [&](const QString &v) { return parseInt(QStringLiteral("retry-threshold"), v, 0, &o.retryThreshold); }},
        {QStringLiteral("max-handshakes"), true,
         [&](const QString &v) { return parseInt(QStringLiteral("max-handshakes"), v, 1, &o.maxHandshakes); }},
        {QStringLiteral("max-handshakes-per-ip"), true,
         [&](const QString &v) {
             return parseInt(QStringLiteral("max-handshakes-per-ip"), v, 1, &o.maxHandshakesPerIp);
         }},
    }, o.path);
    if (QString error = parseOptions(command, args, options); !error.isEmpty())
        return failure(command, error);
    if (o.listen.isEmpty())
        return failure(command, QStringLiteral("quicpool server needs --listen HOST:PORT (port 0 picks a free one)."));
    if (o.certificateFile.isEmpty() != o.privateKeyFile.isEmpty()) {
        return failure(command, o.privateKeyFile.isEmpty()
                                    ? QStringLiteral("--cert needs --key: give the certificate's private key file too.")
                                    : QStringLiteral("--key needs --cert: give the key's certificate file too."));
    }
    if (QString error = configRefusal(toServerPoolConfig(o).validate()); !error.isEmpty())
        return failure(command, error);
    return ParseResult{o, {}, command};
}

ParseResult parseClient(const QStringList &args)
{
    const QString command = QStringLiteral("client");
    ClientOptions o;
    bool minCapGiven = false, maxCapGiven = false, minIntervalGiven = false, maxIntervalGiven = false;
    bool streamsGiven = false, modeGiven = false, reverse = false;
    const std::vector<Option> options = withPathOptions({
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
        {QStringLiteral("ca-file"), true,
         [&](const QString &v) -> QString {
             if (!QFileInfo(v).isReadable())
                 return QStringLiteral("--ca-file \"%1\" cannot be read.").arg(v);
             o.caFile = v;
             return {};
         }},
        {QStringLiteral("mode"), true,
         [&](const QString &v) -> QString {
             workload::Mode mode = workload::Mode::Echo;
             if (!workload::parseMode(v, &mode) || mode == workload::Mode::Hold) {
                 return QStringLiteral("--mode takes echo, sink or source, not \"%1\"%2.")
                     .arg(v, mode == workload::Mode::Hold ? QStringLiteral(" (hold is a server mode)") : QString());
             }
             o.mode = mode;
             modeGiven = true;
             return {};
         }},
        {QStringLiteral("streams"), true,
         [&](const QString &v) {
             streamsGiven = true;
             return parseInt(QStringLiteral("streams"), v, 1, &o.streams);
         }},
        {QStringLiteral("time"), true,
         [&](const QString &v) { return parsePositiveDuration(QStringLiteral("time"), v, &o.duration); }},
        {QStringLiteral("rate"), true,
         [&](const QString &v) -> QString {
             QString why;
             if (!parseRate(v, &o.rate, &why))
                 return QStringLiteral("--rate: %1").arg(why);
             return {};
         }},
        {QStringLiteral("interval"), true,
         [&](const QString &v) -> QString {
             if (QString error = parsePositiveDuration(QStringLiteral("interval"), v, &o.interval); !error.isEmpty())
                 return error;
             // Qt timers and the report's millisecond figures go no finer.
             if (o.interval.count() < 100)
                 return QStringLiteral("--interval must be at least 100ms, not %1.").arg(v);
             return {};
         }},
        {QStringLiteral("reverse"), false,
         [&](const QString &) {
             reverse = true;
             return QString();
         }},
        {QStringLiteral("verbose"), false,
         [&](const QString &) {
             o.verbose = true;
             return QString();
         }},
        {QStringLiteral("metrics"), true,
         [&](const QString &v) { return parseMetrics(v, &o.metrics); }},
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
        {QStringLiteral("handshake-timeout"), true,
         [&](const QString &v) {
             return parsePositiveDuration(QStringLiteral("handshake-timeout"), v, &o.handshakeTimeout);
         }},
    }, o.path);
    if (QString error = parseOptions(command, args, options); !error.isEmpty())
        return failure(command, error);
    if (o.connect.isEmpty())
        return failure(command, QStringLiteral("quicpool client needs --connect HOST:PORT."));
    if (streamsGiven && o.duration.count() > 0) {
        return failure(command, QStringLiteral("--streams and --time both say when to stop: give one of them "
                                               "(--time starts streams until it is up)."));
    }
    if (reverse) {
        if (modeGiven && o.mode != workload::Mode::Source) {
            return failure(command, QStringLiteral("--reverse makes the server send (mode source); it cannot go "
                                                   "with --mode %1.").arg(workload::modeName(o.mode)));
        }
        o.mode = workload::Mode::Source;
    }

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
    if (QString error = configRefusal(toClientPoolConfig(o).validate()); !error.isEmpty())
        return failure(command, error);
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
        {QStringLiteral("profile"), true,
         [&](const QString &v) -> QString {
             o.profiles.clear();
             for (const QString &name : v.split(u',')) {
                 const std::optional<relay::PathProfile> p = relay::pathProfile(name.trimmed());
                 if (!p)
                     return QStringLiteral("--profile takes %1 (or several, comma-separated), not \"%2\".")
                         .arg(relay::pathProfileNames(), name.trimmed());
                 if (!o.profiles.contains(p->name))
                     o.profiles.append(p->name);
             }
             return {};
         }},
        {QStringLiteral("cc"), true,
         [&](const QString &v) -> QString {
             CongestionControl cc{};
             if (v == u"all")
                 o.congestionControl = v;
             else if (parseCongestionControl(v, &cc))
                 o.congestionControl = congestionControlName(cc);
             else
                 return QStringLiteral("--cc takes cubic, reno, bbr or all, not \"%1\".").arg(v);
             return {};
         }},
    };
    if (QString error = parseOptions(command, args, options); !error.isEmpty())
        return failure(command, error);
    return ParseResult{o, {}, command};
}

ParseResult parseRelay(const QStringList &args)
{
    const QString command = QStringLiteral("relay");
    RelayOptions o;
    // --loss-up / --loss-down win over --loss whatever the order.
    std::optional<double> loss, lossUp, lossDown;
    bool lossUpGiven = false, lossDownGiven = false;   // on the command line, not by --profile
    bool queueGiven = false;
    auto percent = [](const char *name, std::optional<double> *out) {
        return [name, out](const QString &v) {
            double value = 0;
            const QString error = parsePercentOption(QLatin1String(name), v, &value);
            if (error.isEmpty())
                *out = value;
            return error;
        };
    };
    auto flagPercent = [](const char *name, double *out) {
        return [name, out](const QString &v) { return parsePercentOption(QLatin1String(name), v, out); };
    };
    const std::vector<Option> options = {
        {QStringLiteral("listen"), true,
         [&](const QString &v) -> QString {
             QString why;
             if (!parseHostPort(v, nullptr, nullptr, &why))
                 return QStringLiteral("--listen: %1").arg(why);
             o.listen = v;
             return {};
         }},
        {QStringLiteral("to"), true, [&](const QString &v) { return parseConnect(QStringLiteral("to"), v, &o.to); }},
        {QStringLiteral("profile"), true,
         [&](const QString &v) -> QString {
             const std::optional<relay::PathProfile> p = relay::pathProfile(v);
             if (!p)
                 return QStringLiteral("--profile takes %1, not \"%2\".").arg(relay::pathProfileNames(), v);
             // What the profile sets comes from the profile itself, so the
             // relay command and the bench's wan workload cannot differ.
             const relay::RelayConfig c = p->applyTo(relay::RelayConfig());
             o.profile = p->name;
             o.delay = c.delay;
             o.jitter = std::chrono::duration_cast<Milliseconds>(c.jitter);
             o.rate = c.rate;
             o.queue = std::chrono::duration_cast<Milliseconds>(c.queue);
             o.mtu = c.mtu;
             loss.reset();
             lossUp = c.lossUp;
             lossDown = c.lossDown;
             lossUpGiven = lossDownGiven = false;
             queueGiven = false;
             return {};
         }},
        {QStringLiteral("delay"), true,
         [&](const QString &v) {
             Milliseconds delay{};
             const QString error = parseNonNegativeDuration(QStringLiteral("delay"), v, &delay);
             if (error.isEmpty())
                 o.delay = delay;
             return error;
         }},
        {QStringLiteral("jitter"), true,
         [&](const QString &v) { return parseNonNegativeDuration(QStringLiteral("jitter"), v, &o.jitter); }},
        {QStringLiteral("loss"), true,
         [&](const QString &v) {
             // After --profile, --loss replaces the profile's loss both ways;
             // --loss-up / --loss-down given on the command line still win.
             if (!o.profile.isEmpty()) {
                 if (!lossUpGiven)
                     lossUp.reset();
                 if (!lossDownGiven)
                     lossDown.reset();
             }
             return percent("loss", &loss)(v);
         }},
        {QStringLiteral("loss-up"), true,
         [&](const QString &v) {
             lossUpGiven = true;
             return percent("loss-up", &lossUp)(v);
         }},
        {QStringLiteral("loss-down"), true,
         [&](const QString &v) {
             lossDownGiven = true;
             return percent("loss-down", &lossDown)(v);
         }},
        {QStringLiteral("rate"), true,
         [&](const QString &v) -> QString {
             QString why;
             if (!parseRate(v, &o.rate, &why))
                 return QStringLiteral("--rate: %1").arg(why);
             return {};
         }},
        {QStringLiteral("queue"), true,
         [&](const QString &v) {
             queueGiven = true;
             return parsePositiveDuration(QStringLiteral("queue"), v, &o.queue);
         }},
        {QStringLiteral("mtu"), true,
         [&](const QString &v) -> QString {
             if (QString error = parseInt(QStringLiteral("mtu"), v, 1, &o.mtu); !error.isEmpty())
                 return error;
             if (o.mtu > relay::kMaxDatagramSize) {
                 return QStringLiteral("--mtu must be at most %1 (the largest UDP payload), not %2.")
                     .arg(relay::kMaxDatagramSize)
                     .arg(v);
             }
             return {};
         }},
        {QStringLiteral("reorder"), true, flagPercent("reorder", &o.reorder)},
        {QStringLiteral("duplicate"), true, flagPercent("duplicate", &o.duplicate)},
        {QStringLiteral("corrupt"), true, flagPercent("corrupt", &o.corrupt)},
        {QStringLiteral("blackhole"), true,
         [&](const QString &v) {
             return parseWindow(QStringLiteral("blackhole"), v, &o.blackholeAt, &o.blackholeFor);
         }},
        {QStringLiteral("rebind-every"), true,
         [&](const QString &v) { return parsePositiveDuration(QStringLiteral("rebind-every"), v, &o.rebindEvery); }},
        {QStringLiteral("seed"), true, [&](const QString &v) { return parseSeed(QStringLiteral("seed"), v, &o.seed); }},
        {QStringLiteral("json"), false,
         [&](const QString &) {
             o.json = true;
             return QString();
         }},
    };
    if (QString error = parseOptions(command, args, options); !error.isEmpty())
        return failure(command, error);
    if (o.listen.isEmpty() || o.to.isEmpty()) {
        return failure(command, QStringLiteral("quicpool relay needs --listen HOST:PORT (where clients send) and "
                                               "--to HOST:PORT (the server)."));
    }
    if (queueGiven && o.rate == 0)
        return failure(command, QStringLiteral("--queue needs --rate: without a rate limit nothing queues."));
    o.lossUp = lossUp.value_or(loss.value_or(0.0));
    o.lossDown = lossDown.value_or(loss.value_or(0.0));
    return ParseResult{o, {}, command};
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
  -V, --version    show the versions of quicpool, ngtcp2 and the TLS library

Options take their value as "--opt value" or "--opt=value".
Durations need a unit: 500ms, 2s, 1.5s, 1m, 1h.
Sizes are bytes, or 64KiB, 1MiB, 1GiB (powers of 1024) or 64KB, 1MB, 1GB
(powers of 1000).
Exit status: 0 success, 1 failure, 2 usage error.
)";

const char kRelayUsage[] = R"(Usage: quicpool relay --listen HOST:PORT --to HOST:PORT [options]

Relays UDP datagrams between the clients that send to --listen and the
server at --to, over an emulated network path: what tc netem does, in user
space, without root. Each client gets its own port towards the server, as
behind a NAT. Prints "relaying HOST:PORT -> HOST:PORT" and the path, then a
line of figures a second, on stderr; SIGINT or SIGTERM prints a summary and
exits 0.

  --listen HOST:PORT  where clients send (required); port 0 picks a free
                      port, ":PORT" listens on every address
  --to HOST:PORT      the server (required)
  --profile NAME      a named internet path (see Profiles below). It sets
                      delay (half the round trip), jitter, loss, rate,
                      queue and mtu: those options given after --profile
                      change its values, given before it they are replaced
  --delay DUR         one-way delay added in EACH direction, so a round trip
                      grows by twice as much (default 0ms)
  --jitter DUR        plus a uniform -DUR..+DUR per datagram, never below
                      0 ms in total; datagrams may overtake each other
                      (default 0ms)
  --loss P%           drop this share of datagrams both ways (default 0%)
  --loss-up P%        client -> server only; wins over --loss
  --loss-down P%      server -> client only; wins over --loss
  --rate RATE         a link of this rate each way, as 400mbit or 50MB:
                      kbit/mbit/gbit are bits, KB/MB/GB (1000) and
                      KiB/MiB/GiB (1024) bytes per second (default: none)
  --queue DUR         with --rate: the queue before the link holds
                      RATE x DUR bytes; more is dropped (default 50ms)
  --mtu BYTES         drop datagrams with a larger UDP payload, as a real
                      path would (default: none, up to 65535)
  --reorder P%        hold a datagram back until the next one of its client
                      has passed (or 10 ms) (default 0%)
  --duplicate P%      send a datagram twice (default 0%)
  --corrupt P%        flip one random bit of a datagram (default 0%)
  --blackhole AT+FOR  drop everything from AT after start for FOR, as in
                      10s+2s (default: none)
  --rebind-every DUR  move every client to a new port towards the server
                      this often, as NAT rebinding does (default: never)
  --seed N            seed of the random decisions: the same seed drops,
                      delays and reorders the same datagrams (default 1)
  --json              at exit, print one JSON object on stdout: datagrams
                      and bytes each way, drops by cause, duplicated,
                      reordered, corrupted, queue delay avg/max in ms,
                      seconds
  -h, --help          show this text

P% needs the % sign: 1%, 0.5%. Clients idle for 2 minutes are forgotten.
Drop causes: loss, mtu, queue (the rate's queue was full), blackhole, failed
(a send failed, or the client's mapping expired while the datagram waited).
The figures each second are that second's; "max" queue delay is since start.

Profiles (each a 400mbit link with a 100ms queue and mtu 1472):
%PROFILE_LINES%)";

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
  --reset-key FILE    stateless reset key (32 bytes or more): a restarted
                      server with the same key ends its previous run's
                      connections at once, so clients redial (default: from
                      --key and the address, or for a generated certificate
                      a key kept in $XDG_STATE_HOME/quicpool/, made once)
  --keep-alive DUR    ping an idle connection this often; it is dropped after
                      three times as long without a sign of life (default 30s)
  --mode MODE         echo, sink, source or hold (default echo)
  --verbose           report every connection and stream, refused sources
                      and the start and end of a handshake flood
  --metrics HOST:PORT serve OpenMetrics text on http://HOST:PORT/metrics
                      (port 0 picks one; printed on stderr)
  -h, --help          show this text

New clients (what an exposed server does under a handshake flood):
  --retry MODE        auto, always or never: when a client must prove its
                      address with a Retry before the server spends a
                      handshake on it; auto once --retry-threshold
                      handshakes are pending (default %RETRY%)
  --retry-threshold N pending handshakes from which auto asks for a Retry
                      (default %RETRY_THRESHOLD%)
  --max-handshakes N  most handshakes pending at once; past it new clients
                      get a Retry, or with --retry never are dropped
                      (default %MAX_HANDSHAKES%)
  --max-handshakes-per-ip N
                      most handshakes pending from one address (default
                      %MAX_HANDSHAKES_PER_IP%)

Path (both ends):
  --cc NAME           congestion control: cubic, reno or bbr (default %CC%)
  --stream-window SIZE  largest receive window one stream may grow to
                      (default 32MiB; 400 Mbit/s over 300 ms needs 15 MB)
  --conn-window SIZE  largest receive window of a connection (default 64MiB)
  --send-buffer SIZE  most unacknowledged data one connection buffers; a
                      stream's buffer grows with the congestion window up to
                      this (default 64MiB)
  --qlog DIR          write one qlog file per connection into DIR (for qvis)

Modes:
  echo     write back every byte received, end when the client ends
  sink     read to the end, check the test pattern, answer with 16 bytes:
           bytes received and bytes wrong (both 64-bit big-endian)
  source   read an 8-byte big-endian count, send that many pattern bytes
  hold     take no stream at all: the pool fills up to --max-cap and stays
           full, so clients see a server pool that has run out of room
)";

const char kClientUsage[] = R"(Usage: quicpool client --connect HOST:PORT [options]

Connects to a server pool, keeps streams ready, and runs --streams streams
(or streams for --time) in the chosen mode, --parallel at a time, each
carrying --bytes of test pattern. Prints a summary line; a failed stream
prints "stream <id> bytes=N ms=X fail: <why>" (with --verbose every stream
does, "... ok"); exits 1 if any stream failed.

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
  --ca-file PEM        with --tls 2, trust the CA certificates in this file
                       besides the system store (SSL_CERT_FILE, SSL_CERT_DIR)
  --mode MODE          echo, sink or source; see "quicpool server --help"
                       (default echo)
  --streams N          streams to run (default 1)
  --time DUR           instead of --streams: start streams one after another
                       for DUR from the first stream on; those running then
                       finish their --bytes
  --parallel P         streams running at once (default 1)
  --bytes SIZE         payload per stream (default 64KiB)
  --rate RATE          hold the payload to RATE in total, as 400mbit or 50MB:
                       kbit/mbit/gbit are bits, KB/MB/GB (1000) and
                       KiB/MiB/GiB (1024) bytes per second (default: none).
                       Echo and sink writes are paced; --reverse spaces the
                       streams' requests, so keep --bytes small next to RATE
  --interval DUR       print a line per DUR (at least 100ms): "interval
                       START-END sent=N sent_mbps=X received=N
                       received_mbps=Y", payload bytes each way
  --reverse            the server sends (mode source), as iperf3 -R
  --json               print one JSON object instead: streams, ok, failed,
                       bytes, seconds, mbps (bytes/seconds/10^6); with
                       --interval also sent_bytes, received_bytes and
                       "intervals": [{start, end, sent_bytes, sent_mbps,
                       received_bytes, received_mbps}]
  --timeout DUR        give up when no stream is ready this long after start
                       (dials that fail meanwhile are retried, backing off),
                       and fail a stream that moves no byte for this long
                       (default 10s)
  --handshake-timeout DUR
                       how long one QUIC handshake may take before the dial
                       is retried (default 10s)
  --verbose            print a line for every stream, not only failed ones
  --metrics HOST:PORT  serve OpenMetrics text on http://HOST:PORT/metrics
                       while running (port 0 picks one; printed on stderr)
  -h, --help           show this text

Path (both ends):
  --cc NAME           congestion control: cubic, reno or bbr (default %CC%)
  --stream-window SIZE  largest receive window one stream may grow to
                      (default 32MiB; 400 Mbit/s over 300 ms needs 15 MB)
  --conn-window SIZE  largest receive window of a connection (default 64MiB)
  --send-buffer SIZE  most unacknowledged data one connection buffers; a
                      stream's buffer grows with the congestion window up to
                      this (default 64MiB)
  --qlog DIR          write one qlog file per connection into DIR (for qvis)
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
  --workload NAME      run this workload only (default: all but relay, which
                       measures the impairment relay, and wan, which takes
                       minutes: they run when named)
  --bytes SIZE         payload per stream (default: set by the workload)
  --connect HOST:PORT  use this server instead of an in-process one
  --cc NAME            congestion control of the QUIC workloads: cubic, reno
                       or bbr (default %CC%); with --workload wan also
                       all, which runs every path with each of the three
  --profile NAME[,NAME]  the wan workload's paths (default: all of them):
                       %PROFILES%
  -h, --help           show this text

The wan workload (run when named) sends one stream to an in-process sink
server through an in-process relay emulating each named path (the profiles
of "quicpool relay --help": 400 Mbit/s = 50 MB/s, mtu 1472, 100 ms queue).
Bytes per path unless --bytes: 128MiB on a path without loss, 16MiB on a
lossy one, 8MiB on a lossy one of 300 ms or more (--quick: 8MiB, 2MiB,
1MiB); a path that does not finish within 30 s plus 25 s per MiB (at most
10 minutes) fails, saying how much was written. Each path and controller
is a workload "wan.PATH.CC" in the table and the JSON, with "profile",
"cc", "round_trip_ms", "loss_percent", "link_mb_per_s" and "bytes" beside
the figures: mb_per_s, link_fraction (mb_per_s / link_mb_per_s),
peak_cwnd_bytes and peak_in_flight_bytes (the client's largest congestion
window and flight), lost_packets (the client's, as ngtcp2 declared them),
min_rtt_ms, seconds, relay_queue_drops and relay_loss_drops (datagrams the
relay dropped from a full queue and at random); a summary table per path
follows the main one.
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
        return ParseResult{HelpRequest{first}, {}, first};

    if (first == u"server")
        return parseServer(rest);
    if (first == u"client")
        return parseClient(rest);
    if (first == u"demo")
        return parseDemo(rest);
    if (first == u"relay")
        return parseRelay(rest);
    return parseBench(rest);
}

QString usageText(QStringView command)
{
    // The default congestion controller is the library's: say it, not a copy.
    const QString cc = congestionControlName(ClientPoolConfig().congestionControl());
    if (command == u"server") {
        const ServerPoolConfig defaults;
        return QString::fromUtf8(kServerUsage)
            .replace(QStringLiteral("%CC%"), cc)
            .replace(QStringLiteral("%RETRY%"), retryModeName(defaults.retryMode()))
            .replace(QStringLiteral("%RETRY_THRESHOLD%"), QString::number(defaults.retryThreshold()))
            .replace(QStringLiteral("%MAX_HANDSHAKES_PER_IP%"), QString::number(defaults.maxPendingHandshakesPerAddress()))
            .replace(QStringLiteral("%MAX_HANDSHAKES%"), QString::number(defaults.maxPendingHandshakes()));
    }
    if (command == u"client")
        return QString::fromUtf8(kClientUsage).replace(QStringLiteral("%CC%"), cc);
    if (command == u"demo")
        return QString::fromUtf8(kDemoUsage);
    if (command == u"bench") {
        return QString::fromUtf8(kBenchUsage)
            .replace(QStringLiteral("%CC%"), cc)
            .replace(QStringLiteral("%PROFILES%"), relay::pathProfileNames());
    }
    if (command == u"relay") {
        QString lines;
        for (const relay::PathProfile &p : relay::pathProfiles())
            lines += QStringLiteral("  %1  %2\n").arg(p.name.leftJustified(18), p.description);
        return QString::fromUtf8(kRelayUsage).replace(QStringLiteral("%PROFILE_LINES%"), lines);
    }
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
