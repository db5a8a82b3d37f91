// The OpenSSL backend's credentials (an SSL_CTX per client pool or listener),
// shared by its context and session files.
#pragma once

#include "transport/tls/openssl/opensslptr.h"
#include "transport/tls/tlscontext.h"

namespace quicpool::transport {

class OpensslContext final : public TlsContext
{
public:
    OpensslContext(bool server, openssl::SslCtxPtr ctx, const TlsClientOptions &client,
                   const QSslCertificate &leaf)
        : TlsContext(server, client, leaf), m_ctx(std::move(ctx))
    {
    }

    SSL_CTX *sslContext() const { return m_ctx.get(); }

protected:
    Error verifyChainAndName(const QList<QByteArray> &chainDer) const override;

private:
    openssl::SslCtxPtr m_ctx;
};

/// Installs on ctx the callbacks through which every session of it checks
/// its handshake (ALPN on both sides, the server's chain on clients); they
/// live with the session (tlssession_openssl.cpp), which keeps the verdicts.
void installSessionHooks(SSL_CTX *ctx, bool server);

} // namespace quicpool::transport
