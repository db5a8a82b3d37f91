// The backend side of the TLS seam: credentials, certificate checks and
// session set-up, without a network (a QUIC handshake needs the transport).
#include "testpki.h"

#include "transport/tls/certificatebuilder.h"
#include "transport/tls/tlssession.h"
#include <quicpool/certificate.h>

#include <QtCore/QDir>
#include <QtCore/QFile>
#include <QtCore/QProcess>
#include <QtCore/QTemporaryDir>
#include <QtNetwork/QSslKey>
#include <QtTest/QtTest>

#include <ngtcp2/ngtcp2_crypto.h>
#include <unistd.h>

using namespace quicpool;
using namespace quicpool::transport;

namespace {

ngtcp2_conn *noConnection(ngtcp2_crypto_conn_ref *)
{
    return nullptr; // never called: no handshake runs in these tests
}

QByteArray sha256(const QSslCertificate &certificate)
{
    return certificate.digest(QCryptographicHash::Sha256);
}

} // namespace

class TestTlsContext : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void initTestCase();

    void serverFromFiles();
    void serverFromMemory();
    void serverGenerated_data();
    void serverGenerated();
    void serverFailures_data();
    void serverFailures();
    void serverUnreadableFile();

    void clientModes_data();
    void clientModes();
    void clientFailures();

    void pinIsCheckedInEveryMode_data();
    void pinIsCheckedInEveryMode();
    void insecureModesAcceptAnything_data();
    void insecureModesAcceptAnything();
    void verifiedMode_data();
    void verifiedMode();
    void verifiedModeRejectsExpiredLeaf();
    void serverContextAcceptsAnyChain();
    void caFileIsTrustedInMode2();
    void caFileFailures();
    void systemStoreHonoursSslCertFile();
    void systemStoreHonoursSslCertDir();

    void sessions_data();
    void sessions();
    void randomBytesDiffer();

private:
    QString path(const QString &name) const { return m_dir.filePath(name); }
    void writeFile(const QString &name, const QByteArray &bytes);

    QTemporaryDir m_dir;
    testing::TestPki m_pki;       // CA + leaf for "server.test" and 127.0.0.1
    testing::TestPki m_otherPki;  // an unrelated CA + leaf for the same names
    testing::PemPair m_selfSigned;
};

void TestTlsContext::initTestCase()
{
    QVERIFY(m_dir.isValid());
    QString error;
    m_pki = testing::TestPki::create(m_dir.path(), QStringLiteral("server.test"),
                                     {QStringLiteral("127.0.0.1")}, QStringLiteral("pki"), &error);
    QVERIFY2(m_pki.isValid(), qPrintable(error));
    m_otherPki = testing::TestPki::create(m_dir.path(), QStringLiteral("server.test"),
                                          {QStringLiteral("127.0.0.1")}, QStringLiteral("other"),
                                          &error);
    QVERIFY2(m_otherPki.isValid(), qPrintable(error));
    m_selfSigned = testing::writeSelfSigned(m_dir.path(), QStringLiteral("server.test"),
                                            QStringLiteral("self"), &error);
    QVERIFY2(m_selfSigned.isValid(), qPrintable(error));

    writeFile(QStringLiteral("garbage.pem"), "this is not PEM at all\n");
    writeFile(QStringLiteral("empty.pem"), QByteArray());
    writeFile(QStringLiteral("truncated.pem"), m_pki.leaf.certificatePem.left(200));
    writeFile(QStringLiteral("encrypted.key"),
              "-----BEGIN ENCRYPTED PRIVATE KEY-----\nMIIBvTBXBgkqhkiG9w0BBQ0wSjApBgkqhkiG9w0BBQww"
              "HAQI\n-----END ENCRYPTED PRIVATE KEY-----\n");
}

void TestTlsContext::writeFile(const QString &name, const QByteArray &bytes)
{
    QFile file(path(name));
    QVERIFY(file.open(QIODevice::WriteOnly | QIODevice::Truncate));
    QCOMPARE(file.write(bytes), bytes.size());
}

