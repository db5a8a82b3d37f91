// The pool's pure rules: the stream ID codec and NodePass's capacity and
// interval adjustment. No I/O and no event loop, so unit tests reach them
// directly and the refill loop stays a thin driver around them.
#pragma once

#include <quicpool/config.h>
#include <QtCore/QString>
#include <QtCore/QStringView>
#include <array>
#include <cstddef>
#include <cstdint>
#include <functional>
#include <optional>

namespace quicpool::pool {

/// The 4 raw bytes the server gives a pooled stream.
using StreamId = std::array<uint8_t, 4>;

/// The text form: 8 lower-case hex characters, e.g. "a1b2c3d4".
QString encodeId(const StreamId &id);
/// Accepts exactly 8 ASCII hex digits in any case. On failure *out is untouched.
bool decodeId(QStringView text, StreamId *out);
/// True for exactly 8 ASCII hex digits, any case.
bool isValidId(QStringView text);
/// The canonical (lower-case) form of a valid ID, so lookups with "A1B2C3D4"
/// find "a1b2c3d4"; empty with *ok false when text is not an ID.
QString normalizeId(QStringView text, bool *ok = nullptr);

/// Fills a buffer with cryptographically random bytes (transport::randomBytes
/// in production, a deterministic filler in tests).
using RandomFill = std::function<void(void *buffer, size_t length)>;
/// The ID for a new stream: all zeros for the first ID of a server pool's
/// life (NodePass does the same, and clients rely on seeing 00000000 first),
/// random bytes for every later one.
StreamId makeStreamId(bool firstOfPool, const RandomFill &random);

/// What a server pool makes of a new stream's first byte, the client's
/// hello (PROTOCOL.md: one 0x00 byte, then the client waits for its ID).
enum class HelloVerdict {
    Wait,       ///< nothing has arrived yet
    QuietClose, ///< the peer finished without a byte: it gave up; close, count nothing
    Refuse,     ///< strict, and not a single 0x00 byte
    Accept,
};
/// first: the first byte, when one has arrived; more: the bytes already
/// buffered after it; finished: the peer's FIN has come. strict: only a
/// single 0x00 passes (ServerPoolConfig::strictHello), else any first byte.
HelloVerdict helloVerdict(std::optional<uint8_t> first, qint64 more, bool finished, bool strict);

/// Step by which the refill interval moves per cycle.
inline constexpr Milliseconds kIntervalStep{100};

/// Refill-loop step 1. Shortens the interval by one step (not below
/// minInterval) when fewer than int(capacity * 0.2) streams are idle, and
/// lengthens it (not above maxInterval) when more than int(capacity * 0.8)
/// are. The products truncate as Go's int() does.
Milliseconds adjustInterval(int idle, int capacity, Milliseconds interval, Milliseconds minInterval,
                            Milliseconds maxInterval);

/// Refill-loop step 2: how many streams to create this cycle (never negative).
int streamsNeeded(int capacity, int idle);

/// Refill-loop step 3. With ratio = created / capacity: below 0.2 the
/// capacity drops by one (not below minCapacity), above 0.8 it grows by one
/// (not above maxCapacity). A full pool creates nothing, so it drifts down to
/// minCapacity one per cycle, exactly as NodePass does.
/// A capacity below 1 (impossible after clamping) returns minCapacity rather
/// than dividing by zero.
int adjustCapacity(int created, int capacity, int minCapacity, int maxCapacity);

/// The first wait before a client dials again after a failure: NodePass's
/// idRetryInterval.
inline constexpr Milliseconds kFirstBackoff{50};

/// Failures that dialing again cannot heal: the same server will refuse the
/// same way (a pin or certificate that does not match, a protocol it does not
/// speak, an address it will not serve). They wait the longest at once.
bool isPersistentFailure(ErrorCode code);

/// How long to wait before the next dial after `failures` failed attempts in
/// a row (1 for the first): kFirstBackoff doubling per failure up to `cap`,
/// `cap` at once for a persistent failure. jitter in [0, 1) takes up to a
/// quarter off, so many clients of one server do not redial in step.
Milliseconds backoffDelay(int failures, ErrorCode cause, Milliseconds cap, double jitter);

/// "server pool full: accepted 4 of 8 streams" for a refill batch that
/// asked for `asked` streams and saw `accepted` answered, `refused` refused.
/// A refusal of a stream an earlier batch opened lands in a later batch,
/// so the streams asked for are never counted below those answered.
QString refusalSentence(int accepted, int asked, int refused);

/// The most bytes one connection's pooled streams (and streams awaiting
/// their hello) may hold unread before an application takes them; the
/// stream that passes it is reset. Without it a peer could park a whole
/// connection window (up to 64 MiB once auto-tuned) in streams nobody
/// reads. It is not smaller because honest peers write ahead of the claim:
/// in a NodePass tunnel the server writes to a stream before the client's
/// application has its ID, and a client writes to streams a busy server
/// takes a moment later (a 1 MiB bound reset `quicpool bench`'s 8-stream
/// sink run). 16 MiB is 16 streams each at its full 1 MiB window; below
/// the initial 4 MiB connection window it can never bite.
inline constexpr uint64_t kMaxUnclaimedBytes = 16 * 1024 * 1024;

} // namespace quicpool::pool
