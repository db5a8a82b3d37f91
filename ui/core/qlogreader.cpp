#include "qlogreader.h"

#include "adaptivebuckets.h"
#include "jsonstream.h"

#include <QtCore/QFile>
#include <QtCore/QFileInfo>

#include <cmath>
#include <optional>

namespace quicpool::diag {

namespace {

// Times past this many ms after the first event are not a connection's.
constexpr double kLatestPlausibleMs = 1e10;   // about 115 days
// No congestion window or flight is this big; a larger value is garbage.
constexpr double kLargestBytes = 1e15;
constexpr double kLongestRttMs = 1e9;
constexpr qint64 kLargestFrameLength = qint64(1) << 62;
constexpr int kMaxEventFields = 16;

bool is(QByteArrayView text, const char *literal)
{
    return text == QByteArrayView(literal);
}

QString latin(QByteArrayView text, qsizetype max = 200)
{
    return QString::fromUtf8(text.first(std::min(text.size(), max)));
}

/// 1, 2 or 5 times a power of ten, at least x (and at least 1).
double niceMs(double x)
{
    double p = 1;
    while (p * 10 <= x)
        p *= 10;
    for (double m : {1.0, 2.0, 5.0, 10.0}) {
        if (m * p >= x)
            return m * p;
    }
    return 10 * p;
}

struct Counter
{
    qint64 count = 0;
    QString first;
    void note(const QString &what)
    {
        if (count++ == 0)
            first = what;
    }
};

} // namespace

bool QlogTrace::hasFigures() const
{
    for (const QList<QPointF> *s : {&congestionWindow, &bytesInFlight, &smoothedRtt, &latestRtt, &minRtt,
                                    &packetsSent, &packetsReceived, &packetsLost, &streamBytesSent,
                                    &streamBytesReceived}) {
        if (!s->isEmpty())
            return true;
    }
    return false;
}

class QlogParser::Private : public JsonStream::Handler
{
public:
    explicit Private(const QlogLimits &l)
        : limits(l),
          stream(this, streamLimits(l)),
          cwnd(l.bucketsPerSeries),
          flight(l.bucketsPerSeries),
          srtt(l.bucketsPerSeries),
          latest(l.bucketsPerSeries),
          minimum(l.bucketsPerSeries),
          sent(l.bucketsPerSeries),
          received(l.bucketsPerSeries),
          lost(l.bucketsPerSeries),
          streamSent(l.bucketsPerSeries),
          streamReceived(l.bucketsPerSeries)
    {
        JsonRecord::Limits rl;
        rl.maxNodes = l.maxRecordNodes;
        rl.maxText = l.maxRecordText;
        root.setLimits(rl);
    }

    static JsonStream::Limits streamLimits(const QlogLimits &l)
    {
        JsonStream::Limits s;
        s.maxDepth = l.maxDepth;
        s.record.maxNodes = l.maxRecordNodes;
        s.record.maxText = l.maxRecordText;
        return s;
    }

    // JsonStream::Handler: where the parts of a qlog file sit.
    //   depth 0   an object: a JSON-SEQ record (header or event), or the
    //             JSON document; its members are built one by one into
    //             `root`, except "traces", which is streamed
    //   depth 1   traces: [ trace objects, streamed ]
    //   depth 2   a trace: members built one by one, except "events"
    //   depth 3   events: [ each event built on its own ]
    enum class Frame { Root, Traces, Trace, Events };
    enum class Purpose { None, RootMember, TraceMember, Event };

    JsonStream::Action valueStarting(int depth, QByteArrayView key, char kind) override
    {
        if (depth == 0) {
            frames.clear();
            if (kind != '{') {
                notObjects.note(QString());
                return JsonStream::Action::Skip;
            }
            frames.push_back(Frame::Root);
            root.clear();
            root.add(-1, {}, JsonRecord::Type::Object);
            rootHasTraces = false;
            return JsonStream::Action::Descend;
        }
        if (depth != int(frames.size()))
            return JsonStream::Action::Skip;   // cannot happen: every open container is a frame
        pendingKey.truncate(0);
        pendingKey.append(key.data(), key.size());
        switch (frames.back()) {
        case Frame::Root:
            if (is(key, "traces") && kind == '[') {
                rootHasTraces = true;
                sawDocument = true;
                frames.push_back(Frame::Traces);
                return JsonStream::Action::Descend;
            }
            pending = Purpose::RootMember;
            return JsonStream::Action::Build;
        case Frame::Traces:
            ++traceCount;
            if (kind != '{')
                return JsonStream::Action::Skip;
            frames.push_back(Frame::Trace);
            return JsonStream::Action::Descend;
        case Frame::Trace:
            if (is(key, "events") && kind == '[') {
                frames.push_back(Frame::Events);
                return JsonStream::Action::Descend;
            }
            pending = Purpose::TraceMember;
            return JsonStream::Action::Build;
        case Frame::Events:
            pending = Purpose::Event;
            return JsonStream::Action::Build;
        }
        return JsonStream::Action::Skip;
    }