void TestTlsContext::serverFromFiles()
{
    TlsServerOptions options;
    options.certificateFile = m_pki.leaf.certificateFile;
    options.privateKeyFile = m_pki.leaf.privateKeyFile;
    Error error(ErrorCode::Cancelled, QStringLiteral("stale"));
    auto context = TlsContext::createServer(options, &error);
    QVERIFY2(context, qPrintable(error.toString()));
    QVERIFY(!error);
    QVERIFY(context->isServer());
    QCOMPARE(context->localCertificate(), m_pki.leaf.certificate);
}

void TestTlsContext::serverFromMemory()
{
    TlsServerOptions options;
    options.certificatePem = m_pki.leaf.certificatePem + m_pki.ca.certificatePem; // with chain
    options.privateKeyPem = m_pki.leaf.privateKeyPem;
    Error error;
    auto context = TlsContext::createServer(options, &error);
    QVERIFY2(context, qPrintable(error.toString()));
    QCOMPARE(context->localCertificate(), m_pki.leaf.certificate); // the leaf, not the CA
}

void TestTlsContext::serverGenerated_data()
{
    QTest::addColumn<QString>("name");
    QTest::addColumn<int>("sanType");
    QTest::newRow("default localhost") << QString() << int(QSsl::DnsEntry);
    QTest::newRow("DNS name") << "pool.example" << int(QSsl::DnsEntry);
    QTest::newRow("IP address") << "127.0.0.1" << int(QSsl::IpAddressEntry);
}

void TestTlsContext::serverGenerated()
{
    QFETCH(QString, name);
    QFETCH(int, sanType);
    TlsServerOptions options;
    if (!name.isEmpty())
        options.selfSignedName = name;
    else
        name = QStringLiteral("localhost");
    Error error;
    auto context = TlsContext::createServer(options, &error);
    QVERIFY2(context, qPrintable(error.toString()));
    const QSslCertificate leaf = context->localCertificate();
    QVERIFY(!leaf.isNull());
    // (QSslCertificate::isSelfSigned() says no: OpenSSL wants keyCertSign.)
    QCOMPARE(leaf.issuerDisplayName(), leaf.subjectDisplayName());
    QCOMPARE(leaf.subjectInfo(QSslCertificate::CommonName), QStringList{name});
    QCOMPARE(leaf.subjectAlternativeNames().values(QSsl::AlternativeNameEntryType(sanType)),
             QStringList{name});
    QCOMPARE(leaf.publicKey().algorithm(), QSsl::Ec);

    // Each server generates its own key pair.
    auto second = TlsContext::createServer(options, &error);
    QVERIFY(second);
    QVERIFY(second->localCertificate() != leaf);
}

