// The /metrics exposition: the text formatOpenMetrics writes (checked line
// by line and by the reference OpenMetrics parser) and label escaping. Its
// HTTP is tst_httprequest's and tst_metricsserver's.
#include "openmetrics.h"
#include "openmetricsparser.h"

#include <QtCore/QJsonArray>
#include <QtTest/QtTest>

using namespace quicpool::cli;

namespace {

PoolMetrics sample()
{
    PoolMetrics m;
    m.pool = QStringLiteral("server");
    m.address = QStringLiteral("127.0.0.1:4433");
    m.active = 3;
    m.capacity = 64;
    m.intervalSeconds = 0.25;
    m.errors = 2;
    m.connections = 1;
    m.streamsServed = 1000;
    m.streamsFailed = 4;
    m.clientsRefused = 5;
    m.streamsRefused = 6;
    m.sentBytes = 123456789;
    m.receivedBytes = 987654321;
    m.rttSeconds = 0.000125;
    m.lostPackets = 7;
    return m;
}

} // namespace

class TestOpenMetrics : public QObject
{
    Q_OBJECT
private Q_SLOTS:
    void textHasEveryFamilyAndEndsWithEof()
    {
        const QString text = QString::fromUtf8(formatOpenMetrics({sample()}));
        QVERIFY(text.endsWith(QStringLiteral("\n# EOF\n")));
        const QStringList lines = text.split(u'\n');
        const QString labels = QStringLiteral("{pool=\"server\",address=\"127.0.0.1:4433\"}");
        for (const QString &expected : {
                 QStringLiteral("# TYPE quicpool_pool_active gauge"),
                 QStringLiteral("quicpool_pool_active") + labels + QStringLiteral(" 3"),
                 QStringLiteral("quicpool_pool_capacity") + labels + QStringLiteral(" 64"),
                 QStringLiteral("# UNIT quicpool_pool_interval_seconds seconds"),
                 QStringLiteral("quicpool_pool_interval_seconds") + labels + QStringLiteral(" 0.25"),
                 QStringLiteral("# TYPE quicpool_pool_errors counter"),
                 QStringLiteral("quicpool_pool_errors_total") + labels + QStringLiteral(" 2"),
                 QStringLiteral("quicpool_pool_connections") + labels + QStringLiteral(" 1"),
                 QStringLiteral("quicpool_pool_streams_served_total") + labels + QStringLiteral(" 1000"),
                 QStringLiteral("quicpool_pool_streams_failed_total") + labels + QStringLiteral(" 4"),
                 QStringLiteral("quicpool_pool_streams_refused_total") + labels + QStringLiteral(" 6"),
                 QStringLiteral("quicpool_pool_clients_refused_total") + labels + QStringLiteral(" 5"),
                 QStringLiteral("quicpool_pool_sent_bytes_total") + labels + QStringLiteral(" 123456789"),
                 QStringLiteral("quicpool_pool_received_bytes_total") + labels + QStringLiteral(" 987654321"),
                 QStringLiteral("quicpool_pool_rtt_seconds") + labels + QStringLiteral(" 0.000125"),
                 QStringLiteral("quicpool_pool_lost_packets_total") + labels + QStringLiteral(" 7"),
             }) {
            QVERIFY2(lines.contains(expected), qPrintable(expected + u'\n' + text));
        }
    }

    void referenceParserReadsIt()
    {
        PoolMetrics client = sample();
        client.pool = QStringLiteral("client");
        client.address = QStringLiteral("[::1]:4433");
        const auto parsed = openmetricstest::parseOpenMetrics(formatOpenMetrics({sample(), client}));
        QVERIFY2(parsed.ok, qPrintable(parsed.error));
        QCOMPARE(parsed.families.size(), 13);
        const QJsonObject errors = parsed.families.value(u"quicpool_pool_errors").toObject();
        QCOMPARE(errors.value(u"type").toString(), QStringLiteral("counter"));
        const QJsonArray samples = errors.value(u"samples").toArray();
        QCOMPARE(samples.size(), 2);
        QCOMPARE(samples.at(1).toObject().value(u"labels").toObject().value(u"address").toString(),
                 QStringLiteral("[::1]:4433"));
        QCOMPARE(samples.at(0).toObject().value(u"value").toDouble(), 2.0);
        const QJsonObject rtt = parsed.families.value(u"quicpool_pool_rtt_seconds").toObject();
        QCOMPARE(rtt.value(u"unit").toString(), QStringLiteral("seconds"));
        QCOMPARE(rtt.value(u"samples").toArray().at(0).toObject().value(u"value").toDouble(), 0.000125);
    }

