// Typed errors of libpool: an enum plus a sentence, as QAbstractSocket and
// QSslError do. No exceptions cross the API.
#pragma once

#include <quicpool/global.h>
#include <QtCore/QMetaType>
#include <QtCore/QObject>
#include <QtCore/QSharedDataPointer>
#include <QtCore/QString>

// The private classes' destructors live in the library, so the inline
// special members below never need their definitions.
namespace quicpool {
class ErrorPrivate;
} // namespace quicpool
QT_DECLARE_QESDP_SPECIALIZATION_DTOR_WITH_EXPORT(quicpool::ErrorPrivate, QUICPOOL_EXPORT)

namespace quicpool {

Q_NAMESPACE_EXPORT(QUICPOOL_EXPORT)

enum class ErrorCode {
    NoError = 0,
    InvalidId,              ///< a stream ID that is not 8 hex characters
    InvalidAddress,         ///< an address that does not parse as HOST:PORT
    InvalidConfig,          ///< a configuration value out of range
    ResolveFailed,          ///< the address resolver failed or returned nothing
    AddressInUse,           ///< the listen address is taken
    SocketError,            ///< any other socket-level failure
    CertificateError,       ///< a missing, unreadable or invalid certificate or key
    TlsHandshakeFailed,     ///< the TLS handshake failed (verification, ALPN, alert)
    PinMismatch,            ///< the server certificate does not match the SHA-256 pin
    HandshakeTimeout,       ///< the QUIC handshake did not finish in time
    ConnectionClosed,       ///< the peer closed the connection
    ConnectionLost,         ///< idle timeout, stateless reset or transport error
    Unauthorized,           ///< the server refused this client's IP
    StreamRefused,          ///< the server refused a stream (full pool or handshake error)
    StreamReset,            ///< the peer reset the stream
    StreamNotFound,         ///< no stream with that ID appeared before the timeout
    InsufficientStreams,    ///< no pooled stream was ready before the timeout
    NotStarted,             ///< the pool is not running
    AlreadyStarted,         ///< start() on a running pool
    PoolClosed,             ///< the pool was closed while waiting
    Cancelled,              ///< the request was cancelled by the caller
    Unreachable,            ///< nothing answers at the address (ICMP unreachable)
    WrongThread,            ///< a stream asked for on another thread than its pool's
    QlogError,              ///< the qlog folder cannot be made or written
};
Q_ENUM_NS(ErrorCode)

/// The generic sentence for a code; Error::message() is usually more precise.
QUICPOOL_EXPORT QString errorCodeString(ErrorCode code);

/// A code and the sentence that explains it ("the server certificate
/// sha256:63:24:... does not match the pin"). Default-constructed means
/// "no error". Immutable and implicitly shared: cheap to copy and to send
/// through queued connections.
class QUICPOOL_EXPORT Error
{
public:
    Error() noexcept;
    Error(ErrorCode code, const QString &message = QString());
    Error(const Error &other) noexcept;
    Error(Error &&other) noexcept = default;
    Error &operator=(const Error &other) noexcept;
    Error &operator=(Error &&other) noexcept
    {
        swap(other);
        return *this;
    }
    ~Error();
    void swap(Error &other) noexcept { d.swap(other.d); }

    ErrorCode code() const;
    /// The precise sentence; empty when only the code is known.
    QString message() const;
    bool isError() const { return code() != ErrorCode::NoError; }
    explicit operator bool() const { return isError(); }
    /// message() if set, otherwise errorCodeString(code()).
    QString toString() const;

    friend bool operator==(const Error &a, const Error &b)
    {
        return a.code() == b.code() && a.message() == b.message();
    }
    friend bool operator!=(const Error &a, const Error &b) { return !(a == b); }

private:
    QExplicitlySharedDataPointer<ErrorPrivate> d;
};

} // namespace quicpool

Q_DECLARE_SHARED(quicpool::Error)
Q_DECLARE_METATYPE(quicpool::Error)
