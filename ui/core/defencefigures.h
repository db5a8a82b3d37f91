// What a server pool's tab shows of its defences (ServerPool::defenceStats():
// pending handshakes, Retries, tokens, allow-list refusals, drops at the
// bounds, bytes to and from unvalidated addresses): the per-second rates
// between two readings, the figures as label/value rows, and the flood
// banner's sentence. Pure, so every number and sentence is tested.
#pragma once

#include <quicpool/connectioninfo.h>

#include <QtCore/QList>
#include <QtCore/QString>

namespace quicpool::diag {

/// Events per second between two readings of the counters.
struct DefenceRates
{
    double retriesPerSecond = 0;
    double refusalsPerSecond = 0;   ///< allow-list refusals
    double dropsPerSecond = 0;      ///< Initials dropped at the pending-handshake bounds
};

/// Rates over `seconds` from prev to cur; zero where a counter went
/// backwards (a restarted pool) or no time passed.
DefenceRates defenceRates(const DefenceStats &prev, const DefenceStats &cur, double seconds);

/// One line of the Defences panel.
struct DefenceFigure
{
    QString key;      ///< stable name for tests and CSV ("pending", "retries", ...)
    QString label;    ///< "Pending handshakes"
    QString value;    ///< "12 (peak 64)"
    QString tip;      ///< what the figure counts
};

/// Every figure of a reading, in the panel's order.
QList<DefenceFigure> defenceFigures(const DefenceStats &stats);

/// "1,840" (group separators, the C locale's comma, as the CLI's lines).
QString groupedCount(qint64 n);
/// "0 B", "812 B", "14.2 KB", "3.61 MB" (decimal units, as the CLI's figures).
QString byteCount(qint64 bytes);

/// The banner while the server is under a flood. `atStart` is the reading
/// when the flood began, so the Retries, drops and refusals are this
/// flood's: "Handshake flood: 212 handshakes pending (peak 256), 1,840
/// Retries sent, 0 Initials dropped at the limits, 0 refused by the
/// allow-list since it began."
QString floodBannerText(const DefenceStats &now, const DefenceStats &atStart);
/// The log line when a flood ends: "handshake flood over: 1,840 Retries
/// sent, 96 handshakes started, 12 timed out, 0 Initials dropped at the
/// limits, at most 256 pending".
QString floodOverText(const DefenceStats &now, const DefenceStats &atStart);

} // namespace quicpool::diag