void TestTlsContext::serverFailures_data()
{
    QTest::addColumn<QString>("certificateFile");
    QTest::addColumn<QString>("keyFile");
    QTest::addColumn<QByteArray>("certificatePem");
    QTest::addColumn<QByteArray>("keyPem");
    QTest::addColumn<QString>("selfSignedName");
    QTest::addColumn<QStringList>("expectedWords");

    const QString leafCrt = m_pki.leaf.certificateFile;
    const QString leafKey = m_pki.leaf.privateKeyFile;
    const QString missing = path(QStringLiteral("missing.pem"));
    const QString garbage = path(QStringLiteral("garbage.pem"));
    const QByteArray none;

    QTest::newRow("missing certificate file")
        << missing << leafKey << none << none << QString()
        << QStringList{"certificate file", missing, "does not exist"};
    QTest::newRow("missing key file")
        << leafCrt << missing << none << none << QString()
        << QStringList{"private key file", missing, "does not exist"};
    QTest::newRow("certificate file without key file")
        << leafCrt << QString() << none << none << QString()
        << QStringList{"needs a private key file"};
    QTest::newRow("key file without certificate file")
        << QString() << leafKey << none << none << QString()
        << QStringList{"needs a private key file"};
    QTest::newRow("directory as certificate file")
        << m_dir.path() << leafKey << none << none << QString()
        << QStringList{"certificate file", m_dir.path(), "cannot be read"};
    QTest::newRow("garbage certificate file")
        << garbage << leafKey << none << none << QString()
        << QStringList{"certificate file", garbage, "no valid PEM certificate"};
    QTest::newRow("empty certificate file")
        << path(QStringLiteral("empty.pem")) << leafKey << none << none << QString()
        << QStringList{"empty.pem", "no valid PEM certificate"};
    QTest::newRow("truncated certificate file")
        << path(QStringLiteral("truncated.pem")) << leafKey << none << none << QString()
        << QStringList{"truncated.pem", "no valid PEM certificate"};
    QTest::newRow("garbage key file")
        << leafCrt << garbage << none << none << QString()
        << QStringList{"private key file", garbage, "no usable PEM private key"};
    QTest::newRow("certificate as key file")
        << leafCrt << leafCrt << none << none << QString()
        << QStringList{"private key file", "no usable PEM private key"};
    QTest::newRow("encrypted key file")
        << leafCrt << path(QStringLiteral("encrypted.key")) << none << none << QString()
        << QStringList{"encrypted.key", "no usable PEM private key"};
    QTest::newRow("key of another certificate")
        << leafCrt << m_pki.ca.privateKeyFile << none << none << QString()
        << QStringList{leafCrt, m_pki.ca.privateKeyFile, "do not match"};
    QTest::newRow("in-memory key of another certificate")
        << QString() << QString() << m_pki.leaf.certificatePem << m_otherPki.leaf.privateKeyPem
        << QString() << QStringList{"in-memory certificate", "in-memory private key", "do not match"};
    QTest::newRow("in-memory certificate without key")
        << QString() << QString() << m_pki.leaf.certificatePem << none << QString()
        << QStringList{"needs an in-memory private key"};
    QTest::newRow("in-memory garbage certificate")
        << QString() << QString() << QByteArray("garbage") << m_pki.leaf.privateKeyPem << QString()
        << QStringList{"in-memory certificate", "no valid PEM certificate"};
    QTest::newRow("generated without a name")
        << QString() << QString() << none << none << QStringLiteral("")
        << QStringList{"common name is empty"};
}

void TestTlsContext::serverFailures()
{
    QFETCH(QString, certificateFile);
    QFETCH(QString, keyFile);
    QFETCH(QByteArray, certificatePem);
    QFETCH(QByteArray, keyPem);
    QFETCH(QString, selfSignedName);
    QFETCH(QStringList, expectedWords);

    TlsServerOptions options;
    options.certificateFile = certificateFile;
    options.privateKeyFile = keyFile;
    options.certificatePem = certificatePem;
    options.privateKeyPem = keyPem;
    if (!selfSignedName.isNull())
        options.selfSignedName = selfSignedName;
    Error error;
    QVERIFY(!TlsContext::createServer(options, &error));
    QCOMPARE(error.code(), ErrorCode::CertificateError);
    for (const QString &word : std::as_const(expectedWords))
        QVERIFY2(error.message().contains(word), qPrintable(error.message() + " lacks " + word));
    QVERIFY2(error.message().endsWith(u'.'), qPrintable(error.message()));
    // Without an error pointer it still fails rather than crashing.
    QVERIFY(!TlsContext::createServer(options, nullptr));
}

void TestTlsContext::serverUnreadableFile()
{
    if (::geteuid() == 0)
        QSKIP("root reads files whatever their mode; the directory case covers the path");
    const QString name = path(QStringLiteral("unreadable.key"));
    QVERIFY(QFile::copy(m_pki.leaf.privateKeyFile, name));
    QVERIFY(QFile::setPermissions(name, QFileDevice::Permissions()));
    TlsServerOptions options;
    options.certificateFile = m_pki.leaf.certificateFile;
    options.privateKeyFile = name;
    Error error;
    QVERIFY(!TlsContext::createServer(options, &error));
    QCOMPARE(error.code(), ErrorCode::CertificateError);
    QVERIFY2(error.message().contains(name) && error.message().contains(QStringLiteral("cannot be read")),
             qPrintable(error.message()));
}

void TestTlsContext::clientModes_data()
{
    QTest::addColumn<int>("mode");
    QTest::addColumn<QString>("hostname");
    QTest::addColumn<bool>("withPin");
    QTest::newRow("mode 0") << 0 << QString() << false;
    QTest::newRow("mode 0, IP, pinned") << 0 << "127.0.0.1" << true;
    QTest::newRow("mode 1") << 1 << "server.test" << false;
    QTest::newRow("mode 1, pinned") << 1 << "server.test" << true;
    QTest::newRow("mode 2") << 2 << "server.test" << false;
    QTest::newRow("mode 2, IP, pinned") << 2 << "127.0.0.1" << true;
}

