// The application protocol that `quicpool server` / `quicpool client`, the
// bench and quicpool-diag's embedded server and load test speak on a pooled
// stream (the README's "The quicpool command" section describes it for
// users). After the pool's ID handshake the stream is the application's;
// these modes add no framing beyond what is written here.
//
//   echo   client writes N pattern bytes and FIN; the server writes every
//          byte back as it arrives and FINs after the client's FIN; the
//          client checks N bytes of pattern came back.
//   sink   client writes N pattern bytes and FIN; the server reads to the
//          end, checks the pattern and answers with a 16-byte SinkReply,
//          then FIN; the client checks total == N and mismatches == 0.
//   source client writes an 8-byte SourceRequest (N) and FIN; the server
//          writes N pattern bytes and FIN; the client checks them.
//   hold   (server only) takes no stream at all: the server pool fills up
//          to its capacity and stays full, to exercise a pool that runs out
//          of room.
//
// The pattern byte at offset i is i % 251. The period is prime, so a
// block of any power-of-two size (a buffer, a packet's worth) that is lost,
// repeated or misplaced shifts the pattern and shows up as mismatches.
// All integers are big-endian. Everything here is pure: no I/O.
#pragma once

#include <quicpool/config.h>
#include <QtCore/QByteArray>
#include <QtCore/QByteArrayView>
#include <QtCore/QString>
#include <QtCore/QStringView>
#include <cstdint>

namespace quicpool::workload {

enum class Mode { Echo, Sink, Source, Hold };

/// "echo", "sink", "source", "hold".
QString modeName(Mode mode);
/// Reverse of modeName: exact and lower case by default, or ignoring case.
/// False (and *out untouched) for anything else.
bool parseMode(QStringView text, Mode *out, Qt::CaseSensitivity cs = Qt::CaseSensitive);

inline uint8_t patternByte(uint64_t i)
{
    return uint8_t(i % 251);
}

/// Writes the pattern for offsets [offset, offset + size) into buffer.
void fillPattern(char *buffer, qint64 size, uint64_t offset);
/// The same as a new array (empty for size <= 0).
QByteArray patternBytes(uint64_t offset, qint64 size);

/// The pattern for any offset, without generating it per write: one buffer
/// holds whole periods, so the bytes from any offset on start inside it at
/// offset % 251 and run for at least chunkSize() bytes. Writers send from
/// it and checkers compare against it, a chunk at a time.
class PatternWindow
{
public:
    /// Pattern bytes starting at stream offset `offset`; chunkSize() are valid.
    static const char *at(uint64_t offset);
    /// How many bytes at() guarantees (a little over 256 KiB).
    static qint64 chunkSize();
};

/// Bytes of data (at stream offset `offset`) that differ from the pattern.
/// A memcmp per chunk, so checking costs little next to the transport.
qint64 countMismatches(const char *data, qint64 size, uint64_t offset);
inline qint64 countMismatches(QByteArrayView data, uint64_t offset)
{
    return countMismatches(data.data(), data.size(), offset);
}

/// Checks a received byte stream against the pattern in chunks of any size.
class PatternChecker
{
public:
    /// `offset`: the stream offset of the first byte that will be fed.
    explicit PatternChecker(uint64_t offset = 0) : m_offset(offset) {}

    void feed(const char *data, qint64 size);
    void feed(QByteArrayView data) { feed(data.data(), data.size()); }

    uint64_t total() const { return m_total; }          ///< bytes fed so far
    uint64_t mismatches() const { return m_mismatches; } ///< bytes that differed
    /// Index (counted from the first byte fed) of the first differing byte, or -1.
    qint64 firstMismatch() const { return m_firstMismatch; }
    bool isClean() const { return m_mismatches == 0; }
    /// Back to nothing fed, at stream offset 0.
    void reset() { *this = PatternChecker(); }

private:
    uint64_t m_offset = 0;
    uint64_t m_total = 0;
    uint64_t m_mismatches = 0;
    qint64 m_firstMismatch = -1;
};

/// The sink server's answer: what it received and how much of it was wrong.
struct SinkReply
{
    uint64_t total = 0;
    uint64_t mismatches = 0;
};
inline constexpr qint64 kSinkReplySize = 16;
QByteArray encodeSinkReply(const SinkReply &reply);
/// Needs exactly kSinkReplySize bytes; *out is untouched otherwise.
bool decodeSinkReply(QByteArrayView data, SinkReply *out);

/// The source client's request: how many bytes to send.
inline constexpr qint64 kSourceRequestSize = 8;
QByteArray encodeSourceRequest(uint64_t bytes);
/// Needs exactly kSourceRequestSize bytes; *bytes is untouched otherwise.
bool decodeSourceRequest(QByteArrayView data, uint64_t *bytes);

/// Why a finished echo run is wrong, or an empty string when it is right:
/// `sent` bytes went out, `received` checks what came back.
QString echoVerdict(qint64 sent, const PatternChecker &received);
/// Same for sink: `sent` pattern bytes went out, `reply` is everything the
/// server answered (it must be exactly one 16-byte SinkReply).
QString sinkVerdict(qint64 sent, QByteArrayView reply);
/// Same for source: `asked` bytes were requested, `received` checks them.
QString sourceVerdict(qint64 asked, const PatternChecker &received);

/// A duration the way verdicts write it and the CLI's DUR options take it:
/// "500ms", "1.5s", "2.25s", "2m", "1h".
QString formatDuration(Milliseconds duration);

} // namespace quicpool::workload
