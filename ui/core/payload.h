// Pure helpers of the payload panel: building bytes to send from the user's
// choice, and showing what came back as a hex dump.
#pragma once

#include <QtCore/QByteArray>
#include <QtCore/QString>

namespace quicpool::diag {

enum class PayloadKind { Text, Hex, File, Random, Pattern };

struct PayloadResult
{
    QByteArray bytes;
    QString error;      ///< empty on success
};

/// input is the text, the hex digits or the file path; count is used by
/// Random and Pattern (at most maxGeneratedBytes).
PayloadResult buildPayload(PayloadKind kind, const QString &input, qint64 count);
inline constexpr qint64 maxGeneratedBytes = 64 * 1024 * 1024;

/// "00000000  48 65 6c 6c ...  |Hell...|" lines, at most maxBytes shown.
QString hexDump(const QByteArray &data, qsizetype maxBytes = 16 * 1024);
/// Printable ASCII with everything else as '.', at most maxBytes.
QString printableText(const QByteArray &data, qsizetype maxBytes = 16 * 1024);

/// Echo comparison: what was sent vs what came back so far.
struct EchoCheck
{
    qint64 sent = 0;
    qint64 received = 0;
    qint64 firstMismatch = -1;  ///< offset of the first differing byte, -1 if none
    bool complete() const { return received >= sent && sent > 0; }
    bool ok() const { return complete() && firstMismatch < 0 && received == sent; }
    QString summary(qint64 elapsedMs) const;
};
EchoCheck compareEcho(const QByteArray &sent, const QByteArray &received);

} // namespace quicpool::diag
