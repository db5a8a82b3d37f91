// The qlog reader (ui/core/qlogreader.h) on Qt Core alone: the files in
// tests/gui/qlog/, written by hand after the draft schema the way ngtcp2,
// quic-go, quiche, mvfst and the later drafts write it (figures worked out
// by hand below), the same files cut short or fed a byte at a time, hostile
// ones (wrong types, NaN, huge numbers, nesting, a storm of 0x1E, garbage,
// records past the limits), a big stream of events that must stay bounded,
// and a file that QuicPool itself writes, with ngtcp2's qlog on, over a
// lossy relay.
#include "adaptivebuckets.h"
#include "jsonstream.h"
#include "qlogreader.h"
#include "relayfixture.h"

#include <workload/streamrunner.h>
#include <workload/streamserver.h>

#include <quicpool/quicpool.h>
#include <quicpool/relay/relay.h>

#include <QtCore/QDir>
#include <QtCore/QFile>
#include <QtCore/QRandomGenerator>
#include <QtCore/QTemporaryDir>
#include <QtTest/QtTest>

#include <cmath>

using namespace quicpool;
using namespace quicpool::diag;
using namespace std::chrono_literals;

namespace {

QByteArray sample(const QString &name)
{
    const QString path = QStringLiteral(QUICPOOL_QLOG_SAMPLES "/") + name;
    QFile f(path);
    if (!f.open(QIODevice::ReadOnly))
        qFatal("missing qlog sample %s", qPrintable(name));
    return f.readAll();
}

QlogParseResult parseSample(const QString &name)
{
    return parseQlog(sample(name));
}

QList<double> values(const QList<QPointF> &points)
{
    QList<double> out;
    for (const QPointF &p : points)
        out.append(p.y());
    return out;
}

QList<double> times(const QList<QPointF> &points)
{
    QList<double> out;
    for (const QPointF &p : points)
        out.append(std::round(p.x() * 1e6) / 1e6);
    return out;
}

bool sameTrace(const QlogParseResult &a, const QlogParseResult &b)
{
    const QlogTrace &x = a.trace;
    const QlogTrace &y = b.trace;
    return a.error == b.error && x.events == y.events && x.eventsUsed == y.eventsUsed
        && x.packetsSentTotal == y.packetsSentTotal && x.packetsReceivedTotal == y.packetsReceivedTotal
        && x.packetsLostTotal == y.packetsLostTotal && x.streamBytesSentTotal == y.streamBytesSentTotal
        && x.congestionWindow == y.congestionWindow && x.smoothedRtt == y.smoothedRtt && x.packetsSent == y.packetsSent
        && x.warnings == y.warnings && x.durationSeconds == y.durationSeconds && x.producer == y.producer;
}

/// Builds every top-level value whole, for looking at what JsonStream makes.
class Collect : public JsonStream::Handler
{
public:
    JsonStream::Action valueStarting(int, QByteArrayView, char) override { return JsonStream::Action::Build; }
    void valueBuilt(const JsonRecord &record) override { built.append(record); }
    void valueDropped(const QString &why) override { dropped.append(why); }
    void containerEnded(int) override {}
    void recordAborted(qint64 offset, const QString &why) override { aborted.append(QStringLiteral("%1 %2").arg(offset).arg(why)); }
    QList<JsonRecord> built;
    QStringList dropped;
    QStringList aborted;
};

} // namespace

class TestQlogReader : public QObject
{
    Q_OBJECT
private Q_SLOTS:
    void jsonStrings();
    void jsonNumbers();
    void adaptiveBuckets();
    void ngtcp2Sample();
    void quicGoSample();
    void quicheSample();
    void laterDraftSample();
    void jsonDocumentTwoTraces();
    void firstDraftArrays();
    void truncatedFiles_data();
    void truncatedFiles();
    void hostileValues();
    void deepNesting();
    void separatorStorm();
    void notQlog();
    void byteAtATimeReadsTheSame_data();
    void byteAtATimeReadsTheSame();
    void mutatedFilesNeverCrash();
    void hugeInputsStayBounded();
    void readFileReportsProgressAndCancels();
    void seriesCsv();
    void fileWrittenByQuicPool();
};