    void valueBuilt(const JsonRecord &record) override
    {
        const Purpose purpose = std::exchange(pending, Purpose::None);
        switch (purpose) {
        case Purpose::RootMember:
            if (!root.graft(root.root(), pendingKey, record))
                dropped.note(QStringLiteral("the member \"%1\" of a top-level record").arg(latin(pendingKey, 40)));
            break;
        case Purpose::TraceMember:
            if (traceCount == 1)
                traceField(pendingKey, record, record.root());
            break;
        case Purpose::Event:
            if (traceCount == 1)
                event(record, record.root());
            else
                ++otherTraceEvents;
            break;
        case Purpose::None:
            break;
        }
    }

    void valueDropped(const QString &why) override
    {
        pending = Purpose::None;
        dropped.note(why);
    }

    void containerEnded(int depth) override
    {
        if (!frames.empty())
            frames.pop_back();
        if (depth == 0)
            rootRecord();
    }

    void recordAborted(qint64 offset, const QString &why) override
    {
        if (!frames.empty() && frames.front() == Frame::Root && rootHasTraces)
            documentBroken = true;
        frames.clear();
        pending = Purpose::None;
        badRecords.note(QStringLiteral("byte %1: %2").arg(offset).arg(why));
    }

    // --------------------------------------------------------- the schema

    void rootRecord()
    {
        const int n = root.root();
        if (rootHasTraces) {
            // The JSON document: its own fields (the events went by already).
            fileFormat = QStringLiteral("JSON");
            header(root, n);
            return;
        }
        for (const char *k : {"qlog_version", "qlog_format", "file_schema", "serialization_format", "trace"}) {
            if (root.member(n, k) >= 0) {
                if (!sawHeader) {
                    sawHeader = true;
                    header(root, n);
                    const int trace = root.member(n, "trace");
                    for (int c = root.firstChild(trace); c >= 0; c = root.nextSibling(c))
                        traceField(root.key(c), root, c);
                    if (trace >= 0)
                        traceCount = qMax(traceCount, 1);
                }
                return;
            }
        }
        event(root, n);
    }

    void header(const JsonRecord &r, int n)
    {
        if (const QByteArrayView v = r.string(n, "qlog_version"); !v.isEmpty())
            qlogVersion = latin(v, 40);
        if (const QByteArrayView f = r.string(n, "qlog_format"); !f.isEmpty() && fileFormat.isEmpty())
            fileFormat = latin(f, 40);
        if (r.string(n, "file_schema").contains("sequential") && fileFormat.isEmpty())
            fileFormat = QStringLiteral("JSON-SEQ");
        if (const QByteArrayView t = r.string(n, "title"); !t.isEmpty() && title.isEmpty())
            title = latin(t);
    }

