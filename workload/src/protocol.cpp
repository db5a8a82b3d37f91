#include <workload/protocol.h>

#include <QtCore/QStringList>
#include <QtCore/QtEndian>
#include <algorithm>
#include <array>
#include <cstring>

namespace quicpool::workload {

namespace {

constexpr uint8_t kPeriod = 251;
// Whole periods only, so that the byte at index k is always k % 251; big
// enough that one at() covers the largest write or read of any user (the
// bench moves 256 KiB at a time).
constexpr qint64 kWindowSize = qint64(kPeriod) * 1046;   // 262546 bytes

const std::array<char, kWindowSize> &window()
{
    static const std::array<char, kWindowSize> bytes = [] {
        std::array<char, kWindowSize> b{};
        fillPattern(b.data(), kWindowSize, 0);
        return b;
    }();
    return bytes;
}

QString mismatchText(const PatternChecker &checker, const char *what)
{
    return QStringLiteral("%1 of %2 bytes %3 (first at offset %4)")
        .arg(checker.mismatches())
        .arg(checker.total())
        .arg(QLatin1String(what))
        .arg(checker.firstMismatch());
}

} // namespace

QString modeName(Mode mode)
{
    switch (mode) {
    case Mode::Echo:
        return QStringLiteral("echo");
    case Mode::Sink:
        return QStringLiteral("sink");
    case Mode::Source:
        return QStringLiteral("source");
    case Mode::Hold:
        return QStringLiteral("hold");
    }
    return QString();
}

bool parseMode(QStringView text, Mode *out, Qt::CaseSensitivity cs)
{
    for (Mode mode : {Mode::Echo, Mode::Sink, Mode::Source, Mode::Hold}) {
        if (text.compare(modeName(mode), cs) == 0) {
            if (out)
                *out = mode;
            return true;
        }
    }
    return false;
}

void fillPattern(char *buffer, qint64 size, uint64_t offset)
{
    uint8_t value = patternByte(offset);
    for (qint64 i = 0; i < size; ++i) {
        buffer[i] = char(value);
        if (++value == kPeriod)
            value = 0;
    }
}

QByteArray patternBytes(uint64_t offset, qint64 size)
{
    QByteArray bytes(size > 0 ? size : 0, Qt::Uninitialized);
    fillPattern(bytes.data(), bytes.size(), offset);
    return bytes;
}

const char *PatternWindow::at(uint64_t offset)
{
    return window().data() + offset % uint64_t(kPeriod);
}

qint64 PatternWindow::chunkSize()
{
    return kWindowSize - (kPeriod - 1);
}

qint64 countMismatches(const char *data, qint64 size, uint64_t offset)
{
    PatternChecker checker(offset);
    checker.feed(data, size);
    return qint64(checker.mismatches());
}

void PatternChecker::feed(const char *data, qint64 size)
{
    // Whole chunks are compared with one memcmp against the window; only a
    // chunk that differs is counted byte by byte (this is the sink server's
    // hottest loop).
    const qint64 chunk = PatternWindow::chunkSize();
    qint64 i = 0;
    while (i < size) {
        const qint64 run = std::min(size - i, chunk);
        const char *expected = PatternWindow::at(m_offset + m_total + uint64_t(i));
        if (std::memcmp(data + i, expected, size_t(run)) != 0) {
            for (qint64 j = 0; j < run; ++j) {
                if (data[i + j] != expected[j]) {
                    if (m_firstMismatch < 0)
                        m_firstMismatch = qint64(m_total) + i + j;
                    ++m_mismatches;
                }
            }
        }
        i += run;
    }
    if (size > 0)
        m_total += uint64_t(size);
}

QByteArray encodeSinkReply(const SinkReply &reply)
{
    QByteArray bytes(kSinkReplySize, Qt::Uninitialized);
    qToBigEndian<quint64>(reply.total, bytes.data());
    qToBigEndian<quint64>(reply.mismatches, bytes.data() + 8);
    return bytes;
}

bool decodeSinkReply(QByteArrayView data, SinkReply *out)
{
    if (data.size() != kSinkReplySize)
        return false;
    if (out) {
        out->total = qFromBigEndian<quint64>(data.data());
        out->mismatches = qFromBigEndian<quint64>(data.data() + 8);
    }
    return true;
}

QByteArray encodeSourceRequest(uint64_t bytes)
{
    QByteArray data(kSourceRequestSize, Qt::Uninitialized);
    qToBigEndian<quint64>(bytes, data.data());
    return data;
}

bool decodeSourceRequest(QByteArrayView data, uint64_t *bytes)
{
    if (data.size() != kSourceRequestSize)
        return false;
    if (bytes)
        *bytes = qFromBigEndian<quint64>(data.data());
    return true;
}

QString echoVerdict(qint64 sent, const PatternChecker &received)
{
    QStringList problems;
    const qint64 total = qint64(received.total());
    if (total < sent)
        problems << QStringLiteral("got back %1 of %2 bytes before the stream ended").arg(total).arg(sent);
    else if (total > sent)
        problems << QStringLiteral("got back %1 bytes, more than the %2 sent").arg(total).arg(sent);
    if (!received.isClean())
        problems << mismatchText(received, "came back changed");
    return problems.join(QStringLiteral("; "));
}

QString sinkVerdict(qint64 sent, QByteArrayView reply)
{
    SinkReply decoded;
    if (!decodeSinkReply(reply, &decoded)) {
        if (reply.isEmpty())
            return QStringLiteral("the server ended the stream without its %1-byte reply").arg(kSinkReplySize);
        return QStringLiteral("the reply was %1 bytes, not %2").arg(reply.size()).arg(kSinkReplySize);
    }
    QStringList problems;
    if (decoded.total != uint64_t(sent)) {
        problems << QStringLiteral("the server counted %1 bytes, not the %2 sent").arg(decoded.total).arg(sent);
    }
    if (decoded.mismatches != 0)
        problems << QStringLiteral("the server saw %1 bytes differ from the pattern").arg(decoded.mismatches);
    return problems.join(QStringLiteral("; "));
}

QString sourceVerdict(qint64 asked, const PatternChecker &received)
{
    QStringList problems;
    const qint64 total = qint64(received.total());
    if (total < asked)
        problems << QStringLiteral("received %1 of %2 bytes before the stream ended").arg(total).arg(asked);
    else if (total > asked)
        problems << QStringLiteral("received %1 bytes, more than the %2 asked for").arg(total).arg(asked);
    if (!received.isClean())
        problems << mismatchText(received, "differ from the pattern");
    return problems.join(QStringLiteral("; "));
}

QString formatDuration(Milliseconds duration)
{
    const qint64 ms = duration.count();
    if (ms != 0 && ms % (60 * 60 * 1000) == 0)
        return QStringLiteral("%1h").arg(ms / (60 * 60 * 1000));
    if (ms != 0 && ms % (60 * 1000) == 0)
        return QStringLiteral("%1m").arg(ms / (60 * 1000));
    if (ms >= 1000 || ms <= -1000) {
        // Seconds with as many decimals as needed (at most 3): "1.5s", "2.25s".
        QString text = QString::number(double(ms) / 1000.0, 'f', 3);
        while (text.endsWith(u'0'))
            text.chop(1);
        if (text.endsWith(u'.'))
            text.chop(1);
        return text + u's';
    }
    return QStringLiteral("%1ms").arg(ms);
}

} // namespace quicpool::workload
