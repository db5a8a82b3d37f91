// The CLI's durations, sizes and their formatting.
#include "units.h"

#include <QtTest/QtTest>

using namespace quicpool;
using namespace quicpool::cli;

class TestUnits : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void durationValid_data();
    void durationValid();
    void durationInvalid_data();
    void durationInvalid();
    void sizeValid_data();
    void sizeValid();
    void sizeInvalid_data();
    void sizeInvalid();
    void formatDuration_data();
    void formatDuration();
    void formatDurationRoundTrips();
    void formatBytes_data();
    void formatBytes();
    void rates();
    void rateValid_data();
    void rateValid();
    void rateInvalid_data();
    void rateInvalid();
    void percentValid_data();
    void percentValid();
    void percentInvalid_data();
    void percentInvalid();
    void formatBitRate_data();
    void formatBitRate();
    void formatPercentRoundTrips();
    void iperfBareNumbers_data();
    void iperfBareNumbers();
    void formatSize_data();
    void formatSize();
};

void TestUnits::durationValid_data()
{
    QTest::addColumn<QString>("text");
    QTest::addColumn<qint64>("ms");
    QTest::newRow("500ms") << "500ms" << qint64(500);
    QTest::newRow("0ms") << "0ms" << qint64(0);
    QTest::newRow("0s") << "0s" << qint64(0);
    QTest::newRow("2s") << "2s" << qint64(2000);
    QTest::newRow("1.5s") << "1.5s" << qint64(1500);
    QTest::newRow("0.25s") << "0.25s" << qint64(250);
    QTest::newRow("1.001s") << "1.001s" << qint64(1001);
    QTest::newRow("1.500000000s") << "1.500000000s" << qint64(1500);
    QTest::newRow("1m") << "1m" << qint64(60000);
    QTest::newRow("1min") << "1min" << qint64(60000);
    QTest::newRow("0.5m") << "0.5m" << qint64(30000);
    QTest::newRow("1h") << "1h" << qint64(3600000);
    QTest::newRow("24h") << "24h" << qint64(86400000);
    QTest::newRow("leading zeros") << "007s" << qint64(7000);
    QTest::newRow("max in ms") << "2147483647ms" << qint64(2147483647);
    QTest::newRow("max in s") << "2147483.647s" << qint64(2147483647);
    QTest::newRow("596h") << "596h" << qint64(2145600000);
}

void TestUnits::durationValid()
{
    QFETCH(QString, text);
    QFETCH(qint64, ms);
    Milliseconds value{-1};
    QString error = QStringLiteral("stale");
    QVERIFY2(parseDuration(text, &value, &error), qPrintable(error));
    QCOMPARE(qint64(value.count()), ms);
    QVERIFY(parseDuration(text, nullptr, nullptr));
}

void TestUnits::durationInvalid_data()
{
    QTest::addColumn<QString>("text");
    QTest::addColumn<QString>("mentions");
    QTest::newRow("empty") << "" << "not a duration";
    QTest::newRow("bare number") << "500" << "needs a unit";
    QTest::newRow("bare decimal") << "1.5" << "needs a unit";
    QTest::newRow("unit only") << "ms" << "not a duration";
    QTest::newRow("microseconds") << "250us" << "unknown unit";
    QTest::newRow("nanoseconds") << "5ns" << "unknown unit";
    QTest::newRow("days") << "1d" << "unknown unit";
    QTest::newRow("upper case") << "2S" << "unknown unit";
    QTest::newRow("fraction of ms") << "1.5ms" << "whole number of milliseconds";
    QTest::newRow("fraction too fine") << "1.0001s" << "whole number of milliseconds";
    QTest::newRow("negative") << "-1s" << "not a duration";
    QTest::newRow("plus") << "+1s" << "not a duration";
    QTest::newRow("space inside") << "1 s" << "unknown unit";
    QTest::newRow("leading space") << " 1s" << "not a duration";
    QTest::newRow("trailing space") << "1s " << "unknown unit";
    QTest::newRow("two points") << "1..5s" << "not a duration";
    QTest::newRow("point without fraction") << "1.s" << "not a duration";
    QTest::newRow("point without whole") << ".5s" << "not a duration";
    QTest::newRow("exponent") << "1e3ms" << "unknown unit";
    QTest::newRow("too long") << "2147483648ms" << "too long";
    QTest::newRow("597h") << "597h" << "too long";
    QTest::newRow("too many digits") << "9999999999999999ms" << "not a duration";
    QTest::newRow("too many fraction digits") << "1.0000000001s" << "not a duration";
    QTest::newRow("fullwidth digit") << QString(QChar(0xff11)) + QStringLiteral("s") << "not a duration";
    QTest::newRow("two units") << "1s500ms" << "unknown unit";
}