void TestQlogReader::jsonStrings()
{
    Collect c;
    JsonStream s(&c);
    s.feed(QByteArrayView("\x1e\"caf\\u00e9 \\ud83d\\ude00 \\ud800x \\\"q\\\" \\n\"\n\x1e{\"k\\u0041\":[true,false,null]}"));
    s.finish();
    QCOMPARE(c.aborted, QStringList());
    QCOMPARE(c.built.size(), 2);
    QCOMPARE(QString::fromUtf8(c.built.at(0).string(0)), QStringLiteral("café 😀 \uFFFDx \"q\" \n"));
    const JsonRecord &o = c.built.at(1);
    const int list = o.member(0, "kA");
    QVERIFY(o.isArray(list));
    QCOMPARE(o.childCount(list), 3);
    QVERIFY(o.boolean(o.firstChild(list)));
    QCOMPARE(o.type(o.nextSibling(o.nextSibling(o.firstChild(list)))), JsonRecord::Type::Null);
    // A control character inside a string, a bad escape: the record goes,
    // the next one is read.
    Collect bad;
    JsonStream t(&bad);
    t.feed(QByteArrayView("\x1e\"a\x01\"\n\x1e\"\\x\"\n\x1e\"ok\"\n"));
    t.finish();
    QCOMPARE(bad.aborted.size(), 2);
    QCOMPARE(bad.built.size(), 1);
    QCOMPARE(bad.built.at(0).string(0), QByteArrayView("ok"));
}

void TestQlogReader::jsonNumbers()
{
    for (const char *good : {"0", "-0", "12", "-0.5e+3", "1E9", "3.25"})
        QVERIFY2(isJsonNumber(good), good);
    for (const char *bad : {"", "01", "1.", ".5", "+1", "1e", "--1", "1.2.3", "0x10", "NaN", "Infinity"})
        QVERIFY2(!isJsonNumber(bad), bad);
    Collect c;
    JsonStream s(&c);
    s.feed(QByteArrayView("\x1e[1e400, -2.5, 12345678901234567890123, 1e-400]"));
    s.finish();
    QCOMPARE(c.built.size(), 1);
    const JsonRecord &r = c.built.at(0);
    int n = r.firstChild(0);
    QVERIFY(!r.number(n));             // infinite: not a figure
    n = r.nextSibling(n);
    QCOMPARE(*r.number(n), -2.5);
    n = r.nextSibling(n);
    QVERIFY(r.number(n) && *r.number(n) > 1e22);
    n = r.nextSibling(n);
    QCOMPARE(*r.number(n), 0.0);       // underflow
    // Numbers as strings (the first drafts), but only whole ones.
    JsonRecord strings;
    const int root = strings.add(-1, {}, JsonRecord::Type::Object);
    strings.addString(root, "a", "25000");
    strings.addString(root, "b", "25 ms");
    QCOMPARE(*strings.number(root, "a"), 25000.0);
    QVERIFY(!strings.number(root, "b"));
}

void TestQlogReader::adaptiveBuckets()
{
    AdaptiveBuckets gauge(8);
    for (int ms = 0; ms < 100; ++ms)
        gauge.addSample(ms, ms * 10);
    // 100 ms in 8 buckets: 16 ms wide, the latest sample of each kept.
    QCOMPARE(gauge.widthMs(), 16.0);
    const QList<QPointF> kept = gauge.samples();
    QCOMPARE(kept.size(), 7);
    QCOMPARE(kept.first(), QPointF(0.015, 150));
    QCOMPARE(kept.last(), QPointF(0.099, 990));
    // Out of order: an earlier sample does not replace a later one.
    gauge.addSample(20, -1);
    QCOMPARE(gauge.samples().at(1).y(), 310.0);
    // Times that cannot be placed are ignored.
    gauge.addSample(-1, 5);
    gauge.addSample(std::nan(""), 5);
    gauge.addSample(1, std::numeric_limits<double>::infinity());
    QCOMPARE(gauge.samples().size(), 7);

    AdaptiveBuckets counter(8);
    for (int ms = 0; ms < 1000; ++ms)
        counter.addCount(ms, 2);
    QCOMPARE(counter.total(), 2000.0);
    const QList<QPointF> rates = counter.rates(250, 1000);
    QCOMPARE(rates.size(), 4);
    double sum = 0;
    for (const QPointF &p : rates)
        sum += p.y() * 0.25;
    QCOMPARE(sum, 2000.0);
    QCOMPARE(rates.first().y(), 2000.0);   // 2 per ms is 2000 per second
    // However far a time lies, the buckets stay as many.
    counter.addCount(1e9, 1);
    QCOMPARE(counter.capacity(), 8);
    QVERIFY(counter.rates(1, 1e9).size() <= 8);
}

