// Errors, versions, configuration clamping and validation, HOST:PORT parsing.
#include "buildinfo.h"
#include "common/metatypes.h"

#include <quicpool/config.h>
#include <quicpool/connectioninfo.h>
#include <quicpool/error.h>
#include <quicpool/global.h>
#include <QtCore/QDir>
#include <QtCore/QMetaEnum>
#include <QtCore/QTemporaryDir>
#include <QtCore/QRegularExpression>
#include <QtCore/QSet>
#include <QtTest/QtTest>

using namespace quicpool;
using namespace std::chrono_literals;

Q_DECLARE_METATYPE(quicpool::Milliseconds)

class TestConfig : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void errorCodeSentences();
    void errorValue();
    void metaTypesRegistered();
    void valueClassesCopyOnWrite();
    void valueClassDefaults();
    void versions();

    void clientClampingCapacities_data();
    void clientClampingCapacities();
    void clientClampingIntervals_data();
    void clientClampingIntervals();
    void clientClampingKeepsOtherFields();
    void serverClamping_data();
    void serverClamping();

    void clientValidation_data();
    void clientValidation();
    void serverValidation_data();
    void serverValidation();

    void parseHostPortValid_data();
    void parseHostPortValid();
    void parseHostPortInvalid_data();
    void parseHostPortInvalid();
    void qlogDirectoryRule();
};

void TestConfig::errorCodeSentences()
{
    const QMetaEnum meta = QMetaEnum::fromType<ErrorCode>();
    QVERIFY(meta.isValid());
    QVERIFY(meta.keyCount() >= 22);
    QSet<QString> seen;
    for (int i = 0; i < meta.keyCount(); ++i) {
        const auto code = ErrorCode(meta.value(i));
        const QString sentence = errorCodeString(code);
        QVERIFY2(!sentence.isEmpty(), meta.key(i));
        QVERIFY2(sentence.at(0).isUpper(), meta.key(i));
        QVERIFY2(sentence.endsWith(u'.'), meta.key(i));
        QVERIFY2(!sentence.startsWith(u"Unknown error"), meta.key(i));
        QVERIFY2(!seen.contains(sentence), meta.key(i)); // one sentence per code
        seen.insert(sentence);
    }
    QCOMPARE(errorCodeString(ErrorCode(999)), QStringLiteral("Unknown error 999."));
}

void TestConfig::errorValue()
{
    const Error none;
    QVERIFY(!none.isError());
    QVERIFY(!none);
    QCOMPARE(none.code(), ErrorCode::NoError);
    QCOMPARE(none.toString(), errorCodeString(ErrorCode::NoError));

    const Error bare(ErrorCode::PinMismatch);
    QVERIFY(bare.isError());
    QVERIFY(bool(bare));
    QVERIFY(bare.message().isEmpty());
    QCOMPARE(bare.toString(), errorCodeString(ErrorCode::PinMismatch));

    const Error precise(ErrorCode::SocketError, QStringLiteral("Binding 1.2.3.4:80 failed: permission denied."));
    QCOMPARE(precise.code(), ErrorCode::SocketError);
    QCOMPARE(precise.toString(), QStringLiteral("Binding 1.2.3.4:80 failed: permission denied."));

    // Equal when code and sentence are; copies and moves keep both.
    Error copy = precise;
    QCOMPARE(copy, precise);
    QVERIFY(copy != bare);
    Error moved = std::move(copy);
    QCOMPARE(moved, precise);
    QVERIFY(Error(ErrorCode::NoError) == none);
}

void TestConfig::valueClassesCopyOnWrite()
{
    // Implicitly shared: a copy is independent the moment either side changes.
    ClientPoolConfig a;
    a.setAddress(QStringLiteral("a.example:1"));
    ClientPoolConfig b = a;
    b.setAddress(QStringLiteral("b.example:2"));
    b.setMaxCapacity(9);
    QCOMPARE(a.address(), QStringLiteral("a.example:1"));
    QCOMPARE(a.maxCapacity(), 1);
    QCOMPARE(b.address(), QStringLiteral("b.example:2"));

    ServerPoolConfig s;
    ServerPoolConfig t = s;
    t.setClientIp(QStringLiteral("10.0.0.1"));
    QVERIFY(s.clientIp().isEmpty());

    ConnectionStats x;
    x.setCongestionWindow(1000);
    ConnectionStats y = x;
    y.setCongestionWindow(2000);
    QCOMPARE(x.congestionWindow(), 1000);
    ConnectionInfo info;
    info.setStats(y);
    ConnectionInfo other = info;
    other.setAlpn(QStringLiteral("np-quic"));
    QVERIFY(info.alpn().isEmpty());
    QCOMPARE(other.stats().congestionWindow(), 2000);
}