void TestTlsContext::clientModes()
{
    QFETCH(int, mode);
    QFETCH(QString, hostname);
    QFETCH(bool, withPin);
    TlsClientOptions options;
    options.mode = TlsMode(mode);
    options.hostname = hostname;
    if (withPin)
        options.pinSha256 = sha256(m_pki.leaf.certificate);
    options.extraCaCertificates = {m_pki.ca.certificate};
    Error error;
    auto context = TlsContext::createClient(options, &error);
    QVERIFY2(context, qPrintable(error.toString()));
    QVERIFY(!error);
    QVERIFY(!context->isServer());
    QVERIFY(context->localCertificate().isNull());
    // The right certificate passes whatever the mode.
    const Error verdict =
        context->verifyServerChain({m_pki.leaf.certificate.toDer(), m_pki.ca.certificate.toDer()});
    QVERIFY2(!verdict, qPrintable(verdict.toString()));
}

void TestTlsContext::clientFailures()
{
    TlsClientOptions options;
    options.pinSha256 = QByteArray(20, 'x'); // a SHA-1 sized pin
    Error error;
    QVERIFY(!TlsContext::createClient(options, &error));
    QCOMPARE(error.code(), ErrorCode::InvalidConfig);
    QVERIFY2(error.message().contains(QStringLiteral("not 20 bytes")), qPrintable(error.message()));

    options = {};
    options.mode = TlsMode::Verified; // no hostname to verify
    QVERIFY(!TlsContext::createClient(options, &error));
    QCOMPARE(error.code(), ErrorCode::InvalidConfig);
    QVERIFY2(error.message().contains(QStringLiteral("no hostname")), qPrintable(error.message()));
}

void TestTlsContext::pinIsCheckedInEveryMode_data()
{
    QTest::addColumn<int>("mode");
    QTest::newRow("mode 0") << 0;
    QTest::newRow("mode 1") << 1;
    QTest::newRow("mode 2") << 2;
}

void TestTlsContext::pinIsCheckedInEveryMode()
{
    QFETCH(int, mode);
    TlsClientOptions options;
    options.mode = TlsMode(mode);
    options.hostname = QStringLiteral("server.test");
    options.extraCaCertificates = {m_pki.ca.certificate, m_otherPki.ca.certificate};
    options.pinSha256 = sha256(m_pki.leaf.certificate);
    Error error;
    auto context = TlsContext::createClient(options, &error);
    QVERIFY2(context, qPrintable(error.toString()));

    QVERIFY(!context->verifyServerChain({m_pki.leaf.certificate.toDer()}));
    // A certificate mode 2 would trust, but not the pinned one.
    const Error verdict = context->verifyServerChain({m_otherPki.leaf.certificate.toDer()});
    QCOMPARE(verdict.code(), ErrorCode::PinMismatch);
    const QString expected = QStringLiteral("The server certificate %1 does not match the pin %2.")
                                 .arg(certificateFingerprint(m_otherPki.leaf.certificate),
                                      certificateFingerprint(m_pki.leaf.certificate));
    QCOMPARE(verdict.message(), expected);
}

void TestTlsContext::insecureModesAcceptAnything_data()
{
    QTest::addColumn<int>("mode");
    QTest::newRow("mode 0") << 0;
    QTest::newRow("mode 1") << 1;
}

void TestTlsContext::insecureModesAcceptAnything()
{
    QFETCH(int, mode);
    TlsClientOptions options;
    options.mode = TlsMode(mode);
    options.hostname = QStringLiteral("some.other.name");
    Error error;
    auto context = TlsContext::createClient(options, &error);
    QVERIFY(context);
    QVERIFY(!context->verifyServerChain({m_selfSigned.certificate.toDer()}));
    QVERIFY(!context->verifyServerChain({m_otherPki.leaf.certificate.toDer()}));
    QVERIFY(!context->verifyServerChain({QByteArray("not even DER")}));
    // ...but a server must send something.
    QCOMPARE(context->verifyServerChain({}).code(), ErrorCode::TlsHandshakeFailed);
}

