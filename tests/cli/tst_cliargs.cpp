// The `quicpool` command line: every option, default and usage error.
#include "cliargs.h"

#include <quicpool/global.h>
#include <QtCore/QTemporaryDir>
#include <QtCore/QTemporaryFile>
#include <QtTest/QtTest>

using namespace quicpool;
using namespace quicpool::cli;

namespace {

QStringList split(const QString &line)
{
    return line.split(u' ', Qt::SkipEmptyParts);
}

ParseResult parse(const QString &line)
{
    return parseArguments(split(line));
}

// A well-formed pin: 32 bytes 00, 01, ... 1f.
QByteArray pinBytes()
{
    QByteArray bytes;
    for (int i = 0; i < 32; ++i)
        bytes.append(char(i));
    return bytes;
}

QString pinText()
{
    return QStringLiteral("sha256:") + QString::fromLatin1(pinBytes().toHex(':').toUpper());
}

} // namespace

class TestCliArgs : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void noCommand();
    void help_data();
    void help();
    void version_data();
    void version();
    void unknownCommand_data();
    void unknownCommand();

    void serverDefaults();
    void serverEveryOption_data();
    void serverEveryOption();
    void serverModes();
    void serverErrors_data();
    void serverErrors();

    void clientDefaults();
    void clientEveryOption_data();
    void clientEveryOption();
    void clientTlsModes();
    void clientPinForms();
    void clientCaFile();
    void clientDerivedDefaults();
    void clientErrors_data();
    void clientErrors();
    void clientRunsLikeIperf();
    void clientRunErrors_data();
    void clientRunErrors();
    void metricsOption();

    void demo();
    void demoErrors_data();
    void demoErrors();
    void bench();
    void benchErrors_data();
    void benchErrors();

    void usageTexts();
    void usageTextsFitTerminal();
    void versionTextNamesLibraries();
    void usageErrorTextPointsToHelp();
    void poolConfigs();
    void pathOptions_data();
    void pathOptions();
    void pathOptionErrors_data();
    void pathOptionErrors();
    void serverAdmissionOptions();

    void iperfShortOptions_data();
    void iperfShortOptions();
    void iperfBareNumbers();
    void shortOptionErrors_data();
    void shortOptionErrors();
    void benchAndRelayShortOptions();
    void unknownOptionHints();
    void everyTableOption_data();
    void everyTableOption();
    void qlogFolderCheckedUpFront();
};

void TestCliArgs::noCommand()
{
    const ParseResult result = parseArguments({});
    QVERIFY(!result.ok());
    QVERIFY(result.error.contains(u"No command"));
    QVERIFY(result.commandName.isEmpty());
}

void TestCliArgs::help_data()
{
    QTest::addColumn<QString>("line");
    QTest::addColumn<QString>("command");
    QTest::newRow("--help") << "--help" << "";
    QTest::newRow("-h") << "-h" << "";
    QTest::newRow("help") << "help" << "";
    QTest::newRow("help client") << "help client" << "client";
    QTest::newRow("--help server") << "--help server" << "server";
    QTest::newRow("server --help") << "server --help" << "server";
    QTest::newRow("client -h") << "client -h" << "client";
    QTest::newRow("demo --help") << "demo --help" << "demo";
    QTest::newRow("bench --help") << "bench --help" << "bench";
    // Help wins over errors on the same line.
    QTest::newRow("help after bad option") << "client --bogus --help" << "client";
    QTest::newRow("help after bad value") << "server --max-cap x --help" << "server";
    QTest::newRow("help as missing value") << "client --connect --help" << "client";
}

void TestCliArgs::help()
{
    QFETCH(QString, line);
    QFETCH(QString, command);
    const ParseResult result = parse(line);
    QVERIFY2(result.ok(), qPrintable(result.error));
    const auto *request = std::get_if<HelpRequest>(&result.command);
    QVERIFY(request);
    QCOMPARE(request->command, command);
}

void TestCliArgs::version_data()
{
    QTest::addColumn<QString>("line");
    QTest::addColumn<bool>("ok");
    QTest::newRow("--version") << "--version" << true;
    QTest::newRow("-V") << "-V" << true;
    QTest::newRow("-v") << "-v" << true;
    QTest::newRow("version") << "version" << true;
    QTest::newRow("extra argument") << "--version now" << false;
    QTest::newRow("help with two commands") << "help client server" << false;
    QTest::newRow("help with unknown command") << "help frobnicate" << false;
}

void TestCliArgs::version()
{
    QFETCH(QString, line);
    QFETCH(bool, ok);
    const ParseResult result = parse(line);
    QCOMPARE(result.ok(), ok);
    if (ok)
        QVERIFY(std::holds_alternative<VersionRequest>(result.command));
    else
        QVERIFY(result.error.contains(u"Unexpected argument"));
}

void TestCliArgs::unknownCommand_data()
{
    QTest::addColumn<QString>("line");
    QTest::addColumn<QString>("mentions");
    QTest::newRow("word") << "serve --listen :1" << "Unknown command \"serve\"";
    QTest::newRow("upper case") << "SERVER" << "Unknown command \"SERVER\"";
    QTest::newRow("option first") << "--listen :1 server" << "a command (server, client, demo, bench or relay) comes first";
    QTest::newRow("json first") << "--json client" << "Unknown option --json";
}

void TestCliArgs::unknownCommand()
{
    QFETCH(QString, line);
    QFETCH(QString, mentions);
    const ParseResult result = parse(line);
    QVERIFY(!result.ok());
    QVERIFY2(result.error.contains(mentions), qPrintable(result.error));
    QVERIFY(result.commandName.isEmpty());
}

void TestCliArgs::serverDefaults()
{
    const ParseResult result = parse(QStringLiteral("server --listen :4433"));
    QVERIFY2(result.ok(), qPrintable(result.error));
    QCOMPARE(result.commandName, QStringLiteral("server"));
    const auto *o = std::get_if<ServerOptions>(&result.command);
    QVERIFY(o);
    QCOMPARE(o->listen, QStringLiteral(":4433"));
    QCOMPARE(o->maxCapacity, 1024);
    QVERIFY(o->clientIp.isEmpty());
    QVERIFY(o->certificateFile.isEmpty());
    QVERIFY(o->privateKeyFile.isEmpty());
    QCOMPARE(o->keepAlive.count(), 30000);
    QCOMPARE(o->mode, workload::Mode::Echo);
    QVERIFY(!o->verbose);
}

void TestCliArgs::serverEveryOption_data()
{
    QTest::addColumn<QStringList>("args");
    QTest::newRow("separate values") << split(QStringLiteral(
        "server --listen [::1]:0 --max-cap 5 --client-ip 10.0.0.1 --cert c.pem --key k.pem "
        "--keep-alive 2s --mode sink --verbose"));
    QTest::newRow("inline values") << split(QStringLiteral(
        "server --listen=[::1]:0 --max-cap=5 --client-ip=10.0.0.1 --cert=c.pem --key=k.pem "
        "--keep-alive=2s --mode=sink --verbose"));
    QTest::newRow("other order, last wins") << split(QStringLiteral(
        "server --verbose --mode echo --mode sink --key k.pem --cert c.pem --keep-alive 2000ms "
        "--client-ip 10.0.0.1 --max-cap 7 --max-cap 5 --listen [::1]:0 --"));
}

void TestCliArgs::serverEveryOption()
{
    QFETCH(QStringList, args);
    const ParseResult result = parseArguments(args);
    QVERIFY2(result.ok(), qPrintable(result.error));
    const auto *o = std::get_if<ServerOptions>(&result.command);
    QVERIFY(o);
    QCOMPARE(o->listen, QStringLiteral("[::1]:0"));
    QCOMPARE(o->maxCapacity, 5);
    QCOMPARE(o->clientIp, QStringLiteral("10.0.0.1"));
    QCOMPARE(o->certificateFile, QStringLiteral("c.pem"));
    QCOMPARE(o->privateKeyFile, QStringLiteral("k.pem"));
    QCOMPARE(o->keepAlive.count(), 2000);
    QCOMPARE(o->mode, workload::Mode::Sink);
    QVERIFY(o->verbose);
}

