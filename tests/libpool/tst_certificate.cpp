// Fingerprints, their parsing, self-signed generation and the test PKI.
#include "testpki.h"

#include "transport/tls/certificatebuilder.h"
#include <quicpool/certificate.h>

#include <QtCore/QCryptographicHash>
#include <QtCore/QRegularExpression>
#include <QtCore/QTemporaryDir>
#include <QtNetwork/QSslCertificateExtension>
#include <QtNetwork/QSslKey>
#include <QtTest/QtTest>

#include <gnutls/x509.h>

using namespace quicpool;

namespace {

QSslCertificate certificateOf(const CertificateAndKey &pair)
{
    const QList<QSslCertificate> list = QSslCertificate::fromData(pair.certificatePem, QSsl::Pem);
    return list.isEmpty() ? QSslCertificate() : list.first();
}

QVariant extensionValue(const QSslCertificate &certificate, const QString &name)
{
    const QList<QSslCertificateExtension> extensions = certificate.extensions();
    for (const QSslCertificateExtension &extension : extensions)
        if (extension.name() == name)
            return extension.value();
    return {};
}

/// GnuTLS' verdict on leaf signed by ca (0 = verified), independent of libpool.
unsigned gnutlsVerify(const QSslCertificate &leaf, const QSslCertificate &ca, unsigned flags = 0)
{
    gnutls_x509_crt_t leafCrt = nullptr, caCrt = nullptr;
    gnutls_x509_crt_init(&leafCrt);
    gnutls_x509_crt_init(&caCrt);
    const QByteArray leafDer = leaf.toDer(), caDer = ca.toDer();
    const gnutls_datum_t leafDatum{reinterpret_cast<unsigned char *>(const_cast<char *>(leafDer.data())),
                                   unsigned(leafDer.size())};
    const gnutls_datum_t caDatum{reinterpret_cast<unsigned char *>(const_cast<char *>(caDer.data())),
                                 unsigned(caDer.size())};
    unsigned status = ~0u;
    if (gnutls_x509_crt_import(leafCrt, &leafDatum, GNUTLS_X509_FMT_DER) == 0
        && gnutls_x509_crt_import(caCrt, &caDatum, GNUTLS_X509_FMT_DER) == 0
        && gnutls_x509_crt_verify(leafCrt, &caCrt, 1, flags, &status) != 0)
        status = ~0u;
    gnutls_x509_crt_deinit(leafCrt);
    gnutls_x509_crt_deinit(caCrt);
    return status;
}

} // namespace

class TestCertificate : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void initTestCase();

    void fingerprintFormat();
    void fingerprintOfNullCertificate();
    void parseRoundTrip_data();
    void parseRoundTrip();
    void parseFailures_data();
    void parseFailures();

    void selfSignedForDnsName();
    void selfSignedForIpAddress_data();
    void selfSignedForIpAddress();
    void selfSignedSerialsDiffer();
    void selfSignedFailures();

    void testPkiLeafVerifiesAgainstItsCa();
    void testPkiFiles();
    void writeSelfSignedFiles();

private:
    CertificateAndKey m_pair;
    QSslCertificate m_certificate;
    QTemporaryDir m_dir;
};

void TestCertificate::initTestCase()
{
    QVERIFY(m_dir.isValid());
    Error error;
    m_pair = generateSelfSigned(QStringLiteral("quicpool.test"), 30, &error);
    QVERIFY2(!error, qPrintable(error.toString()));
    m_certificate = certificateOf(m_pair);
    QVERIFY(!m_certificate.isNull());
}

void TestCertificate::fingerprintFormat()
{
    // Computed here byte by byte, not with the library's formatting.
    const QByteArray digest = QCryptographicHash::hash(m_certificate.toDer(), QCryptographicHash::Sha256);
    QCOMPARE(digest.size(), 32);
    QStringList parts;
    for (const char byte : digest)
        parts.append(QString::asprintf("%02X", unsigned(static_cast<unsigned char>(byte))));
    const QString expected = QStringLiteral("sha256:") + parts.join(u':');

    const QString fingerprint = certificateFingerprint(m_certificate);
    QCOMPARE(fingerprint, expected);
    QCOMPARE(fingerprintOfDer(m_certificate.toDer()), expected);
    static const QRegularExpression shape(QStringLiteral("^sha256:([0-9A-F]{2}:){31}[0-9A-F]{2}$"));
    QVERIFY2(shape.match(fingerprint).hasMatch(), qPrintable(fingerprint));
    // Qt's own digest of the same certificate agrees.
    QCOMPARE(m_certificate.digest(QCryptographicHash::Sha256), digest);
}

