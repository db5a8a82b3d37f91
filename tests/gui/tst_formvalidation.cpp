// Pure validation of the pool forms and the other inputs of quicpool-diag.
#include "formvalidation.h"

#include <quicpool/certificate.h>

#include <QtCore/QDir>
#include <QtCore/QFile>
#include <QtCore/QFileInfo>
#include <QtCore/QScopeGuard>
#include <QtCore/QTemporaryDir>
#include <QtTest/QtTest>

using namespace quicpool;
using namespace quicpool::diag;

class TestFormValidation : public QObject
{
    Q_OBJECT
private Q_SLOTS:
    void addressGoodAndBad_data();
    void addressGoodAndBad();
    void listenAddressAllowsPortZero();
    void streamIds_data();
    void streamIds();
    void hex();
    void pin();
    void clientFormGood();
    void clientFormMinAboveMax();
    void clientFormBadFieldsNamed();
    void serverFormGood();
    void serverFormRetry();
    void serverFormUnreadableCertificate();
    void serverFormRealCertificateFiles();
    void serverFormBadListenAndClientIp();
    void qlogFolderRefusedWithASentence();
    void qlogFolderMapsToConfig();
};

void TestFormValidation::addressGoodAndBad_data()
{
    QTest::addColumn<QString>("address");
    QTest::addColumn<bool>("good");
    QTest::addColumn<QString>("messagePart");
    QTest::newRow("ipv4") << "127.0.0.1:10101" << true << "";
    QTest::newRow("name") << "example.org:443" << true << "";
    QTest::newRow("ipv6") << "[::1]:443" << true << "";
    QTest::newRow("port too big") << "127.0.0.1:70000" << false << "out of range";
    QTest::newRow("port zero") << "127.0.0.1:0" << false << "out of range";
    QTest::newRow("port text") << "127.0.0.1:http" << false << "not a number";
    QTest::newRow("no port") << "127.0.0.1" << false << "HOST:PORT";
    QTest::newRow("empty") << "" << false << "HOST:PORT";
    QTest::newRow("spaces") << "bad host:80" << false << "spaces";
    QTest::newRow("bad chars") << "ex*mple!:80" << false << "host";
}

void TestFormValidation::addressGoodAndBad()
{
    QFETCH(QString, address);
    QFETCH(bool, good);
    QFETCH(QString, messagePart);
    const QString message = checkAddress(address, false);
    QCOMPARE(message.isEmpty(), good);
    if (!good)
        QVERIFY2(message.contains(messagePart, Qt::CaseInsensitive), qPrintable(message));
}

void TestFormValidation::listenAddressAllowsPortZero()
{
    QVERIFY(checkAddress(QStringLiteral("0.0.0.0:0"), true).isEmpty());
    QVERIFY(!checkAddress(QStringLiteral("0.0.0.0:65536"), true).isEmpty());
}

void TestFormValidation::streamIds_data()
{
    QTest::addColumn<QString>("id");
    QTest::addColumn<bool>("good");
    QTest::newRow("zero") << "00000000" << true;
    QTest::newRow("lower") << "a1b2c3d4" << true;
    QTest::newRow("upper") << "A1B2C3D4" << true;
    QTest::newRow("short") << "a1b2c3" << false;
    QTest::newRow("long") << "a1b2c3d4e5" << false;
    QTest::newRow("not hex") << "a1b2c3dz" << false;
    QTest::newRow("empty") << "" << false;
}

void TestFormValidation::streamIds()
{
    QFETCH(QString, id);
    QFETCH(bool, good);
    QCOMPARE(checkStreamId(id).isEmpty(), good);
}

void TestFormValidation::hex()
{
    QByteArray bytes;
    QVERIFY(checkHex(QStringLiteral("48 65:6c-6C 6f"), &bytes).isEmpty());
    QCOMPARE(bytes, QByteArray("Hello"));
    QVERIFY(checkHex(QStringLiteral("4"), &bytes).contains(QStringLiteral("even")));
    const QString bad = checkHex(QStringLiteral("48 6g"), &bytes);
    QVERIFY2(bad.contains(QStringLiteral("'g'")), qPrintable(bad));
    QVERIFY(checkHex(QString(), &bytes).isEmpty());
}

