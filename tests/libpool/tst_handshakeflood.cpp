// A handshake flood against `quicpool server --mode echo`, in the shape of
// issue 18's target (tests/flood/floodkit.h: real QUIC Initials from 64
// source ports at a steady rate, never answered) and scaled down for CI:
// while it lasts, a real `quicpool client --mode echo --streams 5` starts
// every second and must finish; the server's resident memory and open
// descriptors stay bounded, its pending handshakes stay under the bounds,
// it answers with Retries, never more than 3x the bytes it got from
// unproven addresses, and it is back to where it started afterwards.
//
// QUICPOOL_FLOOD_COUNT / QUICPOOL_FLOOD_RATE enlarge it (the issue's
// 20,000 at 2,000/s); tests/flood/quicpool_flood.cpp is the tool that
// measures the targets on a Release build.
//
// Bounds, measured on a loaded 2-vCPU VM (load 12-15) under ASan: a client
// finished within 1.5-4 s; the bound is 10 s. RSS grew by 2-9 MiB (ASan's
// quarantine keeps freed memory); the bound is 64 MiB (before the fix: one
// timerfd and ~105 KiB per pending handshake, 3,000 of them).
#include "cliprocess.h"
#include "floodkit.h"

#include <QtCore/QElapsedTimer>
#include <QtCore/QProcess>
#include <QtCore/QRegularExpression>
#include <QtNetwork/QTcpSocket>
#include <QtTest/QTest>
#include <algorithm>
#include <memory>
#include <vector>

using namespace quicpool;
using namespace quicpool::transport;

namespace {

constexpr qint64 kMiB = 1024 * 1024;

#if defined(__SANITIZE_ADDRESS__) || defined(__SANITIZE_THREAD__)
constexpr bool kSanitized = true;
#else
constexpr bool kSanitized = false;
#endif

int envInt(const char *name, int fallback)
{
    bool ok = false;
    const int v = qEnvironmentVariableIntValue(name, &ok);
    return ok && v > 0 ? v : fallback;
}

/// GET /metrics from the server's endpoint.
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
    all += s.readAll();
    return all;
}

/// A server sample's value; -1 when absent.
qint64 metric(const QByteArray &text, const char *name)
{
    const QRegularExpression re(QStringLiteral("^%1\\{pool=\"server\"[^}]*\\} (\\S+)$").arg(QLatin1String(name)),
                                QRegularExpression::MultilineOption);
    const QRegularExpressionMatch m = re.match(QString::fromUtf8(text));
    return m.hasMatch() ? qint64(m.captured(1).toDouble()) : -1;
}

struct RealClient
{
    std::unique_ptr<QProcess> process;
    QElapsedTimer clock;
    qint64 ms = -1;
};

} // namespace