void TestConfig::valueClassDefaults()
{
    // NodePass's defaults, and "nothing measured yet" for the figures.
    const ClientPoolConfig c;
    QCOMPARE(c.minCapacity(), 1);
    QCOMPARE(c.maxCapacity(), 1);
    QCOMPARE(c.minInterval(), Milliseconds(1000));
    QCOMPARE(c.keepAlive(), Milliseconds(30000));
    QCOMPARE(c.tlsMode(), TlsMode::Insecure);
    QCOMPARE(c.handshakeTimeout(), Milliseconds(10000));
    QCOMPARE(c.idReadTimeout(), Milliseconds(60000));
    QVERIFY(!c.resolver());
    const ServerPoolConfig s;
    QCOMPARE(s.listenAddress(), QStringLiteral("0.0.0.0:0"));
    QCOMPARE(s.selfSignedName(), QStringLiteral("localhost"));
    QVERIFY(!s.strictHello());
    QCOMPARE(s.helloTimeout(), Milliseconds(60000));
    const ConnectionStats st;
    QCOMPARE(st.smoothedRttUs(), 0);
    QCOMPARE(st.lostPackets(), 0);
    QCOMPARE(st.peakCongestionWindow(), 0);
    const ConnectionInfo info;
    QVERIFY(!info.isValid());
    QCOMPARE(info.peerPort(), 0);
}

void TestConfig::metaTypesRegistered()
{
    registerMetaTypes();
    registerMetaTypes(); // idempotent
    const QMetaType errorType = QMetaType::fromName("quicpool::Error");
    QVERIFY(errorType.isValid());
    QCOMPARE(errorType, QMetaType::fromType<Error>());
    QVERIFY(QMetaType::fromName("quicpool::ErrorCode").isValid());

    const QVariant value = QVariant::fromValue(Error(ErrorCode::Unauthorized, QStringLiteral("Go away.")));
    QCOMPARE(value.metaType(), errorType);
    const Error back = value.value<Error>();
    QCOMPARE(back.code(), ErrorCode::Unauthorized);
    QCOMPARE(back.message(), QStringLiteral("Go away."));
}

void TestConfig::versions()
{
    QCOMPARE(version(), QStringLiteral(QUICPOOL_VERSION_STRING));
    const QRegularExpression dotted(QStringLiteral("^(\\d+)\\.(\\d+)\\.(\\d+)"));
    QVERIFY(dotted.match(version()).hasMatch());

    const QRegularExpressionMatch ngtcp2 = dotted.match(ngtcp2Version());
    QVERIFY2(ngtcp2.hasMatch(), qPrintable(ngtcp2Version()));
    QVERIFY(ngtcp2.captured(1).toInt() > 1
            || (ngtcp2.captured(1).toInt() == 1 && ngtcp2.captured(2).toInt() >= 11));

    // "GnuTLS 3.7.9" or "OpenSSL 3.5.4": the library's name, then a version it has at run time.
    const QRegularExpression tls(QStringLiteral("^(GnuTLS 3\\.([7-9]|\\d\\d)|OpenSSL ([4-9]|3\\.([5-9]|\\d\\d)))\\.\\d+"));
    QVERIFY2(tls.match(tlsLibraryVersionString()).hasMatch(), qPrintable(tlsLibraryVersionString()));
}

void TestConfig::clientClampingCapacities_data()
{
    QTest::addColumn<int>("minCap");
    QTest::addColumn<int>("maxCap");
    QTest::addColumn<int>("expectedMin");
    QTest::addColumn<int>("expectedMax");
    QTest::newRow("valid") << 2 << 8 << 2 << 8;
    QTest::newRow("equal") << 5 << 5 << 5 << 5;
    QTest::newRow("both zero") << 0 << 0 << 1 << 1;
    QTest::newRow("min zero") << 0 << 8 << 1 << 8;
    QTest::newRow("min negative") << -5 << 3 << 1 << 3;
    QTest::newRow("max zero") << 4 << 0 << 1 << 4;          // 0 -> 1, then swapped
    QTest::newRow("max negative") << 5 << -1 << 1 << 5;
    QTest::newRow("both negative") << -2 << -9 << 1 << 1;
    QTest::newRow("swapped") << 10 << 4 << 4 << 10;
    QTest::newRow("swapped large") << 1024 << 64 << 64 << 1024;
}

