// HKDF-SHA-256 against RFC 5869's test vectors (appendix A, cases 1-3), and
// the stateless reset secret built on it: stable across runs, and changed
// by each thing it depends on.
#include "common/hkdf.h"
#include "pool/resetsecret.h"

#include <QtTest/QTest>

using namespace quicpool;

class TestHkdf : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void rfc5869_data()
    {
        QTest::addColumn<QByteArray>("ikm");
        QTest::addColumn<QByteArray>("salt");
        QTest::addColumn<QByteArray>("info");
        QTest::addColumn<int>("length");
        QTest::addColumn<QByteArray>("prk");
        QTest::addColumn<QByteArray>("okm");
        QTest::newRow("A.1 basic")
            << QByteArray::fromHex("0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b")
            << QByteArray::fromHex("000102030405060708090a0b0c") << QByteArray::fromHex("f0f1f2f3f4f5f6f7f8f9") << 42
            << QByteArray::fromHex("077709362c2e32df0ddc3f0dc47bba6390b6c73bb50f9c3122ec844ad7c2b3e5")
            << QByteArray::fromHex("3cb25f25faacd57a90434f64d0362f2a2d2d0a90cf1a5a4c5db02d56ecc4c5bf34007208d5b887185865");
        QByteArray ikm2, salt2, info2;
        for (int i = 0; i < 80; ++i) {
            ikm2 += char(i);
            salt2 += char(0x60 + i);
            info2 += char(0xb0 + i);
        }
        QTest::newRow("A.2 long inputs")
            << ikm2 << salt2 << info2 << 82
            << QByteArray::fromHex("06a6b88c5853361a06104c9ceb35b45cef760014904671014a193f40c15fc244")
            << QByteArray::fromHex("b11e398dc80327a1c8e7f78c596a49344f012eda2d4efad8a050cc4c19afa97c"
                                   "59045a99cac7827271cb41c65e590e09da3275600c2f09b8367793a9aca3db71"
                                   "cc30c58179ec3e87c14c01d5c1f3434f1d87");
        QTest::newRow("A.3 no salt, no info")
            << QByteArray::fromHex("0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b") << QByteArray() << QByteArray() << 42
            << QByteArray::fromHex("19ef24a32c717b167f33a91d6f648bdf96596776afdb6377ac434c1c293ccb04")
            << QByteArray::fromHex("8da4e775a563c18f715f802a063c5a31b8a11f5c5ee1879ec3454e5f3c738d2d9d201395faa4b61a96c8");
    }

    void rfc5869()
    {
        QFETCH(QByteArray, ikm);
        QFETCH(QByteArray, salt);
        QFETCH(QByteArray, info);
        QFETCH(int, length);
        QFETCH(QByteArray, prk);
        QFETCH(QByteArray, okm);
        QCOMPARE(hkdfExtractSha256(salt, ikm).toHex(), prk.toHex());
        QCOMPARE(hkdfExpandSha256(prk, info, length).toHex(), okm.toHex());
        QCOMPARE(hkdfSha256(ikm, salt, info, length).toHex(), okm.toHex());
    }

    void expandRefusesImpossibleLengths()
    {
        const QByteArray prk(32, 'k');
        QVERIFY(hkdfExpandSha256(prk, {}, 0).isEmpty());
        QVERIFY(hkdfExpandSha256(prk, {}, 255 * 32 + 1).isEmpty());
        QCOMPARE(hkdfExpandSha256(prk, {}, 255 * 32).size(), 255 * 32);
    }

    void resetSecretIsStableAndDependsOnItsInputs()
    {
        const QByteArray key = QByteArrayLiteral("-----BEGIN PRIVATE KEY-----\nabc\n-----END PRIVATE KEY-----\n");
        const QString addr = QStringLiteral("127.0.0.1:4433");
        const QByteArray a = deriveResetSecret({}, key, addr);
        QCOMPARE(a.size(), kResetSecretLength);
        QCOMPARE(deriveResetSecret({}, key, addr), a);                 // a restart finds the same secret
        QVERIFY(deriveResetSecret({}, key, QStringLiteral("127.0.0.1:4434")) != a);
        QVERIFY(deriveResetSecret({}, key + "x", addr) != a);
        QVERIFY(a != key.left(kResetSecretLength));                     // never the key itself
        // A configured key wins over the private key, and is mixed with the
        // address too: one key per host, one secret per address.
        const QByteArray configured(40, 'z');
        const QByteArray c = deriveResetSecret(configured, key, addr);
        QCOMPARE(c.size(), kResetSecretLength);
        QVERIFY(c != a);
        QCOMPARE(deriveResetSecret(configured, {}, addr), c);
        QVERIFY(deriveResetSecret(configured, {}, QStringLiteral("127.0.0.1:4434")) != c);
        QVERIFY(deriveResetSecret(configured, {}, QStringLiteral("0.0.0.0:4433")) != c);
        QVERIFY(c != configured.left(kResetSecretLength));
        // Nothing to derive from: empty, which asks the listener for a random one.
        QVERIFY(deriveResetSecret({}, {}, addr).isEmpty());
    }
};

QTEST_GUILESS_MAIN(TestHkdf)
#include "tst_hkdf.moc"
