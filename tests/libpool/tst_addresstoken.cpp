// The address validation token codec (transport/addresstoken.h) and the
// admission decision (transport/admission.h): pure functions, reached
// directly. Tokens expire, a forged or foreign one proves nothing, one
// from another address (or, for a Retry token, another port) is refused.
#include "transport/addresstoken.h"
#include "transport/admission.h"

#include <QtTest/QTest>

using namespace quicpool;
using namespace quicpool::transport;

namespace {

constexpr uint64_t kSecond = 1000ull * 1000 * 1000;

TokenKey keyOf(char fill)
{
    const QByteArray secret(32, fill);
    return tokenKeyFromSecret(reinterpret_cast<const uint8_t *>(secret.constData()), size_t(secret.size()));
}

SocketAddress at(const char *ip, quint16 port) { return SocketAddress::fromQt(QHostAddress(QString::fromLatin1(ip)), port); }

ConnectionId cid(const char *hex)
{
    const QByteArray b = QByteArray::fromHex(hex);
    return ConnectionId(reinterpret_cast<const uint8_t *>(b.constData()), size_t(b.size()));
}

const uint8_t *bytes(const QByteArray &b) { return reinterpret_cast<const uint8_t *>(b.constData()); }

} // namespace

class TestAddressToken : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void aRetryTokenProvesItsClient()
    {
        const TokenKey key = keyOf('k');
        const uint64_t now = 1700000000ull * kSecond;
        const ConnectionId retryScid = cid("a1a2a3a4a5a6a7a8"), odcid = cid("0102030405060708090a");
        const QByteArray token = makeRetryToken(key, at("192.0.2.7", 50000), retryScid, odcid, now);
        QVERIFY(!token.isEmpty());
        QCOMPARE(tokenKind(bytes(token), size_t(token.size())), TokenKind::Retry);
        const RetryTokenCheck ok = checkRetryToken(key, bytes(token), size_t(token.size()), at("192.0.2.7", 50000),
                                                   retryScid, 10 * kSecond, now + 2 * kSecond);
        QCOMPARE(ok.verdict, TokenVerdict::Valid);
        QVERIFY(ok.originalDcid == odcid);
        // The same key derives from the same secret (a restart with the same reset key).
        QCOMPARE(checkRetryToken(keyOf('k'), bytes(token), size_t(token.size()), at("192.0.2.7", 50000), retryScid,
                                 10 * kSecond, now).verdict,
                 TokenVerdict::Valid);
    }

    void aRetryTokenIsRefusedLateElsewhereOrForAnotherId()
    {
        const TokenKey key = keyOf('k');
        const uint64_t now = 1700000000ull * kSecond;
        const ConnectionId retryScid = cid("a1a2a3a4a5a6a7a8");
        const QByteArray token = makeRetryToken(key, at("192.0.2.7", 50000), retryScid, cid("0102030405060708"), now);
        auto check = [&](const SocketAddress &from, const ConnectionId &dcid, uint64_t when) {
            return checkRetryToken(key, bytes(token), size_t(token.size()), from, dcid, 10 * kSecond, when).verdict;
        };
        QCOMPARE(check(at("192.0.2.7", 50000), retryScid, now + 10 * kSecond), TokenVerdict::Refused);   // expired
        QCOMPARE(check(at("192.0.2.7", 50001), retryScid, now), TokenVerdict::Refused);                 // other port
        QCOMPARE(check(at("192.0.2.8", 50000), retryScid, now), TokenVerdict::Refused);                 // other address
        // The Retry's connection ID is associated data: another makes it unreadable.
        QCOMPARE(check(at("192.0.2.7", 50000), cid("b1b2b3b4b5b6b7b8"), now), TokenVerdict::Unreadable);
    }

    void aForgedOrForeignTokenProvesNothing()
    {
        const uint64_t now = 1700000000ull * kSecond;
        const SocketAddress client = at("192.0.2.7", 50000);
        const ConnectionId retryScid = cid("a1a2a3a4a5a6a7a8");
        const QByteArray token = makeRetryToken(keyOf('k'), client, retryScid, cid("0102030405060708"), now);
        // Another server's secret.
        QCOMPARE(checkRetryToken(keyOf('x'), bytes(token), size_t(token.size()), client, retryScid, 10 * kSecond, now)
                     .verdict,
                 TokenVerdict::Unreadable);
        // Any flipped bit.
        for (int i = 1; i < token.size(); i += 9) {
            QByteArray forged = token;
            forged[i] = char(forged[i] ^ 0x20);
            QCOMPARE(checkRetryToken(keyOf('k'), bytes(forged), size_t(forged.size()), client, retryScid,
                                     10 * kSecond, now)
                         .verdict,
                     TokenVerdict::Unreadable);
        }
        // Cut short, or made up from nothing but the right first byte.
        QCOMPARE(checkRetryToken(keyOf('k'), bytes(token), size_t(token.size() - 1), client, retryScid, 10 * kSecond,
                                 now)
                     .verdict,
                 TokenVerdict::Unreadable);
        QByteArray madeUp(token.size(), 'z');
        madeUp[0] = token[0];
        QCOMPARE(checkRetryToken(keyOf('k'), bytes(madeUp), size_t(madeUp.size()), client, retryScid, 10 * kSecond,
                                 now)
                     .verdict,
                 TokenVerdict::Unreadable);
        QCOMPARE(tokenKind(bytes(madeUp), 0), TokenKind::None);
        const QByteArray other = QByteArrayLiteral("\x01hello");
        QCOMPARE(tokenKind(bytes(other), size_t(other.size())), TokenKind::Unknown);
    }

    void aNewTokenServesTheAddressFromAnyPortUntilItExpires()
    {
        const TokenKey key = keyOf('k');
        const uint64_t now = 1700000000ull * kSecond;
        const QByteArray token = makeNewToken(key, at("2001:db8::7", 50000), now);
        QVERIFY(!token.isEmpty());
        QCOMPARE(tokenKind(bytes(token), size_t(token.size())), TokenKind::NewToken);
        const uint64_t day = 24 * 3600 * kSecond;
        auto check = [&](const SocketAddress &from, uint64_t when) {
            return checkNewToken(key, bytes(token), size_t(token.size()), from, day, when);
        };
        QCOMPARE(check(at("2001:db8::7", 40000), now + 3600 * kSecond), TokenVerdict::Valid);   // behind NAT: new port
        QCOMPARE(check(at("2001:db8::7", 50000), now + day), TokenVerdict::Refused);            // expired
        QVERIFY(check(at("2001:db8::8", 50000), now) != TokenVerdict::Valid);                   // other address
        QCOMPARE(checkNewToken(keyOf('x'), bytes(token), size_t(token.size()), at("2001:db8::7", 1), day, now),
                 TokenVerdict::Unreadable);
        // A Retry token is not a NEW_TOKEN token, and the other way round.
        const QByteArray retry = makeRetryToken(key, at("2001:db8::7", 50000), cid("a1a2a3a4a5a6a7a8"),
                                                cid("0102030405060708"), now);
        QCOMPARE(checkNewToken(key, bytes(retry), size_t(retry.size()), at("2001:db8::7", 50000), day, now),
                 TokenVerdict::Unreadable);
        QCOMPARE(checkRetryToken(key, bytes(token), size_t(token.size()), at("2001:db8::7", 50000),
                                 cid("a1a2a3a4a5a6a7a8"), day, now)
                     .verdict,
                 TokenVerdict::Unreadable);
    }

    void admissionDecisions_data()
    {
        QTest::addColumn<int>("retry");
        QTest::addColumn<bool>("allowed");
        QTest::addColumn<int>("token");
        QTest::addColumn<int>("pending");
        QTest::addColumn<int>("fromAddress");
        QTest::addColumn<int>("expected");
        const int aut = int(RetryMode::Auto), always = int(RetryMode::Always), never = int(RetryMode::Never);
        const int none = int(InitialToken::None), vr = int(InitialToken::ValidRetry),
                  vn = int(InitialToken::ValidNewToken), bad = int(InitialToken::InvalidRetry);
        // Limits below: maxPending 100, per address 10, threshold 20.
        QTest::newRow("quiet: accept") << aut << true << none << 0 << 0 << int(Admission::Accept);
        QTest::newRow("at the threshold: retry") << aut << true << none << 20 << 0 << int(Admission::SendRetry);
        QTest::newRow("threshold, with a token: accept") << aut << true << vr << 20 << 0
                                                         << int(Admission::AcceptValidated);
        QTest::newRow("new token") << aut << true << vn << 50 << 3 << int(Admission::AcceptValidated);
        QTest::newRow("address full, no token: retry") << aut << true << none << 5 << 10 << int(Admission::SendRetry);
        QTest::newRow("address full, token: drop") << aut << true << vn << 5 << 10 << int(Admission::DropForLimit);
        QTest::newRow("all full, token: drop") << always << true << vr << 100 << 0 << int(Admission::DropForLimit);
        QTest::newRow("always: retry") << always << true << none << 0 << 0 << int(Admission::SendRetry);
        QTest::newRow("never: accept") << never << true << none << 99 << 9 << int(Admission::Accept);
        QTest::newRow("never, full: drop") << never << true << none << 100 << 0 << int(Admission::DropForLimit);
        QTest::newRow("never, address full: drop") << never << true << none << 0 << 10 << int(Admission::DropForLimit);
        QTest::newRow("bad retry token: reject") << aut << true << bad << 0 << 0 << int(Admission::RejectToken);
        QTest::newRow("not allowed: refuse, whatever else") << always << false << vr << 100 << 10
                                                            << int(Admission::Refuse);
    }

    void admissionDecisions()
    {
        QFETCH(int, retry);
        QFETCH(bool, allowed);
        QFETCH(int, token);
        QFETCH(int, pending);
        QFETCH(int, fromAddress);
        QFETCH(int, expected);
        AdmissionLimits limits;
        limits.maxPending = 100;
        limits.maxPendingPerAddress = 10;
        limits.retryThreshold = 20;
        limits.retry = RetryMode(retry);
        InitialFacts facts;
        facts.allowed = allowed;
        facts.token = InitialToken(token);
        facts.pending = pending;
        facts.pendingFromAddress = fromAddress;
        const Admission got = decideAdmission(limits, facts);
        QVERIFY2(got == Admission(expected),
                 qPrintable(QStringLiteral("got %1, expected %2").arg(QLatin1String(admissionName(got)),
                                                                      QLatin1String(admissionName(Admission(expected))))));
    }
};

QTEST_GUILESS_MAIN(TestAddressToken)
#include "tst_addresstoken.moc"