void TestQlogReader::ngtcp2Sample()
{
    const QlogParseResult r = parseSample(QStringLiteral("ngtcp2-client.sqlog"));
    QVERIFY2(r.ok(), qPrintable(r.error));
    const QlogTrace &t = r.trace;
    QCOMPARE(t.fileFormat, QStringLiteral("JSON-SEQ"));
    QCOMPARE(t.qlogVersion, QStringLiteral("0.3"));
    QCOMPARE(t.producer, QStringLiteral("ngtcp2"));
    QCOMPARE(t.vantagePoint, QStringLiteral("client"));
    QCOMPARE(t.groupId, QStringLiteral("a1b2c3d4e5f60718"));
    QVERIFY(!t.startedAt.isValid());   // ngtcp2 writes reference_time 0
    QCOMPARE(t.events, qint64(14));
    QCOMPARE(t.eventsUsed, qint64(13));  // all but parameters_set
    QCOMPARE(t.packetsSentTotal, qint64(5));
    QCOMPARE(t.packetsReceivedTotal, qint64(3));
    QCOMPARE(t.packetsLostTotal, qint64(1));
    QCOMPARE(t.streamBytesSentTotal, qint64(1 + 1 + 1200 + 1200 + 1200));
    QCOMPARE(t.streamBytesReceivedTotal, qint64(4));
    QCOMPARE(t.durationSeconds, 0.171);
    QCOMPARE(t.maxCongestionWindow, 16000.0);
    QCOMPARE(t.lowestMinRtt, 50.0);
    QCOMPARE(times(t.congestionWindow), QList<double>({0.051, 0.062, 0.112, 0.171}));
    QCOMPARE(values(t.congestionWindow), QList<double>({13500, 13500, 16000, 8000}));
    QCOMPARE(values(t.bytesInFlight), QList<double>({0, 2564, 1252, 0}));
    QCOMPARE(values(t.smoothedRtt), QList<double>({50, 50, 50}));
    QCOMPARE(values(t.latestRtt), QList<double>({50, 51, 51}));
    QCOMPARE(values(t.minRtt), QList<double>({50, 50, 50}));
    // Rates: the counts come back when multiplied by each bin's span
    // (equal bins from 0, each point in its bin's middle, the last one cut
    // at the trace's end).
    double packets = 0;
    double bytes = 0;
    const double bin = 2 * t.packetsSent.first().x();
    for (int i = 0; i < t.packetsSent.size(); ++i) {
        const double span = i + 1 < t.packetsSent.size() ? bin : 2 * (t.durationSeconds - t.packetsSent.at(i).x());
        packets += t.packetsSent.at(i).y() * span;
        bytes += t.streamBytesSent.at(i).y() * span;
    }
    QVERIFY2(std::abs(packets - 5) < 1e-6, qPrintable(QString::number(packets)));
    QVERIFY2(std::abs(bytes - 3602) < 1e-6, qPrintable(QString::number(bytes)));
    QVERIFY(t.warnings.isEmpty());
}

void TestQlogReader::quicGoSample()
{
    const QlogParseResult r = parseSample(QStringLiteral("quic-go-draft02.sqlog"));
    QVERIFY2(r.ok(), qPrintable(r.error));
    const QlogTrace &t = r.trace;
    QCOMPARE(t.qlogVersion, QStringLiteral("draft-02"));
    QCOMPARE(t.title, QStringLiteral("quic-go qlog"));
    QCOMPARE(t.vantagePoint, QStringLiteral("server"));
    QCOMPARE(t.groupId, QStringLiteral("e6a4d9c2b1"));
    QCOMPARE(t.events, qint64(7));
    QCOMPARE(t.eventsUsed, qint64(6));
    QCOMPARE(t.packetsSentTotal, qint64(2));
    QCOMPARE(t.packetsReceivedTotal, qint64(2));
    QCOMPARE(t.streamBytesSentTotal, qint64(1200));
    QCOMPARE(t.streamBytesReceivedTotal, qint64(1200));
    QCOMPARE(t.lowestMinRtt, 0.321);
    QCOMPARE(values(t.congestionWindow), QList<double>({12000}));   // the second update leaves it out
    QCOMPARE(values(t.bytesInFlight), QList<double>({2466, 1280}));
    // Float milliseconds from reference_time + the first event's time.
    QCOMPARE(t.startedAt, QDateTime::fromMSecsSinceEpoch(1700000000000));
    QVERIFY(std::abs(t.durationSeconds - (3.25 - 0.102) / 1000) < 1e-12);
}

void TestQlogReader::quicheSample()
{
    const QlogParseResult r = parseSample(QStringLiteral("quiche-0.3.sqlog"));
    QVERIFY2(r.ok(), qPrintable(r.error));
    const QlogTrace &t = r.trace;
    QCOMPARE(t.title, QStringLiteral("quiche-client qlog"));
    QCOMPARE(t.events, qint64(7));
    QCOMPARE(t.packetsSentTotal, qint64(3));
    QCOMPARE(t.packetsReceivedTotal, qint64(2));
    QCOMPARE(t.streamBytesSentTotal, qint64(2000));
    QCOMPARE(t.streamBytesReceivedTotal, qint64(16));
    QCOMPARE(values(t.smoothedRtt), QList<double>({20.25, 20.3}));
    QCOMPARE(values(t.latestRtt), QList<double>({20.25, 20.5}));
    QCOMPARE(t.maxCongestionWindow, 15500.0);
    QCOMPARE(t.startedAt, QDateTime::fromMSecsSinceEpoch(1700000100000));
    QCOMPARE(t.durationSeconds, 0.0465);
    QVERIFY(t.warnings.isEmpty());   // ssthresh 2^64-1 is no figure of ours
}

