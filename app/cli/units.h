// Durations and sizes as the CLI reads and prints them.
//
// Durations need a unit: "500ms", "2s", "1.5s", "1m" (or "1min"), "1h".
// A bare number is refused because "30" could mean ms or s; the error says
// so. The exception is iperf3's -t and -i (BareNumber::Seconds), where
// "-t 10" means 10 seconds as it does in iperf3. Microseconds are refused:
// every pool setting is in milliseconds.
// Fractions must come out as whole milliseconds ("1.5s" yes, "1.5ms" no).
// The largest duration is 2147483647 ms (about 24.8 days): Qt timers take int.
//
// Sizes: a bare number is bytes; "B", decimal "KB"/"MB"/"GB" (powers of
// 1000) and binary "KiB"/"MiB"/"GiB" (powers of 1024), unit case-insensitive,
// fractions allowed when they give whole bytes ("1.5KiB" = 1536).
//
// Rates need a unit, because "400" could be bits or bytes per second: bit
// units "bit", "kbit", "mbit", "gbit" (bits per second, powers of 1000) or
// byte units "B", "KB", "MB", "GB" (powers of 1000) and "KiB", "MiB", "GiB"
// (powers of 1024) per second; case-insensitive, an optional "/s" after it
// ("400mbit/s", "50MB/s"); fractions allowed ("1.5gbit"). The result is
// bytes per second, rounded to the nearest byte, and must be at least 1.
// iperf3's -b (BareNumber::BitsPerSecond) also takes a bare number as bits
// per second and its one-letter K, M, G as kbit, mbit, gbit ("-b 100M");
// "MB" and the other byte units keep their meaning there.
//
// Percentages need the % sign, because "0.5" could mean half or 0.5%:
// "1%", "0.5%", "100%"; from 0% to 100%.
#pragma once

#include <workload/protocol.h>

#include <quicpool/config.h>
#include <QtCore/QString>
#include <QtCore/QStringView>

namespace quicpool::cli {

inline constexpr qint64 kMaxDurationMs = 2147483647;

/// How a number without a unit is read: refused (every long option), or as
/// iperf3 reads the values of its -t and -i (seconds) and -b (bits per
/// second).
enum class BareNumber {
    Refused,
    Seconds,
    BitsPerSecond,
};

/// Parses a duration; false with a sentence in *error on failure.
bool parseDuration(QStringView text, Milliseconds *out, QString *error = nullptr,
                   BareNumber bare = BareNumber::Refused);
/// Parses a byte count; false with a sentence in *error on failure.
bool parseSize(QStringView text, qint64 *out, QString *error = nullptr);
/// Parses a rate into bytes per second; false with a sentence on failure.
bool parseRate(QStringView text, qint64 *bytesPerSecond, QString *error = nullptr,
               BareNumber bare = BareNumber::Refused);
/// Parses a percentage into a fraction 0..1; false with a sentence on failure.
bool parsePercent(QStringView text, double *fraction, QString *error = nullptr);

/// The shortest form parseDuration reads back: "250ms", "2s", "1.5s", "5m",
/// "1h". The stream runner's verdicts write durations the same way, so the
/// function lives in the workload library (workload/include/workload/protocol.h).
using workload::formatDuration;
/// The shortest form parseSize reads back exactly, in binary units: "4KiB",
/// "64KiB", "32MiB", "1GiB"; a count that is no whole KiB stays bytes ("1000").
QString formatSize(qint64 bytes);
/// Human bytes with binary units: "512 B", "64.0 KiB", "1.50 MiB", "2.00 GiB".
QString formatBytes(qint64 bytes);

/// Throughput figures; 0 when seconds is not above zero.
double megabytesPerSecond(qint64 bytes, double seconds);   ///< 10^6 bytes per second
double megabitsPerSecond(qint64 bytes, double seconds);    ///< 10^6 bits per second
/// "12.35 MB/s" (decimal megabytes, as iperf and most tools print).
QString formatRate(qint64 bytes, double seconds);
/// A link rate as network people say it: "400 Mbit/s", "1.5 Gbit/s", "800 kbit/s".
QString formatBitRate(qint64 bytesPerSecond);
/// A fraction 0..1 as parsePercent reads it back: "1%", "0.5%", "12.25%".
QString formatPercent(double fraction);

} // namespace quicpool::cli
