// The `quicpool` command line, parsed into plain structs. Usage errors come
// back as sentences (the caller prints them and exits with kUsageExitCode);
// nothing here prints or exits.
#pragma once

#include "appmode.h"

#include <quicpool/config.h>
#include <QtCore/QByteArray>
#include <QtCore/QString>
#include <QtCore/QStringList>
#include <optional>
#include <variant>

namespace quicpool::cli {

inline constexpr int kUsageExitCode = 2;

/// quicpool server --listen HOST:PORT ...
struct ServerOptions
{
    QString listen;                     ///< required; port 0 picks one, empty host listens on all
    int maxCapacity = 1024;             ///< NodePass's default maximum pool
    QString clientIp;                   ///< empty: any client
    QString certificateFile;            ///< with privateKeyFile; neither: self-signed
    QString privateKeyFile;
    Milliseconds keepAlive{30000};
    AppMode mode = AppMode::Echo;
    bool verbose = false;
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
    AppMode mode = AppMode::Echo;       ///< echo, sink or source (never hold)
    int streams = 1;                    ///< streams to run in total
    int parallel = 1;                   ///< streams running at once
    qint64 bytes = 64 * 1024;           ///< payload per stream
    bool json = false;
    /// How long to wait for the first ready stream, and how long a running
    /// stream may go without moving a byte before it counts as failed.
    Milliseconds timeout{10000};
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
};

/// --help: general usage when command is empty, else that command's.
struct HelpRequest
{
    QString command;
};

struct VersionRequest
{
};

using Command = std::variant<ServerOptions, ClientOptions, DemoOptions, BenchOptions, HelpRequest,
                             VersionRequest>;

struct ParseResult
{
    Command command = HelpRequest{};
    QString error;                      ///< usage error sentence; empty on success
    QString commandName;                ///< "server", "client", ...; empty if none was recognised
    bool ok() const { return error.isEmpty(); }
};

/// Parses the arguments after the program name (QCoreApplication::arguments()
/// without its first element). Accepts "--opt value" and "--opt=value".
ParseResult parseArguments(const QStringList &arguments);

/// Usage text for a command ("server", "client", "demo", "bench") or, when
/// command is empty or unknown, the overview of all of them.
QString usageText(QStringView command = {});
/// "quicpool 0.2.0 (ngtcp2 1.24.0, OpenSSL 3.5.7)".
QString versionText();
/// What main prints for a usage error: the sentence and where to find help.
QString usageErrorText(const ParseResult &result);

/// Pool configurations for the options (not yet clamped or validated).
ServerPoolConfig toServerPoolConfig(const ServerOptions &options);
ClientPoolConfig toClientPoolConfig(const ClientOptions &options);

} // namespace quicpool::cli
