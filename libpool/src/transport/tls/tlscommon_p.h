// What every TLS backend shares: reading the server's credentials from
// files, memory or a generated certificate, checking client options, and
// the sentences users see. Only backends include this.
#pragma once

#include "transport/tls/tlscontext.h"

namespace quicpool::transport::tls {

inline constexpr int kSha256Size = 32;

/// The server's certificate chain and key as PEM, with the names sentences
/// use for them ("certificate file \"/etc/x.pem\"").
struct ServerCredentials
{
    QByteArray certificatePem, keyPem;
    QString certificateName, keyName;
};

/// From files, memory, or a freshly generated self-signed certificate.
bool loadServerCredentials(const TlsServerOptions &options, ServerCredentials *out, Error *error);
/// Pin length and the mode-2 hostname.
bool checkClientOptions(const TlsClientOptions &options, Error *error);
/// Mode 2's CAs besides the system store: the extra certificates and those
/// of the CA file. False and *error when the file cannot be read or holds
/// no PEM certificate.
bool extraTrustedCas(const TlsClientOptions &options, QList<QSslCertificate> *out, Error *error);

Error certificateError(const QString &message);
void setError(Error *error, const Error &value);
bool isIpLiteral(const QString &host);
/// "The client did not offer the ALPN protocol "np-quic"." and the server's twin.
QString alpnFailure(bool server);
/// The raw bytes of an IP literal (4 or 16), for iPAddress SAN checks.
QByteArray ipAddressBytes(const QString &host);

} // namespace quicpool::transport::tls