void TestFormValidation::pin()
{
    QByteArray pin;
    QVERIFY(checkPin(QString(), &pin).isEmpty());
    QVERIFY(pin.isEmpty());
    const QString good = QStringLiteral("sha256:") + QStringList(32, QStringLiteral("AB")).join(QLatin1Char(':'));
    QVERIFY(checkPin(good, &pin).isEmpty());
    QCOMPARE(pin.size(), 32);
    QVERIFY(!checkPin(QStringLiteral("sha256:AB:CD"), &pin).isEmpty());
    QVERIFY(!checkPin(QStringLiteral("not a fingerprint"), &pin).isEmpty());
}

void TestFormValidation::clientFormGood()
{
    ClientForm f;
    f.address = QStringLiteral("127.0.0.1:4433");
    f.minCapacity = 2;
    f.maxCapacity = 8;
    f.tlsMode = 2;
    f.hostname = QStringLiteral("example.org");
    ClientPoolConfig c;
    const FieldErrors e = validateClientForm(f, &c);
    QVERIFY2(e.isEmpty(), qPrintable(QStringList(e.values()).join(QLatin1Char('\n'))));
    QCOMPARE(c.address(), QStringLiteral("127.0.0.1:4433"));
    QCOMPARE(c.minCapacity(), 2);
    QCOMPARE(c.maxCapacity(), 8);
    QCOMPARE(c.tlsMode(), TlsMode::Verified);
    QCOMPARE(c.hostname(), QStringLiteral("example.org"));
    QCOMPARE(c.minInterval(), Milliseconds(f.minIntervalMs));
}

void TestFormValidation::clientFormMinAboveMax()
{
    ClientForm f;
    f.minCapacity = 9;
    f.maxCapacity = 3;
    f.minIntervalMs = 5000;
    f.maxIntervalMs = 100;
    ClientPoolConfig c;
    c.setAddress(QStringLiteral("untouched"));
    const FieldErrors e = validateClientForm(f, &c);
    QVERIFY(e.value(QStringLiteral("maxCapacity")).contains(QStringLiteral("below the minimum")));
    QVERIFY(e.value(QStringLiteral("maxInterval")).contains(QStringLiteral("below the minimum")));
    QCOMPARE(c.address(), QStringLiteral("untouched")); // nothing changes on bad input
}

void TestFormValidation::clientFormBadFieldsNamed()
{
    ClientForm f;
    f.address = QStringLiteral("10.0.0.1:99999");
    f.minCapacity = 0;
    f.keepAliveMs = 5;
    f.pin = QStringLiteral("xyz");
    const FieldErrors e = validateClientForm(f);
    QVERIFY(e.contains(QStringLiteral("address")));
    QVERIFY(e.value(QStringLiteral("address")).contains(QStringLiteral("out of range")));
    QVERIFY(e.contains(QStringLiteral("minCapacity")));
    QVERIFY(e.contains(QStringLiteral("keepAlive")));
    QVERIFY(e.contains(QStringLiteral("pin")));
}

void TestFormValidation::serverFormGood()
{
    ServerForm f;
    f.listenAddress = QStringLiteral("127.0.0.1:0");
    f.clientIp = QStringLiteral("127.0.0.1");
    ServerPoolConfig c;
    const FieldErrors e = validateServerForm(f, &c);
    QVERIFY2(e.isEmpty(), qPrintable(QStringList(e.values()).join(QLatin1Char('\n'))));
    QCOMPARE(c.listenAddress(), QStringLiteral("127.0.0.1:0"));
    QCOMPARE(c.clientIp(), QStringLiteral("127.0.0.1"));
    QVERIFY(c.certificateFile().isEmpty());
}

void TestFormValidation::serverFormRetry()
{
    ServerForm f;
    ServerPoolConfig c;
    // The library's defaults unless the form says otherwise.
    QVERIFY(validateServerForm(f, &c).isEmpty());
    QCOMPARE(c.retryMode(), ServerPoolConfig().retryMode());
    QCOMPARE(c.retryThreshold(), ServerPoolConfig().retryThreshold());
    f.retryMode = RetryMode::Never;
    f.retryThreshold = 3;
    QVERIFY(validateServerForm(f, &c).isEmpty());
    QCOMPARE(c.retryMode(), RetryMode::Never);
    QCOMPARE(c.retryThreshold(), 3);
    f.retryThreshold = 0;
    const FieldErrors e = validateServerForm(f, &c);
    QCOMPARE(e.value(QStringLiteral("retryThreshold")),
             QStringLiteral("The Retry threshold must be at least 1 pending handshake."));
}

