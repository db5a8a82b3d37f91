// Qt's TLS and QuicPool's in one process, as an application has them: Qt's
// TLS plugin loads the system's libssl.so.3 (OpenSSL 3.0 on Debian 12)
// while libquicpool.so carries its own OpenSSL 3.5, linked in statically
// with every symbol hidden. Were one of ours exported, the system libssl
// would bind to it (or we to the system's) and one side would break: a
// real TLS 1.3 handshake through QSslSocket and a QUIC handshake through
// the pools must both work, whichever comes first, and each library must
// report its own version.
//
// Each order runs in a process of its own (CTest starts the binary once per
// test function); run without arguments, only the first one is pure.
#include <quicpool/quicpool.h>

#include <QtCore/QFile>
#include <QtCore/QRegularExpression>
#include <QtNetwork/QSslConfiguration>
#include <QtNetwork/QSslKey>
#include <QtNetwork/QSslServer>
#include <QtNetwork/QSslSocket>
#include <QtTest/QSignalSpy>
#include <QtTest/QTest>

using namespace quicpool;
using namespace std::chrono_literals;

namespace {

/// The path of the first mapped library whose file name starts with name.
QString mappedLibrary(const QString &name)
{
    QFile maps(QStringLiteral("/proc/self/maps"));
    if (!maps.open(QIODevice::ReadOnly | QIODevice::Text))
        return {};
    const QString pattern = QStringLiteral("/") + name;
    const QStringList lines = QString::fromLocal8Bit(maps.readAll()).split(u'\n');
    for (const QString &line : lines) {
        const qsizetype slash = line.indexOf(u'/');
        if (slash >= 0 && line.mid(slash).contains(pattern))
            return line.mid(slash).trimmed();
    }
    return {};
}

/// "OpenSSL 3.0.19" as the library file itself spells its version.
QString versionInFile(const QString &path)
{
    QFile file(path);
    if (!file.open(QIODevice::ReadOnly))
        return {};
    static const QRegularExpression version(QStringLiteral("OpenSSL \\d+\\.\\d+\\.\\d+[a-z]?"));
    return version.match(QString::fromLatin1(file.readAll())).captured();
}

} // namespace

class TestTlsCoexistence : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void qtTlsThenQuic();
    void quicThenQtTls();

private:
    void qtTlsEcho();
    void quicEcho();
    void eachReportsItsOwnLibrary();
};

void TestTlsCoexistence::qtTlsThenQuic()
{
    qtTlsEcho();
    if (QTest::currentTestFailed())
        return;
    quicEcho();
    if (QTest::currentTestFailed())
        return;
    eachReportsItsOwnLibrary();
}

void TestTlsCoexistence::quicThenQtTls()
{
    quicEcho();
    if (QTest::currentTestFailed())
        return;
    qtTlsEcho();
    if (QTest::currentTestFailed())
        return;
    eachReportsItsOwnLibrary();
}

void TestTlsCoexistence::qtTlsEcho()
{
    if (!QSslSocket::supportsSsl())
        QFAIL(qPrintable(QStringLiteral("Qt has no TLS backend (%1)").arg(QSslSocket::activeBackend())));

    // A certificate made now, with QuicPool's own OpenSSL; Qt's trusts it
    // as the only CA.
    Error error;
    const CertificateAndKey pair = generateSelfSigned(QStringLiteral("127.0.0.1"), 1, &error);
    QVERIFY2(!error, qPrintable(error.toString()));
    const QSslCertificate certificate(pair.certificatePem, QSsl::Pem);
    const QSslKey key(pair.privateKeyPem, QSsl::Ec, QSsl::Pem, QSsl::PrivateKey);
    QVERIFY(!certificate.isNull());
    QVERIFY(!key.isNull());

    QSslServer server;
    QSslConfiguration serverConfig = QSslConfiguration::defaultConfiguration();
    serverConfig.setLocalCertificate(certificate);
    serverConfig.setPrivateKey(key);
    serverConfig.setProtocol(QSsl::TlsV1_3OrLater);
    server.setSslConfiguration(serverConfig);
    QObject::connect(&server, &QTcpServer::pendingConnectionAvailable, &server, [&server] {
        while (QTcpSocket *peer = server.nextPendingConnection()) {
            peer->setParent(&server);
            QObject::connect(peer, &QIODevice::readyRead, peer, [peer] { peer->write(peer->readAll()); });
        }
    });
    QVERIFY(server.listen(QHostAddress::LocalHost, 0));

    QSslSocket client;
    QSslConfiguration clientConfig = QSslConfiguration::defaultConfiguration();
    clientConfig.setCaCertificates({certificate});
    clientConfig.setProtocol(QSsl::TlsV1_3OrLater);
    client.setSslConfiguration(clientConfig);
    QList<QSslError> sslErrors;
    QObject::connect(&client, &QSslSocket::sslErrors, &client,
                     [&sslErrors](const QList<QSslError> &errors) { sslErrors += errors; });
    // The server answers from this thread's event loop: wait in one, not in
    // waitForEncrypted(), which would block it.
    QSignalSpy encrypted(&client, &QSslSocket::encrypted);
    client.connectToHostEncrypted(QStringLiteral("127.0.0.1"), server.serverPort());
    QVERIFY2(encrypted.wait(10000),
             qPrintable(client.errorString() + QStringLiteral(" ")
                        + (sslErrors.isEmpty() ? QString() : sslErrors.first().errorString())));
    QCOMPARE(client.sessionProtocol(), QSsl::TlsV1_3);
    QCOMPARE(client.peerCertificate(), certificate);

    const QByteArray message("bytes through Qt's TLS, with QuicPool in the process");
    QCOMPARE(client.write(message), message.size());
    QByteArray echoed;
    QTRY_VERIFY_WITH_TIMEOUT((echoed += client.readAll()).size() >= message.size(), 10000);
    QCOMPARE(echoed, message);
    client.disconnectFromHost();
}