void TestCliArgs::serverModes()
{
    const QList<std::pair<QString, workload::Mode>> modes = {{QStringLiteral("echo"), workload::Mode::Echo},
                                                      {QStringLiteral("sink"), workload::Mode::Sink},
                                                      {QStringLiteral("source"), workload::Mode::Source},
                                                      {QStringLiteral("hold"), workload::Mode::Hold}};
    for (const auto &[name, mode] : modes) {
        const ParseResult result = parse(QStringLiteral("server --listen :1 --mode ") + name);
        QVERIFY2(result.ok(), qPrintable(result.error));
        QCOMPARE(std::get<ServerOptions>(result.command).mode, mode);
    }
    // A client-ip in IPv6 form is fine too.
    const ParseResult v6 = parse(QStringLiteral("server --listen :1 --client-ip 2001:db8::7"));
    QVERIFY2(v6.ok(), qPrintable(v6.error));
    QCOMPARE(std::get<ServerOptions>(v6.command).clientIp, QStringLiteral("2001:db8::7"));
}

void TestCliArgs::serverErrors_data()
{
    QTest::addColumn<QStringList>("args");
    QTest::addColumn<QString>("mentions");
    const auto row = [](const char *name, const QString &line, const QString &mentions) {
        QTest::newRow(name) << split(line) << mentions;
    };
    const QString base = QStringLiteral("server --listen :4433 ");
    row("no listen", QStringLiteral("server"), QStringLiteral("needs --listen HOST:PORT"));
    row("no listen with options", QStringLiteral("server --max-cap 3 --verbose"), QStringLiteral("needs --listen"));
    row("listen without value", QStringLiteral("server --listen"), QStringLiteral("--listen needs a value."));
    row("listen followed by option", QStringLiteral("server --listen --verbose"), QStringLiteral("--listen needs a value."));
    row("listen without port", QStringLiteral("server --listen localhost"), QStringLiteral("--listen: Invalid address \"localhost\""));
    row("listen bad port", QStringLiteral("server --listen :99999"), QStringLiteral("above 65535"));
    row("listen unbracketed v6", QStringLiteral("server --listen ::1:443"), QStringLiteral("brackets"));
    row("max-cap zero", base + QStringLiteral("--max-cap 0"), QStringLiteral("--max-cap must be at least 1, not 0."));
    row("max-cap negative", base + QStringLiteral("--max-cap -3"), QStringLiteral("--max-cap must be at least 1, not -3."));
    row("max-cap word", base + QStringLiteral("--max-cap many"), QStringLiteral("--max-cap expects a whole number, not \"many\"."));
    row("max-cap decimal", base + QStringLiteral("--max-cap 1.5"), QStringLiteral("expects a whole number"));
    row("max-cap plus", base + QStringLiteral("--max-cap +5"), QStringLiteral("expects a whole number"));
    row("max-cap empty", base + QStringLiteral("--max-cap="), QStringLiteral("expects a whole number, not \"\""));
    row("max-cap overflow", base + QStringLiteral("--max-cap 99999999999"), QStringLiteral("--max-cap is too large"));
    row("client-ip bad", base + QStringLiteral("--client-ip 1.2.3.4.5"), QStringLiteral("--client-ip expects an IP address"));
    row("client-ip name", base + QStringLiteral("--client-ip localhost"), QStringLiteral("--client-ip expects an IP address"));
    row("client-ip bracketed", base + QStringLiteral("--client-ip [::1]"), QStringLiteral("--client-ip expects an IP address"));
    row("client-ip empty", base + QStringLiteral("--client-ip="), QStringLiteral("--client-ip expects an IP address"));
    row("cert without key", base + QStringLiteral("--cert c.pem"), QStringLiteral("--cert needs --key"));
    row("key without cert", base + QStringLiteral("--key k.pem"), QStringLiteral("--key needs --cert"));
    row("cert empty", base + QStringLiteral("--cert= --key k.pem"), QStringLiteral("--cert needs a PEM file name."));
    row("key empty", base + QStringLiteral("--cert c.pem --key="), QStringLiteral("--key needs a PEM file name."));
    row("keep-alive no unit", base + QStringLiteral("--keep-alive 30"), QStringLiteral("needs a unit"));
    row("keep-alive zero", base + QStringLiteral("--keep-alive 0s"), QStringLiteral("--keep-alive must be above zero"));
    row("keep-alive junk", base + QStringLiteral("--keep-alive soon"), QStringLiteral("--keep-alive: \"soon\" is not a duration"));
    row("mode unknown", base + QStringLiteral("--mode discard"), QStringLiteral("--mode takes echo, sink, source or hold"));
    row("mode upper case", base + QStringLiteral("--mode ECHO"), QStringLiteral("not \"ECHO\""));
    row("verbose with value", base + QStringLiteral("--verbose=yes"), QStringLiteral("--verbose takes no value."));
    row("unknown option", base + QStringLiteral("--bogus"), QStringLiteral("Unknown option --bogus for quicpool server."));
    row("unknown inline option", base + QStringLiteral("--bogus=1"), QStringLiteral("Unknown option --bogus for quicpool server."));
    row("client option", base + QStringLiteral("--min-cap 3"), QStringLiteral("Unknown option --min-cap for quicpool server."));
    row("short option", base + QStringLiteral("-v"), QStringLiteral("Unknown option -v for quicpool server."));
    row("stray argument", base + QStringLiteral("now"), QStringLiteral("Unexpected argument \"now\""));
    row("argument after --", base + QStringLiteral("-- now"), QStringLiteral("Unexpected argument \"now\""));
}

void TestCliArgs::serverErrors()
{
    QFETCH(QStringList, args);
    QFETCH(QString, mentions);
    const ParseResult result = parseArguments(args);
    QVERIFY(!result.ok());
    QVERIFY2(result.error.contains(mentions), qPrintable(result.error));
    QVERIFY2(result.error.endsWith(u'.'), qPrintable(result.error));
    QCOMPARE(result.commandName, QStringLiteral("server"));
}

void TestCliArgs::clientDefaults()
{
    const ParseResult result = parse(QStringLiteral("client --connect 127.0.0.1:4433"));
    QVERIFY2(result.ok(), qPrintable(result.error));
    QCOMPARE(result.commandName, QStringLiteral("client"));
    const auto *o = std::get_if<ClientOptions>(&result.command);
    QVERIFY(o);
    QCOMPARE(o->connect, QStringLiteral("127.0.0.1:4433"));
    QCOMPARE(o->minCapacity, 1);
    QCOMPARE(o->maxCapacity, 64);
    QCOMPARE(o->minInterval.count(), 100);
    QCOMPARE(o->maxInterval.count(), 1000);
    QCOMPARE(o->keepAlive.count(), 30000);
    QCOMPARE(o->tlsMode, TlsMode::SelfSigned);
    QVERIFY(o->hostname.isEmpty());
    QVERIFY(o->pinSha256.isEmpty());
    QCOMPARE(o->mode, workload::Mode::Echo);
    QCOMPARE(o->streams, 1);
    QCOMPARE(o->parallel, 1);
    QCOMPARE(o->bytes, qint64(65536));
    QVERIFY(!o->json);
    QCOMPARE(o->timeout.count(), 10000);
    QCOMPARE(o->handshakeTimeout.count(), 10000);
}

void TestCliArgs::clientEveryOption_data()
{
    QTest::addColumn<QStringList>("args");
    const QString pin = pinText();
    QTest::newRow("separate values") << split(QStringLiteral(
        "client --connect pool.example:443 --min-cap 2 --max-cap 8 --min-interval 250ms "
        "--max-interval 2s --keep-alive 10s --tls 2 --hostname pool.example --pin %1 --mode source "
        "--streams 100 --parallel 4 --bytes 1MiB --json --timeout 3s --handshake-timeout 1500ms").arg(pin));
    QTest::newRow("inline values") << split(QStringLiteral(
        "client --connect=pool.example:443 --min-cap=2 --max-cap=8 --min-interval=250ms "
        "--max-interval=2s --keep-alive=10s --tls=2 --hostname=pool.example --pin=%1 --mode=source "
        "--streams=100 --parallel=4 --bytes=1MiB --json --timeout=3s --handshake-timeout=1500ms").arg(pin));
}