    void traceField(QByteArrayView key, const JsonRecord &r, int n)
    {
        if (is(key, "vantage_point")) {
            producer = latin(r.string(n, "name"), 80);
            vantagePoint = latin(r.string(n, "type"), 40);
        } else if (is(key, "title")) {
            if (title.isEmpty())
                title = latin(r.string(n));
        } else if (is(key, "common_fields")) {
            for (const char *k : {"group_id", "ODCID", "odcid"}) {
                if (const QByteArrayView g = r.string(n, k); !g.isEmpty() && groupId.isEmpty())
                    groupId = latin(g, 80);
            }
            // 0.3: relative (to reference_time), absolute, delta; the later
            // drafts: relative_to_epoch (times since 1970, in effect
            // absolute) and relative_to_previous_event (delta).
            const QByteArrayView format = r.string(n, "time_format");
            if (is(format, "absolute") || is(format, "relative_to_epoch"))
                timeFormat = TimeFormat::Absolute;
            else if (is(format, "delta") || is(format, "relative_to_previous_event"))
                timeFormat = TimeFormat::Delta;
            if (const auto ref = r.number(n, "reference_time"); ref && *ref > 0)
                referenceMs = *ref;
        } else if (is(key, "configuration")) {
            if (is(r.string(n, "time_units"), "us"))
                timeScale = 0.001;
            if (const auto offset = r.number(n, "time_offset"))
                timeOffsetMs = *offset;
        } else if (is(key, "event_fields")) {
            eventFields.clear();
            for (int c = r.firstChild(n); c >= 0 && eventFields.size() < kMaxEventFields; c = r.nextSibling(c))
                eventFields.append(QByteArray(r.string(c).data(), r.string(c).size()).toLower());
        }
    }

    void event(const JsonRecord &r, int n)
    {
        ++events;
        std::optional<double> time;
        QByteArrayView name;
        QByteArrayView category;
        QByteArrayView type;
        int data = -1;
        if (r.isArray(n)) {
            // The oldest drafts: [time, category, event, data], in the
            // order "event_fields" gives.
            static const QList<QByteArray> classic{"relative_time", "category", "event", "data"};
            const QList<QByteArray> &fields = eventFields.isEmpty() ? classic : eventFields;
            int i = 0;
            for (int c = r.firstChild(n); c >= 0 && i < fields.size(); c = r.nextSibling(c), ++i) {
                const QByteArray &f = fields.at(i);
                if (f == "relative_time" || f == "time" || f == "delta_time")
                    time = r.number(c);
                else if (f == "category")
                    category = r.string(c);
                else if (f == "event" || f == "event_type" || f == "type")
                    type = r.string(c);
                else if (f == "name")
                    name = r.string(c);
                else if (f == "data")
                    data = c;
            }
        } else if (r.isObject(n)) {
            time = r.number(n, "time");
            name = r.string(n, "name");
            category = r.string(n, "category");
            type = r.string(n, "event");
            if (type.isEmpty())
                type = r.string(n, "type");
            data = r.member(n, "data");
        } else {
            notObjects.note(QString());
            return;
        }
        if (!name.isEmpty()) {
            const qsizetype colon = name.indexOf(':');
            category = colon >= 0 ? name.first(colon) : QByteArrayView();
            type = colon >= 0 ? name.sliced(colon + 1) : name;
        }
        if (!time) {
            noTime.note(QString());
            return;
        }
        double ms = *time * timeScale + timeOffsetMs;
        if (timeFormat == TimeFormat::Delta) {
            deltaSumMs += ms;
            ms = deltaSumMs;
        }
        if (!haveFirst) {
            haveFirst = true;
            firstMs = ms;
        }
        double at = ms - firstMs;
        if (!std::isfinite(at) || at > kLatestPlausibleMs || at < -kLatestPlausibleMs) {
            implausibleTime.note(QString());
            return;
        }
        if (at < 0) {
            earlyTime.note(QString());
            at = 0;
        }
        lastMs = std::max(lastMs, at);
        const bool known = category.isEmpty() || is(category, "recovery") || is(category, "transport")
            || is(category, "quic");
        if (!known)
            return;
        bool used = false;
        if (is(type, "metrics_updated") || is(type, "recovery_metrics_updated"))
            used = metrics(r, data, at);
        else if (is(type, "packet_sent"))
            used = packet(r, data, at, true);
        else if (is(type, "packet_received"))
            used = packet(r, data, at, false);
        else if (is(type, "packet_lost"))
            used = packetLost(at);
        if (used)
            ++eventsUsed;
    }

    /// A figure that must be a number in [0, most].
    std::optional<double> figure(const JsonRecord &r, int data, const char *key, double most)
    {
        const int m = r.member(data, key);
        if (m < 0)
            return std::nullopt;
        const auto v = r.number(m);
        if (!v || *v < 0 || *v > most) {
            badValues.note(QStringLiteral("%1 = %2").arg(QLatin1String(key))
                               .arg(r.type(m) == JsonRecord::Type::String ? QStringLiteral("\"%1\"").arg(latin(r.string(m), 24))
                                    : v ? QString::number(*v, 'g', 6) : QStringLiteral("a %1").arg(typeName(r.type(m)))));
            return std::nullopt;
        }
        return v;
    }

