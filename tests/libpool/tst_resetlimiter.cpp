// ResetLimiter: the endpoint's and each source's token buckets, the byte
// budget (resets never exceed a quarter of the bytes that asked for them),
// and the bounded table of sources, on a clock the test drives.
#include "transport/resetlimiter.h"

#include <QtTest/QTest>

using namespace quicpool::transport;
using namespace std::chrono_literals;
using Verdict = ResetLimiter::Verdict;

namespace {
const QHostAddress kA(QStringLiteral("192.0.2.1"));
const QHostAddress kB(QStringLiteral("192.0.2.2"));
QHostAddress nth(int i) { return QHostAddress(quint32(0x0a000000 + i)); }
} // namespace

class TestResetLimiter : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void aSourceGetsItsBurstThenItsRate()
    {
        ResetLimiter l;   // defaults: 10 per second per source, burst 10
        int allowed = 0;
        for (int i = 0; i < 100; ++i)
            allowed += l.check(kA, 1200, 64, 0ns) == Verdict::Allowed;
        QCOMPARE(allowed, 10);
        QCOMPARE(l.check(kA, 1200, 64, 0ns), Verdict::SourceRate);
        // Another source is not held back by the first.
        QCOMPARE(l.check(kB, 1200, 64, 0ns), Verdict::Allowed);
        // A tenth of a second refills one reset.
        QCOMPARE(l.check(kA, 1200, 64, 100ms), Verdict::Allowed);
        QCOMPARE(l.check(kA, 1200, 64, 100ms), Verdict::SourceRate);
        // Over ten seconds at 1000 packets per second: ten per second.
        allowed = 0;
        for (int ms = 1000; ms < 11000; ++ms)
            allowed += l.check(kA, 1200, 64, std::chrono::milliseconds(ms)) == Verdict::Allowed;
        QVERIFY2(allowed >= 100 && allowed <= 110, qPrintable(QString::number(allowed)));
    }

    void theEndpointHasItsOwnLimit()
    {
        ResetLimiter l;   // 200 per second, burst 100
        int allowed = 0;
        for (int i = 0; i < 1000; ++i)
            allowed += l.check(nth(i), 1200, 64, 0ns) == Verdict::Allowed;
        QCOMPARE(allowed, 100);
        QCOMPARE(l.check(nth(5000), 1200, 64, 0ns), Verdict::EndpointRate);
        allowed = 0;
        for (int i = 0; i < 10000; ++i)   // one second, 10,000 sources
            allowed += l.check(nth(i), 1200, 64, std::chrono::microseconds(i * 100)) == Verdict::Allowed;
        QVERIFY2(allowed >= 195 && allowed <= 201, qPrintable(QString::number(allowed)));
    }

    void bytesOutStayUnderAQuarterOfBytesIn()
    {
        ResetLimiter l;
        // Small triggers: 41 bytes asking for 40-byte resets pay for one in four.
        int allowed = 0;
        for (int i = 0; i < 400; ++i)
            allowed += l.check(nth(i % 50), 41, 40, std::chrono::milliseconds(i * 10)) == Verdict::Allowed;
        QVERIFY2(allowed > 0, "the budget never allowed a reset");
        QVERIFY(l.bytesOut() * 4 <= l.bytesIn());
        QCOMPARE(l.bytesIn(), quint64(400 * 41));
        QCOMPARE(l.bytesOut(), quint64(allowed) * 40);
        // The very first small packet cannot pay for a reset on its own.
        ResetLimiter fresh;
        QCOMPARE(fresh.check(kA, 41, 40, 0ns), Verdict::NoByteCredit);
        QCOMPARE(fresh.check(kA, 200, 50, 0ns), Verdict::Allowed);   // 241 bytes in >= 4 * 50
    }

    void creditCannotBeHoarded()
    {
        ResetLimiter::Limits limits;
        limits.maxByteCredit = 1000;
        limits.burst = limits.perSourceBurst = 1e9;
        ResetLimiter l(limits);
        for (int i = 0; i < 1000; ++i)   // a megabyte in with nothing to answer... 
            l.check(kA, 1000, 100000, 0ns);   // ...asking for the impossible, so nothing is spent
        int allowed = 0;
        for (int i = 0; i < 100; ++i)
            allowed += l.check(kA, 1, 50, 0ns) == Verdict::Allowed;
        QCOMPARE(allowed, 5);   // 1000 bytes of credit (plus 5) pay for five 50-byte resets
    }

    void theSourceTableIsBounded()
    {
        ResetLimiter::Limits limits;
        limits.maxSources = 100;
        limits.perSecond = limits.burst = 1e9;
        ResetLimiter l(limits);
        for (int i = 0; i < 100; ++i)
            QCOMPARE(l.check(nth(i), 1200, 64, 0ns), Verdict::Allowed);
        QCOMPARE(l.sourceCount(), 100);
        // Full of sources that just spent a token: a newcomer waits.
        QCOMPARE(l.check(nth(1000), 1200, 64, 0ns), Verdict::SourceRate);
        QCOMPARE(l.sourceCount(), 100);
        // A second later every bucket is full again: the old ones are forgotten.
        QCOMPARE(l.check(nth(1000), 1200, 64, 1s), Verdict::Allowed);
        QCOMPARE(l.sourceCount(), 1);
    }

    void aRefusalChargesNothing()
    {
        ResetLimiter::Limits limits;
        limits.perSourceBurst = 1;
        ResetLimiter l(limits);
        QCOMPARE(l.check(kA, 1200, 64, 0ns), Verdict::Allowed);
        for (int i = 0; i < 50; ++i)
            QCOMPARE(l.check(kA, 1200, 64, 0ns), Verdict::SourceRate);
        // The endpoint's tokens were not spent on A's refusals.
        for (int i = 0; i < 99; ++i)
            QCOMPARE(l.check(nth(i), 1200, 64, 0ns), Verdict::Allowed);
        QCOMPARE(l.check(nth(500), 1200, 64, 0ns), Verdict::EndpointRate);
        QCOMPARE(l.bytesOut(), quint64(100 * 64));
    }
};

QTEST_GUILESS_MAIN(TestResetLimiter)
#include "tst_resetlimiter.moc"
