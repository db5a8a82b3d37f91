#include "units.h"

#include <workload/throughput.h>

#include <cmath>
#include <limits>

namespace quicpool::cli {

namespace {

struct Unit
{
    const char16_t *name;
    qint64 factor;
};

struct Decimal
{
    qint64 whole = 0;
    qint64 fraction = 0;     ///< digits after the point, as an integer
    qint64 fractionScale = 1; ///< 10^(number of fraction digits)
};

/// Splits "12.5abc" into the number and the rest. Only ASCII digits and one
/// point; no sign, no exponent, no spaces. At most 15 whole digits and 9
/// fraction digits, so the integer arithmetic in scale() cannot overflow
/// (10^9 times the largest factor, 2^30, stays below 2^63).
bool splitNumber(QStringView text, Decimal *number, QStringView *unit)
{
    qsizetype i = 0;
    int wholeDigits = 0;
    int fractionDigits = 0;
    while (i < text.size() && text[i] >= u'0' && text[i] <= u'9') {
        if (++wholeDigits > 15)
            return false;
        number->whole = number->whole * 10 + (text[i].unicode() - u'0');
        ++i;
    }
    if (i < text.size() && text[i] == u'.') {
        ++i;
        while (i < text.size() && text[i] >= u'0' && text[i] <= u'9') {
            if (++fractionDigits > 9)
                return false;
            number->fraction = number->fraction * 10 + (text[i].unicode() - u'0');
            number->fractionScale *= 10;
            ++i;
        }
        if (fractionDigits == 0)
            return false;
    }
    if (wholeDigits == 0)
        return false;
    *unit = text.mid(i);
    return true;
}

/// number * factor as an exact integer: false if it overflows (*overflow set)
/// or leaves a fraction.
bool scale(const Decimal &number, qint64 factor, qint64 *out, bool *overflow)
{
    *overflow = false;
    constexpr qint64 max = std::numeric_limits<qint64>::max();
    if (number.whole > max / factor) {
        *overflow = true;
        return false;
    }
    qint64 value = number.whole * factor;
    if (number.fraction != 0) {
        // Exact only if fraction * factor is a multiple of the scale.
        const qint64 part = number.fraction * factor;
        if (part % number.fractionScale != 0)
            return false;
        const qint64 whole = part / number.fractionScale;
        if (whole > max - value) {
            *overflow = true;
            return false;
        }
        value += whole;
    }
    *out = value;
    return true;
}

const Unit kDurationUnits[] = {
    {u"ms", 1}, {u"s", 1000}, {u"m", 60 * 1000}, {u"min", 60 * 1000}, {u"h", 60 * 60 * 1000},
};

const Unit kSizeUnits[] = {
    {u"", 1},
    {u"b", 1},
    {u"kb", 1000},
    {u"mb", 1000 * 1000},
    {u"gb", 1000 * 1000 * 1000},
    {u"kib", 1024},
    {u"mib", 1024 * 1024},
    {u"gib", 1024 * 1024 * 1024},
};

/// Rate units: the factor to bits per second or bytes per second.
struct RateUnit
{
    const char16_t *name;
    double factor;
    bool bits;
};

const RateUnit kRateUnits[] = {
    {u"bit", 1, true},        {u"kbit", 1e3, true},     {u"mbit", 1e6, true},
    {u"gbit", 1e9, true},     {u"b", 1, false},         {u"kb", 1e3, false},
    {u"mb", 1e6, false},      {u"gb", 1e9, false},      {u"kib", 1024.0, false},
    {u"mib", 1048576.0, false}, {u"gib", 1073741824.0, false},
};

double toDouble(const Decimal &number)
{
    return double(number.whole) + double(number.fraction) / double(number.fractionScale);
}

bool setError(QString *error, const QString &sentence)
{
    if (error)
        *error = sentence;
    return false;
}

} // namespace

bool parseDuration(QStringView text, Milliseconds *out, QString *error, BareNumber bare)
{
    Decimal number;
    QStringView unit;
    if (!splitNumber(text, &number, &unit)) {
        return setError(error, QStringLiteral("\"%1\" is not a duration; write a number and a unit, "
                                              "as in 500ms or 2s.").arg(text));
    }
    if (unit.isEmpty() && bare == BareNumber::Seconds)
        unit = u"s";
    if (unit.isEmpty()) {
        return setError(error, QStringLiteral("The duration \"%1\" needs a unit: ms, s, m or h "
                                              "(as in %1ms or %1s).").arg(text));
    }
    for (const Unit &u : kDurationUnits) {
        if (unit != QStringView(u.name))
            continue;
        qint64 value = 0;
        bool overflow = false;
        if (!scale(number, u.factor, &value, &overflow) && !overflow) {
            return setError(error, QStringLiteral("The duration \"%1\" is not a whole number of "
                                                  "milliseconds.").arg(text));
        }
        if (overflow || value > kMaxDurationMs) {
            return setError(error, QStringLiteral("The duration \"%1\" is too long; the most is %2 ms "
                                                  "(about 24 days).").arg(text).arg(kMaxDurationMs));
        }
        if (out)
            *out = Milliseconds(value);
        return true;
    }
    return setError(error, QStringLiteral("The duration \"%1\" has an unknown unit \"%2\"; use ms, s, m "
                                          "or h.").arg(text, unit));
}

bool parseSize(QStringView text, qint64 *out, QString *error)
{
    Decimal number;
    QStringView unit;
    if (!splitNumber(text, &number, &unit)) {
        return setError(error, QStringLiteral("\"%1\" is not a size; write a number of bytes, optionally "
                                              "with a unit, as in 4096 or 64KiB.").arg(text));
    }
    for (const Unit &u : kSizeUnits) {
        if (unit.compare(QStringView(u.name), Qt::CaseInsensitive) != 0)
            continue;
        qint64 value = 0;
        bool overflow = false;
        if (!scale(number, u.factor, &value, &overflow)) {
            return setError(error, overflow ? QStringLiteral("The size \"%1\" is too large.").arg(text)
                                            : QStringLiteral("The size \"%1\" is not a whole number of "
                                                             "bytes.").arg(text));
        }
        if (out)
            *out = value;
        return true;
    }
    return setError(error, QStringLiteral("The size \"%1\" has an unknown unit \"%2\"; use B, KB, MB, "
                                          "GB, KiB, MiB or GiB.").arg(text, unit));
}

bool parseRate(QStringView text, qint64 *bytesPerSecond, QString *error, BareNumber bare)
{
    const QString units = QStringLiteral("kbit, mbit or gbit (bits per second) or KB, MB, GB, KiB, MiB or GiB "
                                         "(bytes per second)");
    Decimal number;
    QStringView unit;
    if (!splitNumber(text, &number, &unit)) {
        return setError(error, QStringLiteral("\"%1\" is not a rate; write a number and a unit, as in 400mbit "
                                              "or 50MB.").arg(text));
    }
    if (unit.endsWith(u"/s", Qt::CaseInsensitive))
        unit.chop(2);
    // iperf3's -b: bits per second, K/M/G its powers of 1000.
    QString iperfUnit;
    if (bare == BareNumber::BitsPerSecond && unit.size() <= 1) {
        iperfUnit = unit.toString().toLower() + QStringLiteral("bit");
        if (iperfUnit == u"bit" || iperfUnit == u"kbit" || iperfUnit == u"mbit" || iperfUnit == u"gbit")
            unit = iperfUnit;
    }
    if (unit.isEmpty()) {
        return setError(error, QStringLiteral("The rate \"%1\" needs a unit: %2, as in 400mbit or 50MB.")
                                   .arg(text, units));
    }
    for (const RateUnit &u : kRateUnits) {
        if (unit.compare(QStringView(u.name), Qt::CaseInsensitive) != 0)
            continue;
        const double bytes = toDouble(number) * u.factor / (u.bits ? 8.0 : 1.0);
        // Up to a petabyte per second: far beyond any link, far below overflow.
        if (bytes > 1e15)
            return setError(error, QStringLiteral("The rate \"%1\" is too large.").arg(text));
        const auto rounded = qint64(std::llround(bytes));
        if (rounded < 1) {
            return setError(error, QStringLiteral("The rate \"%1\" is below 1 byte per second; leave the rate "
                                                  "out for an unlimited link.").arg(text));
        }
        if (bytesPerSecond)
            *bytesPerSecond = rounded;
        return true;
    }
    return setError(error, QStringLiteral("The rate \"%1\" has an unknown unit \"%2\"; use %3.")
                               .arg(text, unit, units));
}

bool parsePercent(QStringView text, double *fraction, QString *error)
{
    Decimal number;
    QStringView unit;
    if (!splitNumber(text, &number, &unit)) {
        return setError(error, QStringLiteral("\"%1\" is not a percentage; write a number and %, as in 1% "
                                              "or 0.5%.").arg(text));
    }
    if (unit.isEmpty()) {
        return setError(error, QStringLiteral("The percentage \"%1\" needs a % sign (as in %1%): a bare "
                                              "number could be a fraction or a percentage.").arg(text));
    }
    if (unit != u"%") {
        return setError(error, QStringLiteral("\"%1\" is not a percentage; write a number and %, as in 1% "
                                              "or 0.5%.").arg(text));
    }
    const double percent = toDouble(number);
    if (percent > 100.0)
        return setError(error, QStringLiteral("The percentage \"%1\" is above 100%.").arg(text));
    if (fraction)
        *fraction = percent / 100.0;
    return true;
}

QString formatSize(qint64 bytes)
{
    static const char *const units[] = {"GiB", "MiB", "KiB"};
    qint64 factor = qint64(1) << 30;
    for (const char *unit : units) {
        if (bytes != 0 && bytes % factor == 0)
            return QString::number(bytes / factor) + QLatin1String(unit);
        factor >>= 10;
    }
    return QString::number(bytes);
}

QString formatBytes(qint64 bytes)
{
    static const char *const units[] = {"KiB", "MiB", "GiB", "TiB", "PiB", "EiB"};
    if (bytes < 1024 && bytes > -1024)
        return QStringLiteral("%1 B").arg(bytes);
    double value = double(bytes);
    int unit = -1;
    while ((value >= 1024.0 || value <= -1024.0) && unit < 5) {
        value /= 1024.0;
        ++unit;
    }
    double magnitude = value < 0 ? -value : value;
    // 1023.7 KiB would print as "1024 KiB": say "1.00 MiB" instead.
    if (magnitude >= 1023.5 && unit < 5) {
        value /= 1024.0;
        magnitude /= 1024.0;
        ++unit;
    }
    const int decimals = magnitude < 10 ? 2 : magnitude < 100 ? 1 : 0;
    return QStringLiteral("%1 %2").arg(QString::number(value, 'f', decimals), QLatin1String(units[unit]));
}

double megabytesPerSecond(qint64 bytes, double seconds)
{
    return workload::megabytesPerSecond(bytes, seconds);   // the app's load test uses the same
}

double megabitsPerSecond(qint64 bytes, double seconds)
{
    return megabytesPerSecond(bytes, seconds) * 8.0;
}

QString formatRate(qint64 bytes, double seconds)
{
    return QStringLiteral("%1 MB/s").arg(QString::number(megabytesPerSecond(bytes, seconds), 'f', 2));
}

QString formatBitRate(qint64 bytesPerSecond)
{
    const double bits = double(bytesPerSecond) * 8.0;
    struct Step
    {
        double size;
        const char *unit;
    };
    for (const Step &step : {Step{1e9, "Gbit/s"}, Step{1e6, "Mbit/s"}, Step{1e3, "kbit/s"}}) {
        if (bits >= step.size) {
            // Up to 3 significant decimals, no trailing zeros: "400", "1.5", "2.048".
            QString number = QString::number(bits / step.size, 'f', 3);
            while (number.endsWith(u'0'))
                number.chop(1);
            if (number.endsWith(u'.'))
                number.chop(1);
            return QStringLiteral("%1 %2").arg(number, QLatin1String(step.unit));
        }
    }
    return QStringLiteral("%1 bit/s").arg(qint64(bits));
}

QString formatPercent(double fraction)
{
    // Percentages come from parsePercent (at most 9 decimals); 6 is plenty
    // to read back, trailing zeros dropped.
    QString number = QString::number(fraction * 100.0, 'f', 6);
    while (number.endsWith(u'0'))
        number.chop(1);
    if (number.endsWith(u'.'))
        number.chop(1);
    return number + u'%';
}

} // namespace quicpool::cli
