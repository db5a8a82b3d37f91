// The options server and client share: the path (congestion control,
// windows, send buffer, qlog) and the /metrics endpoint.
#include "commandlines.h"
#include "optionvalues.h"

namespace quicpool::cli {

OptionGroup pathOptions(PathOptions &o)
{
    return {QStringLiteral("Path (both ends)"), {
        {{QStringLiteral("cc")}, QStringLiteral("NAME"), QStringLiteral("congestion control: cubic, reno or bbr"),
         defaultText(congestionControlName(o.congestionControl)),
         [&o](const QString &v, const QString &as) -> QString {
             if (!parseCongestionControl(v, &o.congestionControl))
                 return QStringLiteral("%1 takes cubic, reno or bbr, not \"%2\".").arg(as, v);
             return {};
         }},
        {{QStringLiteral("stream-window")}, QStringLiteral("SIZE"),
         QStringLiteral("largest receive window one stream may grow to; 400 Mbit/s over 300 ms needs 15 MB"),
         defaultSize(o.streamWindow), size(&o.streamWindow)},
        {{QStringLiteral("conn-window")}, QStringLiteral("SIZE"), QStringLiteral("largest receive window of a connection"),
         defaultSize(o.connectionWindow), size(&o.connectionWindow)},
        {{QStringLiteral("send-buffer")}, QStringLiteral("SIZE"),
         QStringLiteral("most unacknowledged data one connection buffers; a stream's buffer grows with the "
                        "congestion window up to this"),
         defaultSize(o.sendBufferLimit), size(&o.sendBufferLimit)},
        busyPollOption(&o.busyPollUs,
                       QStringLiteral("after a batch of datagrams keep reading the socket for US microseconds of "
                                      "quiet before sleeping: lower round-trip latency for request/response "
                                      "traffic, a busy core while it flows (up to 1000; above the round trip, 100 on loopback; 0: off)")),
        {{QStringLiteral("qlog")}, QStringLiteral("DIR"),
         QStringLiteral("write one qlog file per connection into DIR (for qvis); a missing DIR is made, one that "
                        "cannot be made or written is refused before the pool starts"),
         {},
         [&o](const QString &v, const QString &as) -> QString {
             if (v.isEmpty())
                 return QStringLiteral("%1 needs a folder name.").arg(as);
             // Looked at here, made by the pool's start().
             if (const Error e = checkQlogDirectory(v))
                 return e.message();
             o.qlogDirectory = v;
             return {};
         }},
    }};
}

Option busyPollOption(int *out, const QString &help)
{
    return {{QStringLiteral("busy-poll")}, QStringLiteral("US"), help, byDefault(0),
            [out](const QString &v, const QString &as) -> QString {
                int us = -1;
                if (const QString why = wholeNumber(&us, 0)(v, as); !why.isEmpty())
                    return why;
                if (us > 1000)
                    return QStringLiteral("%1 takes 0 (off) to 1000 microseconds, not %2.").arg(as, v);
                *out = us;
                return {};
            }};
}

Option metricsOption(QString *out)
{
    return {{QStringLiteral("metrics")}, QStringLiteral("HOST:PORT"),
            QStringLiteral("serve OpenMetrics text on http://HOST:PORT/metrics while running (port 0 picks one; "
                           "printed on stderr)"),
            {}, listenAddress(out)};
}

QString configRefusal(const Error &e)
{
    return e.code() == ErrorCode::InvalidConfig || e.code() == ErrorCode::QlogError ? e.message() : QString();
}

} // namespace quicpool::cli
