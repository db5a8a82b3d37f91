#include <quicpool/relay/pathprofile.h>

#include <QtCore/QStringList>

namespace quicpool::relay {

namespace {

constexpr qint64 kLinkRate = 400'000'000 / 8; // 400 Mbit/s
constexpr int kEthernetUdpPayload = 1500 - 20 - 8;

PathProfile profile(const char *name, const char *description, int roundTripMs, double loss)
{
    PathProfile p;
    p.name = QString::fromLatin1(name);
    p.description = QString::fromLatin1(description);
    p.roundTrip = std::chrono::milliseconds(roundTripMs);
    p.loss = loss;
    p.rate = kLinkRate;
    p.mtu = kEthernetUdpPayload;
    return p;
}

} // namespace

RelayConfig PathProfile::applyTo(RelayConfig base) const
{
    base.delay = std::chrono::duration_cast<RelayConfig::Duration>(roundTrip) / 2;
    base.jitter = RelayConfig::Duration{0};
    base.setLoss(loss);
    base.rate = rate;
    base.queue = std::chrono::milliseconds(100);
    base.mtu = mtu;
    return base;
}

QList<PathProfile> pathProfiles()
{
    return {
        profile("lan", "1 ms round trip, no loss", 1, 0),
        profile("continental", "40 ms round trip, no loss", 40, 0),
        profile("intercontinental", "150 ms round trip, no loss", 150, 0),
        profile("lossy", "50 ms round trip, 1% random loss each way", 50, 0.01),
        profile("satellite", "600 ms round trip, 0.5% random loss each way", 600, 0.005),
    };
}

std::optional<PathProfile> pathProfile(const QString &name)
{
    for (const PathProfile &p : pathProfiles()) {
        if (p.name.compare(name, Qt::CaseInsensitive) == 0)
            return p;
    }
    return std::nullopt;
}

QString pathProfileNames()
{
    QStringList names;
    for (const PathProfile &p : pathProfiles())
        names << p.name;
    return names.join(QStringLiteral(", "));
}

} // namespace quicpool::relay