void TestUnits::durationInvalid()
{
    QFETCH(QString, text);
    QFETCH(QString, mentions);
    Milliseconds value{-7};
    QString error;
    QVERIFY(!parseDuration(text, &value, &error));
    QCOMPARE(value.count(), -7);
    QVERIFY2(error.contains(mentions), qPrintable(error));
    QVERIFY2(error.endsWith(u'.'), qPrintable(error));
    QVERIFY(!parseDuration(text, nullptr, nullptr));
}

void TestUnits::sizeValid_data()
{
    QTest::addColumn<QString>("text");
    QTest::addColumn<qint64>("bytes");
    QTest::newRow("plain") << "4096" << qint64(4096);
    QTest::newRow("zero") << "0" << qint64(0);
    QTest::newRow("B") << "10B" << qint64(10);
    QTest::newRow("b") << "10b" << qint64(10);
    QTest::newRow("64KiB") << "64KiB" << qint64(65536);
    QTest::newRow("1MiB") << "1MiB" << qint64(1048576);
    QTest::newRow("1GiB") << "1GiB" << qint64(1073741824);
    QTest::newRow("8GiB") << "8GiB" << qint64(8589934592);
    QTest::newRow("64KB") << "64KB" << qint64(64000);
    QTest::newRow("1MB") << "1MB" << qint64(1000000);
    QTest::newRow("1GB") << "1GB" << qint64(1000000000);
    QTest::newRow("kB") << "2kB" << qint64(2000);
    QTest::newRow("lower kib") << "1kib" << qint64(1024);
    QTest::newRow("upper MIB") << "1MIB" << qint64(1048576);
    QTest::newRow("1.5KiB") << "1.5KiB" << qint64(1536);
    QTest::newRow("0.5MB") << "0.5MB" << qint64(500000);
    QTest::newRow("0.25GiB") << "0.25GiB" << qint64(268435456);
    QTest::newRow("15 digits") << "999999999999999" << qint64(999999999999999);
}

void TestUnits::sizeValid()
{
    QFETCH(QString, text);
    QFETCH(qint64, bytes);
    qint64 value = -1;
    QString error;
    QVERIFY2(parseSize(text, &value, &error), qPrintable(error));
    QCOMPARE(value, bytes);
}

void TestUnits::sizeInvalid_data()
{
    QTest::addColumn<QString>("text");
    QTest::addColumn<QString>("mentions");
    QTest::newRow("empty") << "" << "not a size";
    QTest::newRow("unit only") << "KiB" << "not a size";
    QTest::newRow("negative") << "-1" << "not a size";
    QTest::newRow("half a byte") << "1.5" << "whole number of bytes";
    QTest::newRow("1.5B") << "1.5B" << "whole number of bytes";
    QTest::newRow("1.1KiB") << "1.1KiB" << "whole number of bytes";
    QTest::newRow("space") << "64 KiB" << "unknown unit";
    QTest::newRow("TiB") << "1TiB" << "unknown unit";
    QTest::newRow("bits") << "1Mbit" << "unknown unit";
    QTest::newRow("K alone") << "64K" << "unknown unit";
    QTest::newRow("exponent") << "1e3" << "unknown unit";
    QTest::newRow("hex") << "0x10" << "unknown unit";
    QTest::newRow("overflow") << "999999999999999GiB" << "too large";
    QTest::newRow("too many digits") << "9223372036854775807" << "not a size";
}

void TestUnits::sizeInvalid()
{
    QFETCH(QString, text);
    QFETCH(QString, mentions);
    qint64 value = -7;
    QString error;
    QVERIFY(!parseSize(text, &value, &error));
    QCOMPARE(value, qint64(-7));
    QVERIFY2(error.contains(mentions), qPrintable(error));
    QVERIFY2(error.endsWith(u'.'), qPrintable(error));
}

void TestUnits::formatDuration_data()
{
    QTest::addColumn<qint64>("ms");
    QTest::addColumn<QString>("text");
    QTest::newRow("0") << qint64(0) << "0ms";
    QTest::newRow("250") << qint64(250) << "250ms";
    QTest::newRow("999") << qint64(999) << "999ms";
    QTest::newRow("1000") << qint64(1000) << "1s";
    QTest::newRow("1500") << qint64(1500) << "1.5s";
    QTest::newRow("2250") << qint64(2250) << "2.25s";
    QTest::newRow("1001") << qint64(1001) << "1.001s";
    QTest::newRow("30000") << qint64(30000) << "30s";
    QTest::newRow("60000") << qint64(60000) << "1m";
    QTest::newRow("90000") << qint64(90000) << "90s";
    QTest::newRow("3600000") << qint64(3600000) << "1h";
    QTest::newRow("5400000") << qint64(5400000) << "90m";
}