    static QString typeName(JsonRecord::Type t)
    {
        switch (t) {
        case JsonRecord::Type::Null: return QStringLiteral("null");
        case JsonRecord::Type::Bool: return QStringLiteral("boolean");
        case JsonRecord::Type::Number: return QStringLiteral("number");
        case JsonRecord::Type::String: return QStringLiteral("string");
        case JsonRecord::Type::Array: return QStringLiteral("list");
        case JsonRecord::Type::Object: return QStringLiteral("object");
        }
        return {};
    }

    bool metrics(const JsonRecord &r, int data, double at)
    {
        if (!r.isObject(data))
            return false;
        bool any = false;
        if (const auto v = figure(r, data, "congestion_window", kLargestBytes)) {
            cwnd.addSample(at, *v);
            maxCwnd = std::max(maxCwnd, *v);
            any = true;
        }
        if (const auto v = figure(r, data, "bytes_in_flight", kLargestBytes)) {
            flight.addSample(at, *v);
            any = true;
        }
        const double rttMost = kLongestRttMs / timeScale;
        if (const auto v = figure(r, data, "smoothed_rtt", rttMost)) {
            srtt.addSample(at, *v * timeScale);
            any = true;
        }
        if (const auto v = figure(r, data, "latest_rtt", rttMost)) {
            latest.addSample(at, *v * timeScale);
            any = true;
        }
        if (const auto v = figure(r, data, "min_rtt", rttMost)) {
            minimum.addSample(at, *v * timeScale);
            lowestMinRtt = lowestMinRtt < 0 ? *v * timeScale : std::min(lowestMinRtt, *v * timeScale);
            any = true;
        }
        return any;
    }

    bool packet(const JsonRecord &r, int data, double at, bool isSent)
    {
        (isSent ? sent : received).addCount(at, 1);
        ++(isSent ? packetsSent : packetsReceived);
        const int frameList = r.member(data, "frames");
        for (int f = r.firstChild(frameList); f >= 0; f = r.nextSibling(f)) {
            if (!is(r.string(f, "frame_type"), "stream"))
                continue;
            const auto length = figure(r, f, "length", double(kLargestFrameLength));
            if (!length)
                continue;
            (isSent ? streamSent : streamReceived).addCount(at, *length);
            (isSent ? streamBytesSent : streamBytesReceived) += qint64(*length);
        }
        return true;
    }

    bool packetLost(double at)
    {
        lost.addCount(at, 1);
        ++packetsLost;
        return true;
    }

    // ---------------------------------------------------------- the result

