#include "appmode.h"

#include <algorithm>
#include <cstring>

#include "units.h"

#include <QtCore/QJsonDocument>
#include <QtCore/QJsonObject>
#include <QtCore/QtEndian>

namespace quicpool::cli {

namespace {

constexpr uint8_t kPeriod = 251;

} // namespace

QString appModeName(AppMode mode)
{
    switch (mode) {
    case AppMode::Echo:
        return QStringLiteral("echo");
    case AppMode::Sink:
        return QStringLiteral("sink");
    case AppMode::Source:
        return QStringLiteral("source");
    case AppMode::Hold:
        return QStringLiteral("hold");
    }
    return QString();
}

bool parseAppMode(QStringView text, AppMode *out)
{
    for (AppMode mode : {AppMode::Echo, AppMode::Sink, AppMode::Source, AppMode::Hold}) {
        if (text == appModeName(mode)) {
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

namespace {
// Two periods of the pattern back to back: any run of up to kPeriod bytes
// starting at any phase is a contiguous slice of it, so whole runs can be
// compared with memcmp instead of byte by byte (this was the sink server's
// hottest loop).
struct PatternTable
{
    uint8_t bytes[2 * kPeriod];
    PatternTable()
    {
        for (unsigned i = 0; i < 2 * kPeriod; ++i)
            bytes[i] = uint8_t(i % kPeriod);
    }
};
const PatternTable &patternTable()
{
    static const PatternTable table;
    return table;
}
} // namespace

void PatternChecker::feed(const char *data, qint64 size)
{
    const uint8_t *ref = patternTable().bytes;
    qint64 i = 0;
    while (i < size) {
        const qint64 run = std::min<qint64>(size - i, kPeriod);
        if (std::memcmp(data + i, ref + m_next, size_t(run)) != 0) {
            // Slow path only where something differs: count byte by byte.
            for (qint64 j = 0; j < run; ++j) {
                if (uint8_t(data[i + j]) != ref[m_next + unsigned(j)]) {
                    if (m_firstMismatch < 0)
                        m_firstMismatch = qint64(m_total) + i + j;
                    ++m_mismatches;
                }
            }
        }
        m_next = uint8_t((m_next + unsigned(run)) % kPeriod);
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

QString formatStreamLine(const QString &id, qint64 bytes, double milliseconds, bool ok, const QString &why)
{
    QString line = QStringLiteral("stream %1 bytes=%2 ms=%3 ")
                       .arg(id)
                       .arg(bytes)
                       .arg(QString::number(milliseconds, 'f', 1));
    if (ok)
        return line + QStringLiteral("ok");
    return line + QStringLiteral("fail: ") + (why.isEmpty() ? QStringLiteral("unknown error") : why);
}

double summaryMbps(const ClientSummary &summary)
{
    return megabytesPerSecond(summary.bytes, summary.seconds);
}

QByteArray summaryJson(const ClientSummary &summary)
{
    QJsonObject object;
    object.insert(QStringLiteral("streams"), summary.streams);
    object.insert(QStringLiteral("ok"), summary.ok);
    object.insert(QStringLiteral("failed"), summary.failed);
    object.insert(QStringLiteral("bytes"), summary.bytes);
    object.insert(QStringLiteral("seconds"), summary.seconds);
    object.insert(QStringLiteral("mbps"), summaryMbps(summary));
    return QJsonDocument(object).toJson(QJsonDocument::Compact);
}

QString summaryLine(const ClientSummary &summary)
{
    return QStringLiteral("streams=%1 ok=%2 failed=%3 bytes=%4 seconds=%5 mbps=%6")
        .arg(summary.streams)
        .arg(summary.ok)
        .arg(summary.failed)
        .arg(summary.bytes)
        .arg(QString::number(summary.seconds, 'f', 3))
        .arg(QString::number(summaryMbps(summary), 'f', 2));
}

} // namespace quicpool::cli