void TestTlsContext::verifiedMode_data()
{
    QTest::addColumn<QString>("hostname");
    QTest::addColumn<QString>("chainName"); // pki, other, self, garbage, none
    QTest::addColumn<bool>("withCa");       // send the CA along with the leaf
    QTest::addColumn<QString>("expectedWords"); // empty: must pass

    QTest::newRow("DNS name") << "server.test" << "pki" << false << QString();
    QTest::newRow("DNS name, chain") << "server.test" << "pki" << true << QString();
    QTest::newRow("IP literal") << "127.0.0.1" << "pki" << false << QString();
    QTest::newRow("wrong DNS name") << "other.test" << "pki" << false << "does not match";
    QTest::newRow("wrong IP") << "127.0.0.2" << "pki" << false << "does not match";
    QTest::newRow("untrusted CA") << "server.test" << "other" << true << "NOT trusted";
    QTest::newRow("self-signed") << "server.test" << "self" << false << "NOT trusted";
    QTest::newRow("not DER") << "server.test" << "garbage" << false << "cannot be parsed";
    QTest::newRow("no certificate") << "server.test" << "none" << false << "no certificate";
}

void TestTlsContext::verifiedMode()
{
    QFETCH(QString, hostname);
    QFETCH(QString, chainName);
    QFETCH(bool, withCa);
    QFETCH(QString, expectedWords);

    TlsClientOptions options;
    options.mode = TlsMode::Verified;
    options.hostname = hostname;
    options.extraCaCertificates = {m_pki.ca.certificate};
    Error error;
    auto context = TlsContext::createClient(options, &error);
    QVERIFY2(context, qPrintable(error.toString()));

    QList<QByteArray> chain;
    if (chainName == QLatin1String("pki"))
        chain = {m_pki.leaf.certificate.toDer()};
    else if (chainName == QLatin1String("other"))
        chain = {m_otherPki.leaf.certificate.toDer()};
    else if (chainName == QLatin1String("self"))
        chain = {m_selfSigned.certificate.toDer()};
    else if (chainName == QLatin1String("garbage"))
        chain = {QByteArray("not DER")};
    if (withCa)
        chain.append(chainName == QLatin1String("pki") ? m_pki.ca.certificate.toDer()
                                                       : m_otherPki.ca.certificate.toDer());

    const Error verdict = context->verifyServerChain(chain);
    if (expectedWords.isEmpty()) {
        QVERIFY2(!verdict, qPrintable(verdict.toString()));
        return;
    }
    QCOMPARE(verdict.code(), ErrorCode::TlsHandshakeFailed);
    QVERIFY2(verdict.message().contains(expectedWords), qPrintable(verdict.message()));
    if (chainName != QLatin1String("none"))
        QVERIFY2(verdict.message().contains(hostname), qPrintable(verdict.message()));
}

void TestTlsContext::verifiedModeRejectsExpiredLeaf()
{
    CertificateAndKey ca{m_pki.ca.certificatePem, m_pki.ca.privateKeyPem};
    CertificateSpec spec = serverSpecFor(QStringLiteral("server.test"));
    spec.notBefore = QDateTime::currentDateTimeUtc().addDays(-10);
    spec.notAfter = QDateTime::currentDateTimeUtc().addDays(-1);
    Error error;
    const CertificateAndKey expired = issueCertificate(spec, &ca, &error);
    QVERIFY2(!error, qPrintable(error.toString()));
    const QSslCertificate leaf = QSslCertificate::fromData(expired.certificatePem).value(0);
    QVERIFY(!leaf.isNull());

    TlsClientOptions options;
    options.mode = TlsMode::Verified;
    options.hostname = QStringLiteral("server.test");
    options.extraCaCertificates = {m_pki.ca.certificate};
    auto context = TlsContext::createClient(options, &error);
    QVERIFY(context);
    const Error verdict = context->verifyServerChain({leaf.toDer()});
    QCOMPARE(verdict.code(), ErrorCode::TlsHandshakeFailed);
    QVERIFY2(verdict.message().contains(QStringLiteral("expired")), qPrintable(verdict.message()));

    // Mode 1 does not care about dates.
    options.mode = TlsMode::SelfSigned;
    context = TlsContext::createClient(options, &error);
    QVERIFY(!context->verifyServerChain({leaf.toDer()}));
}

