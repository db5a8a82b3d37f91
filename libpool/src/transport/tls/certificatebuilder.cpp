// The backend-neutral half of certificate making: what a server leaf looks
// like, and the public generateSelfSigned(). The backend signs
// (certificatebuilder_<backend>.cpp).
#include "transport/tls/certificatebuilder.h"

namespace quicpool {

CertificateSpec serverSpecFor(const QString &name, int validDays)
{
    CertificateSpec spec;
    spec.commonName = name;
    spec.validDays = validDays;
    QHostAddress address;
    if (address.setAddress(name))
        spec.ipAddresses.append(address);
    else
        spec.dnsNames.append(name);
    return spec;
}

CertificateAndKey generateSelfSigned(const QString &commonName, int validDays, Error *error)
{
    if (validDays <= 0) {
        if (error)
            *error = Error(ErrorCode::InvalidConfig,
                           QStringLiteral("A self-signed certificate must be valid for at least "
                                          "one day, not %1.")
                               .arg(validDays));
        return {};
    }
    return issueCertificate(serverSpecFor(commonName, validDays), nullptr, error);
}

} // namespace quicpool