void TestCertificate::fingerprintOfNullCertificate()
{
    QVERIFY(certificateFingerprint(QSslCertificate()).isEmpty());
}

void TestCertificate::parseRoundTrip_data()
{
    QTest::addColumn<QString>("text");
    const QString canonical = certificateFingerprint(m_certificate);
    const QString bare = canonical.mid(7).remove(u':');
    QTest::newRow("canonical") << canonical;
    QTest::newRow("lower-case") << canonical.toLower();
    QTest::newRow("upper-case prefix") << QStringLiteral("SHA256:") + canonical.mid(7);
    QTest::newRow("64 hex digits") << bare;
    QTest::newRow("64 lower-case hex digits") << bare.toLower();
    QTest::newRow("colons without prefix") << canonical.mid(7);
    QTest::newRow("prefix without colons") << QStringLiteral("sha256:") + bare;
    QTest::newRow("surrounding spaces") << QStringLiteral("  ") + canonical + QStringLiteral("\n");
}

void TestCertificate::parseRoundTrip()
{
    QFETCH(QString, text);
    QString error = QStringLiteral("stale");
    const QByteArray pin = parseFingerprint(text, &error);
    QCOMPARE(pin, m_certificate.digest(QCryptographicHash::Sha256));
    QVERIFY2(error.isEmpty(), qPrintable(error));
    QCOMPARE(fingerprintOfDer(m_certificate.toDer()), certificateFingerprint(m_certificate));
}

void TestCertificate::parseFailures_data()
{
    QTest::addColumn<QString>("text");
    QTest::addColumn<QString>("expectedWords");
    const QString bare = certificateFingerprint(m_certificate).mid(7).remove(u':');
    QTest::newRow("empty") << QString() << "empty";
    QTest::newRow("blank") << QStringLiteral("   ") << "empty";
    QTest::newRow("sha1 prefix") << QStringLiteral("sha1:") + bare << "only sha256";
    QTest::newRow("unknown prefix") << QStringLiteral("md5:AA:BB") << "only sha256";
    QTest::newRow("63 digits") << bare.left(63) << "has 63 hexadecimal digits";
    QTest::newRow("66 digits") << bare + QStringLiteral("AB") << "has 66 hexadecimal digits";
    QTest::newRow("prefix only") << QStringLiteral("sha256:") << "has 0 hexadecimal digits";
    QTest::newRow("bad hex") << QStringLiteral("G") + bare.mid(1) << "contains 'G'";
    QTest::newRow("inner space") << bare.left(32) + QStringLiteral(" ") + bare.mid(32)
                                 << "contains ' '";
}

void TestCertificate::parseFailures()
{
    QFETCH(QString, text);
    QFETCH(QString, expectedWords);
    QString error;
    QVERIFY(parseFingerprint(text, &error).isEmpty());
    QVERIFY2(error.contains(expectedWords), qPrintable(error));
    QVERIFY2(error.endsWith(u'.'), qPrintable(error)); // a sentence
    // Without an error pointer it must still fail quietly.
    QVERIFY(parseFingerprint(text).isEmpty());
}