class TestHandshakeFlood : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void unansweredHandshakesLeaveRealClientsServed()
    {
        const int count = envInt("QUICPOOL_FLOOD_COUNT", 3000);
        const int rate = envInt("QUICPOOL_FLOOD_RATE", 1000);
        constexpr int kPorts = 64;
        constexpr int kClientBoundMs = 10000;

        if (kSanitized) {
            // ASan keeps freed memory in quarantine (256 MiB by default):
            // a flood's churn would read as growth. A small one lets the
            // server's RSS show what it holds.
            QByteArray asan = qgetenv("ASAN_OPTIONS");
            qputenv("ASAN_OPTIONS", asan + (asan.isEmpty() ? "" : ":") + "quarantine_size_mb=4");
        }
        clitest::CliServer server;
        QVERIFY2(server.start({QStringLiteral("--mode"), QStringLiteral("echo"), QStringLiteral("--metrics"),
                               QStringLiteral("127.0.0.1:0"), QStringLiteral("--verbose")}),
                 qPrintable(server.log()));
        static const QRegularExpression metricsLine(QStringLiteral("metrics on http://127\\.0\\.0\\.1:(\\d+)/metrics"));
        QTRY_VERIFY_WITH_TIMEOUT(metricsLine.match(server.readLog()).hasMatch(), 5000);
        const quint16 metricsPort = metricsLine.match(server.log()).captured(1).toUShort();

        Error err;
        TlsClientOptions o;
        o.mode = TlsMode::Insecure;
        std::shared_ptr<TlsContext> tls = TlsContext::createClient(o, &err);
        QVERIFY2(tls, qPrintable(err.toString()));
        flood::FloodPlan plan;
        QString why;
        QVERIFY2(flood::makeFloodPlan(&plan, *tls, QHostAddress::LocalHost, kPorts,
                                      SocketAddress::fromQt(QHostAddress::LocalHost, server.port()), count, &why),
                 qPrintable(why));

        QTest::qWait(300);
        const qint64 pid = server.pid();
        const qint64 rssBefore = flood::residentBytes(pid);
        const int fdsBefore = flood::openDescriptors(pid);
        QVERIFY(rssBefore > 0 && fdsBefore > 0);

        flood::Flooder flooder(plan, rate);
        std::vector<RealClient> clients;
        qint64 rssPeak = rssBefore, pendingPeak = 0;
        int fdsPeak = fdsBefore;
        QElapsedTimer clock;
        clock.start();
        flooder.start();
        qint64 nextClientAt = 500;
        qint64 nextScrapeAt = 0;
        while (!flooder.isDone() || std::any_of(clients.begin(), clients.end(), [](const RealClient &c) {
                   return c.process->state() != QProcess::NotRunning;
               })) {
            QVERIFY2(clock.elapsed() < qint64(count) * 1000 / rate + 60000, "the flood run did not end");
            if (!flooder.isDone() && clock.elapsed() >= nextClientAt) {
                // A real client, as an operator would run one, every second of the flood.
                RealClient c;
                c.process = std::make_unique<QProcess>();
                c.process->setProgram(clitest::cliPath());
                c.process->setArguments({QStringLiteral("client"), QStringLiteral("--connect"), server.address(),
                                         QStringLiteral("--mode"), QStringLiteral("echo"), QStringLiteral("--streams"),
                                         QStringLiteral("5"), QStringLiteral("--timeout"), QStringLiteral("10s")});
                c.clock.start();
                c.process->start();
                clients.push_back(std::move(c));
                nextClientAt += 1000;
            }
            for (RealClient &c : clients) {
                if (c.ms < 0 && c.process->state() == QProcess::NotRunning)
                    c.ms = c.clock.elapsed();
            }
            rssPeak = std::max(rssPeak, flood::residentBytes(pid));
            fdsPeak = std::max(fdsPeak, flood::openDescriptors(pid));
            if (clock.elapsed() >= nextScrapeAt) {
                pendingPeak = std::max(pendingPeak, metric(scrape(metricsPort), "quicpool_pool_pending_handshakes"));
                nextScrapeAt = clock.elapsed() + 250;
            }
            QTest::qWait(20);
        }
        for (RealClient &c : clients) {
            if (c.ms < 0)
                c.ms = c.clock.elapsed();
        }
        const double floodSeconds = double(clock.elapsed()) / 1000.0;
        const QByteArray during = scrape(metricsPort);
        qInfo("%d flights (%lld bytes) at %d/s from %d ports; %zu real clients; server RSS %.1f -> %.1f MiB at the "
              "peak, fds %d -> %d, pending handshakes at most %lld (scraped), %lld",
              flooder.flightsSent(), flooder.bytesSent(), rate, kPorts, clients.size(), double(rssBefore) / kMiB,
              double(rssPeak) / kMiB, fdsBefore, fdsPeak, pendingPeak,
              metric(during, "quicpool_pool_pending_handshakes_peak"));
        Q_UNUSED(floodSeconds);

        // Every real client got through, within the bound.
        QVERIFY(!clients.empty());
        for (size_t i = 0; i < clients.size(); ++i) {
            RealClient &c = clients[i];
            const QString out = QString::fromUtf8(c.process->readAllStandardOutput());
            const QString errText = QString::fromUtf8(c.process->readAllStandardError());
            QVERIFY2(c.process->exitStatus() == QProcess::NormalExit && c.process->exitCode() == 0
                         && out.contains(QStringLiteral("streams=5 ok=5 failed=0")),
                     qPrintable(QStringLiteral("client %1: exit %2 after %3 ms\n%4%5")
                                    .arg(i).arg(c.process->exitCode()).arg(c.ms).arg(out, errText)));
            QVERIFY2(c.ms <= kClientBoundMs, qPrintable(QStringLiteral("client %1 took %2 ms").arg(i).arg(c.ms)));
        }
        // Bounded server (seen failing before admission control: a timerfd
        // and ~105 KiB per pending handshake).
        QVERIFY2(fdsPeak <= 64, qPrintable(QStringLiteral("%1 open descriptors at the peak").arg(fdsPeak)));
        QVERIFY2(rssPeak - rssBefore <= 64 * kMiB,
                 qPrintable(QStringLiteral("RSS grew by %1 MiB").arg(double(rssPeak - rssBefore) / kMiB)));
        const qint64 bound = ServerPoolConfig().maxPendingHandshakes();
        QVERIFY2(metric(during, "quicpool_pool_pending_handshakes_peak") <= bound, during.constData());
        QVERIFY2(metric(during, "quicpool_pool_retries_sent_total") > 0, during.constData());
        const qint64 in = metric(during, "quicpool_pool_unvalidated_received_bytes_total");
        const qint64 out = metric(during, "quicpool_pool_unvalidated_sent_bytes_total");
        QVERIFY2(in > 0 && out <= 3 * in, during.constData());
        QVERIFY2(server.readLog().contains(QStringLiteral("handshake flood: ")), qPrintable(server.log()));

        // The pending handshakes end at the handshake timeout (10 s), and
        // everything they held goes with them.
        QTRY_VERIFY_WITH_TIMEOUT(metric(scrape(metricsPort), "quicpool_pool_pending_handshakes") == 0, 20000);
        QTRY_VERIFY_WITH_TIMEOUT(flood::openDescriptors(pid) <= fdsBefore + 2, 5000);
        QTRY_VERIFY_WITH_TIMEOUT(server.readLog().contains(QStringLiteral("handshake flood over: ")), 10000);
        if (!kSanitized) {
            // A sanitizer's allocator keeps freed memory in quarantine: only
            // a plain build can show the memory going back.
            QTRY_VERIFY2_WITH_TIMEOUT(flood::residentBytes(pid) <= rssBefore + 10 * kMiB,
                                      qPrintable(QStringLiteral("RSS %1 MiB, %2 MiB before the flood")
                                                     .arg(double(flood::residentBytes(pid)) / kMiB)
                                                     .arg(double(rssBefore) / kMiB)),
                                      30000);
        }
        flood::closeFloodPlan(&plan);
        QCOMPARE(server.stop(), 0);
    }
};

QTEST_GUILESS_MAIN(TestHandshakeFlood)
#include "tst_handshakeflood.moc"