void TestQlogReader::laterDraftSample()
{
    const QlogParseResult r = parseSample(QStringLiteral("quic-events-0.4.sqlog"));
    QVERIFY2(r.ok(), qPrintable(r.error));
    const QlogTrace &t = r.trace;
    QCOMPARE(t.fileFormat, QStringLiteral("JSON-SEQ"));   // from file_schema
    QCOMPARE(t.qlogVersion, QString());
    QCOMPARE(t.producer, QStringLiteral("example"));
    QCOMPARE(t.events, qint64(5));
    QCOMPARE(t.eventsUsed, qint64(5));
    QCOMPARE(t.packetsSentTotal, qint64(2));
    QCOMPARE(t.packetsReceivedTotal, qint64(1));
    QCOMPARE(t.packetsLostTotal, qint64(1));
    QCOMPARE(t.streamBytesSentTotal, qint64(1000));
    QCOMPARE(values(t.minRtt), QList<double>({30.5}));
    QCOMPARE(times(t.minRtt), QList<double>({0.0305}));
    // Times since the epoch: the trace starts at its first event.
    QCOMPARE(t.startedAt, QDateTime::fromMSecsSinceEpoch(1700000200000));
    QCOMPARE(t.durationSeconds, 0.1);
}

void TestQlogReader::jsonDocumentTwoTraces()
{
    const QlogParseResult r = parseSample(QStringLiteral("json-0.3-two-traces.qlog"));
    QVERIFY2(r.ok(), qPrintable(r.error));
    const QlogTrace &t = r.trace;
    QCOMPARE(t.fileFormat, QStringLiteral("JSON"));
    QCOMPARE(t.qlogVersion, QStringLiteral("0.3"));
    QCOMPARE(t.title, QStringLiteral("two connections"));
    QCOMPARE(t.producer, QStringLiteral("mvfst"));
    QCOMPARE(t.vantagePoint, QStringLiteral("client"));
    QCOMPARE(t.groupId, QStringLiteral("c0ffee"));
    QCOMPARE(t.traceCount, 2);
    QCOMPARE(t.events, qint64(5));
    QCOMPARE(t.packetsSentTotal, qint64(2));
    QCOMPARE(t.streamBytesSentTotal, qint64(500));
    QCOMPARE(values(t.congestionWindow), QList<double>({12000, 24000}));
    QCOMPARE(t.durationSeconds, 2.0);
    QCOMPARE(t.startedAt, QDateTime::fromMSecsSinceEpoch(1700000300000));
    QCOMPARE(t.warnings.size(), 1);
    QVERIFY2(t.warnings.first().contains(QStringLiteral("2 traces")), qPrintable(t.warnings.first()));
    QVERIFY2(t.warnings.first().contains(QStringLiteral("2 events of the others")), qPrintable(t.warnings.first()));
}

void TestQlogReader::firstDraftArrays()
{
    const QlogParseResult r = parseSample(QStringLiteral("draft-01-arrays.qlog"));
    QVERIFY2(r.ok(), qPrintable(r.error));
    const QlogTrace &t = r.trace;
    QCOMPARE(t.qlogVersion, QStringLiteral("draft-01"));
    QCOMPARE(t.events, qint64(5));
    QCOMPARE(t.eventsUsed, qint64(5));
    QCOMPARE(t.packetsSentTotal, qint64(2));
    QCOMPARE(t.packetsReceivedTotal, qint64(1));
    QCOMPARE(t.packetsLostTotal, qint64(1));
    QCOMPARE(t.streamBytesSentTotal, qint64(1000));
    // Microseconds, in strings: 25000 us is 25 ms, at 25 ms.
    QCOMPARE(values(t.smoothedRtt), QList<double>({25}));
    QCOMPARE(times(t.smoothedRtt), QList<double>({0.025}));
    QCOMPARE(values(t.congestionWindow), QList<double>({14520}));
    QCOMPARE(t.durationSeconds, 0.09);
    QCOMPARE(t.startedAt, QDateTime::fromMSecsSinceEpoch(1580000000000));
}

void TestQlogReader::truncatedFiles_data()
{
    QTest::addColumn<QString>("name");
    QTest::addColumn<int>("cutFromEnd");
    for (const char *name : {"ngtcp2-client.sqlog", "json-0.3-two-traces.qlog", "draft-01-arrays.qlog"})
        for (int cut : {1, 7, 40, 200})
            QTest::addRow("%s -%d", name, cut) << QString::fromLatin1(name) << cut;
}

