// Pool configurations: implicitly shared value classes, so fields can be
// added without breaking the ABI. Setters never fail; validate() says what
// is wrong, clamped() applies NodePass's constructor rules.
#pragma once

#include <quicpool/error.h>
#include <QtCore/QByteArray>
#include <QtCore/QList>
#include <QtCore/QSharedDataPointer>
#include <QtCore/QString>
#include <QtNetwork/QSslCertificate>
#include <chrono>
#include <functional>

// The private classes' destructors live in the library, so the inline
// special members below never need their definitions.
namespace quicpool {
class ClientPoolConfigPrivate;
class ServerPoolConfigPrivate;
} // namespace quicpool
QT_DECLARE_QSDP_SPECIALIZATION_DTOR_WITH_EXPORT(quicpool::ClientPoolConfigPrivate, QUICPOOL_EXPORT)
QT_DECLARE_QSDP_SPECIALIZATION_DTOR_WITH_EXPORT(quicpool::ServerPoolConfigPrivate, QUICPOOL_EXPORT)

namespace quicpool {

using Milliseconds = std::chrono::milliseconds;

/// Client-side TLS behaviour, as NodePass's tls flag.
enum class TlsMode {
    Insecure = 0,    ///< encrypt, do not verify the server certificate
    SelfSigned = 1,  ///< server has a self-signed certificate, not verified
    Verified = 2,    ///< verify chain (system store + extra CAs) and hostname
};

/// The congestion controller of a pool's connections (ngtcp2's three).
/// Loss-based CUBIC and Reno read random loss as congestion; BBR models the
/// path's bandwidth and round trip instead, and keeps a lossy long path full.
enum class CongestionControl {
    Cubic,
    Reno,
    Bbr,
};

/// "cubic", "reno", "bbr"; and back (false for anything else).
QUICPOOL_EXPORT QString congestionControlName(CongestionControl algorithm);
QUICPOOL_EXPORT bool parseCongestionControl(const QString &name, CongestionControl *algorithm);

/// When a server asks a client to prove its address with a Retry (RFC 9000
/// 8.1.2) before it spends a handshake on it.
enum class RetryMode {
    Auto,    ///< once pending handshakes reach ServerPoolConfig::retryThreshold() (a flood)
    Always,  ///< every client without a token: one round trip more, no state for forged sources
    Never,   ///< never; past the pending-handshake bounds new clients are dropped
};

/// "auto", "always", "never"; and back (false for anything else).
QUICPOOL_EXPORT QString retryModeName(RetryMode mode);
QUICPOOL_EXPORT bool parseRetryMode(const QString &name, RetryMode *mode);

/// What an address resolver returns: "host:port", or an error sentence.
struct ResolvedAddress
{
    QString hostPort;
    QString error;
};
/// Called before every dial, so the target can move (NodePass addrResolver).
using AddressResolver = std::function<ResolvedAddress()>;

/// What a ClientPool dials and how it keeps its streams.
class QUICPOOL_EXPORT ClientPoolConfig
{
public:
    ClientPoolConfig();
    ClientPoolConfig(const ClientPoolConfig &other);
    ClientPoolConfig(ClientPoolConfig &&other) noexcept = default;
    ClientPoolConfig &operator=(const ClientPoolConfig &other);
    ClientPoolConfig &operator=(ClientPoolConfig &&other) noexcept
    {
        swap(other);
        return *this;
    }
    ~ClientPoolConfig();
    void swap(ClientPoolConfig &other) noexcept { d.swap(other.d); }

    /// Streams kept pooled: capacity moves between these (default 1..1).
    int minCapacity() const;
    void setMinCapacity(int streams);
    int maxCapacity() const;
    void setMaxCapacity(int streams);
    /// Refill interval bounds (default 1 s..1 s).
    Milliseconds minInterval() const;
    void setMinInterval(Milliseconds interval);
    Milliseconds maxInterval() const;
    void setMaxInterval(Milliseconds interval);
    /// PING when idle this long (default 30 s); the idle timeout is 3 x keepAlive.
    Milliseconds keepAlive() const;
    void setKeepAlive(Milliseconds period);

    TlsMode tlsMode() const;
    void setTlsMode(TlsMode mode);
    /// SNI and the mode-2 verification name; default: the host of address().
    QString hostname() const;
    void setHostname(const QString &name);
    /// "host:port"; a host name is looked up (asynchronously) on each dial.
    /// Used when no resolver is set.
    QString address() const;
    void setAddress(const QString &hostPort);
    /// Optional; called before every dial and overrides address().
    AddressResolver resolver() const;
    void setResolver(const AddressResolver &resolver);
    /// 32-byte SHA-256 of the server's leaf certificate (DER); checked in every mode.
    QByteArray pinSha256() const;
    void setPinSha256(const QByteArray &pin);
    /// Mode 2: trusted besides the system store.
    QList<QSslCertificate> extraCaCertificates() const;
    void setExtraCaCertificates(const QList<QSslCertificate> &certificates);