void TestConfig::clientClampingCapacities()
{
    QFETCH(int, minCap);
    QFETCH(int, maxCap);
    QFETCH(int, expectedMin);
    QFETCH(int, expectedMax);
    ClientPoolConfig config;
    config.setMinCapacity(minCap);
    config.setMaxCapacity(maxCap);
    const ClientPoolConfig c = config.clamped();
    QCOMPARE(c.minCapacity(), expectedMin);
    QCOMPARE(c.maxCapacity(), expectedMax);
    // The original is left alone, and clamping twice changes nothing more.
    QCOMPARE(config.minCapacity(), minCap);
    QCOMPARE(c.clamped().minCapacity(), expectedMin);
    QCOMPARE(c.clamped().maxCapacity(), expectedMax);
}

void TestConfig::clientClampingIntervals_data()
{
    QTest::addColumn<Milliseconds>("minInterval");
    QTest::addColumn<Milliseconds>("maxInterval");
    QTest::addColumn<Milliseconds>("expectedMin");
    QTest::addColumn<Milliseconds>("expectedMax");
    QTest::newRow("valid") << 100ms << 1000ms << 100ms << 1000ms;
    QTest::newRow("equal") << 300ms << 300ms << 300ms << 300ms;
    QTest::newRow("both zero") << 0ms << 0ms << 1000ms << 1000ms;
    QTest::newRow("min zero") << 0ms << 5000ms << 1000ms << 5000ms;
    QTest::newRow("min negative") << -1ms << 5000ms << 1000ms << 5000ms;
    QTest::newRow("max zero") << 100ms << 0ms << 100ms << 1000ms;
    QTest::newRow("max negative, min above 1s") << 3000ms << -20ms << 1000ms << 3000ms; // 1 s, then swapped
    QTest::newRow("min negative, max below 1s") << -1ms << 500ms << 500ms << 1000ms;    // 1 s, then swapped
    QTest::newRow("swapped") << 2000ms << 100ms << 100ms << 2000ms;
}

void TestConfig::clientClampingIntervals()
{
    QFETCH(Milliseconds, minInterval);
    QFETCH(Milliseconds, maxInterval);
    QFETCH(Milliseconds, expectedMin);
    QFETCH(Milliseconds, expectedMax);
    ClientPoolConfig config;
    config.setMinInterval(minInterval);
    config.setMaxInterval(maxInterval);
    const ClientPoolConfig c = config.clamped();
    QCOMPARE(c.minInterval().count(), expectedMin.count());
    QCOMPARE(c.maxInterval().count(), expectedMax.count());
}

void TestConfig::clientClampingKeepsOtherFields()
{
    ClientPoolConfig config;
    config.setMinCapacity(0);
    config.setMaxInterval(0ms);
    config.setKeepAlive(0ms); // not clamped: validate() reports it
    config.setTlsMode(TlsMode::Verified);
    config.setHostname(QStringLiteral("example.com"));
    config.setAddress(QStringLiteral("example.com:443"));
    config.setPinSha256(QByteArray(32, 'x'));
    config.setHandshakeTimeout(1234ms);
    config.setIdReadTimeout(4321ms);
    config.setQlogDirectory(QStringLiteral("/tmp/q"));
    const ClientPoolConfig c = config.clamped();
    QCOMPARE(c.keepAlive().count(), 0);
    QCOMPARE(c.tlsMode(), TlsMode::Verified);
    QCOMPARE(c.hostname(), config.hostname());
    QCOMPARE(c.address(), config.address());
    QCOMPARE(c.pinSha256(), config.pinSha256());
    QCOMPARE(c.handshakeTimeout().count(), 1234);
    QCOMPARE(c.idReadTimeout().count(), 4321);
    QCOMPARE(c.qlogDirectory(), config.qlogDirectory());
    QCOMPARE(c.validate().code(), ErrorCode::InvalidConfig);
}