void TestTlsCoexistence::quicEcho()
{
    ServerPoolConfig serverConfig;
    serverConfig.setMaxCapacity(4);
    serverConfig.setListenAddress(QStringLiteral("127.0.0.1:0"));
    ServerPool server(serverConfig);
    QVERIFY2(server.start(), qPrintable(server.lastError().toString()));

    // Mode 1 with the server's pin: the handshake checks the certificate.
    ClientPoolConfig clientConfig;
    clientConfig.setMinCapacity(1);
    clientConfig.setMaxCapacity(1);
    clientConfig.setTlsMode(TlsMode::SelfSigned);
    clientConfig.setPinSha256(parseFingerprint(server.certificateFingerprint()));
    clientConfig.setAddress(QStringLiteral("127.0.0.1:%1").arg(server.serverPort()));
    ClientPool client(clientConfig);
    QVERIFY2(client.start(), qPrintable(client.lastError().toString()));
    QTRY_COMPARE_WITH_TIMEOUT(server.active(), 1, 10000);

    const ConnectionInfo info = client.connectionInfo();
    QCOMPARE(info.tlsVersion(), QStringLiteral("TLS1.3"));
    QCOMPARE(info.alpn(), QStringLiteral("np-quic"));

    Error error;
    Stream *in = server.incomingGet(5000ms, &error);
    QVERIFY2(in, qPrintable(error.toString()));
    Stream *out = client.outgoingGet(in->id(), 5000ms, &error);
    QVERIFY2(out, qPrintable(error.toString()));
    const QByteArray message("bytes through QuicPool's TLS, with Qt's in the process");
    QCOMPARE(out->write(message), message.size());
    QTRY_COMPARE_WITH_TIMEOUT(in->bytesAvailable(), message.size(), 10000);
    QCOMPARE(in->readAll(), message);
    in->write(message);
    QTRY_COMPARE_WITH_TIMEOUT(out->bytesAvailable(), message.size(), 10000);
    QCOMPARE(out->readAll(), message);
}

void TestTlsCoexistence::eachReportsItsOwnLibrary()
{
    QCOMPARE(QSslSocket::activeBackend(), QStringLiteral("openssl"));
    const QString qt = QSslSocket::sslLibraryVersionString();
    const QString ours = tlsLibraryVersionString();
    qInfo("Qt's TLS: %s; QuicPool's: %s", qPrintable(qt), qPrintable(ours));

    // Qt's is the system's OpenSSL: the libcrypto mapped into the process.
    const QString systemCrypto = mappedLibrary(QStringLiteral("libcrypto.so"));
    QVERIFY2(!systemCrypto.isEmpty(), "Qt's TLS loaded no libcrypto.so");
    const QString systemVersion = versionInFile(systemCrypto);
    QVERIFY2(!systemVersion.isEmpty(), qPrintable(systemCrypto));
    QVERIFY2(qt.startsWith(systemVersion + u' ') || qt == systemVersion,
             qPrintable(QStringLiteral("%1 is not %2's %3").arg(qt, systemCrypto, systemVersion)));

    // Ours is the one built into libquicpool.so.
#ifdef QUICPOOL_PRIVATE_OPENSSL_VERSION
    QCOMPARE(ours, QStringLiteral("OpenSSL " QUICPOOL_PRIVATE_OPENSSL_VERSION));
    QVERIFY2(ours != systemVersion, "the test needs a system OpenSSL other than the private one");
#else
    QVERIFY2(ours.startsWith(QStringLiteral("GnuTLS ")), qPrintable(ours));
#endif
}

QTEST_GUILESS_MAIN(TestTlsCoexistence)
#include "tst_tlscoexistence.moc"
