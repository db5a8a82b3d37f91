// `quicpool client` runs the way iperf3 runs, between two processes over
// loopback with real TLS: --time (the run lasts as long as asked),
// --rate (the payload rate comes out close to the target, far below what
// loopback does unpaced), --interval (as many reports as intervals, and
// they add up to the totals, plain and --json), --reverse (the bytes flow
// server to client), bad values (a sentence and exit code 2), and the
// --metrics endpoints of server and client scraped during a run and read
// by the reference OpenMetrics parser; iperf3's short options in a real
// run and their usage errors word for word; --qlog's folder made, or
// refused before anything runs.
#include "cliprocess.h"
#include "openmetricsparser.h"

#include <QtCore/QDir>
#include <QtCore/QElapsedTimer>
#include <QtCore/QFileInfo>
#include <QtCore/QJsonArray>
#include <QtCore/QJsonDocument>
#include <QtCore/QJsonObject>
#include <QtCore/QTemporaryDir>
#include <QtNetwork/QTcpServer>
#include <QtNetwork/QTcpSocket>
#include <QtTest/QTest>

using namespace clitest;

namespace {

QStringList clientArgs(const CliServer &server, const QStringList &extra)
{
    return QStringList{QStringLiteral("client"), QStringLiteral("--connect"), server.address()} + extra;
}

QJsonObject jsonOf(const Finished &f)
{
    return QJsonDocument::fromJson(f.out.toUtf8()).object();
}

struct HttpAnswer
{
    QByteArray head;
    QByteArray body;
    QString error;
};

/// One HTTP/1.1 request on a fresh connection, read to the server's close.
HttpAnswer httpGet(quint16 port, const QByteArray &path, const QByteArray &method = "GET")
{
    HttpAnswer answer;
    QTcpSocket socket;
    socket.connectToHost(QStringLiteral("127.0.0.1"), port);
    if (!socket.waitForConnected(5000)) {
        answer.error = socket.errorString();
        return answer;
    }
    socket.write(method + ' ' + path + " HTTP/1.1\r\nHost: 127.0.0.1\r\nAccept: application/openmetrics-text\r\n\r\n");
    QByteArray all;
    QElapsedTimer clock;
    clock.start();
    while (socket.state() == QAbstractSocket::ConnectedState && clock.elapsed() < 10000) {
        socket.waitForReadyRead(200);
        all += socket.readAll();
    }
    all += socket.readAll();
    const qsizetype split = all.indexOf("\r\n\r\n");
    if (split < 0) {
        answer.error = QStringLiteral("no response head in \"%1\"").arg(QString::fromLatin1(all.left(200)));
        return answer;
    }
    answer.head = all.left(split);
    answer.body = all.mid(split + 4);
    return answer;
}

/// The port of "metrics on http://127.0.0.1:PORT/metrics" in a log, or 0.
quint16 metricsPort(const QString &log)
{
    static const QRegularExpression re(QStringLiteral("^metrics on http://127\\.0\\.0\\.1:(\\d+)/metrics$"),
                                       QRegularExpression::MultilineOption);
    return re.match(log).captured(1).toUShort();
}

/// The value of family's sample for the pool label, or NaN.
double sampleValue(const QJsonObject &families, const QString &family, const QString &pool)
{
    const QJsonArray samples = families.value(family).toObject().value(u"samples").toArray();
    for (const QJsonValue &sample : samples) {
        const QJsonObject s = sample.toObject();
        if (s.value(u"labels").toObject().value(u"pool").toString() == pool)
            return s.value(u"value").toDouble();
    }
    return qQNaN();
}

} // namespace

