// Sentences for error codes, and the Error value type.
#include <quicpool/error.h>

namespace quicpool {

class ErrorPrivate : public QSharedData
{
public:
    ErrorPrivate(ErrorCode c, const QString &m) : code(c), message(m) {}
    ErrorCode code;
    QString message;
};

QString errorCodeString(ErrorCode code)
{
    // One sentence per code, for users who see nothing else: say what
    // happened, not which function noticed it.
    switch (code) {
    case ErrorCode::NoError:
        return QStringLiteral("No error.");
    case ErrorCode::InvalidId:
        return QStringLiteral("The stream ID is not 8 hexadecimal characters.");
    case ErrorCode::InvalidAddress:
        return QStringLiteral("The address is not of the form HOST:PORT.");
    case ErrorCode::InvalidConfig:
        return QStringLiteral("A configuration value is out of range.");
    case ErrorCode::ResolveFailed:
        return QStringLiteral("The server address could not be resolved.");
    case ErrorCode::AddressInUse:
        return QStringLiteral("The listen address is already in use.");
    case ErrorCode::SocketError:
        return QStringLiteral("A socket operation failed.");
    case ErrorCode::CertificateError:
        return QStringLiteral("The certificate or private key is missing, unreadable or invalid.");
    case ErrorCode::TlsHandshakeFailed:
        return QStringLiteral("The TLS handshake failed.");
    case ErrorCode::PinMismatch:
        return QStringLiteral("The server certificate does not match the pinned SHA-256 fingerprint.");
    case ErrorCode::HandshakeTimeout:
        return QStringLiteral("The QUIC handshake did not finish in time.");
    case ErrorCode::ConnectionClosed:
        return QStringLiteral("The peer closed the connection.");
    case ErrorCode::ConnectionLost:
        return QStringLiteral("The connection was lost.");
    case ErrorCode::Unauthorized:
        return QStringLiteral("The server refused this client's IP address.");
    case ErrorCode::StreamRefused:
        return QStringLiteral("The server refused the stream.");
    case ErrorCode::StreamReset:
        return QStringLiteral("The peer reset the stream.");
    case ErrorCode::StreamNotFound:
        return QStringLiteral("No stream with that ID appeared before the timeout.");
    case ErrorCode::InsufficientStreams:
        return QStringLiteral("No pooled stream was ready before the timeout.");
    case ErrorCode::NotStarted:
        return QStringLiteral("The pool is not running.");
    case ErrorCode::AlreadyStarted:
        return QStringLiteral("The pool is already running.");
    case ErrorCode::PoolClosed:
        return QStringLiteral("The pool was closed.");
    case ErrorCode::Cancelled:
        return QStringLiteral("The request was cancelled.");
    case ErrorCode::Unreachable:
        return QStringLiteral("Nothing answers at the server address.");
    case ErrorCode::WrongThread:
        return QStringLiteral("A stream can only be handed out on its pool's thread.");
    case ErrorCode::QlogError:
        return QStringLiteral("The qlog folder cannot be made or written.");
    }
    // A value cast from an integer outside the enum: still say something.
    return QStringLiteral("Unknown error %1.").arg(static_cast<int>(code));
}

// "No error" holds no data at all: most Errors in flight are that one.
Error::Error() noexcept = default;

Error::Error(ErrorCode code, const QString &message)
    : d(code == ErrorCode::NoError && message.isEmpty() ? nullptr : new ErrorPrivate(code, message))
{
}

Error::Error(const Error &other) noexcept = default;
Error &Error::operator=(const Error &other) noexcept = default;
Error::~Error() = default;

ErrorCode Error::code() const
{
    return d ? d->code : ErrorCode::NoError;
}

QString Error::message() const
{
    return d ? d->message : QString();
}

QString Error::toString() const
{
    const QString m = message();
    return m.isEmpty() ? errorCodeString(code()) : m;
}

} // namespace quicpool

QT_DEFINE_QESDP_SPECIALIZATION_DTOR(quicpool::ErrorPrivate)