void TestConfig::serverClamping_data()
{
    QTest::addColumn<int>("maxCap");
    QTest::addColumn<int>("expected");
    QTest::newRow("zero") << 0 << 1;
    QTest::newRow("negative") << -3 << 1;
    QTest::newRow("one") << 1 << 1;
    QTest::newRow("many") << 1024 << 1024;
}

void TestConfig::serverClamping()
{
    QFETCH(int, maxCap);
    QFETCH(int, expected);
    ServerPoolConfig config;
    config.setMaxCapacity(maxCap);
    config.setClientIp(QStringLiteral("10.0.0.1"));
    config.setKeepAlive(5000ms);
    const ServerPoolConfig c = config.clamped();
    QCOMPARE(c.maxCapacity(), expected);
    QCOMPARE(c.clientIp(), config.clientIp());
    QCOMPARE(c.keepAlive().count(), 5000);
}

using ClientEdit = std::function<void(ClientPoolConfig &)>;
using ServerEdit = std::function<void(ServerPoolConfig &)>;
Q_DECLARE_METATYPE(ClientEdit)
Q_DECLARE_METATYPE(ServerEdit)

void TestConfig::clientValidation_data()
{
    QTest::addColumn<ClientEdit>("edit");
    QTest::addColumn<ErrorCode>("expected");
    QTest::addColumn<QString>("mentions");

    const auto row = [](const char *name, ClientEdit edit, ErrorCode code, const QString &mentions = {}) {
        QTest::newRow(name) << edit << code << mentions;
    };
    row("valid ipv4", [](ClientPoolConfig &) {}, ErrorCode::NoError);
    row("valid name", [](ClientPoolConfig &c) { c.setAddress(QStringLiteral("pool.example.com:443")); }, ErrorCode::NoError);
    row("valid ipv6", [](ClientPoolConfig &c) { c.setAddress(QStringLiteral("[::1]:4433")); }, ErrorCode::NoError);
    row("caps left to clamping", [](ClientPoolConfig &c) { c.setMinCapacity(-1); c.setMaxInterval(0ms); }, ErrorCode::NoError);
    row("resolver instead of address", [](ClientPoolConfig &c) {
        c.setAddress(QString());
        c.setResolver([] { return ResolvedAddress{QStringLiteral("127.0.0.1:1"), {}}; });
    }, ErrorCode::NoError);
    row("resolver overrides a bad address", [](ClientPoolConfig &c) {
        c.setAddress(QStringLiteral("junk"));
        c.setResolver([] { return ResolvedAddress{QStringLiteral("127.0.0.1:1"), {}}; });
    }, ErrorCode::NoError);
    row("no address", [](ClientPoolConfig &c) { c.setAddress(QString()); }, ErrorCode::InvalidAddress, QStringLiteral("address"));
    row("no port", [](ClientPoolConfig &c) { c.setAddress(QStringLiteral("localhost")); }, ErrorCode::InvalidAddress, QStringLiteral("localhost"));
    row("no host", [](ClientPoolConfig &c) { c.setAddress(QStringLiteral(":4433")); }, ErrorCode::InvalidAddress, QStringLiteral(":4433"));
    row("port 0", [](ClientPoolConfig &c) { c.setAddress(QStringLiteral("127.0.0.1:0")); }, ErrorCode::InvalidAddress, QStringLiteral("65535"));
    row("port too big", [](ClientPoolConfig &c) { c.setAddress(QStringLiteral("127.0.0.1:65536")); }, ErrorCode::InvalidAddress, QStringLiteral("65536"));
    row("unbracketed v6", [](ClientPoolConfig &c) { c.setAddress(QStringLiteral("::1:443")); }, ErrorCode::InvalidAddress, QStringLiteral("brackets"));
    row("tls mode 3", [](ClientPoolConfig &c) { c.setTlsMode(TlsMode(3)); }, ErrorCode::InvalidConfig, QStringLiteral("TLS mode"));
    row("tls mode -1", [](ClientPoolConfig &c) { c.setTlsMode(TlsMode(-1)); }, ErrorCode::InvalidConfig, QStringLiteral("TLS mode"));
    row("hostname with space", [](ClientPoolConfig &c) { c.setHostname(QStringLiteral("bad host")); }, ErrorCode::InvalidConfig, QStringLiteral("bad host"));
    row("hostname ip", [](ClientPoolConfig &c) { c.setHostname(QStringLiteral("::1")); }, ErrorCode::NoError);
    row("hostname name", [](ClientPoolConfig &c) { c.setHostname(QStringLiteral("example.com")); }, ErrorCode::NoError);
    row("pin 32 bytes", [](ClientPoolConfig &c) { c.setPinSha256(QByteArray(32, '\x01')); }, ErrorCode::NoError);
    row("pin 31 bytes", [](ClientPoolConfig &c) { c.setPinSha256(QByteArray(31, '\x01')); }, ErrorCode::InvalidConfig, QStringLiteral("31"));
    row("pin 33 bytes", [](ClientPoolConfig &c) { c.setPinSha256(QByteArray(33, '\x01')); }, ErrorCode::InvalidConfig, QStringLiteral("33"));
    row("pin as hex text", [](ClientPoolConfig &c) { c.setPinSha256(QByteArray(64, 'a')); }, ErrorCode::InvalidConfig, QStringLiteral("64"));
    row("keep-alive 0", [](ClientPoolConfig &c) { c.setKeepAlive(0ms); }, ErrorCode::InvalidConfig, QStringLiteral("keep-alive"));
    row("keep-alive negative", [](ClientPoolConfig &c) { c.setKeepAlive(-5ms); }, ErrorCode::InvalidConfig, QStringLiteral("keep-alive"));
    row("handshake timeout 0", [](ClientPoolConfig &c) { c.setHandshakeTimeout(0ms); }, ErrorCode::InvalidConfig, QStringLiteral("handshake"));
    row("id timeout 0", [](ClientPoolConfig &c) { c.setIdReadTimeout(0ms); }, ErrorCode::InvalidConfig, QStringLiteral("ID"));
    row("busy-poll 100 us", [](ClientPoolConfig &c) { c.setBusyPoll(100us); }, ErrorCode::NoError);
    row("busy-poll 1 ms", [](ClientPoolConfig &c) { c.setBusyPoll(1000us); }, ErrorCode::NoError);
    row("busy-poll above 1 ms", [](ClientPoolConfig &c) { c.setBusyPoll(1001us); }, ErrorCode::InvalidConfig, QStringLiteral("1001 us"));
    row("busy-poll negative", [](ClientPoolConfig &c) { c.setBusyPoll(-1us); }, ErrorCode::InvalidConfig, QStringLiteral("busy-poll"));
}