namespace {

/// A mode-2 client for "server.test" verifying m_pki's leaf: the verdict.
Error verifyLeaf(const TlsClientOptions &base, const QSslCertificate &leaf, Error *createError)
{
    TlsClientOptions options = base;
    options.mode = TlsMode::Verified;
    options.hostname = QStringLiteral("server.test");
    auto context = TlsContext::createClient(options, createError);
    if (!context)
        return *createError;
    return context->verifyServerChain({leaf.toDer()});
}

/// Sets an environment variable for one scope, restoring what was there.
class ScopedEnv
{
public:
    ScopedEnv(const char *name, const QByteArray &value)
        : m_name(name), m_had(qEnvironmentVariableIsSet(name)), m_old(qgetenv(name))
    {
        qputenv(name, value);
    }
    ~ScopedEnv()
    {
        if (m_had)
            qputenv(m_name, m_old);
        else
            qunsetenv(m_name);
    }
    Q_DISABLE_COPY_MOVE(ScopedEnv)

private:
    const char *m_name;
    bool m_had;
    QByteArray m_old;
};

} // namespace

void TestTlsContext::caFileIsTrustedInMode2()
{
    Error error;
    // Without it the test CA is unknown: the system store does not hold it.
    QCOMPARE(verifyLeaf({}, m_pki.leaf.certificate, &error).code(), ErrorCode::TlsHandshakeFailed);

    TlsClientOptions options;
    options.caFile = m_pki.ca.certificateFile;
    const Error verdict = verifyLeaf(options, m_pki.leaf.certificate, &error);
    QVERIFY2(!verdict, qPrintable(verdict.toString()));
    // Trusting one CA does not trust another's leaves.
    QCOMPARE(verifyLeaf(options, m_otherPki.leaf.certificate, &error).code(), ErrorCode::TlsHandshakeFailed);

    // A bundle: the other CA first, then ours.
    const QString bundle = path(QStringLiteral("bundle.pem"));
    QFile file(bundle);
    QVERIFY(file.open(QIODevice::WriteOnly));
    file.write(m_otherPki.ca.certificatePem + m_pki.ca.certificatePem);
    file.close();
    options.caFile = bundle;
    QVERIFY(!verifyLeaf(options, m_pki.leaf.certificate, &error));
    QVERIFY(!verifyLeaf(options, m_otherPki.leaf.certificate, &error));
}

void TestTlsContext::caFileFailures()
{
    TlsClientOptions options;
    options.mode = TlsMode::Verified;
    options.hostname = QStringLiteral("server.test");
    options.caFile = path(QStringLiteral("no-such-ca.pem"));
    Error error;
    QVERIFY(!TlsContext::createClient(options, &error));
    QCOMPARE(error.code(), ErrorCode::CertificateError);
    QVERIFY2(error.message().contains(QStringLiteral("no-such-ca.pem\" cannot be read")), qPrintable(error.message()));

    options.caFile = m_pki.ca.privateKeyFile; // PEM, but no certificate
    QVERIFY(!TlsContext::createClient(options, &error));
    QCOMPARE(error.code(), ErrorCode::CertificateError);
    QVERIFY2(error.message().contains(QStringLiteral("holds no PEM certificate")), qPrintable(error.message()));

    // Modes 0 and 1 trust no CA, so they do not read the file.
    options.mode = TlsMode::SelfSigned;
    QVERIFY2(TlsContext::createClient(options, &error), qPrintable(error.toString()));
}

void TestTlsContext::systemStoreHonoursSslCertFile()
{
    ScopedEnv file("SSL_CERT_FILE", QFile::encodeName(m_pki.ca.certificateFile));
    Error error;
    const Error verdict = verifyLeaf({}, m_pki.leaf.certificate, &error);
    QVERIFY2(!verdict, qPrintable(verdict.toString()));
    QCOMPARE(verifyLeaf({}, m_otherPki.leaf.certificate, &error).code(), ErrorCode::TlsHandshakeFailed);
}