void TestFormValidation::serverFormUnreadableCertificate()
{
    QTemporaryDir dir;
    ServerForm f;
    f.generateSelfSigned = false;
    f.certificateFile = dir.filePath(QStringLiteral("missing.pem"));
    f.privateKeyFile = dir.filePath(QStringLiteral("missing.key"));
    ServerPoolConfig c;
    FieldErrors e = validateServerForm(f, &c);
    QVERIFY(e.value(QStringLiteral("certificateFile")).contains(QStringLiteral("does not exist")));
    QVERIFY(e.value(QStringLiteral("privateKeyFile")).contains(QStringLiteral("does not exist")));

    // A file that exists but holds no certificate.
    QFile junk(dir.filePath(QStringLiteral("junk.pem")));
    QVERIFY(junk.open(QIODevice::WriteOnly));
    junk.write("this is not PEM\n");
    junk.close();
    f.certificateFile = junk.fileName();
    f.privateKeyFile = junk.fileName();
    e = validateServerForm(f, &c);
    QVERIFY(e.value(QStringLiteral("certificateFile")).contains(QStringLiteral("no PEM certificate")));
    QVERIFY(e.value(QStringLiteral("privateKeyFile")).contains(QStringLiteral("no PEM private key")));
    // A directory is not a file.
    f.certificateFile = dir.path();
    e = validateServerForm(f, &c);
    QVERIFY(e.value(QStringLiteral("certificateFile")).contains(QStringLiteral("not a file")));
}

void TestFormValidation::serverFormRealCertificateFiles()
{
    QTemporaryDir dir;
    Error error;
    const CertificateAndKey pair = generateSelfSigned(QStringLiteral("localhost"), 30, &error);
    QVERIFY2(!error.isError(), qPrintable(error.toString()));
    QFile cert(dir.filePath(QStringLiteral("cert.pem")));
    QFile key(dir.filePath(QStringLiteral("key.pem")));
    QVERIFY(cert.open(QIODevice::WriteOnly) && key.open(QIODevice::WriteOnly));
    cert.write(pair.certificatePem);
    key.write(pair.privateKeyPem);
    cert.close();
    key.close();
    ServerForm f;
    f.generateSelfSigned = false;
    f.certificateFile = cert.fileName();
    f.privateKeyFile = key.fileName();
    ServerPoolConfig c;
    const FieldErrors e = validateServerForm(f, &c);
    QVERIFY2(e.isEmpty(), qPrintable(QStringList(e.values()).join(QLatin1Char('\n'))));
    QCOMPARE(c.certificateFile(), cert.fileName());
    QCOMPARE(c.privateKeyFile(), key.fileName());
}

void TestFormValidation::serverFormBadListenAndClientIp()
{
    ServerForm f;
    f.listenAddress = QStringLiteral("localhost:4433");
    f.clientIp = QStringLiteral("999.1.1.1");
    f.maxCapacity = 0;
    const FieldErrors e = validateServerForm(f);
    QVERIFY(e.value(QStringLiteral("listenAddress")).contains(QStringLiteral("IP address")));
    QVERIFY(e.value(QStringLiteral("clientIp")).contains(QStringLiteral("not an IP address")));
    QVERIFY(e.contains(QStringLiteral("maxCapacity")));
    f.listenAddress = QStringLiteral("0.0.0.0:65536");
    QVERIFY(validateServerForm(f).value(QStringLiteral("listenAddress")).contains(QStringLiteral("out of range")));
}