void TestQlogReader::truncatedFiles()
{
    // A writer killed mid-record: what came before is read, the cut is
    // said, nothing crashes.
    QFETCH(QString, name);
    QFETCH(int, cutFromEnd);
    const QByteArray whole = sample(name);
    const QlogParseResult full = parseQlog(whole);
    const QlogParseResult cut = parseQlog(QByteArrayView(whole).first(whole.size() - cutFromEnd));
    if (!cut.ok()) {
        QVERIFY(!cut.error.isEmpty());
        return;
    }
    QVERIFY(cut.trace.events <= full.trace.events);
    QVERIFY(cut.trace.packetsSentTotal <= full.trace.packetsSentTotal);
    // The trailing newline is whitespace: cutting one byte of it cuts nothing.
    if (cutFromEnd > 1 || !whole.endsWith('\n'))
        QVERIFY2(!cut.trace.warnings.isEmpty(), qPrintable(name));

    const QlogParseResult committed = parseSample(QStringLiteral("truncated.sqlog"));
    QVERIFY2(committed.ok(), qPrintable(committed.error));
    QCOMPARE(committed.trace.events, qint64(10));
    QCOMPARE(committed.trace.packetsSentTotal, qint64(4));
    QCOMPARE(committed.trace.packetsLostTotal, qint64(0));
    QCOMPARE(committed.trace.warnings.size(), 1);
    QVERIFY2(committed.trace.warnings.first().contains(QStringLiteral("cut short")),
             qPrintable(committed.trace.warnings.first()));
}

void TestQlogReader::hostileValues()
{
    const QlogParseResult r = parseSample(QStringLiteral("hostile-values.sqlog"));
    QVERIFY2(r.ok(), qPrintable(r.error));
    const QlogTrace &t = r.trace;
    // Worked out record by record in tests/gui/qlog/hostile-values.sqlog.
    QCOMPARE(t.events, qint64(15));
    QCOMPARE(t.eventsUsed, qint64(7));
    QCOMPARE(t.packetsSentTotal, qint64(3));
    QCOMPARE(t.packetsReceivedTotal, qint64(2));
    QCOMPARE(t.streamBytesSentTotal, qint64(101));
    QCOMPARE(t.streamBytesReceivedTotal, qint64(200));
    QCOMPARE(values(t.congestionWindow), QList<double>({12000, 14000}));
    QCOMPARE(values(t.bytesInFlight), QList<double>({100, 0}));
    QCOMPARE(t.durationSeconds, 0.012);
    const QString all = t.warnings.join(QLatin1Char('\n'));
    QVERIFY2(all.contains(QStringLiteral("3 records could not be read")), qPrintable(all));
    QVERIFY2(all.contains(QStringLiteral("9 figures were not numbers in range")), qPrintable(all));
    QVERIFY2(all.contains(QStringLiteral("(the first: congestion_window = \"big\")")), qPrintable(all));
    QVERIFY2(all.contains(QStringLiteral("2 events had no time")), qPrintable(all));
    QVERIFY2(all.contains(QStringLiteral("1 events had times more than 100 days")), qPrintable(all));
    QVERIFY2(all.contains(QStringLiteral("1 events had times before the first")), qPrintable(all));
    // [1,2,3], "just a string", and the word after one record's end.
    QVERIFY2(all.contains(QStringLiteral("3 records were not JSON objects")), qPrintable(all));
}

void TestQlogReader::deepNesting()
{
    const QlogParseResult r = parseSample(QStringLiteral("deep-nesting.sqlog"));
    QVERIFY2(r.ok(), qPrintable(r.error));
    QCOMPARE(r.trace.events, qint64(3));
    QCOMPARE(r.trace.packetsSentTotal, qint64(2));
    QCOMPARE(r.trace.packetsReceivedTotal, qint64(1));
    const QString all = r.trace.warnings.join(QLatin1Char('\n'));
    QVERIFY2(all.contains(QStringLiteral("nested deeper than 256 levels")), qPrintable(all));
    QVERIFY2(all.contains(QStringLiteral("too large to read")), qPrintable(all));

    // A million levels cost no more than 256: the stack stops there.
    QByteArray deep = sample(QStringLiteral("deep-nesting.sqlog"));
    deep += "\x1e{\"time\":9,\"name\":\"transport:packet_sent\",\"data\":" + QByteArray(1'000'000, '[') + "\n";
    deep += "\x1e{\"time\":10,\"name\":\"transport:packet_sent\",\"data\":{}}\n";
    const QlogParseResult d = parseQlog(deep);
    QVERIFY2(d.ok(), qPrintable(d.error));
    QCOMPARE(d.trace.packetsSentTotal, qint64(3));   // the one after the deep record is read
}

void TestQlogReader::separatorStorm()
{
    const QlogParseResult r = parseSample(QStringLiteral("rs-storm.sqlog"));
    QVERIFY2(r.ok(), qPrintable(r.error));
    QCOMPARE(r.trace.producer, QStringLiteral("storm"));
    QCOMPARE(r.trace.events, qint64(2));
    QCOMPARE(r.trace.streamBytesSentTotal, qint64(10));
    QVERIFY2(r.trace.warnings.isEmpty(), qPrintable(r.trace.warnings.join(QLatin1Char('\n'))));
    // Ten megabytes of nothing but separators: no records, a sentence.
    const QlogParseResult storm = parseQlog(QByteArray(10 << 20, '\x1e'));
    QVERIFY(!storm.ok());
    QVERIFY2(storm.error.startsWith(QStringLiteral("This is not a qlog file")), qPrintable(storm.error));
}

