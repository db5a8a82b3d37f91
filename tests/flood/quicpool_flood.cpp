// quicpool-flood: measures what a handshake flood does to a `quicpool
// server`, the way issue 18 states its targets. It starts the server (or
// watches one you started: --connect and --pid), makes COUNT fresh clients'
// Initial packets (tests/flood/floodkit.h), sends them from PORTS source
// ports at RATE per second and never answers, starts a real `quicpool
// client --mode echo --streams 5 --timeout 10s` every CLIENT_EVERY, samples
// the server's resident memory and open descriptors from /proc every 50 ms
// and its /metrics, then waits SETTLE after the flood and prints a report
// (and, with --json, one JSON object on stdout). Exit status 0 when every
// target held, 1 when one did not, 2 for usage errors.
//
//   build/release/tests/quicpool-flood                       # 20,000 at 2,000/s, 64 ports
//   build/release/tests/quicpool-flood --count 2000 --rate 500 --client-bound 1000
//   build/release/tests/quicpool-flood --server-arg --retry=never
//   quicpool-flood --connect 127.0.0.1:4433 --count 300 --rate 300 --clients 0
//       floods a server someone else watches (quicpool-diag's tests): with
//       --connect but no --pid and --metrics-port it only floods, measures
//       nothing of the server, and exits 0 once every flight went out.
#include "floodkit.h"

#include <QtCore/QCommandLineParser>
#include <QtCore/QCoreApplication>
#include <QtCore/QDir>
#include <QtCore/QElapsedTimer>
#include <QtCore/QJsonArray>
#include <QtCore/QJsonDocument>
#include <QtCore/QJsonObject>
#include <QtCore/QProcess>
#include <QtCore/QRegularExpression>
#include <QtCore/QThread>
#include <QtNetwork/QTcpSocket>
#include <algorithm>
#include <cstdio>
#include <memory>
#include <vector>

using namespace quicpool;

namespace {

constexpr double kMiB = 1024.0 * 1024.0;

void say(const QString &line)
{
    std::fprintf(stderr, "%s\n", qPrintable(line));
    std::fflush(stderr);
}

/// Keeps the event loop turning for ms (QProcess output, client exits).
void pump(int ms)
{
    QElapsedTimer t;
    t.start();
    do {
        QCoreApplication::processEvents(QEventLoop::AllEvents, 5);
        QThread::usleep(2000);
    } while (t.elapsed() < ms);
}

QByteArray scrape(quint16 port)
{
    QTcpSocket s;
    s.connectToHost(QHostAddress::LocalHost, port);
    if (!s.waitForConnected(2000))
        return {};
    s.write("GET /metrics HTTP/1.1\r\nHost: localhost\r\n\r\n");
    QByteArray all;
    while (s.waitForReadyRead(2000))
        all += s.readAll();
    return all + s.readAll();
}

qint64 metric(const QByteArray &text, const char *name)
{
    const QRegularExpression re(QStringLiteral("^%1\\{pool=\"server\"[^}]*\\} (\\S+)$").arg(QLatin1String(name)),
                                QRegularExpression::MultilineOption);
    const QRegularExpressionMatch m = re.match(QString::fromUtf8(text));
    return m.hasMatch() ? qint64(m.captured(1).toDouble()) : -1;
}

QString defaultQuicpool()
{
    const QString env = qEnvironmentVariable("QUICPOOL_CLI");
    if (!env.isEmpty())
        return env;
    return QDir(QCoreApplication::applicationDirPath()).filePath(QStringLiteral("../app/quicpool"));
}

struct Client
{
    std::unique_ptr<QProcess> process;
    qint64 startedMs = 0;     // since the flood began
    qint64 ms = -1;           // to its exit
    bool duringFlood = false;
    bool ok = false;
};

} // namespace

