#include "loadtestpath.h"

#include <quicpool/relay/pathprofile.h>

#include <chrono>

namespace quicpool::diag {

QString customPathName()
{
    return QStringLiteral("custom");
}

QString checkLoadTestPath(const LoadTestConfig &c)
{
    if (c.path.isEmpty())
        return {};
    if (c.path == customPathName()) {
        if (c.pathRoundTripMs < 0 || c.pathRoundTripMs > 10000)
            return QStringLiteral("The round trip is 0 to 10000 ms.");
        if (!(c.pathLossPercent >= 0 && c.pathLossPercent <= 100))
            return QStringLiteral("Loss is 0 to 100 %.");
        if (c.pathRateBytes < 0)
            return QStringLiteral("The rate cannot be negative.");
        return {};
    }
    if (!relay::pathProfile(c.path))
        return QStringLiteral("There is no path profile '%1' (there are %2).").arg(c.path, relay::pathProfileNames());
    return {};
}

std::optional<relay::RelayConfig> pathRelayConfig(const LoadTestConfig &c, const QHostAddress &upstream,
                                                  quint16 upstreamPort, QString *error)
{
    if (c.path.isEmpty())
        return std::nullopt;
    if (const QString why = checkLoadTestPath(c); !why.isEmpty()) {
        if (error)
            *error = why;
        return std::nullopt;
    }
    relay::RelayConfig base;
    base.listenAddress = upstream.protocol() == QAbstractSocket::IPv6Protocol ? QHostAddress(QHostAddress::LocalHostIPv6)
                                                                              : QHostAddress(QHostAddress::LocalHost);
    base.listenPort = 0;
    base.upstreamAddress = upstream;
    base.upstreamPort = upstreamPort;
    if (c.path == customPathName()) {
        base.delay = std::chrono::microseconds(qint64(c.pathRoundTripMs) * 1000 / 2);
        base.setLoss(c.pathLossPercent / 100.0);
        base.rate = c.pathRateBytes;
        if (c.pathRateBytes > 0)
            base.queue = std::chrono::milliseconds(100);
        return base;
    }
    return relay::pathProfile(c.path)->applyTo(base);
}

QString describePath(const LoadTestConfig &c)
{
    if (c.path.isEmpty())
        return QStringLiteral("no relay");
    if (c.path == customPathName()) {
        return QStringLiteral("custom: %1 ms round trip, %2 % loss each way, %3")
            .arg(c.pathRoundTripMs)
            .arg(c.pathLossPercent)
            .arg(c.pathRateBytes > 0 ? QStringLiteral("%1 Mbit/s").arg(double(c.pathRateBytes) * 8 / 1e6)
                                     : QStringLiteral("unlimited rate"));
    }
    if (const auto p = relay::pathProfile(c.path))
        return QStringLiteral("%1: %2").arg(p->name, p->description);
    return c.path;
}

} // namespace quicpool::diag