void TestUnits::formatDuration()
{
    QFETCH(qint64, ms);
    QFETCH(QString, text);
    QCOMPARE(cli::formatDuration(Milliseconds(ms)), text);
}

void TestUnits::formatDurationRoundTrips()
{
    for (qint64 ms : {qint64(0), qint64(1), qint64(99), qint64(1000), qint64(1234), qint64(59999), qint64(60000),
                      qint64(61001), qint64(3599999), qint64(7200000), kMaxDurationMs}) {
        const QString text = cli::formatDuration(Milliseconds(ms));
        Milliseconds back{-1};
        QString error;
        QVERIFY2(parseDuration(text, &back, &error), qPrintable(text + u' ' + error));
        QCOMPARE(qint64(back.count()), ms);
    }
}

void TestUnits::formatBytes_data()
{
    QTest::addColumn<qint64>("bytes");
    QTest::addColumn<QString>("text");
    QTest::newRow("0") << qint64(0) << "0 B";
    QTest::newRow("1023") << qint64(1023) << "1023 B";
    QTest::newRow("1024") << qint64(1024) << "1.00 KiB";
    QTest::newRow("1536") << qint64(1536) << "1.50 KiB";
    QTest::newRow("64KiB") << qint64(65536) << "64.0 KiB";
    QTest::newRow("512KiB") << qint64(512 * 1024) << "512 KiB";
    QTest::newRow("just below 1MiB") << qint64(1048575) << "1.00 MiB";
    QTest::newRow("1MiB") << qint64(1048576) << "1.00 MiB";
    QTest::newRow("1GiB") << qint64(1073741824) << "1.00 GiB";
    QTest::newRow("10GiB") << qint64(10) * 1073741824 << "10.0 GiB";
    QTest::newRow("negative") << qint64(-2048) << "-2.00 KiB";
}

void TestUnits::formatBytes()
{
    QFETCH(qint64, bytes);
    QFETCH(QString, text);
    QCOMPARE(cli::formatBytes(bytes), text);
}

void TestUnits::rates()
{
    QCOMPARE(megabytesPerSecond(1000000, 1.0), 1.0);
    QCOMPARE(megabitsPerSecond(1000000, 1.0), 8.0);
    QCOMPARE(megabytesPerSecond(125000000, 2.0), 62.5);
    QCOMPARE(megabitsPerSecond(125000000, 2.0), 500.0);
    QCOMPARE(megabytesPerSecond(5000, 0.001), 5.0);
    QCOMPARE(megabytesPerSecond(1000000, 0.0), 0.0);
    QCOMPARE(megabitsPerSecond(1000000, -1.0), 0.0);
    QCOMPARE(formatRate(12345678, 1.0), QStringLiteral("12.35 MB/s"));
    QCOMPARE(formatRate(0, 3.0), QStringLiteral("0.00 MB/s"));
    QCOMPARE(formatRate(1000000, 0.0), QStringLiteral("0.00 MB/s"));
}

void TestUnits::rateValid_data()
{
    QTest::addColumn<QString>("text");
    QTest::addColumn<qint64>("bytesPerSecond");
    // Bits per second, powers of 1000, divided by 8.
    QTest::newRow("400mbit") << "400mbit" << qint64(50000000);
    QTest::newRow("1gbit") << "1gbit" << qint64(125000000);
    QTest::newRow("1.5gbit") << "1.5gbit" << qint64(187500000);
    QTest::newRow("100kbit") << "100kbit" << qint64(12500);
    QTest::newRow("8bit") << "8bit" << qint64(1);
    QTest::newRow("12bit rounds") << "12bit" << qint64(2);  // 1.5 B/s to the nearest byte
    QTest::newRow("Mbit") << "10Mbit" << qint64(1250000);
    QTest::newRow("MBIT") << "10MBIT" << qint64(1250000);
    QTest::newRow("mbit/s") << "10mbit/s" << qint64(1250000);
    // Bytes per second.
    QTest::newRow("50MB") << "50MB" << qint64(50000000);
    QTest::newRow("50mb is bytes") << "50mb" << qint64(50000000);
    QTest::newRow("2KB") << "2KB" << qint64(2000);
    QTest::newRow("1GB") << "1GB" << qint64(1000000000);
    QTest::newRow("1KiB") << "1KiB" << qint64(1024);
    QTest::newRow("1.5MiB") << "1.5MiB" << qint64(1572864);
    QTest::newRow("1GiB/s") << "1GiB/s" << qint64(1073741824);
    QTest::newRow("100B") << "100B" << qint64(100);
    QTest::newRow("100b is bytes") << "100b" << qint64(100);
    QTest::newRow("MB/S") << "3MB/S" << qint64(3000000);
}

