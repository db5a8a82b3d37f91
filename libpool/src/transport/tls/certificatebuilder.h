// Issues X.509 certificates with fresh ECDSA P-256 keys. Behind
// quicpool::generateSelfSigned, and the test PKI builds CAs and leaves with it.
// The signing is the TLS backend's (certificatebuilder_<backend>.cpp).
#pragma once

#include <quicpool/certificate.h>
#include <quicpool/error.h>
#include <QtCore/QDateTime>
#include <QtCore/QList>
#include <QtCore/QStringList>
#include <QtNetwork/QHostAddress>

namespace quicpool {

struct CertificateSpec
{
    QString commonName;
    QStringList dnsNames;              ///< subjectAltName dNSName entries
    QList<QHostAddress> ipAddresses;   ///< subjectAltName iPAddress entries
    bool isCa = false;                 ///< CA: keyCertSign; leaf: digitalSignature + serverAuth
    int validDays = 365;
    /// Validity; when null, notBefore is an hour ago (clock skew) and
    /// notAfter is notBefore + validDays.
    QDateTime notBefore, notAfter;
};

/// A spec for a server leaf named name: CN = name, SAN = the IP address when
/// name parses as one, otherwise the DNS name.
CertificateSpec serverSpecFor(const QString &name, int validDays = 365);

/// Makes a certificate for spec with a new key, signed by issuer (a PEM
/// certificate and key), or self-signed when issuer is null. The key comes
/// back as PKCS#8 PEM. Empty pair and *error set on failure.
CertificateAndKey issueCertificate(const CertificateSpec &spec,
                                   const CertificateAndKey *issuer = nullptr,
                                   Error *error = nullptr);

} // namespace quicpool