    void referenceParserRefusesBrokenText()
    {
        // The parser is a real one: text without # EOF does not pass.
        QByteArray text = formatOpenMetrics({sample()});
        text.chop(int(qstrlen("# EOF\n")));
        const auto parsed = openmetricstest::parseOpenMetrics(text);
        QVERIFY(!parsed.ok);
        QVERIFY2(parsed.error.contains(QStringLiteral("EOF")), qPrintable(parsed.error));
    }

    void labelValuesAreEscaped()
    {
        QCOMPARE(escapeLabelValue(QStringLiteral("a\"b\\c\nd")), QStringLiteral("a\\\"b\\\\c\\nd"));
        PoolMetrics odd = sample();
        odd.address = QStringLiteral("quote\" back\\slash\nline");
        const auto parsed = openmetricstest::parseOpenMetrics(formatOpenMetrics({odd}));
        QVERIFY2(parsed.ok, qPrintable(parsed.error));
        const QJsonObject active = parsed.families.value(u"quicpool_pool_active").toObject();
        QCOMPARE(active.value(u"samples").toArray().at(0).toObject().value(u"labels").toObject().value(u"address")
                     .toString(),
                 odd.address);
    }

    void serverDefenceFiguresOnlyWhereThereAreAny()
    {
        PoolMetrics server = sample();
        quicpool::DefenceStats d;
        d.setPendingHandshakes(12);
        d.setPendingHandshakesPeak(64);
        d.setRetriesSent(3000);
        d.setUnvalidatedBytesReceived(2400000);
        d.setUnvalidatedBytesSent(480000);
        d.setUnderFlood(true);
        server.defence = d;
        PoolMetrics client = sample();
        client.pool = QStringLiteral("client");
        const QString text = QString::fromUtf8(formatOpenMetrics({server, client}));
        const QString labels = QStringLiteral("{pool=\"server\",address=\"127.0.0.1:4433\"}");
        const QStringList lines = text.split(u'\n');
        for (const QString &expected : {
                 QStringLiteral("# TYPE quicpool_pool_pending_handshakes gauge"),
                 QStringLiteral("quicpool_pool_pending_handshakes") + labels + QStringLiteral(" 12"),
                 QStringLiteral("quicpool_pool_pending_handshakes_peak") + labels + QStringLiteral(" 64"),
                 QStringLiteral("quicpool_pool_retries_sent_total") + labels + QStringLiteral(" 3000"),
                 QStringLiteral("# UNIT quicpool_pool_unvalidated_sent_bytes bytes"),
                 QStringLiteral("quicpool_pool_unvalidated_received_bytes_total") + labels + QStringLiteral(" 2400000"),
                 QStringLiteral("quicpool_pool_unvalidated_sent_bytes_total") + labels + QStringLiteral(" 480000"),
                 QStringLiteral("quicpool_pool_under_flood") + labels + QStringLiteral(" 1"),
                 QStringLiteral("quicpool_pool_limit_drops_total") + labels + QStringLiteral(" 0"),
             }) {
            QVERIFY2(lines.contains(expected), qPrintable(expected + u'\n' + text));
        }
        QVERIFY(!text.contains(QStringLiteral("quicpool_pool_retries_sent_total{pool=\"client\"")));
        const auto parsed = openmetricstest::parseOpenMetrics(text.toUtf8());
        QVERIFY2(parsed.ok, qPrintable(parsed.error));
        QCOMPARE(parsed.families.size(), 13 + 13);
        // A client alone shows none of them.
        const QString clientText = QString::fromUtf8(formatOpenMetrics({client}));
        QVERIFY(!clientText.contains(QStringLiteral("pending_handshakes")));
        QVERIFY(!clientText.contains(QStringLiteral("under_flood")));
    }

    void noPoolsIsStillValid()
    {
        const auto parsed = openmetricstest::parseOpenMetrics(formatOpenMetrics({}));
        QVERIFY2(parsed.ok, qPrintable(parsed.error));
    }
};

QTEST_GUILESS_MAIN(TestOpenMetrics)
#include "tst_openmetrics.moc"