void TestConfig::clientValidation()
{
    QFETCH(ClientEdit, edit);
    QFETCH(ErrorCode, expected);
    QFETCH(QString, mentions);
    ClientPoolConfig config;
    config.setAddress(QStringLiteral("127.0.0.1:4433"));
    edit(config);
    const Error error = config.validate();
    QCOMPARE(error.code(), expected);
    if (expected != ErrorCode::NoError) {
        QVERIFY(!error.message().isEmpty());
        QVERIFY2(error.message().endsWith(u'.'), qPrintable(error.message()));
        QVERIFY2(error.message().contains(mentions), qPrintable(error.message()));
    }
}

void TestConfig::serverValidation_data()
{
    QTest::addColumn<ServerEdit>("edit");
    QTest::addColumn<ErrorCode>("expected");
    QTest::addColumn<QString>("mentions");

    const auto row = [](const char *name, ServerEdit edit, ErrorCode code, const QString &mentions = {}) {
        QTest::newRow(name) << edit << code << mentions;
    };
    row("defaults", [](ServerPoolConfig &) {}, ErrorCode::NoError);
    row("any host", [](ServerPoolConfig &c) { c.setListenAddress(QStringLiteral(":4433")); }, ErrorCode::NoError);
    row("v6 any port 0", [](ServerPoolConfig &c) { c.setListenAddress(QStringLiteral("[::]:0")); }, ErrorCode::NoError);
    row("localhost", [](ServerPoolConfig &c) { c.setListenAddress(QStringLiteral("localhost:4433")); }, ErrorCode::NoError);
    row("cap left to clamping", [](ServerPoolConfig &c) { c.setMaxCapacity(0); }, ErrorCode::NoError);
    row("no listen address", [](ServerPoolConfig &c) { c.setListenAddress(QString()); }, ErrorCode::InvalidAddress, QStringLiteral("empty"));
    row("listen without port", [](ServerPoolConfig &c) { c.setListenAddress(QStringLiteral("0.0.0.0")); }, ErrorCode::InvalidAddress, QStringLiteral("port"));
    row("listen port too big", [](ServerPoolConfig &c) { c.setListenAddress(QStringLiteral(":70000")); }, ErrorCode::InvalidAddress, QStringLiteral("70000"));
    row("client ip v4", [](ServerPoolConfig &c) { c.setClientIp(QStringLiteral("192.168.1.20")); }, ErrorCode::NoError);
    row("client ip v6", [](ServerPoolConfig &c) { c.setClientIp(QStringLiteral("2001:db8::1")); }, ErrorCode::NoError);
    row("client ip name", [](ServerPoolConfig &c) { c.setClientIp(QStringLiteral("localhost")); }, ErrorCode::InvalidAddress, QStringLiteral("localhost"));
    row("client ip with port", [](ServerPoolConfig &c) { c.setClientIp(QStringLiteral("1.2.3.4:80")); }, ErrorCode::InvalidAddress, QStringLiteral("1.2.3.4:80"));
    row("client ip five parts", [](ServerPoolConfig &c) { c.setClientIp(QStringLiteral("1.2.3.4.5")); }, ErrorCode::InvalidAddress, QStringLiteral("1.2.3.4.5"));
    row("cert and key files", [](ServerPoolConfig &c) {
        c.setCertificateFile(QStringLiteral("c.pem"));
        c.setPrivateKeyFile(QStringLiteral("k.pem"));
    }, ErrorCode::NoError);
    row("cert file without key", [](ServerPoolConfig &c) { c.setCertificateFile(QStringLiteral("c.pem")); }, ErrorCode::InvalidConfig, QStringLiteral("private key"));
    row("key file without cert", [](ServerPoolConfig &c) { c.setPrivateKeyFile(QStringLiteral("k.pem")); }, ErrorCode::InvalidConfig, QStringLiteral("certificate"));
    row("pem pair", [](ServerPoolConfig &c) {
        c.setCertificatePem("-----BEGIN CERTIFICATE-----");
        c.setPrivateKeyPem("-----BEGIN PRIVATE KEY-----");
    }, ErrorCode::NoError);
    row("pem without key", [](ServerPoolConfig &c) { c.setCertificatePem("x"); }, ErrorCode::InvalidConfig, QStringLiteral("private key"));
    row("key pem without cert", [](ServerPoolConfig &c) { c.setPrivateKeyPem("x"); }, ErrorCode::InvalidConfig, QStringLiteral("certificate"));
    row("files and pem", [](ServerPoolConfig &c) {
        c.setCertificateFile(QStringLiteral("c.pem"));
        c.setPrivateKeyFile(QStringLiteral("k.pem"));
        c.setCertificatePem("x");
        c.setPrivateKeyPem("y");
    }, ErrorCode::InvalidConfig, QStringLiteral("not both"));
    row("no self-signed name", [](ServerPoolConfig &c) { c.setSelfSignedName(QString()); }, ErrorCode::InvalidConfig, QStringLiteral("self-signed"));
    row("no self-signed name but files", [](ServerPoolConfig &c) {
        c.setSelfSignedName(QString());
        c.setCertificateFile(QStringLiteral("c.pem"));
        c.setPrivateKeyFile(QStringLiteral("k.pem"));
    }, ErrorCode::NoError);
    row("keep-alive 0", [](ServerPoolConfig &c) { c.setKeepAlive(0ms); }, ErrorCode::InvalidConfig, QStringLiteral("keep-alive"));
    row("handshake timeout negative", [](ServerPoolConfig &c) { c.setHandshakeTimeout(-1ms); }, ErrorCode::InvalidConfig, QStringLiteral("handshake"));
    row("hello timeout 0", [](ServerPoolConfig &c) { c.setHelloTimeout(0ms); }, ErrorCode::InvalidConfig, QStringLiteral("hello"));
    row("busy-poll 50 us", [](ServerPoolConfig &c) { c.setBusyPoll(50us); }, ErrorCode::NoError);
    row("busy-poll 1 s", [](ServerPoolConfig &c) { c.setBusyPoll(1000000us); }, ErrorCode::InvalidConfig, QStringLiteral("0 (off) to 1000 us"));
}