void TestCliArgs::clientEveryOption()
{
    QFETCH(QStringList, args);
    const ParseResult result = parseArguments(args);
    QVERIFY2(result.ok(), qPrintable(result.error));
    const auto *o = std::get_if<ClientOptions>(&result.command);
    QVERIFY(o);
    QCOMPARE(o->connect, QStringLiteral("pool.example:443"));
    QCOMPARE(o->minCapacity, 2);
    QCOMPARE(o->maxCapacity, 8);
    QCOMPARE(o->minInterval.count(), 250);
    QCOMPARE(o->maxInterval.count(), 2000);
    QCOMPARE(o->keepAlive.count(), 10000);
    QCOMPARE(o->tlsMode, TlsMode::Verified);
    QCOMPARE(o->hostname, QStringLiteral("pool.example"));
    QCOMPARE(o->pinSha256, pinBytes());
    QCOMPARE(o->mode, workload::Mode::Source);
    QCOMPARE(o->streams, 100);
    QCOMPARE(o->parallel, 4);
    QCOMPARE(o->bytes, qint64(1048576));
    QVERIFY(o->json);
    QCOMPARE(o->timeout.count(), 3000);
    QCOMPARE(o->handshakeTimeout.count(), 1500);
}

void TestCliArgs::clientTlsModes()
{
    const QList<std::pair<QString, TlsMode>> modes = {{QStringLiteral("0"), TlsMode::Insecure},
                                                      {QStringLiteral("1"), TlsMode::SelfSigned},
                                                      {QStringLiteral("2"), TlsMode::Verified}};
    for (const auto &[text, mode] : modes) {
        const ParseResult result = parse(QStringLiteral("client --connect h:1 --tls ") + text);
        QVERIFY2(result.ok(), qPrintable(result.error));
        QCOMPARE(std::get<ClientOptions>(result.command).tlsMode, mode);
    }
    for (const QString &mode : {QStringLiteral("echo"), QStringLiteral("sink"), QStringLiteral("source")}) {
        const ParseResult result = parse(QStringLiteral("client --connect h:1 --mode ") + mode);
        QVERIFY2(result.ok(), qPrintable(result.error));
        QCOMPARE(workload::modeName(std::get<ClientOptions>(result.command).mode), mode);
    }
}

void TestCliArgs::clientPinForms()
{
    // parseFingerprint's forms: prefixed with colons, bare hex, lower case.
    const QString hex = QString::fromLatin1(pinBytes().toHex());
    for (const QString &pin : {pinText(), hex, hex.toUpper(), QStringLiteral("sha256:") + hex}) {
        const ParseResult result = parse(QStringLiteral("client --connect h:1 --pin ") + pin);
        QVERIFY2(result.ok(), qPrintable(pin + u' ' + result.error));
        QCOMPARE(std::get<ClientOptions>(result.command).pinSha256, pinBytes());
    }
}

void TestCliArgs::clientCaFile()
{
    QTemporaryFile pem;
    QVERIFY(pem.open());
    const ParseResult result = parse(QStringLiteral("client --connect h:1 --tls 2 --ca-file ") + pem.fileName());
    QVERIFY2(result.ok(), qPrintable(result.error));
    const ClientOptions &o = std::get<ClientOptions>(result.command);
    QCOMPARE(o.caFile, pem.fileName());
    QCOMPARE(toClientPoolConfig(o).caFile(), pem.fileName());

    const ParseResult missing = parse(QStringLiteral("client --connect h:1 --ca-file /no/such/ca.pem"));
    QVERIFY(!missing.ok());
    QCOMPARE(missing.error, QStringLiteral("--ca-file \"/no/such/ca.pem\" cannot be read."));
}

void TestCliArgs::clientDerivedDefaults()
{
    const auto options = [](const QString &extra) {
        const ParseResult result = parse(QStringLiteral("client --connect h:1 ") + extra);
        if (!result.ok())
            qWarning() << result.error;
        return result.ok() ? std::get<ClientOptions>(result.command) : ClientOptions{};
    };
    // The default max-cap makes room for what the other options ask.
    QCOMPARE(options(QStringLiteral("--parallel 100")).maxCapacity, 100);
    QCOMPARE(options(QStringLiteral("--parallel 10")).maxCapacity, 64);
    QCOMPARE(options(QStringLiteral("--min-cap 80")).maxCapacity, 80);
    QCOMPARE(options(QStringLiteral("--min-cap 80 --parallel 90")).maxCapacity, 90);
    // An explicit max-cap is kept even below --parallel (streams then wait).
    QCOMPARE(options(QStringLiteral("--max-cap 10 --parallel 100")).maxCapacity, 10);
    QCOMPARE(options(QStringLiteral("--max-cap 10 --parallel 100")).minCapacity, 1);
    // A default interval bound moves aside for an explicit one.
    const ClientOptions longMin = options(QStringLiteral("--min-interval 2s"));
    QCOMPARE(longMin.minInterval.count(), 2000);
    QCOMPARE(longMin.maxInterval.count(), 2000);
    const ClientOptions shortMax = options(QStringLiteral("--max-interval 50ms"));
    QCOMPARE(shortMax.minInterval.count(), 50);
    QCOMPARE(shortMax.maxInterval.count(), 50);
    const ClientOptions equal = options(QStringLiteral("--min-interval 1s --max-interval 1s --min-cap 3 --max-cap 3"));
    QCOMPARE(equal.minInterval.count(), 1000);
    QCOMPARE(equal.maxCapacity, 3);
    QCOMPARE(options(QStringLiteral("--bytes 0")).bytes, qint64(0));
    QCOMPARE(options(QStringLiteral("--bytes 64KB")).bytes, qint64(64000));
    QCOMPARE(options(QStringLiteral("--connect [::1]:9")).connect, QStringLiteral("[::1]:9")); // last wins
}

void TestCliArgs::clientRunsLikeIperf()
{
    ParseResult result = parse(QStringLiteral("client --connect h:1"));
    QVERIFY2(result.ok(), qPrintable(result.error));
    auto o = std::get<ClientOptions>(result.command);
    QCOMPARE(o.duration.count(), 0);
    QCOMPARE(o.rate, 0);
    QCOMPARE(o.interval.count(), 0);
    QVERIFY(!o.verbose);
    QCOMPARE(o.mode, workload::Mode::Echo);

    result = parse(QStringLiteral("client --connect h:1 --time 1.5s --rate 400mbit --interval 250ms --reverse --verbose"));
    QVERIFY2(result.ok(), qPrintable(result.error));
    o = std::get<ClientOptions>(result.command);
    QCOMPARE(o.duration.count(), 1500);
    QCOMPARE(o.rate, 50000000);
    QCOMPARE(o.interval.count(), 250);
    QCOMPARE(o.mode, workload::Mode::Source);
    QVERIFY(o.verbose);

    // --reverse agrees with an explicit --mode source, whatever the order.
    result = parse(QStringLiteral("client --connect h:1 --reverse --mode source --rate 50MB/s"));
    QVERIFY2(result.ok(), qPrintable(result.error));
    QCOMPARE(std::get<ClientOptions>(result.command).mode, workload::Mode::Source);
    QCOMPARE(std::get<ClientOptions>(result.command).rate, 50000000);
}

