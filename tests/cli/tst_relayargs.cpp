// `quicpool relay` on the command line: every option, its default, both
// value forms, the loss precedence, every usage error, the help text and the
// RelayConfig the options become.
#include "cliargs.h"

#include <quicpool/relay/pathprofile.h>

#include <QtTest/QtTest>

using namespace quicpool;
using namespace quicpool::cli;
using namespace std::chrono_literals;

namespace {

ParseResult parse(const QString &line)
{
    return parseArguments(line.split(u' ', Qt::SkipEmptyParts));
}

const QString kBase = QStringLiteral("relay --listen 127.0.0.1:5000 --to 127.0.0.1:4433 ");

} // namespace

class TestRelayArgs : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void defaults()
    {
        const ParseResult result = parse(kBase);
        QVERIFY2(result.ok(), qPrintable(result.error));
        QCOMPARE(result.commandName, QStringLiteral("relay"));
        const auto *o = std::get_if<RelayOptions>(&result.command);
        QVERIFY(o);
        QCOMPARE(o->listen, QStringLiteral("127.0.0.1:5000"));
        QCOMPARE(o->to, QStringLiteral("127.0.0.1:4433"));
        QCOMPARE(o->delay.count(), 0);
        QCOMPARE(o->jitter.count(), 0);
        QCOMPARE(o->lossUp, 0.0);
        QCOMPARE(o->lossDown, 0.0);
        QCOMPARE(o->rate, qint64(0));
        QCOMPARE(o->queue.count(), 50);
        QCOMPARE(o->mtu, 65535);
        QCOMPARE(o->reorder, 0.0);
        QCOMPARE(o->duplicate, 0.0);
        QCOMPARE(o->corrupt, 0.0);
        QCOMPARE(o->blackholeFor.count(), 0);
        QCOMPARE(o->rebindEvery.count(), 0);
        QCOMPARE(o->seed, quint64(1));
        QVERIFY(!o->json);
    }

    void everyOption_data()
    {
        QTest::addColumn<bool>("inlineValues");
        QTest::newRow("--opt value") << false;
        QTest::newRow("--opt=value") << true;
    }

    void everyOption()
    {
        QFETCH(bool, inlineValues);
        const QStringList pairs = {"listen", ":0", "to", "server.example:443", "delay", "20ms", "jitter", "5ms",
                                   "loss-up", "1%", "loss-down", "0.5%", "rate", "400mbit", "queue", "100ms",
                                   "mtu", "1452", "reorder", "2%", "duplicate", "0.1%", "corrupt", "0.01%",
                                   "blackhole", "10s+2s", "rebind-every", "30s", "seed", "18446744073709551615"};
        QStringList args{QStringLiteral("relay")};
        for (qsizetype i = 0; i < pairs.size(); i += 2) {
            if (inlineValues)
                args << QStringLiteral("--%1=%2").arg(pairs[i], pairs[i + 1]);
            else
                args << QStringLiteral("--") + pairs[i] << pairs[i + 1];
        }
        args << QStringLiteral("--json");
        const ParseResult result = parseArguments(args);
        QVERIFY2(result.ok(), qPrintable(result.error));
        const auto o = std::get<RelayOptions>(result.command);
        QCOMPARE(o.listen, QStringLiteral(":0"));
        QCOMPARE(o.to, QStringLiteral("server.example:443"));
        QVERIFY(o.delay == 20ms);
        QCOMPARE(o.jitter.count(), 5);
        QCOMPARE(o.lossUp, 0.01);
        QCOMPARE(o.lossDown, 0.005);
        QCOMPARE(o.rate, qint64(50000000));
        QCOMPARE(o.queue.count(), 100);
        QCOMPARE(o.mtu, 1452);
        QCOMPARE(o.reorder, 0.02);
        QCOMPARE(o.duplicate, 0.001);
        QCOMPARE(o.corrupt, 0.0001);
        QCOMPARE(o.blackholeAt.count(), 10000);
        QCOMPARE(o.blackholeFor.count(), 2000);
        QCOMPARE(o.rebindEvery.count(), 30000);
        QCOMPARE(o.seed, quint64(18446744073709551615ULL));
        QVERIFY(o.json);
    }

    void lossSetsBothAndTheSpecificOneWins()
    {
        auto options = [](const QString &extra) { return std::get<RelayOptions>(parse(kBase + extra).command); };
        RelayOptions o = options(QStringLiteral("--loss 3%"));
        QCOMPARE(o.lossUp, 0.03);
        QCOMPARE(o.lossDown, 0.03);
        // Whatever the order.
        o = options(QStringLiteral("--loss 3% --loss-up 1%"));
        QCOMPARE(o.lossUp, 0.01);
        QCOMPARE(o.lossDown, 0.03);
        o = options(QStringLiteral("--loss-down 2% --loss 3%"));
        QCOMPARE(o.lossUp, 0.03);
        QCOMPARE(o.lossDown, 0.02);
        o = options(QStringLiteral("--loss-up 0% --loss-down 100% --loss 50%"));
        QCOMPARE(o.lossUp, 0.0);
        QCOMPARE(o.lossDown, 1.0);
        // The last of the same option counts.
        o = options(QStringLiteral("--delay 10ms --delay 30ms --loss 1% --loss 2%"));
        QVERIFY(o.delay == 30ms);
        QCOMPARE(o.lossUp, 0.02);
    }

    void profileSetsThePathAndLaterOptionsWin()
    {
        auto options = [](const QString &extra) {
            const ParseResult r = parse(kBase + extra);
            if (!r.ok())
                qWarning() << r.error;
            return r.ok() ? std::get<RelayOptions>(r.command) : RelayOptions();
        };
        // Each profile gives exactly what the shared list's applyTo() gives.
        for (const relay::PathProfile &p : relay::pathProfiles()) {
            const RelayOptions o = options(QStringLiteral("--profile ") + p.name.toUpper());
            QCOMPARE(o.profile, p.name);
            const relay::RelayConfig want = p.applyTo(relay::RelayConfig());
            const relay::RelayConfig got = toRelayConfig(o);
            QVERIFY2(got.delay == want.delay, qPrintable(p.name));
            QVERIFY(got.jitter == want.jitter);
            QCOMPARE(got.lossUp, want.lossUp);
            QCOMPARE(got.lossDown, want.lossDown);
            QCOMPARE(got.rate, want.rate);
            QVERIFY(got.queue == want.queue);
            QCOMPARE(got.mtu, want.mtu);
        }
        // lan's one-way delay is half a millisecond, not rounded away.
        QVERIFY(toRelayConfig(options(QStringLiteral("--profile lan"))).delay == 500us);

        // After the profile an option changes it ...
        RelayOptions o = options(QStringLiteral("--profile lossy --loss 2% --mtu 1400 --delay 10ms"));
        QCOMPARE(o.lossUp, 0.02);
        QCOMPARE(o.lossDown, 0.02);
        QCOMPARE(o.mtu, 1400);
        QVERIFY(o.delay == 10ms);
        QCOMPARE(o.rate, qint64(50000000));   // the rest stays the profile's
        o = options(QStringLiteral("--profile lossy --loss-down 3%"));
        QCOMPARE(o.lossUp, 0.01);
        QCOMPARE(o.lossDown, 0.03);
        // ... the specific loss still wins over --loss whatever the order ...
        o = options(QStringLiteral("--profile lossy --loss-up 4% --loss 2%"));
        QCOMPARE(o.lossUp, 0.04);
        QCOMPARE(o.lossDown, 0.02);
        // ... and before it the profile replaces it.
        o = options(QStringLiteral("--loss 2% --loss-up 5% --mtu 1400 --rate 1mbit --delay 300ms --profile lossy"));
        QCOMPARE(o.lossUp, 0.01);
        QCOMPARE(o.lossDown, 0.01);
        QCOMPARE(o.mtu, 1472);
        QCOMPARE(o.rate, qint64(50000000));
        QVERIFY(o.delay == 25ms);
        // The profile's rate lets --queue change the queue.
        o = options(QStringLiteral("--profile satellite --queue 20ms"));
        QCOMPARE(o.queue.count(), 20);

        const ParseResult bad = parse(kBase + QStringLiteral("--profile moon"));
        QVERIFY(!bad.ok());
        QVERIFY2(bad.error.contains(u"\"moon\"") && bad.error.contains(relay::pathProfileNames()), qPrintable(bad.error));
        // The help lists every profile with its description.
        const QString help = usageText(u"relay");
        QVERIFY(help.contains(u"--profile NAME"));
        for (const relay::PathProfile &p : relay::pathProfiles())
            QVERIFY2(help.contains(QRegularExpression(QStringLiteral("\\n  %1 +%2\\n").arg(p.name, QRegularExpression::escape(p.description)))),
                     qPrintable(p.name));
    }

    void listenForms()
    {
        for (const char *listen : {"127.0.0.1:0", ":5000", "[::1]:5000", "localhost:5000", "0.0.0.0:1"}) {
            const ParseResult r = parse(QStringLiteral("relay --to 127.0.0.1:1 --listen ") + QLatin1String(listen));
            QVERIFY2(r.ok(), qPrintable(r.error));
        }
        QVERIFY(parse(QStringLiteral("relay --listen :0 --to [::1]:4433")).ok());
        QVERIFY(parse(kBase + QStringLiteral("--delay 0ms --jitter 0s")).ok());  // zero is no delay
        QVERIFY(parse(kBase + QStringLiteral("--jitter 5ms")).ok());             // jitter without delay
        QVERIFY(parse(kBase + QStringLiteral("--mtu 1 --seed 0")).ok());
    }

    void errors_data()
    {
        QTest::addColumn<QString>("line");
        QTest::addColumn<QString>("error");
        const QString to = QStringLiteral(" --to 127.0.0.1:1");
        const QString need = QStringLiteral("quicpool relay needs --listen HOST:PORT (where clients send) and --to "
                                            "HOST:PORT (the server).");
        QTest::newRow("nothing") << "relay" << need;
        QTest::newRow("no --to") << "relay --listen :0" << need;
        QTest::newRow("no --listen") << "relay --to h:1" << need;
        QTest::newRow("listen bad") << "relay --listen nowhere" + to << "--listen: ";
        QTest::newRow("to without host") << "relay --listen :0 --to :1" << "--to needs a host to connect to";
        QTest::newRow("to port 0") << "relay --listen :0 --to h:0" << "--to needs a port from 1 to 65535";
        QTest::newRow("to missing value") << "relay --listen :0 --to --json" << "--to needs a value.";
        QTest::newRow("delay bare") << kBase + "--delay 20" << "--delay: The duration \"20\" needs a unit";
        QTest::newRow("delay word") << kBase + "--delay soon" << "--delay: \"soon\" is not a duration";
        QTest::newRow("jitter negative") << kBase + "--jitter -1ms" << "--jitter: \"-1ms\" is not a duration";
        QTest::newRow("loss bare") << kBase + "--loss 1" << "--loss: The percentage \"1\" needs a % sign";
        QTest::newRow("loss above 100") << kBase + "--loss 120%" << "--loss: The percentage \"120%\" is above 100%";
        QTest::newRow("loss-up word") << kBase + "--loss-up some" << "--loss-up: \"some\" is not a percentage";
        QTest::newRow("loss-down bare") << kBase + "--loss-down=0.2" << "--loss-down: The percentage \"0.2\"";
        QTest::newRow("rate bare") << kBase + "--rate 400" << "--rate: The rate \"400\" needs a unit";
        QTest::newRow("rate unit") << kBase + "--rate 4mbps" << "--rate: The rate \"4mbps\" has an unknown unit";
        QTest::newRow("rate zero") << kBase + "--rate 0mbit" << "below 1 byte per second";
        QTest::newRow("queue without rate") << kBase + "--queue 20ms"
                                            << "--queue needs --rate: without a rate limit nothing queues.";
        QTest::newRow("queue zero") << kBase + "--rate 1mbit --queue 0ms" << "--queue must be above zero, not 0ms.";
        QTest::newRow("mtu word") << kBase + "--mtu big" << "--mtu expects a whole number, not \"big\".";
        QTest::newRow("mtu zero") << kBase + "--mtu 0" << "--mtu must be at least 1, not 0.";
        QTest::newRow("mtu too big") << kBase + "--mtu 70000"
                                     << "--mtu must be at most 65535 (the largest UDP payload), not 70000.";
        QTest::newRow("mtu with unit") << kBase + "--mtu 1KiB" << "--mtu expects a whole number";
        QTest::newRow("reorder bare") << kBase + "--reorder 0.1" << "--reorder: The percentage \"0.1\"";
        QTest::newRow("duplicate above") << kBase + "--duplicate 101%" << "--duplicate: The percentage \"101%\"";
        QTest::newRow("corrupt word") << kBase + "--corrupt x" << "--corrupt: \"x\" is not a percentage";
        QTest::newRow("blackhole no plus") << kBase + "--blackhole 10s"
                                           << "--blackhole takes AT+FOR, two durations as in 10s+2s";
        QTest::newRow("blackhole two plus") << kBase + "--blackhole 1s+2s+3s" << "--blackhole takes AT+FOR";
        QTest::newRow("blackhole bad at") << kBase + "--blackhole x+2s" << "--blackhole: \"x\" is not a duration";
        QTest::newRow("blackhole bad for") << kBase + "--blackhole 1s+2" << "--blackhole: The duration \"2\" needs";
        QTest::newRow("blackhole zero for") << kBase + "--blackhole 1s+0s"
                                            << "--blackhole needs a length above zero after the +";
        QTest::newRow("rebind zero") << kBase + "--rebind-every 0s" << "--rebind-every must be above zero, not 0s.";
        QTest::newRow("rebind bare") << kBase + "--rebind-every 30" << "--rebind-every: The duration \"30\"";
        QTest::newRow("seed negative") << kBase + "--seed -1"
                                       << "--seed expects a whole number from 0 to 18446744073709551615, not \"-1\".";
        QTest::newRow("seed too big") << kBase + "--seed 18446744073709551616" << "--seed expects a whole number";
        QTest::newRow("seed word") << kBase + "--seed abc" << "--seed expects a whole number";
        QTest::newRow("json with value") << kBase + "--json=1" << "--json takes no value.";
        QTest::newRow("unknown option") << kBase + "--latency 5ms" << "Unknown option --latency for quicpool relay.";
        QTest::newRow("stray argument") << kBase + "fast" << "Unexpected argument \"fast\"";
    }

    void errors()
    {
        QFETCH(QString, line);
        QFETCH(QString, error);
        const ParseResult result = parse(line);
        QVERIFY(!result.ok());
        QVERIFY2(result.error.contains(error), qPrintable(result.error));
        QCOMPARE(result.commandName, QStringLiteral("relay"));
        QVERIFY(usageErrorText(result).contains(u"quicpool relay --help"));
    }

    void help()
    {
        for (const char *line : {"relay --help", "relay -h", "help relay", "relay --loss x --help"}) {
            const ParseResult result = parse(QLatin1String(line));
            QVERIFY2(result.ok(), line);
            QCOMPARE(std::get<HelpRequest>(result.command).command, QStringLiteral("relay"));
        }
        const QString text = usageText(u"relay");
        QVERIFY(text.startsWith(QStringLiteral("Usage: quicpool relay --listen HOST:PORT --to HOST:PORT")));
        for (const char *option : {"--listen", "--to", "--delay", "--jitter", "--loss ", "--loss-up", "--loss-down",
                                   "--rate", "--queue", "--mtu", "--reorder", "--duplicate", "--corrupt",
                                   "--blackhole", "--rebind-every", "--seed", "--json", "--help"})
            QVERIFY2(text.contains(QLatin1String(option)), option);
        // Every default is spelled out.
        for (const char *fact : {"default 0ms", "default 0%", "default 50ms", "default 1)", "default: never",
                                 "default: none", "EACH direction", "400mbit", "50MB", "10s+2s", "1%, 0.5%"})
            QVERIFY2(text.contains(QLatin1String(fact)), fact);
        QVERIFY(text.endsWith(u'\n'));
        for (const QString &line : text.split(u'\n'))
            QVERIFY2(line.size() <= 80, qPrintable(line));
        // The overview names the command.
        QVERIFY(usageText().contains(u"relay     relay UDP"));
        QVERIFY(parse(QStringLiteral("frobnicate")).error.contains(u"bench or relay"));
    }

    void relayConfig()
    {
        const RelayOptions o = std::get<RelayOptions>(
            parse(kBase + QStringLiteral("--delay 25ms --jitter 3ms --loss-up 1% --loss-down 2% --rate 8mbit "
                                         "--queue 40ms --mtu 1400 --reorder 3% --duplicate 4% --corrupt 5% "
                                         "--blackhole 2s+500ms --rebind-every 10s --seed 99"))
                .command);
        const relay::RelayConfig c = toRelayConfig(o);
        QVERIFY(c.delay == 25ms);
        QVERIFY(c.jitter == 3ms);
        QCOMPARE(c.lossUp, 0.01);
        QCOMPARE(c.lossDown, 0.02);
        QCOMPARE(c.rate, qint64(1000000));
        QVERIFY(c.queue == 40ms);
        QCOMPARE(c.mtu, 1400);
        QCOMPARE(c.reorder, 0.03);
        QCOMPARE(c.duplicate, 0.04);
        QCOMPARE(c.corrupt, 0.05);
        QVERIFY(c.blackholeAt == 2s);
        QVERIFY(c.blackholeFor == 500ms);
        QVERIFY(c.rebindEvery == 10s);
        QCOMPARE(c.seed, quint64(99));
        // The addresses are the command's to resolve.
        QCOMPARE(c.upstreamPort, quint16(0));
    }
};

QTEST_GUILESS_MAIN(TestRelayArgs)
#include "tst_relayargs.moc"
