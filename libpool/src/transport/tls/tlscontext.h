// The TLS seam, the half the pool layer sees: credentials made from
// options, and the library's random bytes. No TLS-library or ngtcp2 type
// appears here; the per-connection half is tlssession.h. A backend (the
// files under tls/gnutls/) implements both halves.
#pragma once

#include <quicpool/config.h>
#include <quicpool/error.h>
#include <QtCore/QByteArray>
#include <QtCore/QList>
#include <QtCore/QString>
#include <QtNetwork/QSslCertificate>
#include <memory>

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
    QString caFile;                    ///< mode 2: a PEM file of more CAs to trust
};

struct TlsServerOptions
{
    QString certificateFile, privateKeyFile;
    QByteArray certificatePem, privateKeyPem;
    QString selfSignedName = QStringLiteral("localhost"); ///< used when no certificate given
};

/// Long-lived credentials: one per client pool or per listener. The rules
/// every backend shares live here (tlscontext.cpp); the backend supplies
/// the credentials and the chain check.
class TlsContext
{
public:
    virtual ~TlsContext();
    /// Made by the backend the library was built with.
    static std::unique_ptr<TlsContext> createClient(const TlsClientOptions &options, Error *error);
    static std::unique_ptr<TlsContext> createServer(const TlsServerOptions &options, Error *error);

    bool isServer() const { return m_server; }
    /// The server's own leaf certificate (null for clients).
    QSslCertificate localCertificate() const { return m_leaf; }
    const TlsClientOptions &clientOptions() const { return m_client; }
    /// Client contexts: the check every handshake runs on the server's chain
    /// (DER, leaf first): the pin in every mode, chain and hostname in mode 2.
    /// Public so tests reach it without a handshake. Servers accept anything.
    Error verifyServerChain(const QList<QByteArray> &chainDer) const;

protected:
    TlsContext(bool server, const TlsClientOptions &client, const QSslCertificate &leaf)
        : m_server(server), m_client(client), m_leaf(leaf)
    {
    }
    /// Mode 2: the chain up to a trusted CA, and the hostname, by the backend.
    virtual Error verifyChainAndName(const QList<QByteArray> &chainDer) const = 0;

private:
    bool m_server;
    TlsClientOptions m_client;
    QSslCertificate m_leaf;
};

/// Fills buf with cryptographically random bytes (the TLS library's RNG).
void randomBytes(void *buf, size_t len);

/// "GnuTLS 3.7.9", "OpenSSL 3.5.4": the backend and its run-time version.
QString tlsLibraryVersion();

} // namespace quicpool::transport
