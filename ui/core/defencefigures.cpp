#include "defencefigures.h"

#include <QtCore/QCoreApplication>

namespace quicpool::diag {

namespace {
double rate(qint64 from, qint64 to, double seconds)
{
    return seconds > 0 && to >= from ? double(to - from) / seconds : 0.0;
}

/// "1 Retry" / "2 Retries": n with the word that fits it.
QString counted(qint64 n, const QString &one, const QString &many)
{
    return QStringLiteral("%1 %2").arg(groupedCount(n), n == 1 ? one : many);
}
} // namespace

DefenceRates defenceRates(const DefenceStats &prev, const DefenceStats &cur, double seconds)
{
    DefenceRates r;
    r.retriesPerSecond = rate(prev.retriesSent(), cur.retriesSent(), seconds);
    r.refusalsPerSecond = rate(prev.allowListRefusals(), cur.allowListRefusals(), seconds);
    r.dropsPerSecond = rate(prev.limitDrops(), cur.limitDrops(), seconds);
    return r;
}

QString groupedCount(qint64 n)
{
    const bool negative = n < 0;
    QString digits = QString::number(negative ? -n : n);
    for (qsizetype at = digits.size() - 3; at > 0; at -= 3)
        digits.insert(at, QLatin1Char(','));
    return negative ? QLatin1Char('-') + digits : digits;
}

QString byteCount(qint64 bytes)
{
    if (bytes < 1000)
        return QStringLiteral("%1 B").arg(bytes);
    if (bytes < 1000 * 1000)
        return QStringLiteral("%1 KB").arg(double(bytes) / 1e3, 0, 'f', 1);
    if (bytes < qint64(1000) * 1000 * 1000)
        return QStringLiteral("%1 MB").arg(double(bytes) / 1e6, 0, 'f', 2);
    return QStringLiteral("%1 GB").arg(double(bytes) / 1e9, 0, 'f', 2);
}

QList<DefenceFigure> defenceFigures(const DefenceStats &s)
{
    auto tr = [](const char *text) { return QCoreApplication::translate("DefenceFigures", text); };
    const qint64 in = s.unvalidatedBytesReceived();
    const qint64 out = s.unvalidatedBytesSent();
    const QString ratio = in > 0 ? QStringLiteral(" (%1x)").arg(double(out) / double(in), 0, 'f', 2) : QString();
    return {
        {QStringLiteral("pending"), tr("Pending handshakes"),
         tr("%1 (peak %2)").arg(groupedCount(s.pendingHandshakes()), groupedCount(s.pendingHandshakesPeak())),
         tr("Handshakes accepted and not yet complete, now and at most since the pool started")},
        {QStringLiteral("handshakes"), tr("Handshakes"),
         tr("%1 started, %2 completed").arg(groupedCount(s.handshakesStarted()), groupedCount(s.handshakesCompleted())),
         tr("Initials accepted (a connection and a TLS session made) and handshakes that completed")},
        {QStringLiteral("timedOut"), tr("Timed out"), groupedCount(s.handshakesTimedOut()),
         tr("Handshakes ended by the handshake timeout, everything they held freed")},
        {QStringLiteral("retries"), tr("Retries sent"), groupedCount(s.retriesSent()),
         tr("Retry packets that asked clients to prove their address before any TLS work")},
        {QStringLiteral("tokens"), tr("Tokens"),
         tr("%1 accepted, %2 rejected").arg(groupedCount(s.tokensAccepted()), groupedCount(s.tokensRejected())),
         tr("Retry and NEW_TOKEN tokens that proved a client's address, and forged, expired or misplaced ones")},
        {QStringLiteral("refusals"), tr("Allow-list refusals"), groupedCount(s.allowListRefusals()),
         tr("Initials from addresses the allowed client IP does not name, refused before any TLS work")},
        {QStringLiteral("drops"), tr("Dropped at the limits"), groupedCount(s.limitDrops()),
         tr("Initials dropped because the bounds on pending handshakes (in all and per address) were reached")},
        {QStringLiteral("unvalidated"), tr("Unvalidated addresses"),
         tr("%1 received, %2 sent%3").arg(byteCount(in), byteCount(out), ratio),
         tr("UDP payload from and to addresses not proven yet; what is sent stays within 3x of what was received")},
    };
}

QString floodBannerText(const DefenceStats &now, const DefenceStats &atStart)
{
    auto tr = [](const char *text) { return QCoreApplication::translate("DefenceFigures", text); };
    return tr("Handshake flood: %1 pending, %2 sent, %3 dropped at the limits, %4 refused by the allow-list "
              "since it began.")
        .arg(counted(now.pendingHandshakes(), tr("handshake"), tr("handshakes")),
             counted(now.retriesSent() - atStart.retriesSent(), tr("Retry"), tr("Retries")),
             counted(now.limitDrops() - atStart.limitDrops(), tr("Initial"), tr("Initials")),
             groupedCount(now.allowListRefusals() - atStart.allowListRefusals()));
}

QString floodOverText(const DefenceStats &now, const DefenceStats &atStart)
{
    auto tr = [](const char *text) { return QCoreApplication::translate("DefenceFigures", text); };
    return tr("handshake flood over: %1 sent, %2 started, %3 timed out, %4 dropped at the limits, at most %5 pending")
        .arg(counted(now.retriesSent() - atStart.retriesSent(), tr("Retry"), tr("Retries")),
             counted(now.handshakesStarted() - atStart.handshakesStarted(), tr("handshake"), tr("handshakes")),
             groupedCount(now.handshakesTimedOut() - atStart.handshakesTimedOut()),
             counted(now.limitDrops() - atStart.limitDrops(), tr("Initial"), tr("Initials")),
             groupedCount(now.pendingHandshakesPeak()));
}

} // namespace quicpool::diag
