// A QUIC-ready TLS session that is not ours, for tests that hand-drive a
// handshake against what another implementation might offer (its own ALPN
// list, none at all, other groups), and what such tests read from our own
// sessions' native handles. Made with the TLS library the library was built
// with: a process can link only one ngtcp2 crypto helper, as they define the
// same ngtcp2_crypto_* symbols. One file per backend implements it
// (foreigntls_<QUICPOOL_TLS>.cpp).
#pragma once

#include "testpki.h"

#include <QtCore/QByteArray>
#include <QtCore/QList>
#include <QtCore/QString>
#include <memory>

struct ngtcp2_crypto_conn_ref;

namespace quicpool::testing {

struct ForeignTlsOptions
{
    bool server = false;
    /// Client: what it offers; server: what it accepts. Empty: no ALPN at
    /// all. A server that shares none with the client selects nothing.
    QList<QByteArray> alpn;
    /// Client: offer only a key exchange (FFDHE2048) our servers refuse.
    bool onlyUnsupportedGroup = false;
    /// Server: its certificate (clients verify nothing).
    const PemPair *certificate = nullptr;
};

class ForeignTls
{
public:
    virtual ~ForeignTls() = default;
    /// Null on failure. connRef must outlive the session.
    static std::unique_ptr<ForeignTls> create(const ForeignTlsOptions &options,
                                              ngtcp2_crypto_conn_ref *connRef);
    /// What ngtcp2_conn_set_tls_native_handle() wants.
    virtual void *nativeHandle() = 0;
};

/// The SNI a server session received, read from its native handle (ours or
/// foreign); empty when none was sent.
QString serverNameSeen(void *serverNativeHandle);

/// TLS's no_application_protocol alert (120), as the backend's header names it.
int noApplicationProtocolAlert();

} // namespace quicpool::testing