void TestConfig::serverValidation()
{
    QFETCH(ServerEdit, edit);
    QFETCH(ErrorCode, expected);
    QFETCH(QString, mentions);
    ServerPoolConfig config;
    edit(config);
    const Error error = config.validate();
    QCOMPARE(error.code(), expected);
    if (expected != ErrorCode::NoError) {
        QVERIFY(!error.message().isEmpty());
        QVERIFY2(error.message().endsWith(u'.'), qPrintable(error.message()));
        QVERIFY2(error.message().contains(mentions), qPrintable(error.message()));
    }
}

void TestConfig::parseHostPortValid_data()
{
    QTest::addColumn<QString>("text");
    QTest::addColumn<QString>("host");
    QTest::addColumn<int>("port");
    QTest::newRow("name") << "example.com:443" << "example.com" << 443;
    QTest::newRow("localhost") << "localhost:4433" << "localhost" << 4433;
    QTest::newRow("single label") << "pool:1" << "pool" << 1;
    QTest::newRow("trailing dot") << "example.com.:53" << "example.com." << 53;
    QTest::newRow("hyphen and underscore") << "my-pool_1.example:80" << "my-pool_1.example" << 80;
    QTest::newRow("ipv4") << "1.2.3.4:0" << "1.2.3.4" << 0;
    QTest::newRow("ipv4 any") << "0.0.0.0:65535" << "0.0.0.0" << 65535;
    QTest::newRow("ipv6 loopback") << "[::1]:443" << "::1" << 443;
    QTest::newRow("ipv6 any") << "[::]:0" << "::" << 0;
    QTest::newRow("ipv6 full") << "[2001:db8::1:2]:8443" << "2001:db8::1:2" << 8443;
    QTest::newRow("ipv4-mapped") << "[::ffff:10.0.0.1]:9" << "::ffff:10.0.0.1" << 9;
    QTest::newRow("empty host") << ":4433" << "" << 4433;
    QTest::newRow("leading zeros") << "host:00080" << "host" << 80;
}

