// The GnuTLS backend's credentials (gnutls_certificate_credentials_t), shared
// by its context and session files.
#pragma once

#include "transport/tls/gnutls/gnutlsptr.h"
#include "transport/tls/tlscontext.h"

namespace quicpool::transport {

class GnutlsContext final : public TlsContext
{
public:
    GnutlsContext(bool server, gnutls::CredentialsPtr credentials, const TlsClientOptions &client,
                  const QSslCertificate &leaf)
        : TlsContext(server, client, leaf), m_credentials(std::move(credentials))
    {
    }

    gnutls_certificate_credentials_t credentials() const { return m_credentials.get(); }

protected:
    Error verifyChainAndName(const QList<QByteArray> &chainDer) const override;

private:
    gnutls::CredentialsPtr m_credentials;
};

} // namespace quicpool::transport
