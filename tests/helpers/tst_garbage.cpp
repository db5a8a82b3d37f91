// The garbage generator the robustness suite throws at servers: it must be
// deterministic per seed and produce the mix of datagrams it promises.
#include "garbage.h"

#include <QtNetwork/QNetworkDatagram>
#include <QtNetwork/QUdpSocket>
#include <QtTest/QTest>

using quicpool::testing::GarbageDatagram;
using quicpool::testing::GarbageKind;

class TestGarbage : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void garbageIsDeterministicAndMixed();
    void sendGarbageSendsTheAskedCount();
    void sendGarbageRejectsBadTargets();
};

void TestGarbage::garbageIsDeterministicAndMixed()
{
    const QList<GarbageDatagram> garbage = quicpool::testing::garbageDatagrams(300, 5);
    QCOMPARE(garbage.size(), 300);
    int initials = 0, fullSizeV1Initials = 0, shorts = 0, noise = 0;
    for (const GarbageDatagram &g : garbage) {
        QVERIFY(g.data.size() >= 1 && g.data.size() <= 1500);
        const auto first = quint8(g.data.at(0));
        switch (g.kind) {
        case GarbageKind::LongHeaderInitial:
            ++initials;
            QCOMPARE(first & 0xf0, 0xc0); // long form, fixed bit, type Initial
            if (g.data.size() >= 1200 && g.data.mid(1, 4) == QByteArray("\x00\x00\x00\x01", 4))
                ++fullSizeV1Initials;
            break;
        case GarbageKind::ShortHeader:
            ++shorts;
            QCOMPARE(first & 0xc0, 0x40); // short form, fixed bit
            break;
        case GarbageKind::Random:
            ++noise;
            break;
        }
    }
    QVERIFY(initials > 50 && shorts > 50 && noise > 50);
    QVERIFY(fullSizeV1Initials > 20);

    const QList<GarbageDatagram> again = quicpool::testing::garbageDatagrams(300, 5);
    const QList<GarbageDatagram> other = quicpool::testing::garbageDatagrams(300, 6);
    bool sameAsAgain = true, sameAsOther = true;
    for (int i = 0; i < 300; ++i) {
        sameAsAgain = sameAsAgain && garbage.at(i).data == again.at(i).data;
        sameAsOther = sameAsOther && garbage.at(i).data == other.at(i).data;
    }
    QVERIFY(sameAsAgain);
    QVERIFY(!sameAsOther);
    QVERIFY(quicpool::testing::garbageDatagrams(0, 5).isEmpty());
    QVERIFY(quicpool::testing::garbageDatagrams(-1, 5).isEmpty());
}

void TestGarbage::sendGarbageSendsTheAskedCount()
{
    QUdpSocket receiver;
    QVERIFY(receiver.bind(QHostAddress::LocalHost, 0));
    QList<QByteArray> received;
    QObject::connect(&receiver, &QUdpSocket::readyRead, &receiver, [&] {
        while (receiver.hasPendingDatagrams())
            received.append(receiver.receiveDatagram().data());
    });
    constexpr int kCount = 40;
    QCOMPARE(quicpool::testing::sendGarbage(QHostAddress::LocalHost, receiver.localPort(), kCount, 9), kCount);
    QTRY_COMPARE_WITH_TIMEOUT(received.size(), kCount, 10000);
    const QList<GarbageDatagram> expected = quicpool::testing::garbageDatagrams(kCount, 9);
    for (int i = 0; i < kCount; ++i)
        QCOMPARE(received.at(i), expected.at(i).data);
}

void TestGarbage::sendGarbageRejectsBadTargets()
{
    QCOMPARE(quicpool::testing::sendGarbage(QHostAddress(), 4433, 5, 1), 0);
    QCOMPARE(quicpool::testing::sendGarbage(QHostAddress::LocalHost, 0, 5, 1), 0);
    QCOMPARE(quicpool::testing::sendGarbage(QHostAddress::LocalHost, 4433, 0, 1), 0);
}

QTEST_GUILESS_MAIN(TestGarbage)
#include "tst_garbage.moc"