void TestConfig::parseHostPortValid()
{
    QFETCH(QString, text);
    QFETCH(QString, host);
    QFETCH(int, port);
    QString gotHost = QStringLiteral("unset");
    quint16 gotPort = 12345;
    QString error = QStringLiteral("stale");
    QVERIFY2(parseHostPort(text, &gotHost, &gotPort, &error), qPrintable(error));
    QCOMPARE(gotHost, host);
    QCOMPARE(int(gotPort), port);
    QVERIFY(error.isEmpty());
    // Every output is optional.
    QVERIFY(parseHostPort(text, nullptr, nullptr, nullptr));
}

void TestConfig::parseHostPortInvalid_data()
{
    QTest::addColumn<QString>("text");
    QTest::addColumn<QString>("mentions");
    QTest::newRow("empty") << "" << "empty";
    QTest::newRow("no colon") << "localhost" << "port is missing";
    QTest::newRow("colon, no port") << "localhost:" << "port is missing";
    QTest::newRow("port 65536") << "host:65536" << "65536";
    QTest::newRow("port huge") << "host:99999999999999999999" << "above 65535";
    QTest::newRow("port not numeric") << "host:https" << "not a number";
    QTest::newRow("port negative") << "host:-1" << "not a number";
    QTest::newRow("port plus") << "host:+80" << "not a number";
    QTest::newRow("port hex") << "host:0x50" << "not a number";
    QTest::newRow("port fullwidth") << QStringLiteral("host:") + QChar(0xff18) + QChar(0xff10) << "not a number";
    QTest::newRow("unbracketed v6") << "::1:443" << "brackets";
    QTest::newRow("unbracketed v6 full") << "2001:db8::1:443" << "brackets";
    QTest::newRow("bracket no port") << "[::1]" << "port is missing";
    QTest::newRow("bracket colon no port") << "[::1]:" << "port is missing";
    QTest::newRow("bracket no colon") << "[::1]443" << "expected ':'";
    QTest::newRow("bracket unclosed") << "[::1:443" << "matching";
    QTest::newRow("bracket empty") << "[]:443" << "no IPv6";
    QTest::newRow("bracket v4") << "[1.2.3.4]:80" << "not an IPv6";
    QTest::newRow("bracket name") << "[localhost]:80" << "not an IPv6";
    QTest::newRow("stray bracket") << "1.2.3.4]:80" << "brackets";
    QTest::newRow("leading space") << " host:80" << "white space";
    QTest::newRow("space before colon") << "host :80" << "white space";
    QTest::newRow("space in name") << "ho st:80" << "white space";
    QTest::newRow("trailing newline") << "host:80\n" << "white space";
    QTest::newRow("label starts with hyphen") << "-bad:80" << "neither";
    QTest::newRow("empty label") << "a..b:80" << "neither";
    QTest::newRow("bad ipv4") << "999.1.1.1:80" << "neither";
    QTest::newRow("five octets") << "1.2.3.4.5:80" << "neither";
    QTest::newRow("slash") << "host/path:80" << "neither";
    QTest::newRow("non-ascii name") << QStringLiteral("h") + QChar(0x00e9) + QStringLiteral("te:80") << "neither";
    QTest::newRow("label too long") << QString(64, u'a') + QStringLiteral(":80") << "neither";
}