int main(int argc, char **argv)
{
    QCoreApplication app(argc, argv);
    QCommandLineParser p;
    p.setApplicationDescription(QStringLiteral("Floods a quicpool server with unanswered QUIC handshakes and measures it."));
    p.addHelpOption();
    const QCommandLineOption countOpt(QStringLiteral("count"), QStringLiteral("Handshakes to send (20000)."), QStringLiteral("N"), QStringLiteral("20000"));
    const QCommandLineOption rateOpt(QStringLiteral("rate"), QStringLiteral("Handshakes per second (2000)."), QStringLiteral("N"), QStringLiteral("2000"));
    const QCommandLineOption portsOpt(QStringLiteral("ports"), QStringLiteral("Source ports (64)."), QStringLiteral("N"), QStringLiteral("64"));
    const QCommandLineOption clientsOpt(QStringLiteral("clients"), QStringLiteral("Real clients to start (10)."), QStringLiteral("N"), QStringLiteral("10"));
    const QCommandLineOption everyOpt(QStringLiteral("client-every"), QStringLiteral("Milliseconds between real clients (2000)."), QStringLiteral("MS"), QStringLiteral("2000"));
    const QCommandLineOption boundOpt(QStringLiteral("client-bound"), QStringLiteral("Target: milliseconds a real client may take (3000)."), QStringLiteral("MS"), QStringLiteral("3000"));
    const QCommandLineOption settleOpt(QStringLiteral("settle"), QStringLiteral("Seconds to wait after the flood before the last RSS reading (30)."), QStringLiteral("S"), QStringLiteral("30"));
    const QCommandLineOption quicpoolOpt(QStringLiteral("quicpool"), QStringLiteral("The quicpool binary (../app/quicpool, or QUICPOOL_CLI)."), QStringLiteral("PATH"));
    const QCommandLineOption serverArgOpt(QStringLiteral("server-arg"), QStringLiteral("One more argument for quicpool server (repeatable)."), QStringLiteral("ARG"));
    const QCommandLineOption connectOpt(QStringLiteral("connect"), QStringLiteral("A running server instead of starting one; with --pid and --metrics-port it is measured, without them only flooded."), QStringLiteral("HOST:PORT"));
    const QCommandLineOption pidOpt(QStringLiteral("pid"), QStringLiteral("The running server's process ID."), QStringLiteral("PID"));
    const QCommandLineOption metricsOpt(QStringLiteral("metrics-port"), QStringLiteral("The running server's --metrics port."), QStringLiteral("PORT"));
    const QCommandLineOption jsonOpt(QStringLiteral("json"), QStringLiteral("Print the figures as one JSON object on stdout."));
    p.addOptions({countOpt, rateOpt, portsOpt, clientsOpt, everyOpt, boundOpt, settleOpt, quicpoolOpt, serverArgOpt,
                  connectOpt, pidOpt, metricsOpt, jsonOpt});
    p.process(app);
    const int count = p.value(countOpt).toInt();
    const int rate = p.value(rateOpt).toInt();
    const int ports = p.value(portsOpt).toInt();
    const int clientCount = p.value(clientsOpt).toInt();
    const int every = p.value(everyOpt).toInt();
    const int clientBound = p.value(boundOpt).toInt();
    const int settle = p.value(settleOpt).toInt();
    if (count <= 0 || rate <= 0 || ports <= 0 || every <= 0) {
        say(QStringLiteral("quicpool-flood: --count, --rate, --ports and --client-every must be above 0"));
        return 2;
    }
    const QString quicpool = p.isSet(quicpoolOpt) ? p.value(quicpoolOpt) : defaultQuicpool();

    // The server.
    QProcess server;
    QString address;
    qint64 pid = 0;
    quint16 metricsPort = 0;
    if (p.isSet(connectOpt)) {
        address = p.value(connectOpt);
        pid = p.value(pidOpt).toLongLong();
        metricsPort = quint16(p.value(metricsOpt).toUInt());
        if (p.isSet(pidOpt) != p.isSet(metricsOpt) || (p.isSet(pidOpt) && (pid <= 0 || metricsPort == 0))) {
            say(QStringLiteral("quicpool-flood: --connect takes --pid and --metrics-port together, or neither (flood only)"));
            return 2;
        }
    } else {
        server.setProgram(quicpool);
        server.setArguments(QStringList{QStringLiteral("server"), QStringLiteral("--listen"), QStringLiteral("127.0.0.1:0"),
                                        QStringLiteral("--mode"), QStringLiteral("echo"), QStringLiteral("--metrics"),
                                        QStringLiteral("127.0.0.1:0"), QStringLiteral("--verbose")}
                            + p.values(serverArgOpt));
        server.setProcessChannelMode(QProcess::ForwardedOutputChannel);
        server.start();
        if (!server.waitForStarted(5000)) {
            say(QStringLiteral("quicpool-flood: cannot start %1: %2").arg(quicpool, server.errorString()));
            return 1;
        }
        static const QRegularExpression listening(QStringLiteral("^listening on (127\\.0\\.0\\.1:\\d+)"), QRegularExpression::MultilineOption);
        static const QRegularExpression metricsLine(QStringLiteral("metrics on http://127\\.0\\.0\\.1:(\\d+)/metrics"));
        QString log;
        QElapsedTimer t;
        t.start();
        while (t.elapsed() < 15000 && (address.isEmpty() || metricsPort == 0)) {
            server.waitForReadyRead(100);
            log += QString::fromUtf8(server.readAllStandardError());
            if (const auto m = listening.match(log); m.hasMatch())
                address = m.captured(1);
            if (const auto m = metricsLine.match(log); m.hasMatch())
                metricsPort = quint16(m.captured(1).toUInt());
        }
        if (address.isEmpty() || metricsPort == 0) {
            say(QStringLiteral("quicpool-flood: the server did not start:\n%1").arg(log));
            return 1;
        }
        pid = server.processId();
        // From here on its stderr (the --verbose lines) goes to ours.
        QObject::connect(&server, &QProcess::readyReadStandardError, &server, [&server] {
            std::fputs(server.readAllStandardError().constData(), stderr);
        });
    }
    QString host;
    quint16 port = 0;
    {
        const qsizetype colon = address.lastIndexOf(u':');
        host = address.left(colon);
        port = quint16(address.mid(colon + 1).toUInt());
    }

    Error err;
    transport::TlsClientOptions o;
    o.mode = TlsMode::Insecure;
    std::shared_ptr<transport::TlsContext> tls = transport::TlsContext::createClient(o, &err);
    if (!tls) {
        say(err.toString());
        return 1;
    }
    say(QStringLiteral("making %1 clients' Initial packets ...").arg(count));
    flood::FloodPlan plan;
    QString why;
    if (!flood::makeFloodPlan(&plan, *tls, QHostAddress(host), ports,
                              transport::SocketAddress::fromQt(QHostAddress(host), port), count, &why)) {
        say(QStringLiteral("quicpool-flood: %1").arg(why));
        return 1;
    }
    if (p.isSet(connectOpt) && !p.isSet(pidOpt)) {
        // Flood only: someone else watches the server.
        say(QStringLiteral("flooding %1 handshakes at %2/s from %3 ports towards %4").arg(count).arg(rate).arg(ports).arg(address));
        flood::Flooder flooder(plan, rate);
        flooder.start();
        while (!flooder.isDone())
            pump(50);
        say(QStringLiteral("flood done: %1 handshakes (%2 MB)").arg(flooder.flightsSent())
                .arg(double(flooder.bytesSent()) / 1e6, 0, 'f', 2));
        flood::closeFloodPlan(&plan);
        return flooder.flightsSent() == count ? 0 : 1;
    }
    pump(1000);
    const qint64 rssBefore = flood::residentBytes(pid);
    const int fdsBefore = flood::openDescriptors(pid);
    say(QStringLiteral("server %1 (pid %2): RSS %3 MiB, %4 open descriptors; flooding %5 handshakes at %6/s from %7 ports")
            .arg(address).arg(pid).arg(double(rssBefore) / kMiB, 0, 'f', 1).arg(fdsBefore).arg(count).arg(rate).arg(ports));

    flood::Flooder flooder(plan, rate);
    std::vector<Client> clients;
    qint64 rssPeak = rssBefore, pendingPeak = 0;
    int fdsPeak = fdsBefore;
    QElapsedTimer clock;
    clock.start();
    flooder.start();
    qint64 floodMs = -1, nextScrape = 0;
    auto running = [&] {
        return std::any_of(clients.begin(), clients.end(),
                           [](const Client &c) { return c.process->state() != QProcess::NotRunning; });
    };
    while (!flooder.isDone() || int(clients.size()) < clientCount || running()) {
        const qint64 now = clock.elapsed();
        if (flooder.isDone() && floodMs < 0)
            floodMs = now;
        if (int(clients.size()) < clientCount && now >= qint64(clients.size()) * every) {
            Client c;
            c.process = std::make_unique<QProcess>();
            c.process->setProgram(quicpool);
            c.process->setArguments({QStringLiteral("client"), QStringLiteral("--connect"), address,
                                     QStringLiteral("--mode"), QStringLiteral("echo"), QStringLiteral("--streams"),
                                     QStringLiteral("5"), QStringLiteral("--timeout"), QStringLiteral("10s")});
            c.startedMs = now;
            c.duringFlood = !flooder.isDone();
            c.process->start();
            clients.push_back(std::move(c));
        }
        for (Client &c : clients) {
            if (c.ms < 0 && c.process->state() == QProcess::NotRunning) {
                c.ms = now - c.startedMs;
                c.ok = c.process->exitStatus() == QProcess::NormalExit && c.process->exitCode() == 0
                    && c.process->readAllStandardOutput().contains("streams=5 ok=5 failed=0");
                say(QStringLiteral("client %1 (started at %2 s%3): %4 in %5 s")
                        .arg(&c - clients.data())
                        .arg(double(c.startedMs) / 1000.0, 0, 'f', 1)
                        .arg(c.duringFlood ? QStringLiteral(", during the flood") : QString())
                        .arg(c.ok ? QStringLiteral("ok") : QStringLiteral("FAILED: ") + QString::fromUtf8(c.process->readAllStandardError()).trimmed())
                        .arg(double(c.ms) / 1000.0, 0, 'f', 2));
            }
        }
        rssPeak = std::max(rssPeak, flood::residentBytes(pid));
        fdsPeak = std::max(fdsPeak, flood::openDescriptors(pid));
        if (now >= nextScrape) {
            pendingPeak = std::max(pendingPeak, metric(scrape(metricsPort), "quicpool_pool_pending_handshakes"));
            nextScrape = now + 500;
        }
        pump(50);
    }
    if (floodMs < 0)
        floodMs = clock.elapsed();
    const QByteArray afterFlood = scrape(metricsPort);
    say(QStringLiteral("flood done: %1 handshakes (%2 MB) in %3 s; waiting %4 s ...")
            .arg(flooder.flightsSent()).arg(double(flooder.bytesSent()) / 1e6, 0, 'f', 1)
            .arg(double(floodMs) / 1000.0, 0, 'f', 1).arg(settle));
    const qint64 settleUntil = floodMs + qint64(settle) * 1000;
    while (clock.elapsed() < settleUntil) {
        fdsPeak = std::max(fdsPeak, flood::openDescriptors(pid));
        rssPeak = std::max(rssPeak, flood::residentBytes(pid));
        pump(100);
    }
    const qint64 rssAfter = flood::residentBytes(pid);
    const int fdsAfter = flood::openDescriptors(pid);
    const QByteArray end = scrape(metricsPort);
    flood::closeFloodPlan(&plan);

    int okDuring = 0, during = 0, okAll = 0;
    qint64 maxDuringMs = 0;
    for (const Client &c : clients) {
        okAll += c.ok ? 1 : 0;
        if (c.duringFlood) {
            ++during;
            if (c.ok && c.ms <= clientBound)
                ++okDuring;
            maxDuringMs = std::max(maxDuringMs, c.ms);
        }
    }
    const qint64 in = metric(end, "quicpool_pool_unvalidated_received_bytes_total");
    const qint64 out = metric(end, "quicpool_pool_unvalidated_sent_bytes_total");
    const bool clientsOk = during > 0 && okDuring == during;
    const bool rssOk = rssPeak <= qint64(200 * kMiB);
    const bool fdsOk = fdsPeak <= 64;
    const bool backOk = rssAfter <= rssBefore + qint64(10 * kMiB);
    const bool amplificationOk = in > 0 && out <= 3 * in;

    say(QStringLiteral("server RSS %1 MiB before, %2 at the peak, %3 %4 s after the flood; descriptors %5 / %6 / %7")
            .arg(double(rssBefore) / kMiB, 0, 'f', 1).arg(double(rssPeak) / kMiB, 0, 'f', 1)
            .arg(double(rssAfter) / kMiB, 0, 'f', 1).arg(settle).arg(fdsBefore).arg(fdsPeak).arg(fdsAfter));
    say(QStringLiteral("handshakes: at most %1 pending (peak %2); %3 started, %4 completed, %5 timed out; %6 Retries, "
                       "%7 tokens accepted, %8 rejected, %9 Initials dropped at the bounds")
            .arg(pendingPeak).arg(metric(end, "quicpool_pool_pending_handshakes_peak"))
            .arg(metric(end, "quicpool_pool_handshakes_started_total"))
            .arg(metric(end, "quicpool_pool_handshakes_completed_total"))
            .arg(metric(end, "quicpool_pool_handshakes_timed_out_total"))
            .arg(metric(end, "quicpool_pool_retries_sent_total"))
            .arg(metric(end, "quicpool_pool_tokens_accepted_total"))
            .arg(metric(end, "quicpool_pool_tokens_rejected_total"))
            .arg(metric(end, "quicpool_pool_limit_drops_total")));
    say(QStringLiteral("unvalidated addresses: %1 MB received, %2 MB sent (%3x)")
            .arg(double(in) / 1e6, 0, 'f', 2).arg(double(out) / 1e6, 0, 'f', 2)
            .arg(in > 0 ? double(out) / double(in) : 0.0, 0, 'f', 3));
    say(QStringLiteral("clients: %1 of %2 ok; %3 of %4 started during the flood ok within %5 ms (slowest %6 ms)")
            .arg(okAll).arg(clients.size()).arg(okDuring).arg(during).arg(clientBound).arg(maxDuringMs));
    say(QStringLiteral("targets: clients %1, RSS <= 200 MiB %2, fds <= 64 %3, back within 10 MiB %4, <= 3x %5")
            .arg(clientsOk ? u"yes" : u"NO", rssOk ? u"yes" : u"NO", fdsOk ? u"yes" : u"NO", backOk ? u"yes" : u"NO",
                 amplificationOk ? u"yes" : u"NO"));
    Q_UNUSED(afterFlood);
    if (p.isSet(jsonOpt)) {
        QJsonArray cl;
        for (const Client &c : clients)
            cl.append(QJsonObject{{QStringLiteral("started_s"), double(c.startedMs) / 1000.0},
                                  {QStringLiteral("seconds"), double(c.ms) / 1000.0},
                                  {QStringLiteral("during_flood"), c.duringFlood},
                                  {QStringLiteral("ok"), c.ok}});
        const QJsonObject report{{QStringLiteral("count"), count}, {QStringLiteral("rate"), rate},
                            {QStringLiteral("ports"), ports}, {QStringLiteral("flood_seconds"), double(floodMs) / 1000.0},
                            {QStringLiteral("rss_before_mib"), double(rssBefore) / kMiB},
                            {QStringLiteral("rss_peak_mib"), double(rssPeak) / kMiB},
                            {QStringLiteral("rss_after_mib"), double(rssAfter) / kMiB},
                            {QStringLiteral("fds_before"), fdsBefore}, {QStringLiteral("fds_peak"), fdsPeak},
                            {QStringLiteral("fds_after"), fdsAfter},
                            {QStringLiteral("pending_peak"), metric(end, "quicpool_pool_pending_handshakes_peak")},
                            {QStringLiteral("retries"), metric(end, "quicpool_pool_retries_sent_total")},
                            {QStringLiteral("unvalidated_received_bytes"), in},
                            {QStringLiteral("unvalidated_sent_bytes"), out}, {QStringLiteral("clients"), cl}};
        std::fputs(QJsonDocument(report).toJson(QJsonDocument::Compact).constData(), stdout);
        std::fputs("\n", stdout);
    }
    if (server.state() != QProcess::NotRunning) {
        server.terminate();
        server.waitForFinished(10000);
    }
    return clientsOk && rssOk && fdsOk && backOk && amplificationOk ? 0 : 1;
}
