// What `quicpool relay` prints: the path it emulates, one line of figures a
// second, the summary at exit and the --json object. Pure formatting of
// RelayConfig and RelayStats, so unit tests reach every line.
#pragma once

#include <quicpool/relay/relayconfig.h>
#include <quicpool/relay/relaystats.h>
#include <QtCore/QByteArray>
#include <QtCore/QString>
#include <QtCore/QStringList>

namespace quicpool::cli {

/// "path: delay 20ms each way, jitter 5ms, rate 400 Mbit/s (queue 50ms),
/// loss 1% up / 2% down, ..., seed 1", or "path: no impairment, seed 1".
QString relayPathLine(const relay::RelayConfig &config);
/// "loss 86, queue 3": the causes with a count, in DirectionStats order;
/// empty when nothing was dropped.
QString dropCauses(const relay::DirectionStats &stats);
/// The figures of the interval between two snapshots of one run.
QString relayIntervalLine(const relay::RelayStats &before, const relay::RelayStats &now);
/// Three lines: up, down, and seconds / clients seen / rebinds / expired mappings.
QStringList relaySummaryLines(const relay::RelayStats &stats);
/// One compact JSON object (see quicpool relay --help and the man page).
QByteArray relayJson(const relay::RelayStats &stats, const QString &listen, const QString &to, quint64 seed);

} // namespace quicpool::cli
