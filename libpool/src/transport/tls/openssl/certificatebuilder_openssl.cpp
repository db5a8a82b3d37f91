// Issues certificates with OpenSSL: a fresh ECDSA P-256 key, a random
// serial, the names and usages of a CA or a server leaf, signed with SHA-256.
#include "transport/tls/certificatebuilder.h"

#include "transport/tls/openssl/opensslptr.h"

#include <openssl/pem.h>
#include <openssl/rand.h>
#include <array>

namespace quicpool {

namespace {

/// Never asks for a pass phrase (OpenSSL's default prompts on the terminal).
int refusePassword(char *, int, int, void *)
{
    return -1;
}

// Collects the first OpenSSL failure as a CertificateError sentence.
class Failure
{
public:
    explicit Failure(Error *error) : m_error(error) {}

    /// True when ok is false; records "<what> failed: <OpenSSL reason>".
    bool check(bool ok, const char *what)
    {
        if (ok)
            return false;
        set(QStringLiteral("Could not issue a certificate: %1 failed: %2.")
                .arg(QLatin1String(what), openssl::takeErrorString()));
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

bool setSerial(X509 *crt, Failure &failure)
{
    // 16 random bytes, positive and without a leading zero byte (RFC 5280
    // wants a positive integer of at most 20 octets).
    std::array<unsigned char, 16> serial{};
    if (failure.check(RAND_bytes(serial.data(), int(serial.size())) == 1, "RAND_bytes"))
        return false;
    serial[0] = static_cast<unsigned char>((serial[0] & 0x7f) | 0x40);
    const openssl::BignumPtr number(BN_bin2bn(serial.data(), int(serial.size()), nullptr));
    const openssl::Asn1IntegerPtr integer(number ? BN_to_ASN1_INTEGER(number.get(), nullptr) : nullptr);
    return !failure.check(integer && X509_set_serialNumber(crt, integer.get()) == 1,
                          "setting the serial number");
}

bool setValidity(X509 *crt, const CertificateSpec &spec, Failure &failure)
{
    const QDateTime notBefore = spec.notBefore.isValid()
                                    ? spec.notBefore
                                    : QDateTime::currentDateTimeUtc().addSecs(-3600);
    const QDateTime notAfter = spec.notAfter.isValid() ? spec.notAfter : notBefore.addDays(spec.validDays);
    return !failure.check(ASN1_TIME_set(X509_getm_notBefore(crt), time_t(notBefore.toSecsSinceEpoch()))
                              && ASN1_TIME_set(X509_getm_notAfter(crt), time_t(notAfter.toSecsSinceEpoch())),
                          "setting the validity");
}

/// Appends one name to names; value is the IA5String of a dNSName or the
/// raw bytes of an iPAddress.
bool addName(GENERAL_NAMES *names, int type, const QByteArray &value)
{
    GENERAL_NAME *name = GENERAL_NAME_new();
    ASN1_STRING *string = ASN1_STRING_type_new(type == GEN_DNS ? V_ASN1_IA5STRING : V_ASN1_OCTET_STRING);
    if (!name || !string || ASN1_STRING_set(string, value.constData(), int(value.size())) != 1) {
        GENERAL_NAME_free(name);
        ASN1_STRING_free(string);
        return false;
    }
    GENERAL_NAME_set0_value(name, type, string);
    if (!sk_GENERAL_NAME_push(names, name)) {
        GENERAL_NAME_free(name);
        return false;
    }
    return true;
}

bool setAltNames(X509 *crt, const CertificateSpec &spec, Failure &failure)
{
    if (spec.dnsNames.isEmpty() && spec.ipAddresses.isEmpty())
        return true;
    const openssl::GeneralNamesPtr names(GENERAL_NAMES_new());
    bool ok = bool(names);
    for (const QString &dns : spec.dnsNames)
        ok = ok && addName(names.get(), GEN_DNS, dns.toUtf8());
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
        ok = ok && addName(names.get(), GEN_IPADD, raw);
    }
    return !failure.check(ok && X509_add1_ext_i2d(crt, NID_subject_alt_name, names.get(), 0, X509V3_ADD_DEFAULT) == 1,
                          "adding the subjectAltNames");
}

/// One extension in OpenSSL's configuration syntax ("critical,CA:TRUE"),
/// with issuer and subject known for the key identifiers.
bool addExtension(X509 *crt, X509 *issuer, int nid, const char *value, Failure &failure)
{
    X509V3_CTX context;
    X509V3_set_ctx(&context, issuer, crt, nullptr, nullptr, 0);
    const openssl::X509ExtensionPtr extension(X509V3_EXT_conf_nid(nullptr, &context, nid, value));
    return !failure.check(extension && X509_add_ext(crt, extension.get(), -1) == 1, OBJ_nid2sn(nid));
}

bool setUsage(X509 *crt, X509 *issuer, bool isCa, Failure &failure)
{
    if (isCa)
        return addExtension(crt, issuer, NID_basic_constraints, "critical,CA:TRUE", failure)
               && addExtension(crt, issuer, NID_key_usage, "critical,keyCertSign,cRLSign", failure);
    return addExtension(crt, issuer, NID_basic_constraints, "critical,CA:FALSE", failure)
           && addExtension(crt, issuer, NID_key_usage, "critical,digitalSignature", failure)
           && addExtension(crt, issuer, NID_ext_key_usage, "serverAuth", failure);
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
    ERR_clear_error();

    // The issuer first: a bad issuer should not cost a key generation.
    openssl::X509Ptr issuerCrt;
    openssl::EvpPkeyPtr issuerKey;
    if (issuer) {
        const openssl::BioPtr crtBio = openssl::readBio(issuer->certificatePem);
        issuerCrt.reset(crtBio ? PEM_read_bio_X509(crtBio.get(), nullptr, refusePassword, nullptr) : nullptr);
        if (failure.check(bool(issuerCrt), "reading the issuer certificate"))
            return {};
        const openssl::BioPtr keyBio = openssl::readBio(issuer->privateKeyPem);
        issuerKey.reset(keyBio ? PEM_read_bio_PrivateKey(keyBio.get(), nullptr, refusePassword, nullptr)
                               : nullptr);
        if (failure.check(bool(issuerKey), "reading the issuer key"))
            return {};
    }

    const openssl::EvpPkeyPtr key(EVP_EC_gen("P-256"));
    if (failure.check(bool(key), "generating an ECDSA P-256 key"))
        return {};
    const openssl::X509Ptr crt(X509_new());
    if (failure.check(bool(crt), "X509_new"))
        return {};
    X509 *signer = issuerCrt ? issuerCrt.get() : crt.get();

    X509_NAME *subject = X509_get_subject_name(crt.get());
    const QByteArray cn = spec.commonName.toUtf8();
    if (failure.check(X509_set_version(crt.get(), X509_VERSION_3) == 1, "setting the version")
        || !setSerial(crt.get(), failure) || !setValidity(crt.get(), spec, failure)
        || failure.check(X509_NAME_add_entry_by_NID(subject, NID_commonName, MBSTRING_UTF8,
                                                    reinterpret_cast<const unsigned char *>(cn.constData()),
                                                    int(cn.size()), -1, 0)
                             == 1,
                         "setting the common name")
        || failure.check(X509_set_issuer_name(crt.get(), X509_get_subject_name(signer)) == 1,
                         "setting the issuer name")
        || failure.check(X509_set_pubkey(crt.get(), key.get()) == 1, "setting the public key")
        || !setAltNames(crt.get(), spec, failure) || !setUsage(crt.get(), signer, spec.isCa, failure)
        || !addExtension(crt.get(), signer, NID_subject_key_identifier, "hash", failure))
        return {};
    // An issuer without a subject key identifier is legal; skip the AKI then.
    if (issuerCrt && X509_get0_subject_key_id(issuerCrt.get())
        && !addExtension(crt.get(), signer, NID_authority_key_identifier, "keyid", failure))
        return {};

    if (failure.check(X509_sign(crt.get(), issuerKey ? issuerKey.get() : key.get(), EVP_sha256()) > 0,
                      "signing the certificate"))
        return {};

    // PEM_write_bio_PrivateKey writes PKCS#8 ("BEGIN PRIVATE KEY").
    const openssl::BioPtr crtPem(BIO_new(BIO_s_mem()));
    const openssl::BioPtr keyPem(BIO_new(BIO_s_mem()));
    if (failure.check(crtPem && PEM_write_bio_X509(crtPem.get(), crt.get()) == 1, "exporting the certificate")
        || failure.check(keyPem
                             && PEM_write_bio_PrivateKey(keyPem.get(), key.get(), nullptr, nullptr, 0, nullptr,
                                                         nullptr)
                                    == 1,
                         "exporting the private key"))
        return {};

    ERR_clear_error(); // nothing left for the next SSL_get_error() to misread
    if (error)
        *error = Error();
    return CertificateAndKey{openssl::bioContents(crtPem.get()), openssl::bioContents(keyPem.get())};
}

} // namespace quicpool
