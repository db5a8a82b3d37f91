// Pure pieces of the CLI's commands: the lines and the summary the client
// prints, which pool errors stop it at once, and the lines the server and
// the demo print. No I/O here, so unit tests reach every branch. (The
// protocol itself, its pattern and verdicts are in the workload library:
// workload/include/workload/protocol.h.)
#pragma once

#include "intervalreport.h"

#include <quicpool/config.h>
#include <quicpool/error.h>
#include <QtCore/QByteArray>
#include <QtCore/QString>
#include <QtNetwork/QHostAddress>

namespace quicpool::cli {

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
/// What an --interval run adds: the intervals and the payload each way
/// that they add up to (every stream's, failed ones too).
struct IntervalSummary
{
    std::vector<IntervalFigures> intervals;
    qint64 sentBytes = 0;
    qint64 receivedBytes = 0;
};
/// bytes / seconds / 10^6, as the README's "The quicpool command" section
/// defines "mbps" (so MB/s, 10^6 bytes); 0 when seconds <= 0.
double summaryMbps(const ClientSummary &summary);
/// One compact JSON object: {"streams":…,"ok":…,"failed":…,"bytes":…,
/// "seconds":…,"mbps":…}, plus "sent_bytes", "received_bytes" and
/// "intervals" (an array of intervalJson objects) when intervals is given.
QByteArray summaryJson(const ClientSummary &summary, const IntervalSummary *intervals = nullptr);
/// "streams=N ok=N failed=N bytes=N seconds=X.XXX mbps=Y.YY".
QString summaryLine(const ClientSummary &summary);

/// A pool error that retrying cannot cure (bad pin, TLS failure, refused
/// IP, ...): the client stops waiting for streams at once instead of
/// running into its timeout. A handshake timeout or an unreachable server
/// is not one: the pool redials (backing off) while --timeout lasts, as
/// the server may come up or the path heal meanwhile.
bool isFatalStartError(ErrorCode code);

/// Why the client stopped waiting for a stream after `waited`: without a
/// connection, "no connection after 30s: <the pool's last cause>" ("the
/// server did not answer" when no dial has failed yet); with one, "no
/// stream became ready within 30s (<cause>)".
QString waitExpiredReason(Milliseconds waited, bool connected, const Error &lastError);

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