void TestQlogReader::notQlog()
{
    QCOMPARE(parseQlog(QByteArray()).error, QStringLiteral("The file is empty."));
    const QlogParseResult json = parseSample(QStringLiteral("not-qlog.json"));
    QCOMPARE(json.error, QStringLiteral("This is not a qlog file: it has no qlog header (qlog_version, qlog_format "
                                        "or traces) and no QUIC events."));
    QByteArray png("\x89PNG\r\n\x1a\n", 8);
    png += QByteArray(1000, '\0');
    const QlogParseResult binary = parseQlog(png);
    QCOMPARE(binary.error, QStringLiteral("This is not a qlog file: it is not JSON (byte 0: 0x89 where a value was due)."));
    // A header and nothing after it.
    const QByteArray header = sample(QStringLiteral("ngtcp2-client.sqlog")).split('\n').first();
    const QlogParseResult empty = parseQlog(header);
    QVERIFY2(empty.error.startsWith(QStringLiteral("The qlog file has a header but no events")), qPrintable(empty.error));
    // Events, but none the viewer draws.
    const QlogParseResult other = parseQlog(header + "\n\x1e{\"time\":1,\"name\":\"http:frame_created\",\"data\":{}}\n");
    QVERIFY2(other.error.startsWith(QStringLiteral("None of the file's 1 events")), qPrintable(other.error));
}

void TestQlogReader::byteAtATimeReadsTheSame_data()
{
    QTest::addColumn<QString>("name");
    for (const QString &name : QDir(QStringLiteral(QUICPOOL_QLOG_SAMPLES)).entryList(QDir::Files))
        QTest::newRow(qPrintable(name)) << name;
}

void TestQlogReader::byteAtATimeReadsTheSame()
{
    // Chunks end anywhere: inside a string, an escape, a number, a literal.
    QFETCH(QString, name);
    const QByteArray bytes = sample(name);
    const QlogParseResult whole = parseQlog(bytes);
    QlogParser parser;
    for (qsizetype i = 0; i < bytes.size(); ++i)
        parser.feed(QByteArrayView(bytes.constData() + i, 1));
    QCOMPARE(parser.bytesRead(), qint64(bytes.size()));
    const QlogParseResult pieces = parser.finish();
    QVERIFY2(sameTrace(whole, pieces), qPrintable(name));
}

void TestQlogReader::mutatedFilesNeverCrash()
{
    // Bytes flipped, dropped and repeated at random in every sample: each
    // read ends in a trace or a sentence (ASan watches the rest).
    QRandomGenerator rng(20);
    const QStringList names = QDir(QStringLiteral(QUICPOOL_QLOG_SAMPLES)).entryList(QDir::Files);
    int sentences = 0;
    for (const QString &name : names) {
        const QByteArray original = sample(name);
        for (int round = 0; round < 150; ++round) {
            QByteArray b = original;
            const int edits = 1 + int(rng.bounded(8));
            for (int e = 0; e < edits && !b.isEmpty(); ++e) {
                const qsizetype at = qsizetype(rng.bounded(quint32(b.size())));
                switch (rng.bounded(4)) {
                case 0: b[at] = char(rng.bounded(256)); break;
                case 1: b.remove(at, 1 + qsizetype(rng.bounded(20))); break;
                case 2: b.insert(at, b.mid(at, 1 + qsizetype(rng.bounded(40)))); break;
                default: b.insert(at, "\x1e{[\"\\u"[rng.bounded(6)]); break;
                }
            }
            const QlogParseResult r = parseQlog(b);
            QVERIFY(r.ok() || !r.error.isEmpty());
            if (!r.ok())
                ++sentences;
        }
    }
    QVERIFY(sentences > 0);
}

