// Duplication, corruption and reordering, checked datagram by datagram:
// copies arrive as counted, a corrupted datagram differs in exactly one bit,
// a reordered one arrives right behind its successor, and the relay's
// counts equal what the receiver saw.
#include "relaytestkit.h"

#include <QtCore/QSet>
#include <QtTest/QtTest>
#include <bit>

using namespace quicpool::relay;
using namespace quicpool::relay::testkit;
using namespace std::chrono_literals;

namespace {

const QHostAddress kLocal(QHostAddress::LocalHost);

int differingBits(const QByteArray &a, const QByteArray &b)
{
    int bits = 0;
    for (int i = 0; i < std::min(a.size(), b.size()); ++i)
        bits += std::popcount(quint8(a[i] ^ b[i]));
    return bits;
}

} // namespace

class TestRelayFaults : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void duplicateAlwaysSendsTwo()
    {
        UdpPeer server, client;
        RelayConfig c = configTo(server.port(), 21);
        c.duplicate = 1.0;
        RelayThread relay(c);
        QVERIFY(relay.start());
        QVERIFY(sendThrough(client, relay, 0, 50));
        const QList<Received> up = server.receive(100);
        QCOMPARE(up.size(), 100);
        QMap<quint32, int> copies;
        for (const Received &r : up)
            ++copies[seqOf(r.data)];
        QCOMPARE(copies.size(), 50);
        for (int n : copies)
            QCOMPARE(n, 2);
        const RelayStats s = relay.stats();
        QCOMPARE(s.up.duplicated, quint64(50));
        QCOMPARE(s.up.datagramsOut, quint64(100));
        QCOMPARE(s.up.bytesOut, 2 * s.up.bytesIn);
        QVERIFY(accountsAddUp(s.up));
        QCOMPARE(s.down.duplicated, quint64(0));
    }

    void duplicateSometimesAsCounted()
    {
        UdpPeer server, client;
        RelayConfig c = configTo(server.port(), 22);
        c.duplicate = 0.2;
        RelayThread relay(c);
        QVERIFY(relay.start());
        constexpr int n = 3000;
        QVERIFY(sendThrough(client, relay, 0, n));
        const RelayStats s = relay.stats();
        // 20% of 3000: standard deviation 22, so +-110 is five of them.
        QVERIFY2(s.up.duplicated > 490 && s.up.duplicated < 710, qPrintable(QString::number(s.up.duplicated)));
        const QList<Received> up = server.receive(int(n + s.up.duplicated), 300);
        QCOMPARE(quint64(up.size()), n + s.up.duplicated);
        QCOMPARE(seqs(up).size(), n);
    }

    void corruptFlipsExactlyOneBit()
    {
        UdpPeer server, client;
        RelayConfig c = configTo(server.port(), 23);
        c.corrupt = 1.0;
        RelayThread relay(c);
        QVERIFY(relay.start());
        constexpr int n = 200, size = 300;
        QList<QByteArray> sent;
        for (quint32 i = 0; i < n; ++i) {
            sent.append(stamped(i, size));
            QVERIFY(client.sendTo(sent.last(), kLocal, relay.port()));
        }
        const QList<Received> up = server.receive(n);
        QCOMPARE(up.size(), n);
        QSet<int> flippedBytes;
        for (int i = 0; i < n; ++i) {
            QCOMPARE(up[i].data.size(), size);
            QCOMPARE(differingBits(up[i].data, sent[i]), 1);
            for (int b = 0; b < size; ++b)
                if (up[i].data[b] != sent[i][b])
                    flippedBytes.insert(b);
        }
        // Anywhere in the datagram, not always the same place.
        QVERIFY(flippedBytes.size() > 100);
        QCOMPARE(relay.stats().up.corrupted, quint64(n));
    }

    void corruptSometimesAsCounted()
    {
        UdpPeer server, client;
        RelayConfig c = configTo(server.port(), 24);
        c.corrupt = 0.1;
        c.duplicate = 0.1;  // copies are made before corruption: they arrive intact
        RelayThread relay(c);
        QVERIFY(relay.start());
        constexpr int n = 2000, size = 100;
        QList<QByteArray> sent;
        for (quint32 i = 0; i < n; ++i) {
            sent.append(stamped(i, size));
            QVERIFY(client.sendTo(sent.last(), kLocal, relay.port()));
            if (i % 256 == 255)
                QVERIFY(relay.waitFor([i](const RelayStats &st) { return st.up.datagramsIn > i; }));
        }
        QVERIFY(relay.waitFor([](const RelayStats &st) { return st.up.datagramsIn == n && st.up.queued == 0; }));
        const RelayStats s = relay.stats();
        const QList<Received> up = server.receive(int(n + s.up.duplicated), 300);
        QCOMPARE(quint64(up.size()), n + s.up.duplicated);
        // Each arrival against what was sent with its number: a flip in the
        // number itself shows as a mismatch too.
        quint64 damaged = 0;
        for (const Received &r : up) {
            const quint32 seq = seqOf(r.data);
            damaged += seq >= quint32(n) || r.data != sent[int(seq)];
        }
        QVERIFY2(s.up.corrupted > 140 && s.up.corrupted < 260, qPrintable(QString::number(s.up.corrupted)));
        QCOMPARE(damaged, s.up.corrupted);
    }

    void reorderHoldsEachBehindTheNext()
    {
        UdpPeer server, client;
        RelayConfig c = configTo(server.port());
        c.reorder = 1.0;
        c.reorderHold = 300ms;  // long enough that every held one meets its successor
        RelayThread relay(c);
        QVERIFY(relay.start());
        QVERIFY(sendThrough(client, relay, 0, 9));
        // 0 is held, 1 overtakes it, 2 is held, ... 8 waits for the hold time.
        const QList<Received> first = server.receive(8, 200);
        QCOMPARE(first.size(), 8);
        QCOMPARE(relay.stats().up.queued, quint64(1));
        const QList<Received> last = server.receive(1, 1000);
        QCOMPARE(last.size(), 1);
        QList<quint32> order;
        for (const Received &r : first + last)
            order.append(seqOf(r.data));
        QCOMPARE(order, (QList<quint32>{1, 0, 3, 2, 5, 4, 7, 6, 8}));
        // Overtaken: 0, 2, 4 and 6 (8 left late, but nothing overtook it).
        QCOMPARE(relay.stats().up.reordered, quint64(4));
        QVERIFY(last.first().arrivalNs - first.last().arrivalNs > 250000000);
    }

    void randomReorderDeliversEverything()
    {
        UdpPeer server, client;
        RelayConfig c = configTo(server.port(), 7);
        c.reorder = 0.3;
        RelayThread relay(c);
        QVERIFY(relay.start());
        constexpr int n = 1000;
        QVERIFY(sendThrough(client, relay, 0, n, 64, 200us));
        const QList<Received> up = server.receive(n, 300);
        QCOMPARE(up.size(), n);
        int overtaken = 0;
        quint32 newest = 0;
        for (int i = 0; i < n; ++i) {
            const quint32 seq = seqOf(up[i].data);
            if (i > 0 && seq < newest)
                ++overtaken;
            else
                newest = seq;
        }
        QCOMPARE(seqs(up).size(), n);
        const RelayStats s = relay.stats();
        QCOMPARE(s.up.reordered, quint64(overtaken));
        QVERIFY2(overtaken > 150 && overtaken < 350, qPrintable(QString::number(overtaken)));
        QCOMPARE(s.down.reordered, quint64(0));
        QCOMPARE(s.up.queued, quint64(0));
    }

private:
    static QSet<quint32> seqs(const QList<Received> &received)
    {
        QSet<quint32> out;
        for (const Received &r : received)
            out.insert(seqOf(r.data));
        return out;
    }
};

QTEST_GUILESS_MAIN(TestRelayFaults)
#include "tst_relayfaults.moc"