void TestFormValidation::qlogFolderRefusedWithASentence()
{
    QTemporaryDir dir;
    QVERIFY(dir.isValid());
    const QString file = dir.filePath(QStringLiteral("afile"));
    {
        QFile f(file);
        QVERIFY(f.open(QIODevice::WriteOnly));
    }
    // Off: whatever the folder says, nothing to check.
    ClientForm client;
    client.qlog.directory = file;
    QVERIFY(validateClientForm(client).isEmpty());
    // On: no folder, a file, a folder under a file, each with its sentence
    // on the qlog folder's field, and no config comes out.
    client.qlog.enabled = true;
    client.qlog.directory = QStringLiteral("  ");
    ClientPoolConfig config;
    config.setQlogDirectory(QStringLiteral("untouched"));
    FieldErrors errors = validateClientForm(client, &config);
    QCOMPARE(errors.keys(), QStringList{QStringLiteral("qlogDirectory")});
    QCOMPARE(errors.value(QStringLiteral("qlogDirectory")), QStringLiteral("Choose the folder the qlog files go to."));
    QCOMPARE(config.qlogDirectory(), QStringLiteral("untouched"));
    client.qlog.directory = file;
    QCOMPARE(validateClientForm(client).value(QStringLiteral("qlogDirectory")),
             QStringLiteral("The qlog folder %1 is a file, not a folder.").arg(file));
    ServerForm server;
    server.qlog.enabled = true;
    server.qlog.directory = file + QStringLiteral("/sub/dir");
    QCOMPARE(validateServerForm(server).value(QStringLiteral("qlogDirectory")),
             QStringLiteral("The qlog folder %1 cannot be made: %2 is a file, not a folder.")
                 .arg(server.qlog.directory, file));
    // A folder without write permission, existing or to be made in it
    // (root may write anywhere, so only as another user).
    const QString locked = dir.filePath(QStringLiteral("locked"));
    QVERIFY(QDir().mkpath(locked));
    QVERIFY(QFile::setPermissions(locked, QFileDevice::ReadOwner | QFileDevice::ExeOwner));
    const auto unlock = qScopeGuard([&] { QFile::setPermissions(locked, QFileDevice::ReadOwner | QFileDevice::WriteOwner | QFileDevice::ExeOwner); });
    // Relative paths (a typed ~ included) would depend on the working folder.
    for (const QString &relative : {QStringLiteral("~/qlog"), QStringLiteral("qlog")})
        QCOMPARE(checkQlogFolder(relative),
                 QStringLiteral("Give the qlog folder as a full path, such as %1/qlog.").arg(QDir::homePath()));
    if (!QFileInfo(locked).isWritable()) { // root writes anywhere: checked as other users only
        QCOMPARE(checkQlogFolder(locked), QStringLiteral("The qlog folder %1 is not writable.").arg(locked));
        QCOMPARE(checkQlogFolder(locked + QStringLiteral("/new")),
                 QStringLiteral("The qlog folder %1/new does not exist and cannot be made: %1 is not writable.")
                     .arg(locked));
    }
}

void TestFormValidation::qlogFolderMapsToConfig()
{
    QTemporaryDir dir;
    QVERIFY(dir.isValid());
    // A folder still to be made is fine: its parent is writable.
    const QString folder = dir.filePath(QStringLiteral("q/logs"));
    ClientForm client;
    client.qlog.enabled = true;
    client.qlog.directory = folder + QStringLiteral("/");
    ClientPoolConfig cc;
    QVERIFY(validateClientForm(client, &cc).isEmpty());
    QCOMPARE(cc.qlogDirectory(), folder);
    // Off maps to the library's "off": an empty folder.
    client.qlog.enabled = false;
    QVERIFY(validateClientForm(client, &cc).isEmpty());
    QVERIFY(cc.qlogDirectory().isEmpty());
    ServerForm server;
    server.qlog = {true, folder};
    ServerPoolConfig sc;
    QVERIFY(validateServerForm(server, &sc).isEmpty());
    QCOMPARE(sc.qlogDirectory(), folder);
    // The worker makes it before the pool opens files there.
    QVERIFY(!QFileInfo::exists(folder));
    QCOMPARE(prepareQlogFolder(folder), QString());
    QVERIFY(QFileInfo(folder).isDir());
    QCOMPARE(prepareQlogFolder(QString()), QString());
}

QTEST_GUILESS_MAIN(TestFormValidation)
#include "tst_formvalidation.moc"