void TestCertificate::selfSignedForDnsName()
{
    const QSslCertificate &c = m_certificate;
    QCOMPARE(c.subjectInfo(QSslCertificate::CommonName), QStringList{"quicpool.test"});
    // Signed by its own key. (QSslCertificate::isSelfSigned() says no: OpenSSL
    // only calls a certificate self-issued when it may sign certificates.)
    QCOMPARE(c.issuerDisplayName(), c.subjectDisplayName());
    QCOMPARE(gnutlsVerify(c, c, GNUTLS_VERIFY_DISABLE_CA_SIGN), 0u);
    const auto names = c.subjectAlternativeNames();
    QCOMPARE(names.values(QSsl::DnsEntry), QStringList{"quicpool.test"});
    QVERIFY(names.values(QSsl::IpAddressEntry).isEmpty());

    QCOMPARE(c.publicKey().algorithm(), QSsl::Ec);
    QCOMPARE(c.publicKey().length(), 256);
    const QSslKey key(m_pair.privateKeyPem, QSsl::Ec, QSsl::Pem, QSsl::PrivateKey);
    QVERIFY2(!key.isNull(), m_pair.privateKeyPem.constData());
    QCOMPARE(key.length(), 256);
    QVERIFY(m_pair.privateKeyPem.startsWith("-----BEGIN PRIVATE KEY-----")); // PKCS#8

    // Valid from an hour ago (clock skew) for the requested 30 days.
    const QDateTime now = QDateTime::currentDateTimeUtc();
    QVERIFY(qAbs(c.effectiveDate().secsTo(now.addSecs(-3600))) < 120);
    QCOMPARE(c.effectiveDate().secsTo(c.expiryDate()), qint64(30) * 24 * 3600);

    // A server leaf: not a CA, signs handshakes, serves TLS.
    const QVariantMap basic = extensionValue(c, QStringLiteral("basicConstraints")).toMap();
    QVERIFY2(basic.contains(QStringLiteral("ca")), "no basicConstraints");
    QCOMPARE(basic.value(QStringLiteral("ca")).toBool(), false);
    const QString keyUsage = extensionValue(c, QStringLiteral("keyUsage")).toStringList().join(u',');
    QVERIFY2(keyUsage.contains(QStringLiteral("Digital Signature")), qPrintable(keyUsage));
    QVERIFY2(!keyUsage.contains(QStringLiteral("Certificate Sign")), qPrintable(keyUsage));
    const QString extended =
        extensionValue(c, QStringLiteral("extendedKeyUsage")).toStringList().join(u',');
    QVERIFY2(extended.contains(QStringLiteral("Server Authentication")), qPrintable(extended));
}

void TestCertificate::selfSignedForIpAddress_data()
{
    QTest::addColumn<QString>("name");
    QTest::newRow("IPv4") << "127.0.0.1";
    QTest::newRow("IPv6") << "::1";
}

void TestCertificate::selfSignedForIpAddress()
{
    QFETCH(QString, name);
    Error error;
    const QSslCertificate c = certificateOf(generateSelfSigned(name, 1, &error));
    QVERIFY2(!error, qPrintable(error.toString()));
    QCOMPARE(c.subjectInfo(QSslCertificate::CommonName), QStringList{name});
    const auto names = c.subjectAlternativeNames();
    const QStringList ips = names.values(QSsl::IpAddressEntry);
    QCOMPARE(ips.size(), 1);
    QCOMPARE(QHostAddress(ips.first()), QHostAddress(name));
    QVERIFY(names.values(QSsl::DnsEntry).isEmpty());
}

void TestCertificate::selfSignedSerialsDiffer()
{
    const QSslCertificate other = certificateOf(generateSelfSigned(QStringLiteral("quicpool.test")));
    QVERIFY(!other.isNull());
    QVERIFY(other.serialNumber() != m_certificate.serialNumber());
    QVERIFY(certificateFingerprint(other) != certificateFingerprint(m_certificate));
}

void TestCertificate::selfSignedFailures()
{
    Error error;
    CertificateAndKey pair = generateSelfSigned(QString(), 365, &error);
    QCOMPARE(error.code(), ErrorCode::CertificateError);
    QVERIFY2(error.message().contains(QStringLiteral("common name is empty")), qPrintable(error.message()));
    QVERIFY(pair.certificatePem.isEmpty() && pair.privateKeyPem.isEmpty());

    pair = generateSelfSigned(QStringLiteral("localhost"), 0, &error);
    QCOMPARE(error.code(), ErrorCode::InvalidConfig);
    QVERIFY2(error.message().contains(QStringLiteral("not 0")), qPrintable(error.message()));
    QVERIFY(pair.certificatePem.isEmpty());

    // A bad issuer is reported, not signed with.
    CertificateAndKey bogusIssuer{"not a certificate", "not a key"};
    pair = issueCertificate(serverSpecFor(QStringLiteral("localhost")), &bogusIssuer, &error);
    QCOMPARE(error.code(), ErrorCode::CertificateError);
    QVERIFY2(error.message().contains(QStringLiteral("issuer certificate")), qPrintable(error.message()));
    QVERIFY(pair.certificatePem.isEmpty());
}