void TestUnits::rateValid()
{
    QFETCH(QString, text);
    QFETCH(qint64, bytesPerSecond);
    qint64 value = -1;
    QString error = QStringLiteral("stale");
    QVERIFY2(parseRate(text, &value, &error), qPrintable(error));
    QCOMPARE(value, bytesPerSecond);
}

void TestUnits::rateInvalid_data()
{
    QTest::addColumn<QString>("text");
    QTest::addColumn<QString>("mentions");
    QTest::newRow("bare number") << "400" << "needs a unit";
    QTest::newRow("bare with /s") << "400/s" << "needs a unit";
    QTest::newRow("empty") << "" << "is not a rate";
    QTest::newRow("word") << "fast" << "is not a rate";
    QTest::newRow("negative") << "-5mbit" << "is not a rate";
    QTest::newRow("space") << "5 mbit" << "unknown unit";
    QTest::newRow("bps is ambiguous") << "5mbps" << "unknown unit \"mbps\"";
    QTest::newRow("per minute") << "5mbit/m" << "unknown unit";
    QTest::newRow("zero") << "0mbit" << "below 1 byte per second";
    QTest::newRow("under a byte") << "3bit" << "below 1 byte per second";  // 0.375 B/s
    QTest::newRow("huge") << "999999999999999GB" << "too large";
    QTest::newRow("lists units") << "5furlong" << "kbit, mbit or gbit";
}

void TestUnits::rateInvalid()
{
    QFETCH(QString, text);
    QFETCH(QString, mentions);
    qint64 value = 77;
    QString error;
    QVERIFY(!parseRate(text, &value, &error));
    QVERIFY2(error.contains(mentions), qPrintable(error));
    QCOMPARE(value, qint64(77));
}

void TestUnits::percentValid_data()
{
    QTest::addColumn<QString>("text");
    QTest::addColumn<double>("fraction");
    QTest::newRow("1%") << "1%" << 0.01;
    QTest::newRow("0.5%") << "0.5%" << 0.005;
    QTest::newRow("0%") << "0%" << 0.0;
    QTest::newRow("100%") << "100%" << 1.0;
    QTest::newRow("12.25%") << "12.25%" << 0.1225;
    QTest::newRow("0.001%") << "0.001%" << 0.00001;
}

void TestUnits::percentValid()
{
    QFETCH(QString, text);
    QFETCH(double, fraction);
    double value = -1;
    QString error;
    QVERIFY2(parsePercent(text, &value, &error), qPrintable(error));
    QVERIFY2(qAbs(value - fraction) < 1e-12, qPrintable(QString::number(value)));
}

void TestUnits::percentInvalid_data()
{
    QTest::addColumn<QString>("text");
    QTest::addColumn<QString>("mentions");
    QTest::newRow("bare number") << "1" << "needs a % sign (as in 1%)";
    QTest::newRow("bare fraction") << "0.01" << "could be a fraction or a percentage";
    QTest::newRow("above 100") << "101%" << "above 100%";
    QTest::newRow("negative") << "-1%" << "is not a percentage";
    QTest::newRow("word") << "lots" << "is not a percentage";
    QTest::newRow("empty") << "" << "is not a percentage";
    QTest::newRow("two signs") << "5%%" << "is not a percentage";
    QTest::newRow("space") << "5 %" << "is not a percentage";
}

void TestUnits::percentInvalid()
{
    QFETCH(QString, text);
    QFETCH(QString, mentions);
    double value = 0.5;
    QString error;
    QVERIFY(!parsePercent(text, &value, &error));
    QVERIFY2(error.contains(mentions), qPrintable(error));
    QCOMPARE(value, 0.5);
}

void TestUnits::formatBitRate_data()
{
    QTest::addColumn<qint64>("bytesPerSecond");
    QTest::addColumn<QString>("text");
    QTest::newRow("400 Mbit/s") << qint64(50000000) << "400 Mbit/s";
    QTest::newRow("1.5 Gbit/s") << qint64(187500000) << "1.5 Gbit/s";
    QTest::newRow("100 kbit/s") << qint64(12500) << "100 kbit/s";
    QTest::newRow("bytes in bits") << qint64(50) << "400 bit/s";
    QTest::newRow("MiB in Mbit") << qint64(1048576) << "8.389 Mbit/s";
}