    /// How long one QUIC handshake may take (default 10 s).
    Milliseconds handshakeTimeout() const;
    void setHandshakeTimeout(Milliseconds timeout);
    /// How long the client waits for a stream's 4-byte ID (default 60 s).
    Milliseconds idReadTimeout() const;
    void setIdReadTimeout(Milliseconds timeout);
    /// A folder for one qlog file per connection; empty (the default): off.
    /// start() makes it if it is missing; validate() and start() refuse one
    /// that cannot be made or written (ErrorCode::QlogError).
    QString qlogDirectory() const;
    void setQlogDirectory(const QString &directory);

    /// The longest wait between failed dials (default 5 s). Waits start at
    /// NodePass's 50 ms and double per failure, with jitter; failures that
    /// dialing again cannot heal (pin, certificate, ALPN, refused IP) wait
    /// this long at once.
    Milliseconds maxBackoff() const;
    void setMaxBackoff(Milliseconds delay);
    /// Mode 2: a PEM file of CA certificates trusted besides the system
    /// store (which honours SSL_CERT_FILE and SSL_CERT_DIR).
    QString caFile() const;
    void setCaFile(const QString &path);

    /// The path settings: see ServerPoolConfig for what each does.
    CongestionControl congestionControl() const;
    void setCongestionControl(CongestionControl algorithm);
    qint64 maxStreamReceiveWindow() const;
    void setMaxStreamReceiveWindow(qint64 bytes);
    qint64 maxConnectionReceiveWindow() const;
    void setMaxConnectionReceiveWindow(qint64 bytes);
    qint64 sendBufferLimit() const;
    void setSendBufferLimit(qint64 bytes);
    std::chrono::microseconds busyPoll() const;
    void setBusyPoll(std::chrono::microseconds budget);

    /// NodePass constructor clamping: caps <= 0 become 1, intervals <= 0
    /// become 1 s, a min above its max is swapped with it.
    ClientPoolConfig clamped() const;
    /// Checks what clamping cannot fix (address, pin length, timeouts).
    Error validate() const;

private:
    QSharedDataPointer<ClientPoolConfigPrivate> d;
};

/// Where a ServerPool listens, with which certificate, and whom it serves.
class QUICPOOL_EXPORT ServerPoolConfig
{
public:
    ServerPoolConfig();
    ServerPoolConfig(const ServerPoolConfig &other);
    ServerPoolConfig(ServerPoolConfig &&other) noexcept = default;
    ServerPoolConfig &operator=(const ServerPoolConfig &other);
    ServerPoolConfig &operator=(ServerPoolConfig &&other) noexcept
    {
        swap(other);
        return *this;
    }
    ~ServerPoolConfig();
    void swap(ServerPoolConfig &other) noexcept { d.swap(other.d); }

    /// Streams pooled at most; also the streams one client may open at once (default 1).
    int maxCapacity() const;
    void setMaxCapacity(int streams);
    /// Only this client address is served; empty (the default): any.
    QString clientIp() const;
    void setClientIp(const QString &address);
    /// "host:port" (default "0.0.0.0:0"); port 0 picks a free one.
    QString listenAddress() const;
    void setListenAddress(const QString &hostPort);
    /// PING when idle this long (default 30 s); the idle timeout is 3 x keepAlive.
    Milliseconds keepAlive() const;
    void setKeepAlive(Milliseconds period);

    /// PEM files, both or neither.
    QString certificateFile() const;
    void setCertificateFile(const QString &path);
    QString privateKeyFile() const;
    void setPrivateKeyFile(const QString &path);
    /// In-memory PEM, an alternative to the files.
    QByteArray certificatePem() const;
    void setCertificatePem(const QByteArray &pem);
    QByteArray privateKeyPem() const;
    void setPrivateKeyPem(const QByteArray &pem);
    /// With no certificate given, one is generated (ECDSA P-256,
    /// self-signed) for this name at start (default "localhost"), as
    /// NodePass mode-1 servers do.
    QString selfSignedName() const;
    void setSelfSignedName(const QString &name);

    /// Refuse streams whose first byte is not 0x00 (default off, as NodePass).
    bool strictHello() const;
    void setStrictHello(bool on);
    /// How long one QUIC handshake may take (default 10 s).
    Milliseconds handshakeTimeout() const;
    void setHandshakeTimeout(Milliseconds timeout);
    /// How long the server waits for a stream's 1-byte hello (default 60 s).
    Milliseconds helloTimeout() const;
    void setHelloTimeout(Milliseconds timeout);
    /// A folder for one qlog file per connection; empty (the default): off.
    /// start() makes it if it is missing; validate() and start() refuse one
    /// that cannot be made or written (ErrorCode::QlogError).
    QString qlogDirectory() const;
    void setQlogDirectory(const QString &directory);