void TestCertificate::testPkiLeafVerifiesAgainstItsCa()
{
    QString error;
    const auto pki = testing::TestPki::create(m_dir.path(), QStringLiteral("server.test"),
                                              {QStringLiteral("127.0.0.1")}, QStringLiteral("a"),
                                              &error);
    QVERIFY2(pki.isValid(), qPrintable(error));
    const auto other = testing::TestPki::create(m_dir.path(), QStringLiteral("server.test"), {},
                                                QStringLiteral("b"), &error);
    QVERIFY2(other.isValid(), qPrintable(error));

    QCOMPARE(pki.leaf.certificate.issuerDisplayName(), QStringLiteral("QuicPool Test CA"));
    QVERIFY(pki.ca.certificate.isSelfSigned());
    QVERIFY(!pki.leaf.certificate.isSelfSigned());
    QCOMPARE(extensionValue(pki.ca.certificate, QStringLiteral("basicConstraints"))
                 .toMap()
                 .value(QStringLiteral("ca"))
                 .toBool(),
             true);
    const auto names = pki.leaf.certificate.subjectAlternativeNames();
    QCOMPARE(names.values(QSsl::DnsEntry), QStringList{"server.test"});
    QCOMPARE(names.values(QSsl::IpAddressEntry), QStringList{"127.0.0.1"});

    QCOMPARE(gnutlsVerify(pki.leaf.certificate, pki.ca.certificate), 0u);
    QVERIFY(gnutlsVerify(pki.leaf.certificate, other.ca.certificate) != 0u);
    QVERIFY(gnutlsVerify(other.leaf.certificate, pki.ca.certificate) != 0u);
    QCOMPARE(gnutlsVerify(other.leaf.certificate, other.ca.certificate), 0u);
}

void TestCertificate::testPkiFiles()
{
    QString error;
    const auto pki = testing::TestPki::create(m_dir.path(), QStringLiteral("localhost"), {},
                                              QStringLiteral("files"), &error);
    QVERIFY2(pki.isValid(), qPrintable(error));
    for (const auto *pair : {&pki.ca, &pki.leaf}) {
        QFile certificate(pair->certificateFile), key(pair->privateKeyFile);
        QVERIFY(certificate.open(QIODevice::ReadOnly));
        QVERIFY(key.open(QIODevice::ReadOnly));
        QCOMPARE(certificate.readAll(), pair->certificatePem);
        QCOMPARE(key.readAll(), pair->privateKeyPem);
        QVERIFY(pair->certificateFile.startsWith(m_dir.path()));
    }

    // A directory that does not exist is an error, not a crash.
    const auto broken = testing::TestPki::create(m_dir.filePath(QStringLiteral("missing/dir")),
                                                 QStringLiteral("localhost"), {},
                                                 QStringLiteral("x"), &error);
    QVERIFY(!broken.isValid());
    QVERIFY2(error.contains(QStringLiteral("cannot write")), qPrintable(error));
}

void TestCertificate::writeSelfSignedFiles()
{
    QString error;
    const auto pair = testing::writeSelfSigned(m_dir.path(), QStringLiteral("127.0.0.1"),
                                               QStringLiteral("self"), &error);
    QVERIFY2(pair.isValid(), qPrintable(error));
    QCOMPARE(gnutlsVerify(pair.certificate, pair.certificate, GNUTLS_VERIFY_DISABLE_CA_SIGN), 0u);
    QVERIFY(QFile::exists(pair.certificateFile));
    QVERIFY(QFile::exists(pair.privateKeyFile));
    QCOMPARE(pair.certificate.subjectAlternativeNames().values(QSsl::IpAddressEntry),
             QStringList{"127.0.0.1"});
}

QTEST_GUILESS_MAIN(TestCertificate)
#include "tst_certificate.moc"