void TestCliArgs::clientRunErrors_data()
{
    QTest::addColumn<QStringList>("args");
    QTest::addColumn<QString>("mentions");
    const auto row = [](const char *name, const QString &tail, const QString &mentions) {
        QTest::newRow(name) << split(QStringLiteral("client --connect h:1 ") + tail) << mentions;
    };
    row("time without unit", QStringLiteral("--time 10"), QStringLiteral("--time: "));
    row("time zero", QStringLiteral("--time 0s"), QStringLiteral("--time must be above zero"));
    row("time and streams", QStringLiteral("--time 2s --streams 5"),
        QStringLiteral("--streams and --time both say when to stop"));
    row("streams and time", QStringLiteral("--streams 5 --time 2s"),
        QStringLiteral("--streams and --time both say when to stop"));
    row("rate without unit", QStringLiteral("--rate 400"), QStringLiteral("--rate: "));
    row("rate garbage", QStringLiteral("--rate fast"), QStringLiteral("--rate: "));
    row("rate zero", QStringLiteral("--rate 0mbit"), QStringLiteral("--rate: "));
    row("interval too short", QStringLiteral("--interval 50ms"), QStringLiteral("--interval must be at least 100ms"));
    row("interval without unit", QStringLiteral("--interval 1"), QStringLiteral("--interval: "));
    row("reverse with echo", QStringLiteral("--reverse --mode echo"),
        QStringLiteral("--reverse makes the server send (mode source); it cannot go with --mode echo."));
    row("sink then reverse", QStringLiteral("--mode sink --reverse"), QStringLiteral("cannot go with --mode sink"));
    row("reverse with value", QStringLiteral("--reverse=1"), QStringLiteral("--reverse takes no value."));
    row("metrics without port", QStringLiteral("--metrics localhost"), QStringLiteral("--metrics: "));
}

void TestCliArgs::clientRunErrors()
{
    QFETCH(QStringList, args);
    QFETCH(QString, mentions);
    const ParseResult result = parseArguments(args);
    QVERIFY(!result.ok());
    QCOMPARE(result.commandName, QStringLiteral("client"));
    QVERIFY2(result.error.contains(mentions), qPrintable(result.error));
}

void TestCliArgs::metricsOption()
{
    ParseResult result = parse(QStringLiteral("server --listen :0 --metrics 127.0.0.1:0"));
    QVERIFY2(result.ok(), qPrintable(result.error));
    QCOMPARE(std::get<ServerOptions>(result.command).metrics, QStringLiteral("127.0.0.1:0"));
    result = parse(QStringLiteral("client --connect h:1 --metrics :9464"));
    QVERIFY2(result.ok(), qPrintable(result.error));
    QCOMPARE(std::get<ClientOptions>(result.command).metrics, QStringLiteral(":9464"));
    result = parse(QStringLiteral("server --listen :0 --metrics nonsense"));
    QVERIFY(!result.ok());
    QVERIFY2(result.error.startsWith(QStringLiteral("--metrics: ")), qPrintable(result.error));
}

void TestCliArgs::clientErrors_data()
{
    QTest::addColumn<QStringList>("args");
    QTest::addColumn<QString>("mentions");
    const auto row = [](const char *name, const QString &line, const QString &mentions) {
        QTest::newRow(name) << split(line) << mentions;
    };
    const QString base = QStringLiteral("client --connect h:1 ");
    row("no connect", QStringLiteral("client"), QStringLiteral("quicpool client needs --connect HOST:PORT."));
    row("no connect with options", QStringLiteral("client --json"), QStringLiteral("needs --connect"));
    row("connect without value", QStringLiteral("client --connect"), QStringLiteral("--connect needs a value."));
    row("connect no host", QStringLiteral("client --connect :4433"), QStringLiteral("--connect needs a host"));
    row("connect port 0", QStringLiteral("client --connect h:0"), QStringLiteral("--connect needs a port from 1 to 65535"));
    row("connect no port", QStringLiteral("client --connect h"), QStringLiteral("port is missing"));
    row("connect unbracketed v6", QStringLiteral("client --connect ::1:443"), QStringLiteral("brackets"));
    row("connect port too big", QStringLiteral("client --connect h:65536"), QStringLiteral("above 65535"));
    row("min-cap zero", base + QStringLiteral("--min-cap 0"), QStringLiteral("--min-cap must be at least 1"));
    row("min-cap word", base + QStringLiteral("--min-cap few"), QStringLiteral("--min-cap expects a whole number"));
    row("max-cap zero", base + QStringLiteral("--max-cap 0"), QStringLiteral("--max-cap must be at least 1"));
    row("min-cap above max-cap", base + QStringLiteral("--min-cap 5 --max-cap 2"), QStringLiteral("--min-cap (5) is above --max-cap (2)."));
    row("min-interval zero", base + QStringLiteral("--min-interval 0ms"), QStringLiteral("--min-interval must be above zero"));
    row("min-interval no unit", base + QStringLiteral("--min-interval 100"), QStringLiteral("needs a unit"));
    row("max-interval junk", base + QStringLiteral("--max-interval 1x"), QStringLiteral("unknown unit"));
    row("min-interval above max-interval", base + QStringLiteral("--min-interval 2s --max-interval 1500ms"),
        QStringLiteral("--min-interval (2s) is above --max-interval (1.5s)."));
    row("keep-alive zero", base + QStringLiteral("--keep-alive 0s"), QStringLiteral("--keep-alive must be above zero"));
    row("keep-alive too long", base + QStringLiteral("--keep-alive 600h"), QStringLiteral("too long"));
    row("tls 3", base + QStringLiteral("--tls 3"), QStringLiteral("--tls takes 0, 1 or 2, not \"3\"."));
    row("tls word", base + QStringLiteral("--tls on"), QStringLiteral("--tls takes 0, 1 or 2"));
    row("tls empty", base + QStringLiteral("--tls="), QStringLiteral("--tls takes 0, 1 or 2"));
    row("tls 01", base + QStringLiteral("--tls 01"), QStringLiteral("--tls takes 0, 1 or 2"));
    row("hostname empty", base + QStringLiteral("--hostname="), QStringLiteral("--hostname needs a host name."));
    row("hostname missing", base + QStringLiteral("--hostname --json"), QStringLiteral("--hostname needs a value."));
    row("pin junk", base + QStringLiteral("--pin nothex"), QStringLiteral("--pin:"));
    row("pin short", base + QStringLiteral("--pin sha256:AB:CD"), QStringLiteral("--pin:"));
    row("pin other hash", base + QStringLiteral("--pin sha1:AB:CD"), QStringLiteral("--pin:"));
    row("pin empty", base + QStringLiteral("--pin="), QStringLiteral("--pin"));
    row("mode hold", base + QStringLiteral("--mode hold"), QStringLiteral("hold is a server mode"));
    row("mode unknown", base + QStringLiteral("--mode discard"), QStringLiteral("--mode takes echo, sink or source, not \"discard\"."));
    row("streams zero", base + QStringLiteral("--streams 0"), QStringLiteral("--streams must be at least 1"));
    row("streams negative", base + QStringLiteral("--streams -1"), QStringLiteral("--streams must be at least 1"));
    row("parallel zero", base + QStringLiteral("--parallel 0"), QStringLiteral("--parallel must be at least 1"));
    row("parallel word", base + QStringLiteral("--parallel all"), QStringLiteral("--parallel expects a whole number"));
    row("bytes negative", base + QStringLiteral("--bytes -1"), QStringLiteral("--bytes: \"-1\" is not a size"));
    row("bytes half", base + QStringLiteral("--bytes 1.5B"), QStringLiteral("whole number of bytes"));
    row("bytes unit", base + QStringLiteral("--bytes 10XB"), QStringLiteral("unknown unit"));
    row("timeout zero", base + QStringLiteral("--timeout 0ms"), QStringLiteral("--timeout must be above zero"));
    row("timeout no unit", base + QStringLiteral("--timeout 10"), QStringLiteral("needs a unit"));
    row("timeout missing", base + QStringLiteral("--timeout"), QStringLiteral("--timeout needs a value."));
    row("handshake timeout zero", base + QStringLiteral("--handshake-timeout 0s"),
        QStringLiteral("--handshake-timeout must be above zero"));
    row("handshake timeout no unit", base + QStringLiteral("--handshake-timeout 10"), QStringLiteral("needs a unit"));
    row("json with value", base + QStringLiteral("--json=yes"), QStringLiteral("--json takes no value."));
    row("server option", base + QStringLiteral("--listen :1"), QStringLiteral("Unknown option --listen for quicpool client."));
    row("server option", base + QStringLiteral("--client-ip 127.0.0.1"), QStringLiteral("Unknown option --client-ip for quicpool client."));
    row("stray argument", base + QStringLiteral("extra"), QStringLiteral("Unexpected argument \"extra\""));
}

