// The named paths: what each sets on a relay and how names are looked up.
#include <quicpool/relay/pathprofile.h>

#include <QtTest/QtTest>

using namespace quicpool::relay;
using namespace std::chrono_literals;

class TestPathProfile : public QObject
{
    Q_OBJECT
private Q_SLOTS:
    void everyProfileIsAnEthernetPathAt400Mbit()
    {
        const QList<PathProfile> all = pathProfiles();
        QCOMPARE(all.size(), 5);
        for (const PathProfile &p : all) {
            QCOMPARE(p.rate, qint64(50'000'000));
            QCOMPARE(p.mtu, 1472);
            QVERIFY(!p.description.isEmpty());
        }
    }

    void applyToSplitsTheRoundTripAndKeepsAddresses()
    {
        RelayConfig base;
        base.upstreamAddress = QHostAddress(QStringLiteral("127.0.0.1"));
        base.upstreamPort = 4433;
        base.seed = 7;
        base.reorder = 0.2; // not part of a profile: left as it was
        const RelayConfig c = pathProfile(QStringLiteral("lossy"))->applyTo(base);
        QCOMPARE(c.delay, RelayConfig::Duration(25ms));
        QCOMPARE(c.lossUp, 0.01);
        QCOMPARE(c.lossDown, 0.01);
        QCOMPARE(c.queue, RelayConfig::Duration(100ms));
        QCOMPARE(c.mtu, 1472);
        QCOMPARE(c.upstreamPort, quint16(4433));
        QCOMPARE(c.seed, quint64(7));
        QCOMPARE(c.reorder, 0.2);
    }

    void lookupIgnoresCaseAndRejectsUnknownNames()
    {
        QVERIFY(pathProfile(QStringLiteral("Satellite")).has_value());
        QCOMPARE(pathProfile(QStringLiteral("satellite"))->roundTrip, 600ms);
        QVERIFY(!pathProfile(QStringLiteral("moon")).has_value());
        QVERIFY(!pathProfile(QString()).has_value());
        QCOMPARE(pathProfileNames(), QStringLiteral("lan, continental, intercontinental, lossy, satellite"));
    }
};

QTEST_GUILESS_MAIN(TestPathProfile)
#include "tst_pathprofile.moc"
