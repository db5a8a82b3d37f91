// Pure pieces of the CLI's runners: the test pattern as a window into one
// periodic buffer (so gigabyte runs never hold their payload), the verdict
// on a finished client run in each mode, and the lines the server and the
// demo print. No I/O here, so unit tests reach every branch.
#pragma once

#include "appmode.h"

#include <quicpool/error.h>
#include <QtCore/QByteArrayView>
#include <QtCore/QString>
#include <QtNetwork/QHostAddress>
#include <cstdint>

namespace quicpool::cli {

/// The pattern i % 251 for any offset, without generating it per write: one
/// buffer holds whole periods, so the bytes from any offset on start inside
/// it at offset % 251 and run for at least chunkSize() bytes.
class PatternWindow
{
public:
    /// Pattern bytes starting at stream offset `offset`; chunkSize() are valid.
    static const char *at(uint64_t offset);
    /// How many bytes at() guarantees (a little under 64 KiB).
    static qint64 chunkSize();
};

/// Why a finished echo run is wrong, or an empty string when it is right:
/// `sent` bytes went out, `received` checks what came back.
QString echoVerdict(qint64 sent, const PatternChecker &received);
/// Same for sink: `sent` pattern bytes went out, `reply` is everything the
/// server answered (it must be exactly one 16-byte SinkReply).
QString sinkVerdict(qint64 sent, QByteArrayView reply);
/// Same for source: `asked` bytes were requested, `received` checks them.
QString sourceVerdict(qint64 asked, const PatternChecker &received);

/// A pool error that retrying cannot cure (bad pin, TLS failure, refused
/// IP, ...): the client stops waiting for streams at once instead of
/// running into its timeout.
bool isFatalStartError(ErrorCode code);

/// "127.0.0.1:4433" or "[::1]:4433".
QString formatHostPort(const QHostAddress &address, quint16 port);

/// What the demo shows each second.
struct DemoFigures
{
    qint64 seconds = 0;
    int clientActive = 0;
    int clientCapacity = 0;
    qint64 clientIntervalMs = 0;
    qint64 clientErrors = 0;
    int serverActive = 0;      ///< streams waiting in the server pool
    int serverServing = 0;     ///< streams the server has taken and serves
    int serverConnections = 0;
    qint64 smoothedRttUs = 0;
    qint64 cwnd = 0;
    int echoOk = 0;
    int echoFailed = 0;
};
/// "t=3s client active=12 cap=13 interval=100ms errors=0 | server active=0
/// serving=12 conns=1 | rtt=0.12ms cwnd=13.2 KiB | echo ok=25 fail=0".
QString formatDemoLine(const DemoFigures &figures);

} // namespace quicpool::cli