void TestCliArgs::clientErrors()
{
    QFETCH(QStringList, args);
    QFETCH(QString, mentions);
    const ParseResult result = parseArguments(args);
    QVERIFY(!result.ok());
    QVERIFY2(result.error.contains(mentions), qPrintable(result.error));
    QVERIFY2(result.error.endsWith(u'.'), qPrintable(result.error));
    QCOMPARE(result.commandName, QStringLiteral("client"));
}

void TestCliArgs::demo()
{
    ParseResult result = parse(QStringLiteral("demo"));
    QVERIFY2(result.ok(), qPrintable(result.error));
    QCOMPARE(std::get<DemoOptions>(result.command).seconds, 10);
    result = parse(QStringLiteral("demo --seconds 3"));
    QVERIFY2(result.ok(), qPrintable(result.error));
    QCOMPARE(std::get<DemoOptions>(result.command).seconds, 3);
    result = parse(QStringLiteral("demo --seconds=0"));
    QVERIFY2(result.ok(), qPrintable(result.error));
    QCOMPARE(std::get<DemoOptions>(result.command).seconds, 0);
    QCOMPARE(result.commandName, QStringLiteral("demo"));
}

void TestCliArgs::demoErrors_data()
{
    QTest::addColumn<QString>("line");
    QTest::addColumn<QString>("mentions");
    QTest::newRow("negative") << "demo --seconds -1" << "--seconds must be at least 0";
    QTest::newRow("duration") << "demo --seconds 5s" << "--seconds expects a whole number";
    QTest::newRow("missing") << "demo --seconds" << "--seconds needs a value.";
    QTest::newRow("unknown") << "demo --quick" << "Unknown option --quick for quicpool demo.";
    QTest::newRow("stray") << "demo 5" << "Unexpected argument \"5\"";
}

void TestCliArgs::demoErrors()
{
    QFETCH(QString, line);
    QFETCH(QString, mentions);
    const ParseResult result = parse(line);
    QVERIFY(!result.ok());
    QVERIFY2(result.error.contains(mentions), qPrintable(result.error));
    QCOMPARE(result.commandName, QStringLiteral("demo"));
}

void TestCliArgs::bench()
{
    ParseResult result = parse(QStringLiteral("bench"));
    QVERIFY2(result.ok(), qPrintable(result.error));
    BenchOptions o = std::get<BenchOptions>(result.command);
    QVERIFY(!o.quick);
    QVERIFY(!o.json);
    QVERIFY(!o.repeat.has_value());
    QVERIFY(o.workload.isEmpty());
    QVERIFY(!o.bytes.has_value());
    QVERIFY(o.connect.isEmpty());

    result = parse(QStringLiteral("bench --quick --json --repeat 5 --workload setup --bytes 4MiB --connect 10.1.1.1:4433"));
    QVERIFY2(result.ok(), qPrintable(result.error));
    o = std::get<BenchOptions>(result.command);
    QVERIFY(o.quick);
    QVERIFY(o.json);
    QCOMPARE(o.repeat.value_or(-1), 5);
    QCOMPARE(o.workload, QStringLiteral("setup"));
    QCOMPARE(o.bytes.value_or(-1), qint64(4 * 1024 * 1024));
    QCOMPARE(o.connect, QStringLiteral("10.1.1.1:4433"));

    result = parse(QStringLiteral("bench --repeat=1 --workload=throughput --bytes=0"));
    QVERIFY2(result.ok(), qPrintable(result.error));
    o = std::get<BenchOptions>(result.command);
    QCOMPARE(o.repeat.value_or(-1), 1);
    QCOMPARE(o.workload, QStringLiteral("throughput"));
    QCOMPARE(o.bytes.value_or(-1), qint64(0));
}

void TestCliArgs::benchErrors_data()
{
    QTest::addColumn<QString>("line");
    QTest::addColumn<QString>("mentions");
    QTest::newRow("repeat zero") << "bench --repeat 0" << "--repeat must be at least 1";
    QTest::newRow("repeat word") << "bench --repeat twice" << "--repeat expects a whole number";
    QTest::newRow("workload empty") << "bench --workload=" << "--workload needs a workload name.";
    QTest::newRow("workload missing") << "bench --workload --quick" << "--workload needs a value.";
    QTest::newRow("bytes bad") << "bench --bytes lots" << "--bytes: \"lots\" is not a size";
    QTest::newRow("connect no host") << "bench --connect :1" << "--connect needs a host";
    QTest::newRow("quick with value") << "bench --quick=1" << "--quick takes no value.";
    QTest::newRow("unknown") << "bench --seconds 3" << "Unknown option --seconds for quicpool bench.";
}

void TestCliArgs::benchErrors()
{
    QFETCH(QString, line);
    QFETCH(QString, mentions);
    const ParseResult result = parse(line);
    QVERIFY(!result.ok());
    QVERIFY2(result.error.contains(mentions), qPrintable(result.error));
    QCOMPARE(result.commandName, QStringLiteral("bench"));
}

void TestCliArgs::usageTexts()
{
    const QString general = usageText();
    for (const char *word : {"server", "client", "demo", "bench", "--help", "--version", "500ms", "64KiB"})
        QVERIFY2(general.contains(QLatin1String(word)), word);
    QCOMPARE(usageText(u"nonsense"), general);

    const QHash<QString, QStringList> options = {
        {QStringLiteral("server"), {"--listen", "--max-cap", "--client-ip", "--cert", "--key", "--keep-alive",
                                    "--mode", "--verbose", "echo", "sink", "source", "hold", "default 1024",
                                    "default 30s"}},
        {QStringLiteral("client"), {"--connect", "--min-cap", "--max-cap", "--min-interval", "--max-interval",
                                    "--keep-alive", "--tls", "--hostname", "--pin", "--mode", "--streams",
                                    "--parallel", "--bytes", "--json", "--timeout", "--handshake-timeout", "default 64KiB", "default 100ms",
                                    "default 1s", "mbps"}},
        {QStringLiteral("demo"), {"--seconds", "default 10"}},
        {QStringLiteral("bench"), {"--quick", "--json", "--repeat", "--workload", "--bytes", "--connect"}},
    };
    for (auto it = options.begin(); it != options.end(); ++it) {
        const QString text = usageText(it.key());
        QVERIFY2(text.startsWith(QStringLiteral("Usage: quicpool ") + it.key()), qPrintable(it.key()));
        QVERIFY(text.contains(u"--help"));
        for (const QString &option : it.value())
            QVERIFY2(text.contains(option), qPrintable(it.key() + u' ' + option));
    }
}

void TestCliArgs::usageTextsFitTerminal()
{
    for (const QString &command : {QString(), QStringLiteral("server"), QStringLiteral("client"),
                                  QStringLiteral("demo"), QStringLiteral("bench")}) {
        const QString text = usageText(command);
        QVERIFY(text.endsWith(u'\n'));
        for (const QString &line : text.split(u'\n'))
            QVERIFY2(line.size() <= 80, qPrintable(line));
    }
}

void TestCliArgs::versionTextNamesLibraries()
{
    const QString text = versionText();
    QVERIFY2(text.startsWith(QStringLiteral("quicpool ") + quicpool::version()), qPrintable(text));
    QCOMPARE(quicpool::version(), QStringLiteral(QUICPOOL_VERSION)); // the CLI's define agrees
    QVERIFY(text.contains(QStringLiteral("ngtcp2 ") + ngtcp2Version()));
    QVERIFY(text.contains(tlsLibraryVersionString()));
    QVERIFY(!ngtcp2Version().isEmpty());
    QVERIFY(!tlsLibraryVersionString().isEmpty());
}

void TestCliArgs::usageErrorTextPointsToHelp()
{
    const ParseResult client = parse(QStringLiteral("client --tls 9 --connect h:1"));
    QVERIFY(!client.ok());
    const QString text = usageErrorText(client);
    QVERIFY(text.startsWith(QStringLiteral("quicpool: ") + client.error));
    QVERIFY(text.contains(u"quicpool client --help"));
    QVERIFY(text.endsWith(u'\n'));

    const QString general = usageErrorText(parse(QStringLiteral("frobnicate")));
    QVERIFY(general.contains(u"\"quicpool --help\""));
}

