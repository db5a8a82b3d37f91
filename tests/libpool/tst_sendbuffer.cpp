// SendBuffer and the rule that divides a connection's send buffering among
// its sending streams: pure logic, reached directly.
#include "transport/sendbuffer.h"

#include <QtTest/QTest>
#include <cstring>
#include <string>
#include <vector>

using quicpool::transport::SendBuffer;
using quicpool::transport::sharedSendLimit;

namespace {
constexpr size_t KiB = 1024;
constexpr size_t MiB = 1024 * KiB;

std::string bytes(size_t n, char seed)
{
    std::string s(n, '\0');
    for (size_t i = 0; i < n; ++i)
        s[i] = char(seed + char(i * 7));
    return s;
}

// Every unsent byte, in order, as the write loop would see it.
std::string unsentBytes(const SendBuffer &b)
{
    ngtcp2_vec vecs[64];
    const size_t n = b.unsent(vecs, 64);
    std::string out;
    for (size_t i = 0; i < n; ++i)
        out.append(reinterpret_cast<const char *>(vecs[i].base), vecs[i].len);
    return out;
}
} // namespace

class TestSendBuffer : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void sharedLimitDividesAmongSenders()
    {
        QCOMPARE(sharedSendLimit(1 * MiB, 0), 1 * MiB);
        QCOMPARE(sharedSendLimit(1 * MiB, 1), 1 * MiB);
        QCOMPARE(sharedSendLimit(1 * MiB, 2), 512 * KiB);
        QCOMPARE(sharedSendLimit(1 * MiB, 8), 128 * KiB);
        QCOMPARE(sharedSendLimit(1 * MiB, 3), 1 * MiB / 3);
        // Never under the floor, however many streams send ...
        QCOMPARE(sharedSendLimit(1 * MiB, 16), 64 * KiB);
        QCOMPARE(sharedSendLimit(1 * MiB, 10000), 64 * KiB);
        // ... nor above a stream's own limit when that is smaller.
        QCOMPARE(sharedSendLimit(4000, 8), size_t(4000));
        QCOMPARE(sharedSendLimit(100 * KiB, 4), 64 * KiB);
        // A large explicit limit divides too.
        QCOMPARE(sharedSendLimit(8 * MiB, 4), 2 * MiB);
    }

    void appendStopsAtTheGivenLimit()
    {
        SendBuffer b;
        const std::string data = bytes(300 * KiB, 3);
        QCOMPARE(b.append(data.data(), data.size(), 128 * KiB), 128 * KiB);
        QCOMPARE(b.pending(), 128 * KiB);
        QCOMPARE(b.append(data.data(), data.size(), 128 * KiB), size_t(0));
        // The buffer's own limit (1 MiB) still allows more.
        QCOMPARE(b.freeSpace(), 1 * MiB - 128 * KiB);
        QCOMPARE(b.append(data.data() + 128 * KiB, data.size() - 128 * KiB), data.size() - 128 * KiB);
        QCOMPARE(unsentBytes(b), data);
    }

    void acknowledgementFreesSpaceAndBytesStayInOrder()
    {
        SendBuffer b;
        b.setLimit(10000);
        const std::string data = bytes(25000, 11);
        size_t taken = b.append(data.data(), data.size());
        QCOMPARE(taken, size_t(10000));
        b.markSent(6000);
        QCOMPARE(b.acknowledge(6000), uint64_t(6000));
        QCOMPARE(b.acknowledge(5000), uint64_t(0));   // old acknowledgements change nothing
        QCOMPARE(b.pending(), size_t(4000));
        taken += b.append(data.data() + taken, data.size() - taken);
        QCOMPARE(taken, size_t(16000));
        QCOMPARE(unsentBytes(b), data.substr(6000, 10000));
        b.markSent(10000);
        QVERIFY(!b.hasUnsent());
        QCOMPARE(b.acknowledge(16000), uint64_t(10000));
        QCOMPARE(b.pending(), size_t(0));
        QCOMPARE(b.freeSpace(), size_t(10000));
    }

    void aBigBufferStaysInOrderThroughSendsAndAcks()
    {
        // A long path keeps megabytes unacknowledged: the unsent bytes must
        // come out in order however sends, acknowledgements and appends
        // (into a partly sent last block, too) interleave.
        SendBuffer b;
        b.setLimit(12 * MiB);
        const std::string data = bytes(40 * MiB, 3);
        size_t written = 0, sent = 0, acked = 0;
        unsigned step = 0;
        while (acked < data.size()) {
            ++step;
            // Small and large writes, so blocks of every size appear.
            const size_t want = (step % 7 == 0) ? 100 : (step % 3 == 0 ? 700 * KiB : 37 * KiB);
            written += b.append(data.data() + written, std::min(want, data.size() - written));
            // Send up to 16 vectors' worth, checking every byte.
            ngtcp2_vec vecs[16];
            const size_t n = b.unsent(vecs, 16);
            size_t chunk = 0;
            for (size_t i = 0; i < n && chunk < 90 * KiB; ++i) {
                const size_t take = std::min<size_t>(vecs[i].len, 90 * KiB - chunk);
                QVERIFY(std::memcmp(vecs[i].base, data.data() + sent + chunk, take) == 0);
                chunk += take;
                if (take < vecs[i].len)
                    break;
            }
            b.markSent(chunk);
            sent += chunk;
            // Acknowledge part of what was sent.
            if (step % 2 == 0 && sent > acked) {
                acked += (sent - acked) / 2 + 1;
                b.acknowledge(acked);
            }
            if (written == data.size() && sent == written) {
                acked = sent;
                b.acknowledge(acked);
            }
            QVERIFY(step < 100000);
        }
        QCOMPARE(b.sent(), uint64_t(data.size()));
        QVERIFY(!b.hasUnsent());
        QCOMPARE(b.pending(), size_t(0));
    }

    void tinyWritesShareBlocks()
    {
        // 1 MiB of 1-byte writes (an application writing byte by byte, or
        // a chatty protocol) must not cost a heap block each.
        SendBuffer b;
        const std::string data = bytes(1 * MiB, 5);
        for (size_t i = 0; i < data.size(); ++i)
            QCOMPARE(b.append(data.data() + i, 1), size_t(1));
        QVERIFY2(b.blocksAllocated() <= 300, qPrintable(QString::number(b.blocksAllocated())));
        ngtcp2_vec vecs[1024];
        const size_t n = b.unsent(vecs, 1024);
        std::string all;
        for (size_t i = 0; i < n; ++i)
            all.append(reinterpret_cast<const char *>(vecs[i].base), vecs[i].len);
        QVERIFY(all == data);
        // Sixteen vectors (one writev) carry tens of KiB, not sixteen bytes.
        ngtcp2_vec sixteen[16];
        size_t carried = 0;
        for (size_t i = 0, m = b.unsent(sixteen, 16); i < m; ++i)
            carried += sixteen[i].len;
        QVERIFY2(carried >= 32 * KiB, qPrintable(QString::number(carried)));
    }

    void aLoneTinyWriteGetsAnExactBlock()
    {
        // A pooled stream's hello or ID: 10,000 idle streams must not each
        // hold (or leave behind) a 4 KiB block.
        SendBuffer b;
        QCOMPARE(b.append("\0", 1), size_t(1));
        QCOMPARE(b.allocatedBytes(), size_t(1));
        b.markSent(1);
        b.acknowledge(1);
        QCOMPARE(b.allocatedBytes(), size_t(0));
        QCOMPARE(b.append("abcd", 4), size_t(4));
        QCOMPARE(b.allocatedBytes(), size_t(4));
    }

    void sentBytesNeverMoveWhileTinyWritesFollow()
    {
        // ngtcp2 keeps pointers to sent bytes until they are acknowledged:
        // appends into a shared block go after them, never move them.
        SendBuffer b;
        const std::string data = bytes(64 * KiB, 9);
        size_t written = 0;
        std::vector<std::pair<const uint8_t *, size_t>> handedOut;   // (where, stream offset)
        while (written < data.size()) {
            const size_t step = 1 + written % 13;
            written += b.append(data.data() + written, std::min(step, data.size() - written));
            ngtcp2_vec vecs[16];
            const size_t n = b.unsent(vecs, 16);
            size_t offset = b.sent();
            for (size_t i = 0; i < n; ++i) {
                handedOut.emplace_back(vecs[i].base, offset);
                offset += vecs[i].len;
            }
            b.markSent(offset - b.sent());
        }
        // Nothing acknowledged: every pointer handed out still holds its bytes.
        for (const auto &[where, offset] : handedOut)
            QCOMPARE(char(*where), data[offset]);
        QCOMPARE(b.acknowledge(data.size()), uint64_t(data.size()));
        QCOMPARE(b.allocatedBytes(), size_t(0));
    }

    void baseExcludesThePoolsBytes()
    {
        SendBuffer b;
        QCOMPARE(b.append("abcd", 4), size_t(4));   // the pool's ID
        b.setBase(4);
        QCOMPARE(b.pending(), size_t(0));
        QCOMPARE(b.append("xyz", 3), size_t(3));
        QCOMPARE(b.pending(), size_t(3));
        b.markSent(7);
        QCOMPARE(b.acknowledge(7), uint64_t(7));
        QCOMPARE(b.pending(), size_t(0));
    }
};

QTEST_APPLESS_MAIN(TestSendBuffer)
#include "tst_sendbuffer.moc"