    QlogParseResult result()
    {
        QlogParseResult out;
        if (stream.offset() == 0) {
            out.error = QStringLiteral("The file is empty.");
            return out;
        }
        const bool looksLikeQlog = sawHeader || sawDocument || eventsUsed > 0;
        if (!looksLikeQlog) {
            if (stream.valuesCompleted() == 0 && badRecords.count > 0)
                out.error = QStringLiteral("This is not a qlog file: it is not JSON (%1).").arg(badRecords.first);
            else
                out.error = QStringLiteral("This is not a qlog file: it has no qlog header (qlog_version, "
                                           "qlog_format or traces) and no QUIC events.");
            return out;
        }
        QlogTrace &t = out.trace;
        t.fileFormat = !fileFormat.isEmpty() ? fileFormat
            : stream.sawRecordSeparator() ? QStringLiteral("JSON-SEQ")
                                          : QStringLiteral("JSON");
        t.qlogVersion = qlogVersion;
        t.title = title;
        t.producer = producer;
        t.vantagePoint = vantagePoint;
        t.groupId = groupId;
        t.traceCount = qMax(traceCount, 1);
        if (haveFirst) {
            const double wall = timeFormat == TimeFormat::Absolute ? firstMs
                : referenceMs > 0                                  ? referenceMs + firstMs
                                                                   : -1;
            // Only a plausible clock (1990..2200) makes a wall-clock axis.
            if (wall > 631152000000.0 && wall < 7258118400000.0)
                t.startedAt = QDateTime::fromMSecsSinceEpoch(qint64(wall));
        }
        t.durationSeconds = lastMs / 1000.0;
        t.events = events;
        t.eventsUsed = eventsUsed;
        t.congestionWindow = cwnd.samples();
        t.bytesInFlight = flight.samples();
        t.smoothedRtt = srtt.samples();
        t.latestRtt = latest.samples();
        t.minRtt = minimum.samples();
        // Rates in bins of a round size: about rateBins across the trace.
        const double endMs = std::max(lastMs, 1.0);
        const double binMs = niceMs(endMs / std::max(1, limits.rateBins));
        // A series the file says nothing about stays empty; lost packets
        // are a flat zero where packets were logged and none was lost.
        const bool packets = packetsSent + packetsReceived + packetsLost > 0;
        const bool streams = streamBytesSent + streamBytesReceived > 0;
        if (packets) {
            t.packetsSent = sent.rates(binMs, endMs);
            t.packetsReceived = received.rates(binMs, endMs);
            t.packetsLost = lost.rates(binMs, endMs);
        }
        if (streams) {
            t.streamBytesSent = streamSent.rates(binMs, endMs);
            t.streamBytesReceived = streamReceived.rates(binMs, endMs);
        }
        t.packetsSentTotal = packetsSent;
        t.packetsReceivedTotal = packetsReceived;
        t.packetsLostTotal = packetsLost;
        t.streamBytesSentTotal = streamBytesSent;
        t.streamBytesReceivedTotal = streamBytesReceived;
        t.maxCongestionWindow = maxCwnd;
        t.lowestMinRtt = lowestMinRtt;

        QStringList &w = t.warnings;
        if (badRecords.count > 0) {
            if (documentBroken || (!stream.sawRecordSeparator() && sawDocument))
                w << QStringLiteral("The file stops being a valid qlog document at %1; what came before is shown.")
                         .arg(badRecords.first);
            else if (badRecords.count == 1)
                w << QStringLiteral("One record could not be read and was skipped (%1).").arg(badRecords.first);
            else
                w << QStringLiteral("%1 records could not be read and were skipped (the first at %2).")
                         .arg(badRecords.count).arg(badRecords.first);
        }
        if (dropped.count > 0)
            w << QStringLiteral("%1 events or fields were too large to read and were skipped (%2).")
                     .arg(dropped.count).arg(dropped.first);
        if (traceCount > 1)
            w << QStringLiteral("The file holds %1 traces (connections); the first is shown%2.")
                     .arg(traceCount)
                     .arg(otherTraceEvents > 0 ? QStringLiteral(", %1 events of the others are not").arg(otherTraceEvents)
                                               : QString());
        if (noTime.count > 0)
            w << QStringLiteral("%1 events had no time and were left out.").arg(noTime.count);
        if (implausibleTime.count > 0)
            w << QStringLiteral("%1 events had times more than 100 days from the first event's and were left out.")
                     .arg(implausibleTime.count);
        if (earlyTime.count > 0)
            w << QStringLiteral("%1 events had times before the first event's; they are drawn at 0 s.")
                     .arg(earlyTime.count);
        if (badValues.count > 0)
            w << QStringLiteral("%1 figures were not numbers in range and were left out (the first: %2).")
                     .arg(badValues.count).arg(badValues.first);
        if (notObjects.count > 0)
            w << QStringLiteral("%1 records were not JSON objects and were skipped.").arg(notObjects.count);

        if (events == 0) {
            out.error = badRecords.count > 0
                ? QStringLiteral("The qlog file holds no event that could be read (%1).").arg(badRecords.first)
                : QStringLiteral("The qlog file has a header but no events: the connection logged nothing, "
                                 "or the file was cut after its first record.");
        } else if (!t.hasFigures()) {
            out.error = QStringLiteral("None of the file's %1 events carries a figure the viewer draws "
                                       "(recovery:metrics_updated, packet_sent, packet_received, packet_lost).")
                            .arg(events);
        }
        return out;
    }

    enum class TimeFormat { Relative, Absolute, Delta };

    QlogLimits limits;
    JsonStream stream;
    std::vector<Frame> frames;
    Purpose pending = Purpose::None;
    QByteArray pendingKey;
    JsonRecord root;
    bool rootHasTraces = false;
    bool sawDocument = false;
    bool documentBroken = false;
    bool sawHeader = false;
    int traceCount = 0;
    qint64 otherTraceEvents = 0;