void TestCliArgs::poolConfigs()
{
    const ServerOptions server = std::get<ServerOptions>(parse(QStringLiteral(
        "server --listen 127.0.0.1:0 --max-cap 9 --client-ip 127.0.0.1 --cert c.pem --key k.pem --keep-alive 5s")).command);
    const ServerPoolConfig sc = toServerPoolConfig(server);
    QCOMPARE(sc.listenAddress(), QStringLiteral("127.0.0.1:0"));
    QCOMPARE(sc.maxCapacity(), 9);
    QCOMPARE(sc.clientIp(), QStringLiteral("127.0.0.1"));
    QCOMPARE(sc.certificateFile(), QStringLiteral("c.pem"));
    QCOMPARE(sc.privateKeyFile(), QStringLiteral("k.pem"));
    QCOMPARE(sc.keepAlive().count(), 5000);
    QCOMPARE(sc.validate().code(), ErrorCode::NoError);

    const ClientOptions client = std::get<ClientOptions>(parse(QStringLiteral(
        "client --connect pool.example:443 --min-cap 2 --max-cap 6 --min-interval 200ms --max-interval 3s "
        "--keep-alive 7s --handshake-timeout 2500ms --tls 0 --pin ") + pinText()).command);
    const ClientPoolConfig cc = toClientPoolConfig(client);
    QCOMPARE(cc.handshakeTimeout().count(), 2500);
    QCOMPARE(cc.address(), QStringLiteral("pool.example:443"));
    QCOMPARE(cc.minCapacity(), 2);
    QCOMPARE(cc.maxCapacity(), 6);
    QCOMPARE(cc.minInterval().count(), 200);
    QCOMPARE(cc.maxInterval().count(), 3000);
    QCOMPARE(cc.keepAlive().count(), 7000);
    QCOMPARE(cc.tlsMode(), TlsMode::Insecure);
    QCOMPARE(cc.pinSha256(), pinBytes());
    QCOMPARE(cc.hostname(), QStringLiteral("pool.example")); // from --connect when --hostname is absent
    QCOMPARE(cc.validate().code(), ErrorCode::NoError);
    // Parsed options never need NodePass's clamping.
    const ClientPoolConfig clamped = cc.clamped();
    QCOMPARE(clamped.minCapacity(), cc.minCapacity());
    QCOMPARE(clamped.maxCapacity(), cc.maxCapacity());
    QCOMPARE(clamped.minInterval(), cc.minInterval());
    QCOMPARE(clamped.maxInterval(), cc.maxInterval());

    const ClientOptions named = std::get<ClientOptions>(
        parse(QStringLiteral("client --connect [::1]:443 --hostname other.example")).command);
    QCOMPARE(toClientPoolConfig(named).hostname(), QStringLiteral("other.example"));
    const ClientOptions v6 = std::get<ClientOptions>(parse(QStringLiteral("client --connect [::1]:443")).command);
    QCOMPARE(toClientPoolConfig(v6).hostname(), QStringLiteral("::1"));
}

void TestCliArgs::pathOptions_data()
{
    QTest::addColumn<QString>("command");
    QTest::newRow("server") << QStringLiteral("server --listen 127.0.0.1:0");
    QTest::newRow("client") << QStringLiteral("client --connect 127.0.0.1:4433");
}

void TestCliArgs::pathOptions()
{
    // Both ends take the same path options, into their pool configs.
    QFETCH(QString, command);
    const ParseResult r = parse(command + QStringLiteral(" --cc reno --stream-window 8MiB --conn-window 16MiB "
                                                         "--send-buffer 4MiB --qlog /tmp/q --busy-poll 100"));
    QVERIFY2(r.ok(), qPrintable(r.error));
    auto check = [](const auto &config) {
        QCOMPARE(config.congestionControl(), CongestionControl::Reno);
        QCOMPARE(config.maxStreamReceiveWindow(), 8 * 1024 * 1024);
        QCOMPARE(config.maxConnectionReceiveWindow(), 16 * 1024 * 1024);
        QCOMPARE(config.sendBufferLimit(), 4 * 1024 * 1024);
        QCOMPARE(config.qlogDirectory(), QStringLiteral("/tmp/q"));
        QCOMPARE(config.busyPoll(), std::chrono::microseconds(100));
    };
    if (const auto *server = std::get_if<ServerOptions>(&r.command))
        check(toServerPoolConfig(*server));
    else
        check(toClientPoolConfig(std::get<ClientOptions>(r.command)));
    // The defaults are the library's, BBR among them.
    const ParseResult plain = parse(command);
    if (const auto *server = std::get_if<ServerOptions>(&plain.command)) {
        QCOMPARE(toServerPoolConfig(*server).congestionControl(), CongestionControl::Bbr);
        QCOMPARE(toServerPoolConfig(*server).busyPoll(), std::chrono::microseconds(0));
    } else {
        QCOMPARE(toClientPoolConfig(std::get<ClientOptions>(plain.command)).congestionControl(), CongestionControl::Bbr);
        QCOMPARE(toClientPoolConfig(std::get<ClientOptions>(plain.command)).busyPoll(), std::chrono::microseconds(0));
    }
    QVERIFY(usageText(command.section(u' ', 0, 0)).contains(QStringLiteral("(default bbr)")));
}

void TestCliArgs::pathOptionErrors_data()
{
    QTest::addColumn<QString>("args");
    QTest::addColumn<QString>("mentions");
    const QString base = QStringLiteral("client --connect 127.0.0.1:4433 ");
    QTest::newRow("cc unknown") << base + QStringLiteral("--cc vegas") << QStringLiteral("--cc takes cubic, reno or bbr, not \"vegas\".");
    QTest::newRow("window no number") << base + QStringLiteral("--stream-window big") << QStringLiteral("--stream-window:");
    QTest::newRow("window too small") << base + QStringLiteral("--stream-window 1KiB") << QStringLiteral("outside 64 KiB to 1 GiB");
    QTest::newRow("conn below stream") << base + QStringLiteral("--stream-window 32MiB --conn-window 8MiB")
                                       << QStringLiteral("smaller than a stream's");
    QTest::newRow("send buffer too big") << base + QStringLiteral("--send-buffer 2GiB") << QStringLiteral("send buffer limit");
    QTest::newRow("qlog empty") << base + QStringLiteral("--qlog=") << QStringLiteral("--qlog needs a folder name.");
    QTest::newRow("busy-poll too long") << base + QStringLiteral("--busy-poll 1001")
                                        << QStringLiteral("--busy-poll takes 0 (off) to 1000 microseconds, not 1001.");
    QTest::newRow("busy-poll negative") << base + QStringLiteral("--busy-poll -5") << QStringLiteral("--busy-poll");
    QTest::newRow("busy-poll with a unit") << base + QStringLiteral("--busy-poll 5ms") << QStringLiteral("--busy-poll");
    QTest::newRow("server too") << QStringLiteral("server --listen :0 --cc cubicle") << QStringLiteral("--cc takes");
}

void TestCliArgs::pathOptionErrors()
{
    QFETCH(QString, args);
    QFETCH(QString, mentions);
    const ParseResult r = parse(args);
    QVERIFY(!r.ok());
    QVERIFY2(r.error.contains(mentions), qPrintable(r.error));
}