    /// The congestion controller (default BBR: on the paths tunnels cross it
    /// keeps a lossy link full where CUBIC and Reno collapse, and matches
    /// them on clean ones; docs/PERFORMANCE.md has the figures).
    CongestionControl congestionControl() const;
    void setCongestionControl(CongestionControl algorithm);
    /// How far the receive windows may grow as the application keeps up
    /// (auto-tuned by ngtcp2): per stream (default 32 MiB) and per
    /// connection (default 64 MiB). A window is credit, not memory: only
    /// data the application has not read yet takes memory. 400 Mbit/s at
    /// 300 ms needs 15 MB.
    qint64 maxStreamReceiveWindow() const;
    void setMaxStreamReceiveWindow(qint64 bytes);
    qint64 maxConnectionReceiveWindow() const;
    void setMaxConnectionReceiveWindow(qint64 bytes);
    /// The most unacknowledged data one connection's streams may hold
    /// together (default 64 MiB). Each stream's send buffer grows with the
    /// congestion window, so one stream can fill a long fat path, up to this.
    qint64 sendBufferLimit() const;
    void setSendBufferLimit(qint64 bytes);
    /// Busy-polling for round-trip latency (default 0: off): after a batch
    /// of datagrams the pool's thread keeps reading its socket until it has
    /// been quiet this long (at most 1,000 us), instead of sleeping in the
    /// event loop until the next one wakes it. Set it above the round trip
    /// it should catch (100 us on loopback; shorter ones spin and sleep
    /// anyway). The event loop still gets a turn every millisecond. Costs a
    /// busy core while traffic flows.
    std::chrono::microseconds busyPoll() const;
    void setBusyPoll(std::chrono::microseconds budget);
    /// The key stateless reset tokens derive from (32 bytes or more), mixed
    /// (HKDF) with the address as bound: one key can serve every server of
    /// a user or host, each address gets its own secret, and a server
    /// started on port 0 then restarted on the port it got has the same one.
    /// Empty (the default): the private key takes its place, so a server
    /// restarted on the same address resets its old connections and their
    /// clients redial at once; random for a generated certificate (give a
    /// key then to keep that behaviour).
    QByteArray statelessResetKey() const;
    void setStatelessResetKey(const QByteArray &secret);

    /// Admission: handshakes under way (an Initial accepted, the handshake
    /// not complete) are bounded in all (default 256) and per client
    /// address (default 32). Each holds ngtcp2's and the TLS library's
    /// handshake state (about 100 KiB, no file descriptor) until it
    /// completes or its handshake timeout frees it. A client past a bound
    /// gets a Retry (retryMode() Auto or Always) or, with Never or once its
    /// address is proven, nothing: it tries again as after a lost packet.
    int maxPendingHandshakes() const;
    void setMaxPendingHandshakes(int handshakes);
    int maxPendingHandshakesPerAddress() const;
    void setMaxPendingHandshakesPerAddress(int handshakes);
    /// When clients must prove their address first (default Auto). A Retry
    /// costs the server no state and a client one round trip; its token and
    /// the NEW_TOKEN a server gives every connected client derive from the
    /// stateless reset secret, so a client that comes back (to this server,
    /// or to it restarted with the same key) skips the Retry.
    RetryMode retryMode() const;
    void setRetryMode(RetryMode mode);
    /// Auto: pending handshakes from which new clients get a Retry (default 64).
    int retryThreshold() const;
    void setRetryThreshold(int handshakes);

    /// maxCapacity <= 0 becomes 1.
    ServerPoolConfig clamped() const;
    Error validate() const;

private:
    QSharedDataPointer<ServerPoolConfigPrivate> d;
};

/// Whether a qlog folder will do: an existing folder this process may
/// write into, or a missing one it may make (its nearest existing parent a
/// writable folder), as quic-go makes its QLOGDIR. NoError for an empty
/// path (qlog off), else ErrorCode::QlogError and the sentence. It only
/// looks: Pool::start() makes the folder. A relative path is relative to
/// the working directory.
QUICPOOL_EXPORT Error checkQlogDirectory(const QString &directory);

/// Splits "host:port", "[v6]:port" or ":port". False with a sentence on failure.
QUICPOOL_EXPORT bool parseHostPort(const QString &text, QString *host, quint16 *port,
                                   QString *error = nullptr);

} // namespace quicpool

Q_DECLARE_SHARED(quicpool::ClientPoolConfig)
Q_DECLARE_SHARED(quicpool::ServerPoolConfig)