void TestTlsContext::systemStoreHonoursSslCertDir()
{
    // OpenSSL looks certificates up in a folder by their subject hash, as
    // `openssl rehash` names them; GnuTLS reads every file in it.
    QProcess hash;
    hash.start(QStringLiteral("openssl"), {QStringLiteral("x509"), QStringLiteral("-subject_hash"),
                                           QStringLiteral("-noout"), QStringLiteral("-in"),
                                           m_pki.ca.certificateFile});
    QVERIFY2(hash.waitForFinished(10000) && hash.exitCode() == 0,
             "the openssl command (package openssl) names the test CA's file");
    const QString name = QString::fromLatin1(hash.readAllStandardOutput().trimmed()) + QStringLiteral(".0");
    const QString dir = path(QStringLiteral("certdir"));
    QVERIFY(QDir().mkpath(dir));
    QVERIFY(QFile::copy(m_pki.ca.certificateFile, dir + u'/' + name));

    // An empty bundle, so only the folder can trust the CA.
    const QString empty = path(QStringLiteral("empty-bundle.pem"));
    QFile(empty).open(QIODevice::WriteOnly);
    ScopedEnv file("SSL_CERT_FILE", QFile::encodeName(empty));
    ScopedEnv folder("SSL_CERT_DIR", QFile::encodeName(path(QStringLiteral("missing-dir")) + u':' + dir));
    Error error;
    const Error verdict = verifyLeaf({}, m_pki.leaf.certificate, &error);
    QVERIFY2(!verdict, qPrintable(verdict.toString()));
}

void TestTlsContext::serverContextAcceptsAnyChain()
{
    Error error;
    auto context = TlsContext::createServer({}, &error);
    QVERIFY(context);
    QVERIFY(!context->verifyServerChain({}));
}

void TestTlsContext::sessions_data()
{
    QTest::addColumn<bool>("server");
    QTest::addColumn<int>("mode");
    QTest::addColumn<QString>("hostname");
    QTest::newRow("server") << true << 0 << QString();
    QTest::newRow("client mode 0") << false << 0 << QString();
    QTest::newRow("client mode 0, IP") << false << 0 << "127.0.0.1";
    QTest::newRow("client mode 1") << false << 1 << "server.test";
    QTest::newRow("client mode 2") << false << 2 << "server.test";
    QTest::newRow("client mode 2, IPv6") << false << 2 << "::1";
}

void TestTlsContext::sessions()
{
    QFETCH(bool, server);
    QFETCH(int, mode);
    QFETCH(QString, hostname);

    Error error;
    std::unique_ptr<TlsContext> context;
    if (server) {
        context = TlsContext::createServer({}, &error);
    } else {
        TlsClientOptions options;
        options.mode = TlsMode(mode);
        options.hostname = hostname;
        options.extraCaCertificates = {m_pki.ca.certificate};
        context = TlsContext::createClient(options, &error);
    }
    QVERIFY2(context, qPrintable(error.toString()));

    ngtcp2_crypto_conn_ref connRef{noConnection, nullptr};
    error = Error(ErrorCode::Cancelled);
    auto session = TlsSession::create(*context, &connRef, &error);
    QVERIFY2(session, qPrintable(error.toString()));
    QVERIFY(!error);
    QVERIFY(session->nativeHandle());
    QVERIFY(!session->failure());

    // Nothing negotiated yet: empty, not half-filled and not a crash.
    const TlsDetails details = session->details();
    QVERIFY(details.version.isEmpty());
    QVERIFY(details.cipher.isEmpty());
    QVERIFY(details.alpn.isEmpty());
    QVERIFY(details.peerCertificates.isEmpty());

    // Two sessions on one context are independent.
    auto second = TlsSession::create(*context, &connRef, &error);
    QVERIFY(second);
    QVERIFY(second->nativeHandle() != session->nativeHandle());
}

void TestTlsContext::randomBytesDiffer()
{
    QByteArray a(32, '\0'), b(32, '\0');
    randomBytes(a.data(), size_t(a.size()));
    randomBytes(b.data(), size_t(b.size()));
    QVERIFY(a != QByteArray(32, '\0'));
    QVERIFY(a != b);
    randomBytes(nullptr, 0); // nothing to fill is fine
}

QTEST_GUILESS_MAIN(TestTlsContext)
#include "tst_tlscontext.moc"
