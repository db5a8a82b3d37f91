// PacketBatcher: which packets share a GSO send. Pure bookkeeping, so every
// rule is checked here directly, without a socket.
#include "transport/packetbatcher.h"

#include <QtTest/QTest>

using namespace quicpool::transport;
using Placement = PacketBatcher::Placement;

namespace {
UdpPath address(quint16 port, unsigned ecn = 0, const char *local = nullptr)
{
    UdpPath path;
    path.peer = SocketAddress::fromQt(QHostAddress::LocalHost, port);
    if (local)
        path.local = SocketAddress::fromQt(QHostAddress(QString::fromLatin1(local)), 4433);
    path.ecn = ecn;
    return path;
}
}

class TestPacketBatcher : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void firstPacketSetsTheSegmentSize()
    {
        PacketBatcher b(65000);
        QVERIFY(b.isEmpty());
        QCOMPARE(b.place(1200, address(1)), Placement::Append);
        QVERIFY(!b.append(1200, address(1)));
        QCOMPARE(b.segmentSize(), size_t(1200));
        QCOMPARE(b.bytes(), size_t(1200));
        QCOMPARE(b.segments(), size_t(1));
        QVERIFY(b.destination() == address(1));
    }

    void equalPacketsJoinAndAShorterOneEndsTheBatch()
    {
        PacketBatcher b(65000);
        for (int i = 0; i < 5; ++i) {
            QCOMPARE(b.place(1200, address(1)), Placement::Append);
            QVERIFY(!b.append(1200, address(1)));
        }
        // Only the last segment of a GSO send may be shorter.
        QCOMPARE(b.place(300, address(1)), Placement::Append);
        QVERIFY(b.append(300, address(1)));
        QCOMPARE(b.bytes(), size_t(6300));
        QCOMPARE(b.segments(), size_t(6));
        QCOMPARE(b.segmentSize(), size_t(1200));
    }

    void aBiggerPacketGoesAloneAfterTheBatch()
    {
        // A Path MTU probe must not take data packets down with it.
        PacketBatcher b(65000);
        b.append(1200, address(1));
        QCOMPARE(b.place(1452, address(1)), Placement::AloneAfterFlush);
    }

    void anotherDestinationStartsANewBatch()
    {
        PacketBatcher b(65000);
        b.append(1200, address(1));
        QCOMPARE(b.place(1200, address(2)), Placement::AfterFlush);
        QCOMPARE(b.place(800, address(2)), Placement::AfterFlush);
        // Bigger and elsewhere: still alone (size decides first).
        QCOMPARE(b.place(1400, address(2)), Placement::AloneAfterFlush);
    }

    void anotherMarkOrSourceStartsANewBatch()
    {
        // One sendmsg carries one source address and one TOS byte.
        PacketBatcher b(65000);
        b.append(1200, address(1, 2, "127.0.0.2"));
        QCOMPARE(b.place(1200, address(1, 2, "127.0.0.2")), Placement::Append);
        QCOMPARE(b.place(1200, address(1, 0, "127.0.0.2")), Placement::AfterFlush);
        QCOMPARE(b.place(1200, address(1, 3, "127.0.0.2")), Placement::AfterFlush);
        QCOMPARE(b.place(1200, address(1, 2, "127.0.0.3")), Placement::AfterFlush);
        QCOMPARE(b.place(1200, address(1, 2)), Placement::AfterFlush);
        QVERIFY(b.destination() == address(1, 2, "127.0.0.2"));
    }

    void fullAtTheKernelSegmentLimit()
    {
        PacketBatcher b(1000000);   // a budget that never binds here
        for (size_t i = 1; i < PacketBatcher::kMaxSegments; ++i)
            QVERIFY(!b.append(100, address(1)));
        QVERIFY(b.append(100, address(1)));
        QVERIFY(b.isFull());
        QCOMPARE(b.segments(), PacketBatcher::kMaxSegments);
    }

    void fullWhenTheBudgetHoldsNoFurtherPacket()
    {
        // The pacer's quantum: 3 x 1200 fits in 4000, a fourth would not.
        PacketBatcher b(4000);
        QVERIFY(!b.append(1200, address(1)));
        QVERIFY(!b.append(1200, address(1)));
        QVERIFY(b.append(1200, address(1)));
        QVERIFY(b.isFull());
        QCOMPARE(b.bytes(), size_t(3600));
    }

    void clearStartsOver()
    {
        PacketBatcher b(65000);
        b.append(1200, address(1));
        b.append(1200, address(1));
        b.clear();
        QVERIFY(b.isEmpty());
        QCOMPARE(b.bytes(), size_t(0));
        // The next packet, of any size and address, starts a batch.
        QCOMPARE(b.place(9000, address(3)), Placement::Append);
        QVERIFY(!b.append(9000, address(3)));
        QCOMPARE(b.segmentSize(), size_t(9000));
    }
};

QTEST_GUILESS_MAIN(TestPacketBatcher)
#include "tst_packetbatcher.moc"
