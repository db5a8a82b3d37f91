// Typed errors of libpool: an enum plus a sentence, as QAbstractSocket does.
#pragma once

#include <quicpool/global.h>
#include <QtCore/QMetaType>
#include <QtCore/QObject>
#include <QtCore/QString>

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
};
Q_ENUM_NS(ErrorCode)

/// The generic sentence for a code; Error::message is usually more precise.
QUICPOOL_EXPORT QString errorCodeString(ErrorCode code);

/// A code and a sentence. Default-constructed means "no error".
struct QUICPOOL_EXPORT Error
{
    ErrorCode code = ErrorCode::NoError;
    QString message;

    Error() = default;
    Error(ErrorCode c, QString msg = {});

    bool isError() const { return code != ErrorCode::NoError; }
    explicit operator bool() const { return isError(); }
    /// message if set, otherwise errorCodeString(code).
    QString toString() const;
};

} // namespace quicpool

Q_DECLARE_METATYPE(quicpool::Error)
