#include "modeprotocol.h"

namespace quicpool::diag {

QString loadModeName(LoadMode mode)
{
    switch (mode) {
    case LoadMode::Echo: return QStringLiteral("echo");
    case LoadMode::Sink: return QStringLiteral("sink");
    case LoadMode::Source: return QStringLiteral("source");
    }
    return {};
}

bool parseLoadMode(const QString &text, LoadMode *mode)
{
    const QString t = text.trimmed().toLower();
    for (LoadMode m : {LoadMode::Echo, LoadMode::Sink, LoadMode::Source}) {
        if (t == loadModeName(m)) {
            *mode = m;
            return true;
        }
    }
    return false;
}

QByteArray patternBytes(qint64 offset, qint64 count)
{
    QByteArray out(count, Qt::Uninitialized);
    char *p = out.data();
    int v = int(offset % 251);
    for (qint64 i = 0; i < count; ++i) {
        p[i] = char(v);
        if (++v == 251)
            v = 0;
    }
    return out;
}

qint64 patternMismatches(const QByteArray &data, qint64 offset)
{
    qint64 bad = 0;
    int v = int(offset % 251);
    for (char c : data) {
        if (uchar(c) != uchar(v))
            ++bad;
        if (++v == 251)
            v = 0;
    }
    return bad;
}

QByteArray encodeU64(quint64 value)
{
    QByteArray out(8, Qt::Uninitialized);
    for (int i = 7; i >= 0; --i) {
        out[i] = char(value & 0xff);
        value >>= 8;
    }
    return out;
}

quint64 decodeU64(const QByteArray &data, qsizetype at)
{
    quint64 v = 0;
    for (int i = 0; i < 8; ++i)
        v = (v << 8) | uchar(data.at(at + i));
    return v;
}

QByteArray encodeSinkReply(quint64 received, quint64 mismatches)
{
    return encodeU64(received) + encodeU64(mismatches);
}

bool decodeSinkReply(const QByteArray &data, quint64 *received, quint64 *mismatches)
{
    if (data.size() != 16)
        return false;
    *received = decodeU64(data, 0);
    *mismatches = decodeU64(data, 8);
    return true;
}

} // namespace quicpool::diag
