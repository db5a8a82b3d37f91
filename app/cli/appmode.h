// The application protocol the CLI's modes speak on a pooled stream.
// After the pool's ID handshake the stream is the application's; these
// modes add no framing beyond what is written here.
//
//   echo   client writes N pattern bytes and FIN; the server writes every
//          byte back as it arrives and FINs after the client's FIN; the
//          client checks N bytes of pattern came back.
//   sink   client writes N pattern bytes and FIN; the server reads to the
//          end, checks the pattern and answers with a 16-byte SinkReply,
//          then FIN; the client checks total == N and mismatches == 0.
//   source client writes an 8-byte SourceRequest (N) and FIN; the server
//          writes N pattern bytes and FIN; the client checks them.
//   hold   (server only) takes streams and keeps them open without reading,
//          to exercise a pool that runs dry.
//
// The pattern byte at offset i is i % 251. The period is prime, so a
// block of any power-of-two size (a buffer, a packet's worth) that is lost,
// repeated or misplaced shifts the pattern and shows up as mismatches.
// All integers are big-endian.
#pragma once

#include <QtCore/QByteArray>
#include <QtCore/QByteArrayView>
#include <QtCore/QString>
#include <QtCore/QStringView>
#include <cstdint>

namespace quicpool::cli {

enum class AppMode { Echo, Sink, Source, Hold };

/// "echo", "sink", "source", "hold".
QString appModeName(AppMode mode);
/// Reverse of appModeName (exact, lower case). False for anything else.
bool parseAppMode(QStringView text, AppMode *out);

inline uint8_t patternByte(uint64_t i)
{
    return uint8_t(i % 251);
}

/// Writes the pattern for offsets [offset, offset + size) into buffer.
void fillPattern(char *buffer, qint64 size, uint64_t offset);
/// The same as a new array.
QByteArray patternBytes(uint64_t offset, qint64 size);

/// Checks a received byte stream against the pattern in chunks of any size.
class PatternChecker
{
public:
    void feed(const char *data, qint64 size);
    void feed(QByteArrayView data) { feed(data.data(), data.size()); }

    uint64_t total() const { return m_total; }          ///< bytes fed so far
    uint64_t mismatches() const { return m_mismatches; } ///< bytes that differed
    /// Offset of the first differing byte, or -1 if none.
    qint64 firstMismatch() const { return m_firstMismatch; }
    bool isClean() const { return m_mismatches == 0; }
    void reset() { *this = PatternChecker(); }

private:
    uint64_t m_total = 0;
    uint64_t m_mismatches = 0;
    qint64 m_firstMismatch = -1;
    uint8_t m_next = 0;   ///< expected byte for offset m_total (avoids a % per byte)
};

/// The sink server's answer: what it received and how much of it was wrong.
struct SinkReply
{
    uint64_t total = 0;
    uint64_t mismatches = 0;
};
inline constexpr qint64 kSinkReplySize = 16;
QByteArray encodeSinkReply(const SinkReply &reply);
/// Needs exactly kSinkReplySize bytes.
bool decodeSinkReply(QByteArrayView data, SinkReply *out);

/// The source client's request: how many bytes to send.
inline constexpr qint64 kSourceRequestSize = 8;
QByteArray encodeSourceRequest(uint64_t bytes);
/// Needs exactly kSourceRequestSize bytes.
bool decodeSourceRequest(QByteArrayView data, uint64_t *bytes);

/// One line per finished stream in the client's plain output:
/// "stream <id> bytes=N ms=X ok" or "stream <id> bytes=N ms=X fail: <why>".
/// ms has one decimal.
QString formatStreamLine(const QString &id, qint64 bytes, double milliseconds, bool ok,
                         const QString &why = {});

/// What `quicpool client` did, for its last line or its --json output.
struct ClientSummary
{
    int streams = 0;   ///< streams attempted
    int ok = 0;
    int failed = 0;
    qint64 bytes = 0;  ///< payload bytes of the streams that succeeded
    double seconds = 0;
};
/// bytes / seconds / 10^6, as the issue defines "mbps" (so MB/s, 10^6 bytes);
/// 0 when seconds <= 0.
double summaryMbps(const ClientSummary &summary);
/// One compact JSON object: {"streams":…,"ok":…,"failed":…,"bytes":…,
/// "seconds":…,"mbps":…}.
QByteArray summaryJson(const ClientSummary &summary);
/// "streams=N ok=N failed=N bytes=N seconds=X.XXX mbps=Y.YY".
QString summaryLine(const ClientSummary &summary);

} // namespace quicpool::cli