void TestCliArgs::serverAdmissionOptions()
{
    // Defaults are the library's.
    const ParseResult plain = parse(QStringLiteral("server --listen :1"));
    QVERIFY2(plain.ok(), qPrintable(plain.error));
    const ServerPoolConfig defaults;
    const ServerPoolConfig fromPlain = toServerPoolConfig(std::get<ServerOptions>(plain.command));
    QCOMPARE(fromPlain.retryMode(), defaults.retryMode());
    QCOMPARE(fromPlain.retryThreshold(), defaults.retryThreshold());
    QCOMPARE(fromPlain.maxPendingHandshakes(), defaults.maxPendingHandshakes());
    QCOMPARE(fromPlain.maxPendingHandshakesPerAddress(), defaults.maxPendingHandshakesPerAddress());

    const ParseResult given = parse(QStringLiteral(
        "server --listen :1 --retry always --retry-threshold 0 --max-handshakes 500 --max-handshakes-per-ip=7"));
    QVERIFY2(given.ok(), qPrintable(given.error));
    const ServerPoolConfig config = toServerPoolConfig(std::get<ServerOptions>(given.command));
    QCOMPARE(config.retryMode(), RetryMode::Always);
    QCOMPARE(config.retryThreshold(), 0);
    QCOMPARE(config.maxPendingHandshakes(), 500);
    QCOMPARE(config.maxPendingHandshakesPerAddress(), 7);
    QCOMPARE(std::get<ServerOptions>(parse(QStringLiteral("server --listen :1 --retry NEVER")).command).retry,
             RetryMode::Never);

    for (const auto &[line, mentions] : QList<std::pair<QString, QString>>{
             {QStringLiteral("--retry sometimes"), QStringLiteral("--retry takes auto, always or never, not \"sometimes\".")},
             {QStringLiteral("--retry"), QStringLiteral("--retry needs a value.")},
             {QStringLiteral("--retry-threshold -1"), QStringLiteral("--retry-threshold must be at least 0")},
             {QStringLiteral("--max-handshakes 0"), QStringLiteral("--max-handshakes must be at least 1, not 0.")},
             {QStringLiteral("--max-handshakes-per-ip many"), QStringLiteral("--max-handshakes-per-ip expects a whole number")},
         }) {
        const ParseResult r = parse(QStringLiteral("server --listen :1 ") + line);
        QVERIFY2(!r.ok() && r.error.contains(mentions), qPrintable(line + QStringLiteral(": ") + r.error));
    }
    const QString usage = usageText(u"server");
    QVERIFY(usage.contains(QStringLiteral("--retry MODE")));
    QVERIFY(usage.contains(QStringLiteral("(default %1)").arg(retryModeName(defaults.retryMode()))));
    QVERIFY(usage.contains(QStringLiteral("(default %1)").arg(defaults.maxPendingHandshakes())));
    QVERIFY(!usage.contains(u'%'));
}

void TestCliArgs::iperfShortOptions_data()
{
    // Each short option against its long form: the same options come out.
    QTest::addColumn<QString>("shortForm");
    QTest::addColumn<QString>("longForm");
    QTest::newRow("-c") << "client -c pool.example:443" << "client --connect pool.example:443";
    QTest::newRow("-c=") << "client -c=pool.example:443" << "client --connect=pool.example:443";
    QTest::newRow("-t with a unit") << "client -c h:1 -t 2500ms" << "client -c h:1 --time 2500ms";
    QTest::newRow("-t glued") << "client -c h:1 -t10" << "client -c h:1 --time 10s";
    QTest::newRow("-t=") << "client -c h:1 -t=10" << "client -c h:1 --time=10s";
    QTest::newRow("-P") << "client -c h:1 -P 4" << "client -c h:1 --parallel 4";
    QTest::newRow("-P glued") << "client -c h:1 -P4" << "client -c h:1 --parallel=4";
    QTest::newRow("-b with a unit") << "client -c h:1 -b 400mbit" << "client -c h:1 --rate 400mbit";
    QTest::newRow("-b bytes") << "client -c h:1 -b 50MB" << "client -c h:1 --rate 50MB";
    QTest::newRow("-i") << "client -c h:1 -i 1" << "client -c h:1 --interval 1s";
    QTest::newRow("-R") << "client -c h:1 -R" << "client -c h:1 --reverse";
    QTest::newRow("-J") << "client -c h:1 -J" << "client -c h:1 --json";
    QTest::newRow("iperf3's line") << "client -c h:1 -t 10 -P 4 -R -J"
                                   << "client --connect h:1 --time 10s --parallel 4 --reverse --json";
    QTest::newRow("combined flags and a value") << "client -c h:1 -RJP4 -i0.5"
                                                << "client -c h:1 --reverse --json --parallel 4 --interval 500ms";
    QTest::newRow("mixed, last wins") << "client -c h:1 --parallel 2 -P 3 --time 1s -t 2"
                                      << "client -c h:1 --parallel 3 --time 2s";
}

void TestCliArgs::iperfShortOptions()
{
    QFETCH(QString, shortForm);
    QFETCH(QString, longForm);
    const ParseResult a = parse(shortForm);
    const ParseResult b = parse(longForm);
    QVERIFY2(a.ok(), qPrintable(a.error));
    QVERIFY2(b.ok(), qPrintable(b.error));
    const ClientOptions x = std::get<ClientOptions>(a.command);
    const ClientOptions y = std::get<ClientOptions>(b.command);
    QCOMPARE(x.connect, y.connect);
    QCOMPARE(x.duration, y.duration);
    QCOMPARE(x.parallel, y.parallel);
    QCOMPARE(x.maxCapacity, y.maxCapacity);
    QCOMPARE(x.rate, y.rate);
    QCOMPARE(x.interval, y.interval);
    QCOMPARE(x.mode, y.mode);
    QCOMPARE(x.json, y.json);
    QCOMPARE(x.streams, y.streams);
}

void TestCliArgs::iperfBareNumbers()
{
    // iperf3 reads -t and -i in seconds and -b in bits per second, with K,
    // M, G as powers of 1000; the long names keep wanting a unit.
    const auto client = [](const QString &extra) {
        const ParseResult r = parse(QStringLiteral("client -c h:1 ") + extra);
        if (!r.ok())
            qWarning() << r.error;
        return r.ok() ? std::get<ClientOptions>(r.command) : ClientOptions{};
    };
    QCOMPARE(client(QStringLiteral("-t 10")).duration.count(), 10000);
    QCOMPARE(client(QStringLiteral("-t 1.5")).duration.count(), 1500);
    QCOMPARE(client(QStringLiteral("-t 2m")).duration.count(), 120000);
    QCOMPARE(client(QStringLiteral("-i 1")).interval.count(), 1000);
    QCOMPARE(client(QStringLiteral("-i 0.25")).interval.count(), 250);
    QCOMPARE(client(QStringLiteral("-b 100M")).rate, 12500000);
    QCOMPARE(client(QStringLiteral("-b 100m")).rate, 12500000);
    QCOMPARE(client(QStringLiteral("-b 1G")).rate, 125000000);
    QCOMPARE(client(QStringLiteral("-b 800K")).rate, 100000);
    QCOMPARE(client(QStringLiteral("-b 8000000")).rate, 1000000);
    QCOMPARE(client(QStringLiteral("-b 1.5G")).rate, 187500000);
    // Our own units keep their meaning after -b: MB are megabytes.
    QCOMPARE(client(QStringLiteral("-b 50MB")).rate, 50000000);
    QCOMPARE(client(QStringLiteral("-b 8mbit/s")).rate, 1000000);
    for (const char *refused : {"--time 10", "--interval 1", "--rate 100M", "--rate 400"}) {
        const ParseResult r = parse(QStringLiteral("client -c h:1 ") + QLatin1String(refused));
        QVERIFY2(!r.ok(), refused);
    }
    QVERIFY(usageText(u"client").contains(QStringLiteral("read a bare number as seconds")));
}

