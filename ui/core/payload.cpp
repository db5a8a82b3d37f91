#include "payload.h"

#include <workload/protocol.h>

#include <QtCore/QFile>
#include <QtCore/QRandomGenerator>

#include "formvalidation.h"

namespace quicpool::diag {

PayloadResult buildPayload(PayloadKind kind, const QString &input, qint64 count)
{
    PayloadResult r;
    const bool generated = kind == PayloadKind::Random || kind == PayloadKind::Pattern;
    if (generated && (count < 1 || count > maxGeneratedBytes)) {
        r.error = QStringLiteral("The byte count must be between 1 and %1.").arg(maxGeneratedBytes);
        return r;
    }
    switch (kind) {
    case PayloadKind::Text:
        r.bytes = input.toUtf8();
        break;
    case PayloadKind::Hex:
        r.error = checkHex(input, &r.bytes);
        break;
    case PayloadKind::File: {
        if (input.trimmed().isEmpty()) {
            r.error = QStringLiteral("Choose a file to send.");
            break;
        }
        QFile file(input);
        if (!file.open(QIODevice::ReadOnly)) {
            r.error = QStringLiteral("Cannot read %1: %2.").arg(input, file.errorString());
            break;
        }
        if (file.size() > maxGeneratedBytes) {
            r.error = QStringLiteral("%1 is larger than %2 bytes.").arg(input).arg(maxGeneratedBytes);
            break;
        }
        r.bytes = file.readAll();
        break;
    }
    case PayloadKind::Random: {
        r.bytes.resize(count);
        QRandomGenerator *rng = QRandomGenerator::global();
        for (qint64 i = 0; i < count; ++i)
            r.bytes[i] = char(rng->bounded(256));
        break;
    }
    case PayloadKind::Pattern:
        r.bytes = workload::patternBytes(0, count);
        break;
    }
    if (r.error.isEmpty() && r.bytes.isEmpty())
        r.error = QStringLiteral("Nothing to send: the payload is empty.");
    if (!r.error.isEmpty())
        r.bytes.clear();
    return r;
}

QString printableText(const QByteArray &data, qsizetype maxBytes)
{
    const qsizetype n = qMin(data.size(), maxBytes);
    QString out;
    out.reserve(n);
    for (qsizetype i = 0; i < n; ++i) {
        const uchar c = uchar(data.at(i));
        out.append((c >= 0x20 && c < 0x7f) || c == '\n' || c == '\t' ? QChar(c) : QChar('.'));
    }
    if (data.size() > n)
        out.append(QStringLiteral("\n… %1 more bytes").arg(data.size() - n));
    return out;
}

QString hexDump(const QByteArray &data, qsizetype maxBytes)
{
    const qsizetype n = qMin(data.size(), maxBytes);
    QString out;
    out.reserve((n / 16 + 1) * 80);
    for (qsizetype line = 0; line < n; line += 16) {
        out += QStringLiteral("%1  ").arg(line, 8, 16, QLatin1Char('0'));
        QString ascii;
        for (qsizetype i = 0; i < 16; ++i) {
            if (line + i < n) {
                const uchar c = uchar(data.at(line + i));
                out += QStringLiteral("%1 ").arg(c, 2, 16, QLatin1Char('0'));
                ascii += (c >= 0x20 && c < 0x7f) ? QChar(c) : QChar('.');
            } else {
                out += QStringLiteral("   ");
            }
            if (i == 7)
                out += QLatin1Char(' ');
        }
        out += QStringLiteral(" |%1|\n").arg(ascii);
    }
    if (data.size() > n)
        out += QStringLiteral("… %1 more bytes\n").arg(data.size() - n);
    return out;
}

EchoCheck compareEcho(const QByteArray &sent, const QByteArray &received)
{
    EchoCheck c;
    c.sent = sent.size();
    c.received = received.size();
    const qsizetype n = qMin(sent.size(), received.size());
    for (qsizetype i = 0; i < n; ++i) {
        if (sent.at(i) != received.at(i)) {
            c.firstMismatch = i;
            break;
        }
    }
    if (c.firstMismatch < 0 && received.size() > sent.size())
        c.firstMismatch = sent.size();
    return c;
}

QString EchoCheck::summary(qint64 elapsedMs) const
{
    if (firstMismatch >= 0)
        return QStringLiteral("Echo MISMATCH at byte %1 (sent %2, received %3, %4 ms)")
            .arg(firstMismatch).arg(sent).arg(received).arg(elapsedMs);
    if (ok())
        return QStringLiteral("Echo OK: %1 bytes sent, %2 received in %3 ms").arg(sent).arg(received).arg(elapsedMs);
    return QStringLiteral("Waiting for echo: %1 of %2 bytes back (%3 ms)").arg(received).arg(sent).arg(elapsedMs);
}

} // namespace quicpool::diag
