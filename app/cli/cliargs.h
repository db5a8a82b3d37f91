// The `quicpool` command line, parsed into plain structs. Each command's
// options are a table read by QCommandLineParser (optiontable.h; the tables
// are in serverargs.cpp, clientargs.cpp, relayargs.cpp, benchargs.cpp and
// pathargs.cpp). Usage errors come back as sentences (the caller prints
// them and exits with kUsageExitCode); nothing here prints or exits.
#pragma once

#include <workload/protocol.h>

#include <quicpool/config.h>
#include <quicpool/relay/relayconfig.h>
#include <QtCore/QByteArray>
#include <QtCore/QString>
#include <QtCore/QStringList>
#include <optional>
#include <variant>

namespace quicpool::cli {

inline constexpr int kUsageExitCode = 2;

/// What both server and client take about the path and the connection:
/// congestion control, window ceilings, send buffering, qlog.
struct PathOptions
{
    CongestionControl congestionControl = ClientPoolConfig().congestionControl();
    qint64 streamWindow = ClientPoolConfig().maxStreamReceiveWindow();
    qint64 connectionWindow = ClientPoolConfig().maxConnectionReceiveWindow();
    qint64 sendBufferLimit = ClientPoolConfig().sendBufferLimit();
    QString qlogDirectory;              ///< empty: no qlog
    int busyPollUs = 0;                 ///< --busy-poll; 0: off
};

/// Puts the path options into a server or client pool config.
template <typename Config>
void applyPathOptions(Config &config, const PathOptions &o)
{
    config.setCongestionControl(o.congestionControl);
    config.setMaxStreamReceiveWindow(o.streamWindow);
    config.setMaxConnectionReceiveWindow(o.connectionWindow);
    config.setSendBufferLimit(o.sendBufferLimit);
    config.setQlogDirectory(o.qlogDirectory);
    config.setBusyPoll(std::chrono::microseconds(o.busyPollUs));
}

/// quicpool server --listen HOST:PORT ...
struct ServerOptions
{
    QString listen;                     ///< required; port 0 picks one, empty host listens on all
    int maxCapacity = 1024;             ///< NodePass's default maximum pool
    QString clientIp;                   ///< empty: any client
    QString certificateFile;            ///< with privateKeyFile; neither: self-signed
    QString privateKeyFile;
    /// The stateless reset key file; empty: derived from --key, or kept in
    /// defaultResetKeyPath() for a generated certificate.
    QString resetKeyFile;
    Milliseconds keepAlive{30000};
    workload::Mode mode = workload::Mode::Echo;
    bool verbose = false;
    QString metrics;                    ///< HOST:PORT of the /metrics endpoint; empty: none
    PathOptions path;
    /// Admission of new clients (ServerPoolConfig's defaults).
    RetryMode retry = ServerPoolConfig().retryMode();
    int retryThreshold = ServerPoolConfig().retryThreshold();
    int maxHandshakes = ServerPoolConfig().maxPendingHandshakes();
    int maxHandshakesPerIp = ServerPoolConfig().maxPendingHandshakesPerAddress();
};

/// quicpool client --connect HOST:PORT ...
struct ClientOptions
{
    QString connect;                    ///< required; needs a host and a port 1..65535
    int minCapacity = 1;
    /// Default 64, raised to --parallel or --min-cap when they ask for more.
    int maxCapacity = 64;
    Milliseconds minInterval{100};      ///< NodePass defaults: 100 ms ..
    Milliseconds maxInterval{1000};     ///< .. 1 s
    Milliseconds keepAlive{30000};
    TlsMode tlsMode = TlsMode::SelfSigned;
    QString hostname;                   ///< empty: the host of --connect
    QByteArray pinSha256;               ///< 32 bytes from --pin, or empty
    QString caFile;                     ///< --ca-file: mode 2 CAs besides the system store
    workload::Mode mode = workload::Mode::Echo;   ///< echo, sink or source (never hold); --reverse: source
    int streams = 1;                    ///< streams to run in total (without --time)
    Milliseconds duration{0};           ///< --time: start streams for this long; 0: run --streams
    qint64 rate = 0;                    ///< --rate: payload bytes per second in total; 0: as fast as it goes
    Milliseconds interval{0};           ///< --interval: a report this often; 0: none
    bool verbose = false;               ///< a line per stream that succeeded, too
    QString metrics;                    ///< HOST:PORT of the /metrics endpoint; empty: none
    int parallel = 1;                   ///< streams running at once
    qint64 bytes = 64 * 1024;           ///< payload per stream
    bool json = false;
    /// How long to wait for the first ready stream (dials that fail meanwhile
    /// are retried), and how long a running stream may go without moving a
    /// byte before it counts as failed.
    Milliseconds timeout{10000};
    /// How long one QUIC handshake may take before the dial is retried.
    Milliseconds handshakeTimeout{10000};
    PathOptions path;
};

/// quicpool demo [--seconds S]
struct DemoOptions
{
    int seconds = 10;                   ///< 0: until interrupted
};

/// quicpool bench ...; unset optionals mean "the workload's own default".
struct BenchOptions
{
    bool quick = false;
    bool json = false;
    std::optional<int> repeat;
    QString workload;                   ///< empty: every workload
    std::optional<qint64> bytes;
    QString connect;                    ///< empty: an in-process server
    /// --profile: the wan workload's paths (relay::pathProfile() names, as
    /// the library spells them); empty: every profile.
    QStringList profiles;
    /// --cc: a congestionControlName(), or "all" (wan only); empty: the
    /// library's default.
    QString congestionControl;
    /// --busy-poll for both ends of the echo workload (microseconds); 0: off.
    int busyPollUs = 0;
};

/// quicpool relay --listen HOST:PORT --to HOST:PORT ...: the path between
/// them, as RelayConfig describes it (delay is one-way, each direction).
struct RelayOptions
{
    /// --profile NAME as relay::pathProfile() spells it; empty: none. The
    /// profile set delay, jitter, loss, rate, queue and mtu where it stood
    /// on the command line: those options after it win, those before lose.
    QString profile;
    QString listen;                     ///< required; port 0 picks one, ":PORT" every address
    QString to;                         ///< required; the server, with a host and a port 1..65535
    /// One-way, each direction; microseconds since the lan profile's is 0.5 ms.
    relay::RelayConfig::Duration delay{0};
    Milliseconds jitter{0};
    double lossUp = 0;                  ///< 0..1; --loss-up, else --loss
    double lossDown = 0;                ///< 0..1; --loss-down, else --loss
    qint64 rate = 0;                    ///< bytes per second; 0: unlimited
    Milliseconds queue{50};             ///< with a rate only
    int mtu = relay::kMaxDatagramSize;  ///< the default passes every datagram
    double reorder = 0;
    double duplicate = 0;
    double corrupt = 0;
    Milliseconds blackholeAt{0};
    Milliseconds blackholeFor{0};       ///< 0: no blackhole
    Milliseconds rebindEvery{0};        ///< 0: never
    quint64 seed = 1;
    bool json = false;
};

/// --help: general usage when command is empty, else that command's.
struct HelpRequest
{
    QString command;
};

struct VersionRequest
{
};

using Command = std::variant<ServerOptions, ClientOptions, DemoOptions, BenchOptions, RelayOptions, HelpRequest,
                             VersionRequest>;

struct ParseResult
{
    Command command = HelpRequest{};
    QString error;                      ///< usage error sentence; empty on success
    QString commandName;                ///< "server", "client", ...; empty if none was recognised
    QString hint;                       ///< for the line after the error, as "Did you mean --parallel?"; often empty
    bool ok() const { return error.isEmpty(); }
};

/// The one entry point: parses the arguments after the program name
/// (QCoreApplication::arguments() without its first element) into a command
/// or a usage error. Accepts "--opt value", "--opt=value", "-t 10", "-t10"
/// and combined flags ("-RJ"). Pure but for looking at files an option
/// names (--ca-file, --qlog): it makes nothing, needs no QCoreApplication.
ParseResult parseArguments(const QStringList &arguments);

/// One option of a command as its parser knows it: the names without
/// dashes ({"t", "time"}) and the name of its value (empty for a flag).
struct OptionSpelling
{
    QStringList names;
    QString valueName;
};
/// Every option of a command, -h/--help first; empty for an unknown
/// command. For the tests and the checks of the documentation.
QList<OptionSpelling> commandOptions(QStringView command);

/// Usage text for a command ("server", "client", "demo", "bench", "relay") or, when
/// command is empty or unknown, the overview of all of them.
QString usageText(QStringView command = {});
/// "quicpool 0.2.0 (ngtcp2 1.24.0, OpenSSL 3.5.7)".
QString versionText();
/// What main prints for a usage error: the sentence and where to find help.
QString usageErrorText(const ParseResult &result);

/// Pool configurations for the options (not yet clamped or validated).
ServerPoolConfig toServerPoolConfig(const ServerOptions &options);
ClientPoolConfig toClientPoolConfig(const ClientOptions &options);
/// The relay's impairments for the options; the addresses are left for the
/// caller, who resolves --listen and --to.
relay::RelayConfig toRelayConfig(const RelayOptions &options);

} // namespace quicpool::cli
