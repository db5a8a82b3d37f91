#include "transport/tls/certificatebuilder.h"

#include "transport/tls/gnutls/gnutlsptr.h"

#include <gnutls/crypto.h>
#include <array>

namespace quicpool {

namespace {

// Collects the first GnuTLS failure as a CertificateError sentence.
class Failure
{
public:
    explicit Failure(Error *error) : m_error(error) {}

    /// True when rc is a failure; records "while <what>: <GnuTLS reason>".
    bool check(int rc, const char *what)
    {
        if (rc >= 0)
            return false;
        set(QStringLiteral("Could not issue a certificate: %1 failed: %2")
                .arg(QLatin1String(what), gnutls::errorString(rc)));
        return true;
    }
    void set(const QString &message)
    {
        if (m_error)
            *m_error = Error(ErrorCode::CertificateError, message);
    }

private:
    Error *m_error;
};

bool setSerial(gnutls_x509_crt_t crt, Failure &failure)
{
    // 16 random bytes, positive and without a leading zero byte (RFC 5280
    // wants a positive integer of at most 20 octets).
    std::array<unsigned char, 16> serial{};
    if (failure.check(gnutls_rnd(GNUTLS_RND_NONCE, serial.data(), serial.size()), "gnutls_rnd"))
        return false;
    serial[0] = static_cast<unsigned char>((serial[0] & 0x7f) | 0x40);
    return !failure.check(gnutls_x509_crt_set_serial(crt, serial.data(), serial.size()),
                          "setting the serial number");
}

bool setAltNames(gnutls_x509_crt_t crt, const CertificateSpec &spec, Failure &failure)
{
    for (const QString &dns : spec.dnsNames) {
        const QByteArray name = dns.toUtf8();
        if (failure.check(gnutls_x509_crt_set_subject_alt_name(crt, GNUTLS_SAN_DNSNAME,
                                                               name.constData(), unsigned(name.size()),
                                                               GNUTLS_FSAN_APPEND),
                          "adding a DNS subjectAltName"))
            return false;
    }
    for (const QHostAddress &address : spec.ipAddresses) {
        QByteArray raw;
        if (address.protocol() == QAbstractSocket::IPv4Protocol) {
            const quint32 v4 = address.toIPv4Address();
            raw = QByteArray(4, '\0');
            for (int i = 0; i < 4; ++i)
                raw[i] = char((v4 >> (24 - 8 * i)) & 0xff);
        } else {
            const Q_IPV6ADDR v6 = address.toIPv6Address();
            raw = QByteArray(reinterpret_cast<const char *>(v6.c), 16);
        }
        if (failure.check(gnutls_x509_crt_set_subject_alt_name(crt, GNUTLS_SAN_IPADDRESS,
                                                               raw.constData(), unsigned(raw.size()),
                                                               GNUTLS_FSAN_APPEND),
                          "adding an IP subjectAltName"))
            return false;
    }
    return true;
}

bool setUsage(gnutls_x509_crt_t crt, bool isCa, Failure &failure)
{
    if (failure.check(gnutls_x509_crt_set_basic_constraints(crt, isCa ? 1 : 0, -1),
                      "setting basic constraints"))
        return false;
    const unsigned usage = isCa ? (GNUTLS_KEY_KEY_CERT_SIGN | GNUTLS_KEY_CRL_SIGN)
                                : GNUTLS_KEY_DIGITAL_SIGNATURE;
    if (failure.check(gnutls_x509_crt_set_key_usage(crt, usage), "setting key usage"))
        return false;
    if (!isCa
        && failure.check(gnutls_x509_crt_set_key_purpose_oid(crt, GNUTLS_KP_TLS_WWW_SERVER, 0),
                         "setting extended key usage"))
        return false;
    return true;
}

bool setSubjectKeyId(gnutls_x509_crt_t crt, Failure &failure)
{
    std::array<unsigned char, 64> id{};
    size_t size = id.size();
    if (failure.check(gnutls_x509_crt_get_key_id(crt, GNUTLS_KEYID_USE_SHA1, id.data(), &size),
                      "computing the key identifier"))
        return false;
    return !failure.check(gnutls_x509_crt_set_subject_key_id(crt, id.data(), size),
                          "setting the subject key identifier");
}

} // namespace

CertificateAndKey issueCertificate(const CertificateSpec &spec, const CertificateAndKey *issuer,
                                   Error *error)
{
    Failure failure(error);
    if (spec.commonName.isEmpty()) {
        failure.set(QStringLiteral("Could not issue a certificate: the common name is empty."));
        return {};
    }

    // The issuer first: a bad issuer should not cost a key generation.
    gnutls::CrtPtr issuerCrt;
    gnutls::PrivKeyPtr issuerKey;
    if (issuer) {
        gnutls_x509_crt_t c = nullptr;
        gnutls_x509_privkey_t k = nullptr;
        if (failure.check(gnutls_x509_crt_init(&c), "gnutls_x509_crt_init"))
            return {};
        issuerCrt.reset(c);
        if (failure.check(gnutls_x509_privkey_init(&k), "gnutls_x509_privkey_init"))
            return {};
        issuerKey.reset(k);
        const gnutls_datum_t crtPem = gnutls::view(issuer->certificatePem);
        const gnutls_datum_t keyPem = gnutls::view(issuer->privateKeyPem);
        if (failure.check(gnutls_x509_crt_import(c, &crtPem, GNUTLS_X509_FMT_PEM),
                          "reading the issuer certificate")
            || failure.check(gnutls_x509_privkey_import2(k, &keyPem, GNUTLS_X509_FMT_PEM, nullptr, 0),
                             "reading the issuer key"))
            return {};
    }

    gnutls_x509_privkey_t rawKey = nullptr;
    if (failure.check(gnutls_x509_privkey_init(&rawKey), "gnutls_x509_privkey_init"))
        return {};
    gnutls::PrivKeyPtr key(rawKey);
    if (failure.check(gnutls_x509_privkey_generate(rawKey, GNUTLS_PK_ECDSA,
                                                   GNUTLS_CURVE_TO_BITS(GNUTLS_ECC_CURVE_SECP256R1), 0),
                      "generating an ECDSA P-256 key"))
        return {};

    gnutls_x509_crt_t rawCrt = nullptr;
    if (failure.check(gnutls_x509_crt_init(&rawCrt), "gnutls_x509_crt_init"))
        return {};
    gnutls::CrtPtr crt(rawCrt);

    const QDateTime notBefore = spec.notBefore.isValid()
                                    ? spec.notBefore
                                    : QDateTime::currentDateTimeUtc().addSecs(-3600);
    const QDateTime notAfter = spec.notAfter.isValid() ? spec.notAfter
                                                       : notBefore.addDays(spec.validDays);
    const QByteArray cn = spec.commonName.toUtf8();

    if (failure.check(gnutls_x509_crt_set_version(rawCrt, 3), "setting the version")
        || !setSerial(rawCrt, failure)
        || failure.check(gnutls_x509_crt_set_activation_time(rawCrt, time_t(notBefore.toSecsSinceEpoch())),
                         "setting notBefore")
        || failure.check(gnutls_x509_crt_set_expiration_time(rawCrt, time_t(notAfter.toSecsSinceEpoch())),
                         "setting notAfter")
        || failure.check(gnutls_x509_crt_set_dn_by_oid(rawCrt, GNUTLS_OID_X520_COMMON_NAME, 0,
                                                       cn.constData(), unsigned(cn.size())),
                         "setting the common name")
        || failure.check(gnutls_x509_crt_set_key(rawCrt, rawKey), "setting the public key")
        || !setAltNames(rawCrt, spec, failure) || !setUsage(rawCrt, spec.isCa, failure)
        || !setSubjectKeyId(rawCrt, failure))
        return {};

    if (issuerCrt) {
        std::array<unsigned char, 64> id{};
        size_t size = id.size();
        // An issuer without a subject key identifier is legal; skip the AKI then.
        if (gnutls_x509_crt_get_subject_key_id(issuerCrt.get(), id.data(), &size, nullptr) >= 0
            && failure.check(gnutls_x509_crt_set_authority_key_id(rawCrt, id.data(), size),
                             "setting the authority key identifier"))
            return {};
    }

    if (failure.check(gnutls_x509_crt_sign2(rawCrt, issuerCrt ? issuerCrt.get() : rawCrt,
                                            issuerKey ? issuerKey.get() : rawKey,
                                            GNUTLS_DIG_SHA256, 0),
                      "signing the certificate"))
        return {};

    gnutls::Datum crtPem, keyPem;
    if (failure.check(gnutls_x509_crt_export2(rawCrt, GNUTLS_X509_FMT_PEM, crtPem.get()),
                      "exporting the certificate")
        || failure.check(gnutls_x509_privkey_export2_pkcs8(rawKey, GNUTLS_X509_FMT_PEM, nullptr,
                                                           GNUTLS_PKCS_PLAIN, keyPem.get()),
                         "exporting the private key"))
        return {};

    if (error)
        *error = Error();
    return CertificateAndKey{crtPem.toByteArray(), keyPem.toByteArray()};
}

} // namespace quicpool
