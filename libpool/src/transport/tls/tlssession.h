// The TLS seam, the half only the transport sees: one TLS session bound to
// one ngtcp2 connection through ngtcp2's crypto helper.
#pragma once

#include "transport/tls/tlscontext.h"

struct ngtcp2_crypto_conn_ref;

namespace quicpool::transport {

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

} // namespace quicpool::transport
