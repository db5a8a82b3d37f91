// The one seam between the QUIC transport and the TLS library.
// Everything GnuTLS-specific lives in tls_gnutls.cpp; a different backend
// (OpenSSL 3.5's QUIC API, say) would replace that file only.
#pragma once

#include <quicpool/config.h>
#include <quicpool/error.h>
#include <QtCore/QByteArray>
#include <QtCore/QList>
#include <QtCore/QString>
#include <QtNetwork/QSslCertificate>
#include <memory>

struct ngtcp2_crypto_conn_ref;

namespace quicpool::transport {

/// ALPN both sides insist on (NodePass compatibility).
inline constexpr char kAlpn[] = "np-quic";

struct TlsClientOptions
{
    TlsMode mode = TlsMode::Insecure;
    /// SNI (never sent for IP literals, as in Go) and the mode-2 name check;
    /// required in mode 2 (a DNS name or an IP literal without brackets).
    QString hostname;
    QByteArray pinSha256;              ///< 32 bytes or empty; checked in every mode
    QList<QSslCertificate> extraCaCertificates; ///< mode 2, besides the system store
};

struct TlsServerOptions
{
    QString certificateFile, privateKeyFile;
    QByteArray certificatePem, privateKeyPem;
    QString selfSignedName = QStringLiteral("localhost"); ///< used when no certificate given
};

/// Long-lived credentials: one per client pool or per listener.
class TlsContext
{
public:
    virtual ~TlsContext() = default;
    static std::unique_ptr<TlsContext> createClient(const TlsClientOptions &options, Error *error);
    static std::unique_ptr<TlsContext> createServer(const TlsServerOptions &options, Error *error);

    virtual bool isServer() const = 0;
    /// The server's own leaf certificate (null for clients).
    virtual QSslCertificate localCertificate() const = 0;
    /// Client contexts: the check every handshake runs on the server's chain
    /// (DER, leaf first): the pin in every mode, chain and hostname in mode 2.
    /// Public so tests reach it without a handshake. Servers accept anything.
    virtual Error verifyServerChain(const QList<QByteArray> &chainDer) const = 0;
};

/// Facts about a finished handshake.
struct TlsDetails
{
    QString version;   ///< "TLS1.3"
    QString cipher;    ///< IANA name, e.g. "TLS_AES_128_GCM_SHA256"
    QString alpn;
    QList<QSslCertificate> peerCertificates;
};

/// One TLS session bound to one ngtcp2 connection.
class TlsSession
{
public:
    virtual ~TlsSession() = default;
    /// connRef and context must outlive the session; ngtcp2's crypto helper
    /// reaches the connection through connRef.
    static std::unique_ptr<TlsSession> create(TlsContext &context, ngtcp2_crypto_conn_ref *connRef,
                                              Error *error);

    /// The pointer ngtcp2_conn_set_tls_native_handle() wants.
    virtual void *nativeHandle() = 0;
    virtual TlsDetails details() const = 0;
    /// After a failed handshake: why, in a sentence, and the best code
    /// (PinMismatch, TlsHandshakeFailed). Empty message if nothing is known.
    virtual Error failure() const = 0;
};

/// Fills buf with cryptographically random bytes (GnuTLS' RNG).
void randomBytes(void *buf, size_t len);

} // namespace quicpool::transport