void TestUnits::formatBitRate()
{
    QFETCH(qint64, bytesPerSecond);
    QFETCH(QString, text);
    QCOMPARE(quicpool::cli::formatBitRate(bytesPerSecond), text);
}

void TestUnits::formatPercentRoundTrips()
{
    QCOMPARE(formatPercent(0.01), QStringLiteral("1%"));
    QCOMPARE(formatPercent(0.005), QStringLiteral("0.5%"));
    QCOMPARE(formatPercent(1.0), QStringLiteral("100%"));
    QCOMPARE(formatPercent(0.0), QStringLiteral("0%"));
    for (const char *text : {"1%", "0.5%", "12.25%", "0.001%", "100%"}) {
        double fraction = 0;
        QVERIFY(parsePercent(QString::fromLatin1(text), &fraction));
        QCOMPARE(formatPercent(fraction), QLatin1String(text));
    }
}

void TestUnits::iperfBareNumbers_data()
{
    // How iperf3's -t, -i (seconds) and -b (bits per second; K, M, G as
    // powers of 1000) read their values; units keep their own meaning.
    QTest::addColumn<QString>("text");
    QTest::addColumn<int>("bare");
    QTest::addColumn<qint64>("value");   // ms or bytes per second; -1: refused
    const int seconds = int(BareNumber::Seconds), bits = int(BareNumber::BitsPerSecond);
    QTest::newRow("10 s") << "10" << seconds << qint64(10000);
    QTest::newRow("0.5 s") << "0.5" << seconds << qint64(500);
    QTest::newRow("0 s") << "0" << seconds << qint64(0);
    QTest::newRow("unit kept") << "250ms" << seconds << qint64(250);
    QTest::newRow("minutes kept") << "2m" << seconds << qint64(120000);
    QTest::newRow("not whole ms") << "0.0001" << seconds << qint64(-1);
    QTest::newRow("bits") << "8000" << bits << qint64(1000);
    QTest::newRow("K") << "800K" << bits << qint64(100000);
    QTest::newRow("k") << "800k" << bits << qint64(100000);
    QTest::newRow("M") << "100M" << bits << qint64(12500000);
    QTest::newRow("G") << "1.5G" << bits << qint64(187500000);
    QTest::newRow("MB stays bytes") << "50MB" << bits << qint64(50000000);
    QTest::newRow("mbit kept") << "400mbit" << bits << qint64(50000000);
    QTest::newRow("b stays bytes") << "100b" << bits << qint64(100);
    QTest::newRow("T is not a unit") << "1T" << bits << qint64(-1);
    QTest::newRow("under a byte") << "3" << bits << qint64(-1);   // 0.375 B/s
}

void TestUnits::iperfBareNumbers()
{
    QFETCH(QString, text);
    QFETCH(int, bare);
    QFETCH(qint64, value);
    QString error;
    qint64 got = -1;
    bool ok = false;
    if (BareNumber(bare) == BareNumber::Seconds) {
        Milliseconds ms{};
        ok = parseDuration(text, &ms, &error, BareNumber::Seconds);
        got = ms.count();
        if (text.back().isDigit())   // the long options' reading refuses it
            QVERIFY(!parseDuration(text, nullptr, nullptr));
    } else {
        ok = parseRate(text, &got, &error, BareNumber::BitsPerSecond);
    }
    if (value < 0) {
        QVERIFY2(!ok, qPrintable(text));
        QVERIFY(!error.isEmpty());
    } else {
        QVERIFY2(ok, qPrintable(error));
        QCOMPARE(got, value);
    }
}

void TestUnits::formatSize_data()
{
    QTest::addColumn<qint64>("bytes");
    QTest::addColumn<QString>("text");
    QTest::newRow("64KiB") << qint64(65536) << "64KiB";
    QTest::newRow("32MiB") << qint64(32 * 1024 * 1024) << "32MiB";
    QTest::newRow("1GiB") << qint64(1024) * 1024 * 1024 << "1GiB";
    QTest::newRow("1536KiB") << qint64(1536 * 1024) << "1536KiB";
    QTest::newRow("bytes") << qint64(1000) << "1000";
    QTest::newRow("zero") << qint64(0) << "0";
}

void TestUnits::formatSize()
{
    QFETCH(qint64, bytes);
    QFETCH(QString, text);
    QCOMPARE(quicpool::cli::formatSize(bytes), text);
    qint64 back = -1;
    QVERIFY(parseSize(text, &back));
    QCOMPARE(back, bytes);
}

QTEST_GUILESS_MAIN(TestUnits)
#include "tst_units.moc"
