// Certificate helpers: fingerprints in NodePass's form, self-signed generation.
#pragma once

#include <quicpool/error.h>
#include <QtCore/QByteArray>
#include <QtCore/QString>
#include <QtNetwork/QSslCertificate>

namespace quicpool {

/// "sha256:AA:BB:..." (upper-case, colon separated) of the certificate's DER.
QUICPOOL_EXPORT QString certificateFingerprint(const QSslCertificate &certificate);
/// Same, from raw DER bytes.
QUICPOOL_EXPORT QString fingerprintOfDer(const QByteArray &der);
/// Parses "sha256:AA:BB:..." or 64 hex digits (colons optional, any case)
/// into 32 raw bytes. Empty result and a sentence on failure.
QUICPOOL_EXPORT QByteArray parseFingerprint(const QString &text, QString *error = nullptr);

/// A PEM certificate and key pair.
struct CertificateAndKey
{
    QByteArray certificatePem;
    QByteArray privateKeyPem;
};

/// Generates an ECDSA P-256 self-signed certificate for commonName (also a
/// subjectAltName: DNS name, or IP address when it parses as one), valid
/// from an hour ago for validDays days.
QUICPOOL_EXPORT CertificateAndKey generateSelfSigned(const QString &commonName, int validDays = 365,
                                                     Error *error = nullptr);

} // namespace quicpool