void TestQlogReader::hugeInputsStayBounded()
{
    // 120,000 events over six minutes, fed in pieces as a file would be:
    // the series keep at most their buckets, the totals stay exact.
    QlogLimits limits;
    QlogParser parser(limits);
    parser.feed(sample(QStringLiteral("ngtcp2-client.sqlog")).split('\n').first() + '\n');
    constexpr int kEvents = 120'000;
    QByteArray chunk;
    double largest = 0;
    for (int i = 0; i < kEvents; ++i) {
        const double t = i * 3.0;   // ms: 600 s in all
        const int cwnd = 10000 + (i * 7919) % 50000;
        if (i % 2 == 0) {
            largest = std::max(largest, double(cwnd));
            chunk += QByteArrayLiteral("\x1e{\"time\":") + QByteArray::number(t)
                + QByteArrayLiteral(",\"name\":\"recovery:metrics_updated\",\"data\":{\"congestion_window\":")
                + QByteArray::number(cwnd) + QByteArrayLiteral(",\"smoothed_rtt\":25}}\n");
        } else {
            chunk += QByteArrayLiteral("\x1e{\"time\":") + QByteArray::number(t)
                + QByteArrayLiteral(",\"name\":\"transport:packet_sent\",\"data\":{\"frames\":[{\"frame_type\":"
                                    "\"stream\",\"length\":1000}]}}\n");
        }
        if (chunk.size() > 64 * 1024) {
            parser.feed(chunk);
            chunk.clear();
        }
    }
    parser.feed(chunk);
    const QlogParseResult r = parser.finish();
    QVERIFY2(r.ok(), qPrintable(r.error));
    const QlogTrace &t = r.trace;
    QCOMPARE(t.events, qint64(kEvents));
    QCOMPARE(t.packetsSentTotal, qint64(kEvents / 2));
    QCOMPARE(t.streamBytesSentTotal, qint64(kEvents / 2) * 1000);
    QCOMPARE(t.maxCongestionWindow, largest);
    QVERIFY2(t.congestionWindow.size() <= limits.bucketsPerSeries, qPrintable(QString::number(t.congestionWindow.size())));
    QVERIFY(t.congestionWindow.size() > limits.bucketsPerSeries / 4);
    QVERIFY(t.packetsSent.size() <= limits.rateBins + 1);
    QCOMPARE(t.durationSeconds, (kEvents - 1) * 3.0 / 1000.0);
    // Rates: about 1000 stream bytes per 6 ms, 166,667 bytes/s.
    const QPointF middle = t.streamBytesSent.at(t.streamBytesSent.size() / 2);
    QVERIFY2(std::abs(middle.y() - 1000.0 / 0.006) < 2000, qPrintable(QString::number(middle.y())));

    // One record far past the limits (a 100,000-element frame list, a
    // 5 MB string): dropped, the next one read.
    QByteArray big = sample(QStringLiteral("ngtcp2-client.sqlog"));
    big += "\x1e{\"time\":500,\"name\":\"transport:packet_sent\",\"data\":{\"frames\":[";
    for (int i = 0; i < 100'000; ++i)
        big += "{},";
    big += "{}]}}\n\x1e{\"time\":501,\"name\":\"transport:packet_sent\",\"data\":{\"note\":\"" + QByteArray(5 << 20, 'x')
        + "\"}}\n";
    const QlogParseResult b = parseQlog(big);
    QVERIFY2(b.ok(), qPrintable(b.error));
    QCOMPARE(b.trace.packetsSentTotal, qint64(5 + 2));   // the event is counted, its frames are not
    QVERIFY2(b.trace.warnings.join(QLatin1Char(' ')).contains(QStringLiteral("too large")),
             qPrintable(b.trace.warnings.join(QLatin1Char(' '))));
}

void TestQlogReader::readFileReportsProgressAndCancels()
{
    QTemporaryDir dir;
    QVERIFY(dir.isValid());
    const QString path = dir.filePath(QStringLiteral("big.sqlog"));
    {
        QFile f(path);
        QVERIFY(f.open(QIODevice::WriteOnly));
        f.write(sample(QStringLiteral("ngtcp2-client.sqlog")));
        // 3 MiB of padding records: three chunks.
        const QByteArray filler = "\x1e{\"time\":200,\"name\":\"transport:datagrams_received\",\"data\":{\"count\":1}}\n";
        for (int i = 0; i < (3 << 20) / filler.size(); ++i)
            f.write(filler);
    }
    QList<qint64> seen;
    const QlogParseResult r = readQlogFile(path, [&seen](qint64 done, qint64 total) {
        seen.append(done);
        return done <= total;
    });
    QVERIFY2(r.ok(), qPrintable(r.error));
    QVERIFY(seen.size() >= 3);
    QCOMPARE(seen.last(), QFileInfo(path).size());
    const QlogParseResult cancelled = readQlogFile(path, [](qint64, qint64) { return false; });
    QCOMPARE(cancelled.error, QStringLiteral("Reading big.sqlog was cancelled."));
    const QlogParseResult missing = readQlogFile(dir.filePath(QStringLiteral("none.sqlog")));
    QVERIFY2(missing.error.startsWith(QStringLiteral("Cannot read none.sqlog: ")), qPrintable(missing.error));
}

void TestQlogReader::seriesCsv()
{
    const QlogParseResult r = parseSample(QStringLiteral("ngtcp2-client.sqlog"));
    const QList<QByteArray> lines = qlogSeriesCsv(r.trace).trimmed().split('\n');
    QCOMPARE(lines.first(), QByteArray("series,unit,time_s,value"));
    QVERIFY(lines.contains(QByteArray("congestion_window,bytes,0.112000,16000")));
    QVERIFY(lines.contains(QByteArray("latest_rtt,ms,0.112000,51")));
    qsizetype expected = 1;
    for (const QList<QPointF> *s : {&r.trace.congestionWindow, &r.trace.bytesInFlight, &r.trace.smoothedRtt,
                                    &r.trace.latestRtt, &r.trace.minRtt, &r.trace.packetsSent, &r.trace.packetsReceived,
                                    &r.trace.packetsLost, &r.trace.streamBytesSent, &r.trace.streamBytesReceived})
        expected += s->size();
    QCOMPARE(lines.size(), expected);
}

void TestQlogReader::fileWrittenByQuicPool()
{
    // A real connection with ngtcp2's qlog on (the pools' qlog folder),
    // through a relay that drops 3 % each way: 2 MB in sink mode.
    QTemporaryDir dir;
    QVERIFY(dir.isValid());
    const QString clientDir = dir.filePath(QStringLiteral("client"));
    QVERIFY(QDir().mkpath(clientDir));
    ServerPoolConfig sc;
    sc.setListenAddress(QStringLiteral("127.0.0.1:0"));
    sc.setMaxCapacity(8);
    auto server = std::make_unique<ServerPool>(sc);
    QVERIFY(server->start());
    workload::StreamServer serving(server.get(), workload::Mode::Sink);
    serving.start();
    relay::RelayConfig rc = testing::relayTo(server->serverPort(), 7);
    rc.delay = 5ms;
    rc.setLoss(0.03);
    relay::Relay link(rc);
    QVERIFY2(link.start(), qPrintable(link.errorString()));
    ClientPoolConfig cc;
    cc.setAddress(QStringLiteral("127.0.0.1:%1").arg(link.listenPort()));
    cc.setTlsMode(TlsMode::SelfSigned);
    cc.setMinCapacity(1);
    cc.setMaxCapacity(1);
    cc.setQlogDirectory(clientDir);
    auto client = std::make_unique<ClientPool>(cc);
    QVERIFY(client->start());
    QTRY_VERIFY_WITH_TIMEOUT(!client->readyIds().isEmpty(), 30000);
    Stream *stream = client->tryOutgoingGet(client->readyIds().constFirst());
    QVERIFY(stream);
    constexpr qint64 kBytes = 2'000'000;
    bool ok = false;
    bool done = false;
    auto *runner = new workload::StreamRunner(stream, workload::Mode::Sink, kBytes, [&](const workload::RunResult &r) {
        ok = r.ok;
        done = true;
    });
    runner->start();
    QTRY_VERIFY_WITH_TIMEOUT(done, 60000);
    QVERIFY(ok);
    // Closing the pool ends the connection, and ngtcp2 the file.
    client.reset();
    const QStringList files = QDir(clientDir).entryList({QStringLiteral("*.sqlog")}, QDir::Files);
    QCOMPARE(files.size(), 1);
    const QString path = QDir(clientDir).filePath(files.first());
    QlogParseResult r;
    // ngtcp2 writes through a buffered FILE: wait for the file to be whole.
    QTRY_VERIFY_WITH_TIMEOUT((r = readQlogFile(path)).ok() && r.trace.warnings.isEmpty()
                                 && r.trace.streamBytesSentTotal >= kBytes,
                             10000);
    const QlogTrace &t = r.trace;
    QCOMPARE(t.fileFormat, QStringLiteral("JSON-SEQ"));
    QCOMPARE(t.producer, QStringLiteral("ngtcp2"));
    QCOMPARE(t.vantagePoint, QStringLiteral("client"));
    QVERIFY2(t.warnings.isEmpty(), qPrintable(t.warnings.join(QLatin1Char('\n'))));
    // Every payload byte went out in a STREAM frame at least once (losses
    // are sent again), plus the pool's hello.
    QVERIFY2(t.streamBytesSentTotal >= kBytes + 1, qPrintable(QString::number(t.streamBytesSentTotal)));
    QVERIFY(t.streamBytesSentTotal < kBytes * 2);
    QVERIFY(t.packetsSentTotal > kBytes / 9000);   // PMTUD on loopback goes up to 8952-byte datagrams
    QVERIFY(t.packetsReceivedTotal > 0);
    QVERIFY2(t.packetsLostTotal > 0, "3 % loss each way and no packet declared lost");
    QVERIFY(!t.congestionWindow.isEmpty());
    QVERIFY(!t.bytesInFlight.isEmpty());
    QVERIFY(!t.smoothedRtt.isEmpty());
    QVERIFY(t.maxCongestionWindow > 0);
    QVERIFY(t.durationSeconds > 0);
    // The relay's round trip is 10 ms: no RTT below it.
    QVERIFY2(t.lowestMinRtt >= 10, qPrintable(QString::number(t.lowestMinRtt)));
    server.reset();
}

QTEST_GUILESS_MAIN(TestQlogReader)
#include "tst_qlogreader.moc"
