// Pure checks of what the user typed into the pool forms, before any pool
// is touched. Each function returns per-field sentences; an empty map means
// the input is good and the out-parameter holds the resulting config.
#pragma once

#include <quicpool/config.h>
#include <QtCore/QByteArray>
#include <QtCore/QMap>
#include <QtCore/QString>

namespace quicpool::diag {

/// Field name -> sentence. The empty field name "" holds form-wide errors.
using FieldErrors = QMap<QString, QString>;

/// The path settings both pool forms share, with the library's defaults.
struct PathForm
{
    QString congestionControl = congestionControlName(ClientPoolConfig().congestionControl());
    int streamWindowKiB = int(ClientPoolConfig().maxStreamReceiveWindow() / 1024);
    int connectionWindowKiB = int(ClientPoolConfig().maxConnectionReceiveWindow() / 1024);
    int sendBufferKiB = int(ClientPoolConfig().sendBufferLimit() / 1024);
    int busyPollUs = int(ClientPoolConfig().busyPoll().count());
};

/// Per-field sentences for the path settings ("congestionControl",
/// "streamWindow", "connectionWindow", "sendBuffer", "busyPoll"): 64 KiB to
/// 1 GiB each, the connection's window at least a stream's, busy-polling
/// 0 (off) to 1000 us.
FieldErrors checkPathForm(const PathForm &form);

/// The qlog rows both pool forms share: off, or one qlog file per
/// connection in a folder.
struct QlogForm
{
    bool enabled = false;
    QString directory;
};

/// The sentence for a qlog folder that cannot be used, or an empty string:
/// a full path, and then quicpool::checkQlogDirectory()'s rule (a writable
/// folder, or a missing one its nearest existing parent lets us make).
QString checkQlogFolder(const QString &path);
/// {"qlogDirectory": sentence} when qlog is on and the folder will not do.
FieldErrors checkQlogForm(const QlogForm &form);
/// Makes the folder of a config's qlogDirectory if it is missing; empty
/// when done or nothing was asked, otherwise the sentence. (The pools'
/// start() makes it too, and fails with ErrorCode::QlogError when it
/// cannot.)
QString prepareQlogFolder(const QString &directory);

/// The client pool form exactly as typed (spin boxes give ints).
struct ClientForm
{
    QString address = QStringLiteral("127.0.0.1:10101");
    int minCapacity = 4;
    int maxCapacity = 16;
    int minIntervalMs = 100;
    int maxIntervalMs = 1000;
    int keepAliveMs = 30000;
    int tlsMode = 1;
    QString hostname;
    QString pin;
    QString caFile;         ///< mode 2: extra CA certificates (PEM)
    int maxBackoffMs = int(ClientPoolConfig().maxBackoff().count());
    PathForm path;
    QlogForm qlog;
};

/// The server pool form exactly as typed.
struct ServerForm
{
    QString listenAddress = QStringLiteral("127.0.0.1:0");
    int maxCapacity = 16;
    QString clientIp;
    bool generateSelfSigned = true;
    QString selfSignedName = QStringLiteral("localhost");
    QString certificateFile;
    QString privateKeyFile;
    int keepAliveMs = 30000;
    /// Address validation: when clients get a Retry, and (Auto) from how
    /// many pending handshakes on; ServerPoolConfig's defaults.
    RetryMode retryMode = ServerPoolConfig().retryMode();
    int retryThreshold = ServerPoolConfig().retryThreshold();
    PathForm path;
    QlogForm qlog;
};

/// "host:port" where the port must be 1..65535 (or 0 too with allowPortZero).
/// Returns the sentence, or an empty string when the address is good.
QString checkAddress(const QString &text, bool allowPortZero);
/// An empty string (any address) or an IPv4/IPv6 literal.
QString checkIpAddress(const QString &text);
/// Exactly 8 hexadecimal characters, as the pool's stream IDs.
QString checkStreamId(const QString &text);
/// Hex digits, optionally separated by spaces, colons or dashes; even count.
QString checkHex(const QString &text, QByteArray *bytes = nullptr);
/// A readable PEM certificate file (what: "certificate" or "key").
QString checkCertificateFile(const QString &path);
QString checkPrivateKeyFile(const QString &path);
/// Empty, or a SHA-256 fingerprint in any form parseFingerprint accepts.
QString checkPin(const QString &text, QByteArray *pin = nullptr);

FieldErrors validateClientForm(const ClientForm &form, ClientPoolConfig *config = nullptr);
FieldErrors validateServerForm(const ServerForm &form, ServerPoolConfig *config = nullptr);

} // namespace quicpool::diag