void TestCliArgs::shortOptionErrors_data()
{
    QTest::addColumn<QString>("line");
    QTest::addColumn<QString>("error");
    const QString base = QStringLiteral("client -c h:1 ");
    QTest::newRow("-t last") << base + "-t" << "-t needs a value.";
    QTest::newRow("-t before a flag") << base + "-t -J" << "-t needs a value.";
    QTest::newRow("-c before an option") << "client -c --json" << "-c needs a value.";
    QTest::newRow("-t zero") << base + "-t 0" << "-t must be above zero, not 0.";
    QTest::newRow("-t word") << base + "-t soon" << "-t: \"soon\" is not a duration";
    QTest::newRow("-t bad unit") << base + "-t 10x" << "-t: The duration \"10x\" has an unknown unit \"x\"";
    QTest::newRow("-i too short") << base + "-i 0.05" << "-i must be at least 100ms, not 0.05.";
    QTest::newRow("-P zero") << base + "-P 0" << "-P must be at least 1, not 0.";
    QTest::newRow("-P negative") << base + "-P -2" << "-P must be at least 1, not -2.";
    QTest::newRow("-P word") << base + "-P all" << "-P expects a whole number, not \"all\".";
    QTest::newRow("-b zero") << base + "-b 0" << "-b: The rate \"0\" is below 1 byte per second";
    QTest::newRow("-b unit") << base + "-b 5X" << "-b: The rate \"5X\" has an unknown unit \"X\"";
    QTest::newRow("-R with a value") << base + "-R=1" << "-R takes no value.";
    QTest::newRow("-J with a value in a group") << base + "-RJ=1" << "-J takes no value.";
    QTest::newRow("unknown letter") << base + "-x" << "Unknown option -x for quicpool client.";
    QTest::newRow("unknown in a group") << base + "-RJx" << "Unknown option -x for quicpool client.";
    QTest::newRow("iperf3's -p") << base + "-p 5201" << "Unknown option -p for quicpool client.";
    QTest::newRow("-c no port") << "client -c 10.0.0.1" << "-c: Invalid address \"10.0.0.1\": the port is missing";
    QTest::newRow("-c with -t") << base + "-t 1 --streams 3" << "--streams and --time both say when to stop";
    QTest::newRow("-R with sink") << base + "-R --mode sink" << "cannot go with --mode sink";
    QTest::newRow("server has no -t") << "server --listen :0 -t 3" << "Unknown option -t for quicpool server.";
    QTest::newRow("long form of a letter") << base + "--P 3" << "Unknown option --P for quicpool client.";
}

void TestCliArgs::shortOptionErrors()
{
    QFETCH(QString, line);
    QFETCH(QString, error);
    const ParseResult r = parse(line);
    QVERIFY(!r.ok());
    QVERIFY2(r.error.contains(error), qPrintable(r.error));
    QVERIFY2(r.error.endsWith(u'.'), qPrintable(r.error));
    QCOMPARE(r.commandName, line.section(u' ', 0, 0));
}

void TestCliArgs::benchAndRelayShortOptions()
{
    ParseResult r = parse(QStringLiteral("bench -J -c 10.1.1.1:4433"));
    QVERIFY2(r.ok(), qPrintable(r.error));
    QVERIFY(std::get<BenchOptions>(r.command).json);
    QCOMPARE(std::get<BenchOptions>(r.command).connect, QStringLiteral("10.1.1.1:4433"));
    r = parse(QStringLiteral("relay --listen :0 --to h:1 -J"));
    QVERIFY2(r.ok(), qPrintable(r.error));
    QVERIFY(std::get<RelayOptions>(r.command).json);
    // -h is every command's, alone or among others.
    for (const char *line : {"server -h", "client -RJh", "demo -h", "bench -Jh", "relay -h"}) {
        r = parse(QLatin1String(line));
        QVERIFY2(r.ok() && std::holds_alternative<HelpRequest>(r.command), line);
        QCOMPARE(std::get<HelpRequest>(r.command).command, QString::fromLatin1(line).section(u' ', 0, 0));
    }
    // --version belongs to quicpool, not to its commands; -v to neither
    // command (it could be taken for --verbose).
    r = parse(QStringLiteral("client -c h:1 --version"));
    QVERIFY(!r.ok());
    QCOMPARE(r.error, QStringLiteral("Unknown option --version for quicpool client."));
}

void TestCliArgs::unknownOptionHints()
{
    // A near miss of a long name gets a hint on the line after the sentence.
    ParseResult r = parse(QStringLiteral("client -c h:1 --paralel 4"));
    QVERIFY(!r.ok());
    QCOMPARE(r.error, QStringLiteral("Unknown option --paralel for quicpool client."));
    QCOMPARE(r.hint, QStringLiteral("Did you mean --parallel?"));
    QCOMPARE(usageErrorText(r), QStringLiteral("quicpool: Unknown option --paralel for quicpool client.\n"
                                               "Did you mean --parallel? Run \"quicpool client --help\" for usage.\n"));
    r = parse(QStringLiteral("relay --listen :0 --to h:1 --los 1%"));
    QCOMPARE(r.hint, QStringLiteral("Did you mean --loss?"));
    r = parse(QStringLiteral("server --listen :0 --handshake-timeout 1s"));
    QVERIFY(!r.ok());
    QVERIFY2(r.hint.isEmpty(), qPrintable(r.hint));   // nothing close on the server
    r = parse(QStringLiteral("client -c h:1 --bogus"));
    QVERIFY(r.hint.isEmpty());
    QCOMPARE(usageErrorText(r), QStringLiteral("quicpool: Unknown option --bogus for quicpool client.\n"
                                               "Run \"quicpool client --help\" for usage.\n"));
}

void TestCliArgs::everyTableOption_data()
{
    QTest::addColumn<QString>("command");
    QTest::addColumn<QString>("required");
    QTest::newRow("server") << "server" << "--listen :0";
    QTest::newRow("client") << "client" << "--connect h:1";
    QTest::newRow("demo") << "demo" << "";
    QTest::newRow("bench") << "bench" << "";
    QTest::newRow("relay") << "relay" << "--listen :0 --to h:1";
}

void TestCliArgs::everyTableOption()
{
    // Whatever the table holds: each name once, in the help, and every
    // option, long and short, refuses a missing value or a value it does
    // not take with its sentence.
    QFETCH(QString, command);
    QFETCH(QString, required);
    const QList<OptionSpelling> options = commandOptions(command);
    QVERIFY(options.size() > 1);
    QCOMPARE(options.first().names, (QStringList{QStringLiteral("h"), QStringLiteral("help")}));
    const QString help = usageText(command);
    QSet<QString> seen;
    for (const OptionSpelling &o : options) {
        QVERIFY(!o.names.isEmpty());
        for (const QString &name : o.names) {
            QVERIFY2(!seen.contains(name), qPrintable(command + u' ' + name));
            seen.insert(name);
            const QString as = name.size() == 1 ? QStringLiteral("-") + name : QStringLiteral("--") + name;
            QVERIFY2(help.contains(as + (o.valueName.isEmpty() ? QString() : u' ' + o.valueName))
                         || help.contains(as + QStringLiteral(", ")),
                     qPrintable(command + u' ' + as));
            if (name == u"h" || name == u"help")
                continue;
            const QString line = command + u' ' + required + u' ';
            if (o.valueName.isEmpty()) {
                const ParseResult r = parse(line + as + QStringLiteral("=1"));
                QCOMPARE(r.error, QStringLiteral("%1 takes no value.").arg(as));
            } else {
                ParseResult r = parse(line + as);
                QCOMPARE(r.error, QStringLiteral("%1 needs a value.").arg(as));
                r = parse(line + as + QStringLiteral(" --help-me"));
                QCOMPARE(r.error, QStringLiteral("%1 needs a value.").arg(as));
            }
        }
    }
}

void TestCliArgs::qlogFolderCheckedUpFront()
{
    // A folder that cannot be made is refused before anything runs, with
    // the library's sentence; a missing one that can be made is fine (the
    // pool makes it at start).
    QTemporaryDir dir;
    QVERIFY(dir.isValid());
    const QString file = dir.filePath(QStringLiteral("plain-file"));
    {
        QFile f(file);
        QVERIFY(f.open(QIODevice::WriteOnly));
    }
    for (const QString &command : {QStringLiteral("server --listen :0"), QStringLiteral("client -c h:1")}) {
        ParseResult r = parse(command + QStringLiteral(" --qlog ") + file + QStringLiteral("/qlog"));
        QVERIFY(!r.ok());
        QCOMPARE(r.error, QStringLiteral("The qlog folder %1/qlog cannot be made: %1 is a file, not a folder.").arg(file));
        QCOMPARE(r.error, checkQlogDirectory(file + QStringLiteral("/qlog")).message());
        r = parse(command + QStringLiteral(" --qlog ") + file);
        QCOMPARE(r.error, QStringLiteral("The qlog folder %1 is a file, not a folder.").arg(file));
        const QString missing = dir.filePath(QStringLiteral("not/yet"));
        r = parse(command + QStringLiteral(" --qlog ") + missing);
        QVERIFY2(r.ok(), qPrintable(r.error));
        QVERIFY(!QFileInfo::exists(missing));   // parsing makes nothing
    }
}

QTEST_GUILESS_MAIN(TestCliArgs)
#include "tst_cliargs.moc"