    QString fileFormat;
    QString qlogVersion;
    QString title;
    QString producer;
    QString vantagePoint;
    QString groupId;
    TimeFormat timeFormat = TimeFormat::Relative;
    double timeScale = 1.0;        ///< to ms
    double timeOffsetMs = 0;
    double referenceMs = 0;
    QList<QByteArray> eventFields;
    bool haveFirst = false;
    double firstMs = 0;
    double lastMs = 0;
    double deltaSumMs = 0;

    AdaptiveBuckets cwnd, flight, srtt, latest, minimum;
    AdaptiveBuckets sent, received, lost, streamSent, streamReceived;
    qint64 events = 0;
    qint64 eventsUsed = 0;
    qint64 packetsSent = 0;
    qint64 packetsReceived = 0;
    qint64 packetsLost = 0;
    qint64 streamBytesSent = 0;
    qint64 streamBytesReceived = 0;
    double maxCwnd = 0;
    double lowestMinRtt = -1;

    Counter badRecords, dropped, noTime, implausibleTime, earlyTime, badValues, notObjects;
};

QlogParser::QlogParser(const QlogLimits &limits) : d(std::make_unique<Private>(limits)) {}
QlogParser::~QlogParser() = default;

void QlogParser::feed(QByteArrayView bytes)
{
    d->stream.feed(bytes);
}

qint64 QlogParser::bytesRead() const
{
    return d->stream.offset();
}

QlogParseResult QlogParser::finish()
{
    d->stream.finish();
    return d->result();
}

QlogParseResult parseQlog(QByteArrayView bytes, const QlogLimits &limits)
{
    QlogParser parser(limits);
    parser.feed(bytes);
    return parser.finish();
}

QlogParseResult readQlogFile(const QString &path, const std::function<bool(qint64, qint64)> &progress,
                             const QlogLimits &limits)
{
    QFile file(path);
    if (!file.open(QIODevice::ReadOnly)) {
        QlogParseResult r;
        r.error = QStringLiteral("Cannot read %1: %2.").arg(QFileInfo(path).fileName(), file.errorString());
        return r;
    }
    const qint64 total = file.size();
    QlogParser parser(limits);
    QByteArray chunk(1 << 20, Qt::Uninitialized);
    qint64 done = 0;
    for (;;) {
        const qint64 n = file.read(chunk.data(), chunk.size());
        if (n < 0) {
            QlogParseResult r;
            r.error = QStringLiteral("Reading %1 failed after %2 bytes: %3.")
                          .arg(QFileInfo(path).fileName()).arg(done).arg(file.errorString());
            return r;
        }
        if (n == 0)
            break;
        parser.feed(QByteArrayView(chunk.constData(), n));
        done += n;
        if (progress && !progress(done, total)) {
            QlogParseResult r;
            r.error = QStringLiteral("Reading %1 was cancelled.").arg(QFileInfo(path).fileName());
            return r;
        }
    }
    return parser.finish();
}

QByteArray qlogSeriesCsv(const QlogTrace &t)
{
    struct Named
    {
        const char *name;
        const char *unit;
        const QList<QPointF> *points;
    };
    const Named all[] = {
        {"congestion_window", "bytes", &t.congestionWindow},
        {"bytes_in_flight", "bytes", &t.bytesInFlight},
        {"smoothed_rtt", "ms", &t.smoothedRtt},
        {"latest_rtt", "ms", &t.latestRtt},
        {"min_rtt", "ms", &t.minRtt},
        {"packets_sent", "packets/s", &t.packetsSent},
        {"packets_received", "packets/s", &t.packetsReceived},
        {"packets_lost", "packets/s", &t.packetsLost},
        {"stream_bytes_sent", "bytes/s", &t.streamBytesSent},
        {"stream_bytes_received", "bytes/s", &t.streamBytesReceived},
    };
    QByteArray out = "series,unit,time_s,value\n";
    for (const Named &s : all) {
        for (const QPointF &p : *s.points) {
            out += s.name;
            out += ',';
            out += s.unit;
            out += ',';
            out += QByteArray::number(p.x(), 'f', 6);
            out += ',';
            out += QByteArray::number(p.y(), 'g', 12);
            out += '\n';
        }
    }
    return out;
}

} // namespace quicpool::diag