class TestCliRun : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void initTestCase()
    {
        QVERIFY2(QFileInfo(cliPath()).isExecutable(), qPrintable(cliPath() + QStringLiteral(" is not executable")));
    }

    void timeRunsForTheDuration()
    {
        CliServer server;
        QVERIFY2(server.start({QStringLiteral("--mode"), QStringLiteral("echo")}), qPrintable(server.log()));
        QElapsedTimer wall;
        wall.start();
        const Finished f = runCli(clientArgs(server, {QStringLiteral("--time"), QStringLiteral("2s"),
                                                      QStringLiteral("--parallel"), QStringLiteral("2"),
                                                      QStringLiteral("--json")}));
        const qint64 wallMs = wall.elapsed();
        QVERIFY2(f.exitCode == 0, qPrintable(describe(f)));
        const QJsonObject o = jsonOf(f);
        const double seconds = o.value(u"seconds").toDouble();
        // From the first stream to the end of the last: the 2 s, plus the
        // 64 KiB runs in flight at the end (milliseconds on loopback).
        QVERIFY2(seconds >= 2.0 && seconds < 2.5, qPrintable(describe(f)));
        QVERIFY2(wallMs >= 2000 && wallMs < 9000, qPrintable(QString::number(wallMs)));
        // Streams one after another the whole time, all of them good.
        const int streams = o.value(u"streams").toInt();
        QVERIFY2(streams > 10, qPrintable(describe(f)));
        QCOMPARE(o.value(u"ok").toInt(), streams);
        QCOMPARE(o.value(u"failed").toInt(), 0);
        QCOMPARE(o.value(u"bytes").toInteger(), qint64(streams) * 65536);
    }

    void rateHoldsTheTarget_data()
    {
        QTest::addColumn<QString>("serverMode");
        QTest::addColumn<QStringList>("extra");
        QTest::addColumn<double>("targetMBps");
        QTest::newRow("sink at 40mbit") << QStringLiteral("sink")
                                        << QStringList{QStringLiteral("--mode"), QStringLiteral("sink"),
                                                       QStringLiteral("--rate"), QStringLiteral("40mbit"),
                                                       QStringLiteral("--bytes"), QStringLiteral("1MiB")}
                                        << 5.0;
        QTest::newRow("echo at 3MB, 2 in parallel") << QStringLiteral("echo")
                                                    << QStringList{QStringLiteral("--rate"), QStringLiteral("3MB"),
                                                                   QStringLiteral("--parallel"), QStringLiteral("2")}
                                                    << 3.0;
        QTest::newRow("reverse at 20mbit") << QStringLiteral("source")
                                           << QStringList{QStringLiteral("--reverse"), QStringLiteral("--rate"),
                                                          QStringLiteral("20mbit"), QStringLiteral("--bytes"),
                                                          QStringLiteral("32KiB")}
                                           << 2.5;
    }

    void rateHoldsTheTarget()
    {
        QFETCH(QString, serverMode);
        QFETCH(QStringList, extra);
        QFETCH(double, targetMBps);
        CliServer server;
        QVERIFY2(server.start({QStringLiteral("--mode"), serverMode}), qPrintable(server.log()));
        const Finished f = runCli(clientArgs(server, extra + QStringList{QStringLiteral("--time"), QStringLiteral("3s"),
                                                                         QStringLiteral("--json")}));
        QVERIFY2(f.exitCode == 0, qPrintable(describe(f)));
        const double mbps = jsonOf(f).value(u"mbps").toDouble();
        // Loopback unpaced does tens of MB/s; paced it must land near the
        // target (the start burst and the runs in flight at the end are
        // well inside 15%).
        QVERIFY2(mbps > targetMBps * 0.85 && mbps < targetMBps * 1.15,
                 qPrintable(QStringLiteral("%1 MB/s for a target of %2\n%3").arg(mbps).arg(targetMBps).arg(describe(f))));
    }

    void intervalsAddUpToTheTotals()
    {
        CliServer server;
        QVERIFY2(server.start({QStringLiteral("--mode"), QStringLiteral("echo")}), qPrintable(server.log()));
        const QStringList args = {QStringLiteral("--time"), QStringLiteral("2.2s"), QStringLiteral("--interval"),
                                  QStringLiteral("500ms"), QStringLiteral("--rate"), QStringLiteral("80mbit")};

        // --json: an array of intervals, back to back from 0 to seconds.
        const Finished json = runCli(clientArgs(server, args + QStringList{QStringLiteral("--json")}));
        QVERIFY2(json.exitCode == 0, qPrintable(describe(json)));
        const QJsonObject o = jsonOf(json);
        const double seconds = o.value(u"seconds").toDouble();
        const QJsonArray intervals = o.value(u"intervals").toArray();
        // 2.2 s and a little: four whole intervals and the cut-short fifth.
        QVERIFY2(intervals.size() == 5, qPrintable(describe(json)));
        qint64 sent = 0, received = 0;
        double previousEnd = 0;
        for (const QJsonValue &value : intervals) {
            const QJsonObject i = value.toObject();
            QCOMPARE(i.value(u"start").toDouble(), previousEnd);
            previousEnd = i.value(u"end").toDouble();
            const double length = previousEnd - i.value(u"start").toDouble();
            QVERIFY2(length > 0 && length < 0.6, qPrintable(describe(json)));
            sent += i.value(u"sent_bytes").toInteger();
            received += i.value(u"received_bytes").toInteger();
            // MB/s of the interval's own bytes and length (10^6 bytes per
            // second), never above the rate (10 MB/s) by more than what the
            // pace saves up (100 ms of it, 1 MB) and one write.
            const double mbps = i.value(u"sent_mbps").toDouble();
            QVERIFY2(qAbs(mbps - double(i.value(u"sent_bytes").toInteger()) / 1e6 / length) < 1e-6,
                     qPrintable(describe(json)));
            QVERIFY2(mbps < 10.0 * 1.05 + 1.2 / length, qPrintable(describe(json)));
        }
        QCOMPARE(previousEnd, seconds);
        QCOMPARE(sent, o.value(u"sent_bytes").toInteger());
        QCOMPARE(received, o.value(u"received_bytes").toInteger());
        QCOMPARE(received, o.value(u"bytes").toInteger());   // echo: all came back
        QCOMPARE(sent, received);

        // Plain: a line per interval on stdout, then the summary; they add up too.
        const Finished plain = runCli(clientArgs(server, args));
        QVERIFY2(plain.exitCode == 0, qPrintable(describe(plain)));
        static const QRegularExpression line(QStringLiteral(
            "^interval (\\d+\\.\\d{3})-(\\d+\\.\\d{3}) sent=(\\d+) sent_mbps=\\d+\\.\\d{2} received=(\\d+) "
            "received_mbps=\\d+\\.\\d{2}$"));
        static const QRegularExpression summary(QStringLiteral("^streams=\\d+ ok=\\d+ failed=0 bytes=(\\d+) "));
        const QStringList lines = linesOf(plain.out);
        QCOMPARE(lines.size(), 6);
        qint64 plainReceived = 0;
        for (int k = 0; k < 5; ++k) {
            const auto m = line.match(lines.at(k));
            QVERIFY2(m.hasMatch(), qPrintable(lines.at(k)));
            plainReceived += m.captured(4).toLongLong();
        }
        const auto total = summary.match(lines.last());
        QVERIFY2(total.hasMatch(), qPrintable(lines.last()));
        QCOMPARE(plainReceived, total.captured(1).toLongLong());
    }

    void reverseMakesTheServerSend()
    {
        CliServer server;
        QVERIFY2(server.start({QStringLiteral("--mode"), QStringLiteral("source"), QStringLiteral("--verbose")}),
                 qPrintable(server.log()));
        const Finished f = runCli(clientArgs(server, {QStringLiteral("--reverse"), QStringLiteral("--streams"),
                                                      QStringLiteral("5"), QStringLiteral("--bytes"),
                                                      QStringLiteral("100000"), QStringLiteral("--interval"),
                                                      QStringLiteral("1s"), QStringLiteral("--json")}));
        QVERIFY2(f.exitCode == 0, qPrintable(describe(f)));
        const QJsonObject o = jsonOf(f);
        QCOMPARE(o.value(u"bytes").toInteger(), 500000);
        QCOMPARE(o.value(u"received_bytes").toInteger(), 500000);   // server -> client
        QCOMPARE(o.value(u"sent_bytes").toInteger(), 0);            // the requests are not payload
        QVERIFY2(server.readLog().count(QStringLiteral("(source)")) >= 5, qPrintable(server.log()));

        // Against a server that echoes, --reverse gets its 8-byte request
        // back, not data: each stream fails and says so.
        CliServer echo;
        QVERIFY2(echo.start({QStringLiteral("--mode"), QStringLiteral("echo")}), qPrintable(echo.log()));
        const Finished wrong = runCli(clientArgs(echo, {QStringLiteral("--reverse"), QStringLiteral("--bytes"),
                                                        QStringLiteral("100000")}));
        QVERIFY2(wrong.exitCode == 1, qPrintable(describe(wrong)));
        QVERIFY2(failLine().match(linesOf(wrong.out).value(0)).hasMatch(), qPrintable(describe(wrong)));
    }

    void badValues_data()
    {
        QTest::addColumn<QStringList>("args");
        QTest::addColumn<QString>("sentence");
        const QStringList base = {QStringLiteral("client"), QStringLiteral("--connect"), QStringLiteral("127.0.0.1:9")};
        QTest::newRow("time 0s") << base + QStringList{QStringLiteral("--time"), QStringLiteral("0s")}
                                 << QStringLiteral("quicpool: --time must be above zero, not 0s.");
        QTest::newRow("time without unit") << base + QStringList{QStringLiteral("--time"), QStringLiteral("10")}
                                           << QStringLiteral("quicpool: --time: ");
        QTest::newRow("rate without unit") << base + QStringList{QStringLiteral("--rate"), QStringLiteral("400")}
                                           << QStringLiteral("quicpool: --rate: ");
        QTest::newRow("interval 10ms") << base + QStringList{QStringLiteral("--interval"), QStringLiteral("10ms")}
                                       << QStringLiteral("quicpool: --interval must be at least 100ms, not 10ms.");
        QTest::newRow("reverse with sink")
            << base + QStringList{QStringLiteral("--reverse"), QStringLiteral("--mode"), QStringLiteral("sink")}
            << QStringLiteral("cannot go with --mode sink");
        QTest::newRow("time and streams")
            << base + QStringList{QStringLiteral("--time"), QStringLiteral("1s"), QStringLiteral("--streams"),
                                  QStringLiteral("3")}
            << QStringLiteral("--streams and --time both say when to stop");
    }

    void badValues()
    {
        QFETCH(QStringList, args);
        QFETCH(QString, sentence);
        const Finished f = runCli(args, 10000);
        QCOMPARE(f.exitCode, 2);
        QVERIFY2(f.out.isEmpty(), qPrintable(describe(f)));
        QVERIFY2(f.err.contains(sentence), qPrintable(describe(f)));
        QVERIFY2(f.err.contains(QStringLiteral("Run \"quicpool client --help\" for usage.")), qPrintable(describe(f)));
    }

    void metricsScrapedDuringARun()
    {
        CliServer server;
        QVERIFY2(server.start({QStringLiteral("--mode"), QStringLiteral("echo"), QStringLiteral("--metrics"),
                               QStringLiteral("127.0.0.1:0")}),
                 qPrintable(server.log()));
        // The metrics line may follow the listening and certificate lines
        // that start() waits for.
        quint16 serverMetrics = 0;
        QTRY_VERIFY2_WITH_TIMEOUT((serverMetrics = metricsPort(server.readLog())) != 0, qPrintable(server.log()),
                                  10000);

        QProcess client;
        client.setProgram(cliPath());
        client.setArguments(clientArgs(server, {QStringLiteral("--time"), QStringLiteral("4s"),
                                                QStringLiteral("--rate"), QStringLiteral("40mbit"),
                                                QStringLiteral("--metrics"), QStringLiteral("127.0.0.1:0"),
                                                QStringLiteral("--json")}));
        client.start();
        QVERIFY(client.waitForStarted(5000));
        QString clientLog;
        quint16 clientMetrics = 0;
        QElapsedTimer clock;
        clock.start();
        while (clientMetrics == 0 && clock.elapsed() < 10000 && client.state() == QProcess::Running) {
            client.waitForReadyRead(100);
            clientLog += QString::fromUtf8(client.readAllStandardError());
            clientMetrics = metricsPort(clientLog);
        }
        QVERIFY2(clientMetrics != 0, qPrintable(clientLog));
        // Anything but /metrics is 404, another method 405. Asked of the
        // client first, while its 4 s run has just begun: the scrapes below
        // may take longer than the run on a loaded machine, and a client
        // whose run is over serves nothing.
        const HttpAnswer notFound = httpGet(clientMetrics, "/");
        QVERIFY2(notFound.head.startsWith("HTTP/1.1 404 Not Found\r\n"), qPrintable(notFound.error + notFound.head));
        const HttpAnswer notAllowed = httpGet(serverMetrics, "/metrics", "POST");
        QVERIFY2(notAllowed.head.startsWith("HTTP/1.1 405 Method Not Allowed\r\n"),
                 qPrintable(notAllowed.error + notAllowed.head));

        // Scrape both until the client has run streams; every scrape must
        // parse with the reference parser.
        QJsonObject clientFamilies, serverFamilies;
        while (clock.elapsed() < 15000) {
            const HttpAnswer c = httpGet(clientMetrics, "/metrics");
            QVERIFY2(c.error.isEmpty(), qPrintable(c.error));
            QVERIFY2(c.head.startsWith("HTTP/1.1 200 OK\r\n"), c.head.constData());
            QVERIFY2(c.head.contains(
                         "\r\nContent-Type: application/openmetrics-text; version=1.0.0; charset=utf-8"),
                     c.head.constData());
            QVERIFY(c.body.endsWith("# EOF\n"));
            const auto parsed = openmetricstest::parseOpenMetrics(c.body);
            QVERIFY2(parsed.ok, qPrintable(parsed.error + u'\n' + QString::fromUtf8(c.body)));
            clientFamilies = parsed.families;
            // Byte counts come from the connection's stats snapshot, which
            // is up to 200 ms behind the stream count (and further on a
            // slow, sanitized build): wait for both.
            if (sampleValue(clientFamilies, QStringLiteral("quicpool_pool_streams_served"), QStringLiteral("client")) >= 5
                && sampleValue(clientFamilies, QStringLiteral("quicpool_pool_sent_bytes"), QStringLiteral("client"))
                       > 300000)
                break;
            QTest::qWait(200);
        }
        QElapsedTimer serverClock;
        serverClock.start();
        while (serverClock.elapsed() < 10000) {   // the server's snapshot lags the same way
            const HttpAnswer s = httpGet(serverMetrics, "/metrics");
            QVERIFY2(s.error.isEmpty() && s.head.startsWith("HTTP/1.1 200 OK\r\n"), qPrintable(s.error + s.head));
            const auto serverParsed = openmetricstest::parseOpenMetrics(s.body);
            QVERIFY2(serverParsed.ok, qPrintable(serverParsed.error));
            serverFamilies = serverParsed.families;
            if (sampleValue(serverFamilies, QStringLiteral("quicpool_pool_received_bytes"), QStringLiteral("server"))
                > 300000)
                break;
            QTest::qWait(200);
        }

        const QString c = QStringLiteral("client"), sv = QStringLiteral("server");
        QVERIFY2(sampleValue(clientFamilies, QStringLiteral("quicpool_pool_streams_served"), c) >= 5,
                 qPrintable(QJsonDocument(clientFamilies).toJson()));
        QCOMPARE(sampleValue(clientFamilies, QStringLiteral("quicpool_pool_connections"), c), 1.0);
        QVERIFY(sampleValue(clientFamilies, QStringLiteral("quicpool_pool_capacity"), c) >= 1);
        QVERIFY(sampleValue(clientFamilies, QStringLiteral("quicpool_pool_interval_seconds"), c) > 0);
        QVERIFY(sampleValue(clientFamilies, QStringLiteral("quicpool_pool_rtt_seconds"), c) > 0);
        QVERIFY2(sampleValue(clientFamilies, QStringLiteral("quicpool_pool_sent_bytes"), c) > 300000,
                 qPrintable(QJsonDocument(clientFamilies).toJson()));
        QCOMPARE(sampleValue(clientFamilies, QStringLiteral("quicpool_pool_errors"), c), 0.0);
        QCOMPARE(clientFamilies.value(u"quicpool_pool_sent_bytes").toObject().value(u"type").toString(),
                 QStringLiteral("counter"));
        QCOMPARE(clientFamilies.value(u"quicpool_pool_active").toObject().value(u"samples").toArray().at(0)
                     .toObject().value(u"labels").toObject().value(u"address").toString(),
                 server.address());
        QVERIFY(sampleValue(serverFamilies, QStringLiteral("quicpool_pool_streams_served"), sv) >= 5);
        QCOMPARE(sampleValue(serverFamilies, QStringLiteral("quicpool_pool_connections"), sv), 1.0);
        QVERIFY2(sampleValue(serverFamilies, QStringLiteral("quicpool_pool_received_bytes"), sv) > 300000,
                 qPrintable(QJsonDocument(serverFamilies).toJson()));
        QVERIFY(sampleValue(serverFamilies, QStringLiteral("quicpool_pool_rtt_seconds"), sv) > 0);

        QVERIFY(client.waitForFinished(15000));
        QCOMPARE(client.exitCode(), 0);
        QCOMPARE(server.stop(SIGTERM), 0);
    }

    void iperfShortOptionsRun()
    {
        // What an iperf3 user types: -c, -t in bare seconds, -P, -b in
        // iperf3's bits per second, -i, -J; the JSON says it ran that way.
        CliServer server;
        QVERIFY2(server.start({QStringLiteral("--mode"), QStringLiteral("echo")}), qPrintable(server.log()));
        const Finished f = runCli({QStringLiteral("client"), QStringLiteral("-c"), server.address(),
                                   QStringLiteral("-t"), QStringLiteral("1"), QStringLiteral("-P"), QStringLiteral("2"),
                                   QStringLiteral("-b"), QStringLiteral("40M"), QStringLiteral("-i0.5"),
                                   QStringLiteral("-J")});
        QVERIFY2(f.exitCode == 0, qPrintable(describe(f)));
        const QJsonObject o = jsonOf(f);
        QVERIFY2(o.value(u"seconds").toDouble() >= 1.0 && o.value(u"seconds").toDouble() < 2.0, qPrintable(describe(f)));
        QVERIFY2(o.value(u"intervals").toArray().size() >= 2, qPrintable(describe(f)));
        QCOMPARE(o.value(u"failed").toInt(), 0);
        // 40 Mbit/s is 5 MB/s; well below what loopback does unpaced.
        QVERIFY2(o.value(u"mbps").toDouble() < 5.0 * 1.3, qPrintable(describe(f)));
        // -R: the server must send; against echo the streams fail, saying so.
        const Finished reverse = runCli({QStringLiteral("client"), QStringLiteral("-c"), server.address(),
                                         QStringLiteral("-R"), QStringLiteral("--bytes"), QStringLiteral("1000")});
        QCOMPARE(reverse.exitCode, 1);
        QCOMPARE(server.stop(), 0);
    }

    void usageErrorsOfShortOptions_data()
    {
        QTest::addColumn<QStringList>("args");
        QTest::addColumn<QString>("expected");
        const QStringList base = {QStringLiteral("client"), QStringLiteral("-c"), QStringLiteral("127.0.0.1:9")};
        QTest::newRow("missing value")
            << base + QStringList{QStringLiteral("-t")}
            << QStringLiteral("quicpool: -t needs a value.\nRun \"quicpool client --help\" for usage.\n");
        QTest::newRow("unknown letter")
            << base + QStringList{QStringLiteral("-p"), QStringLiteral("5201")}
            << QStringLiteral("quicpool: Unknown option -p for quicpool client.\nRun \"quicpool client --help\" for "
                              "usage.\n");
        QTest::newRow("near miss")
            << base + QStringList{QStringLiteral("--paralel=2")}
            << QStringLiteral("quicpool: Unknown option --paralel for quicpool client.\nDid you mean --parallel? Run "
                              "\"quicpool client --help\" for usage.\n");
        QTest::newRow("flag with a value")
            << base + QStringList{QStringLiteral("-J=yes")}
            << QStringLiteral("quicpool: -J takes no value.\nRun \"quicpool client --help\" for usage.\n");
    }

    void usageErrorsOfShortOptions()
    {
        QFETCH(QStringList, args);
        QFETCH(QString, expected);
        const Finished f = runCli(args, 10000);
        QCOMPARE(f.exitCode, 2);
        QVERIFY2(f.out.isEmpty(), qPrintable(describe(f)));
        QCOMPARE(f.err, expected);
    }

    void qlogFolderMadeOrRefused()
    {
        // A missing --qlog folder is made and gets a file per connection;
        // one that cannot be made stops the command before it listens or
        // dials, with one sentence and a non-zero status.
        QTemporaryDir dir;
        QVERIFY(dir.isValid());
        const QString serverQlog = dir.filePath(QStringLiteral("server/qlog"));
        const QString clientQlog = dir.filePath(QStringLiteral("client/qlog"));
        CliServer server;
        QVERIFY2(server.start({QStringLiteral("--qlog"), serverQlog}), qPrintable(server.log()));
        const Finished f = runCli({QStringLiteral("client"), QStringLiteral("-c"), server.address(),
                                   QStringLiteral("--qlog"), clientQlog});
        QVERIFY2(f.exitCode == 0, qPrintable(describe(f)));
        QVERIFY2(f.err.isEmpty(), qPrintable(describe(f)));
        const QStringList qlog{QStringLiteral("*.sqlog")};
        QCOMPARE(QDir(clientQlog).entryList(qlog, QDir::Files).size(), 1);
        QCOMPARE(server.stop(), 0);
        QCOMPARE(QDir(serverQlog).entryList(qlog, QDir::Files).size(), 1);

        const QString file = dir.filePath(QStringLiteral("plain"));
        {
            QFile plain(file);
            QVERIFY(plain.open(QIODevice::WriteOnly));
        }
        const QString sentence =
            QStringLiteral("quicpool: The qlog folder %1/q cannot be made: %1 is a file, not a folder.\n").arg(file);
        for (const QStringList &args :
             {QStringList{QStringLiteral("server"), QStringLiteral("--listen"), QStringLiteral("127.0.0.1:0")},
              QStringList{QStringLiteral("client"), QStringLiteral("-c"), QStringLiteral("127.0.0.1:9")}}) {
            const Finished refused = runCli(args + QStringList{QStringLiteral("--qlog"), file + QStringLiteral("/q")},
                                            10000);
            QCOMPARE(refused.exitCode, 2);
            QVERIFY2(refused.out.isEmpty(), qPrintable(describe(refused)));
            QVERIFY2(refused.err.startsWith(sentence), qPrintable(describe(refused)));
        }
        // Permissions may say yes (root's do) where making the folder fails:
        // the pool's start() refuses then, before the server listens.
        const Finished proc = runCli({QStringLiteral("server"), QStringLiteral("--listen"), QStringLiteral("127.0.0.1:0"),
                                      QStringLiteral("--qlog"), QStringLiteral("/proc/quicpool-qlog-test")},
                                     10000);
        QVERIFY2(proc.exitCode == 1 || proc.exitCode == 2, qPrintable(describe(proc)));
        QVERIFY2(proc.err.contains(QStringLiteral("The qlog folder /proc/quicpool-qlog-test ")), qPrintable(describe(proc)));
        QVERIFY2(!proc.err.contains(QStringLiteral("listening on")), qPrintable(describe(proc)));
    }

    void metricsPortInUseIsAnError()
    {
        QTcpServer taken;
        QVERIFY(taken.listen(QHostAddress::LocalHost, 0));
        const QString where = QStringLiteral("127.0.0.1:%1").arg(taken.serverPort());
        const Finished f = runCli({QStringLiteral("server"), QStringLiteral("--listen"), QStringLiteral("127.0.0.1:0"),
                                   QStringLiteral("--metrics"), where},
                                  10000);
        QCOMPARE(f.exitCode, 1);
        QVERIFY2(f.err.contains(QStringLiteral("quicpool: cannot serve metrics on %1: ").arg(where)), qPrintable(describe(f)));
    }
};

QTEST_GUILESS_MAIN(TestCliRun)
#include "tst_clirun.moc"