void TestConfig::parseHostPortInvalid()
{
    QFETCH(QString, text);
    QFETCH(QString, mentions);
    QString host = QStringLiteral("unset");
    quint16 port = 12345;
    QString error;
    QVERIFY(!parseHostPort(text, &host, &port, &error));
    QVERIFY2(error.contains(mentions), qPrintable(error));
    QVERIFY2(error.endsWith(u'.'), qPrintable(error));
    QVERIFY2(error.contains(text), qPrintable(error));
    QCOMPARE(host, QStringLiteral("unset"));
    QCOMPARE(port, quint16(12345));
    QVERIFY(!parseHostPort(text, nullptr, nullptr, nullptr));
}

void TestConfig::qlogDirectoryRule()
{
    // What checkQlogDirectory() says, and that both configs' validate()
    // says it: made if missing, refused if it cannot be made or written.
    QTemporaryDir dir;
    QVERIFY(dir.isValid());
    const QString file = dir.filePath(QStringLiteral("plain"));
    {
        QFile f(file);
        QVERIFY(f.open(QIODevice::WriteOnly));
    }
    QCOMPARE(checkQlogDirectory(QString()), Error());
    QCOMPARE(checkQlogDirectory(dir.path()), Error());
    QCOMPARE(checkQlogDirectory(dir.filePath(QStringLiteral("a/b/c"))), Error());
    QCOMPARE(checkQlogDirectory(QStringLiteral("relative/qlog")), Error());   // below the working folder
    QCOMPARE(checkQlogDirectory(file),
             Error(ErrorCode::QlogError, QStringLiteral("The qlog folder %1 is a file, not a folder.").arg(file)));
    const QString under = file + QStringLiteral("/a/b");
    QCOMPARE(checkQlogDirectory(under),
             Error(ErrorCode::QlogError,
                   QStringLiteral("The qlog folder %1 cannot be made: %2 is a file, not a folder.").arg(under, file)));
    QVERIFY(!QFileInfo::exists(dir.filePath(QStringLiteral("a"))));   // it only looks

    ClientPoolConfig cc;
    cc.setAddress(QStringLiteral("127.0.0.1:4433"));
    cc.setQlogDirectory(under);
    QCOMPARE(cc.validate(), checkQlogDirectory(under));
    ServerPoolConfig sc;
    sc.setQlogDirectory(under);
    QCOMPARE(sc.validate(), checkQlogDirectory(under));
    sc.setQlogDirectory(dir.filePath(QStringLiteral("new")));
    QCOMPARE(sc.validate(), Error());

    // Without write permission (root may write anywhere: other users only).
    const QString locked = dir.filePath(QStringLiteral("locked"));
    QVERIFY(QDir().mkpath(locked));
    QVERIFY(QFile::setPermissions(locked, QFileDevice::ReadOwner | QFileDevice::ExeOwner));
    const auto unlock = qScopeGuard([&] {
        QFile::setPermissions(locked, QFileDevice::ReadOwner | QFileDevice::WriteOwner | QFileDevice::ExeOwner);
    });
    if (!QFileInfo(locked).isWritable()) {
        QCOMPARE(checkQlogDirectory(locked).message(), QStringLiteral("The qlog folder %1 is not writable.").arg(locked));
        QCOMPARE(checkQlogDirectory(locked + QStringLiteral("/new")).message(),
                 QStringLiteral("The qlog folder %1/new does not exist and cannot be made: %1 is not writable.")
                     .arg(locked));
    }
}

QTEST_GUILESS_MAIN(TestConfig)
#include "tst_config.moc"
