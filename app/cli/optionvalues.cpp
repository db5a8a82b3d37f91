#include "optionvalues.h"

#include <quicpool/config.h>
#include <algorithm>
#include <limits>

namespace quicpool::cli {

namespace {

bool allDigits(QStringView text)
{
    return !text.isEmpty() && std::all_of(text.begin(), text.end(), [](QChar c) { return c >= u'0' && c <= u'9'; });
}

/// Strict decimal integer (optional '-', ASCII digits only), at least minimum.
QString readInt(const QString &as, const QString &text, int minimum, int *out)
{
    QStringView digits(text);
    const bool negative = digits.startsWith(u'-');
    if (negative)
        digits = digits.mid(1);
    if (!allDigits(digits))
        return QStringLiteral("%1 expects a whole number, not \"%2\".").arg(as, text);
    qint64 value = 0;
    for (QChar c : digits) {
        value = value * 10 + (c.unicode() - u'0');
        if (value > std::numeric_limits<int>::max())
            return QStringLiteral("%1 is too large: %2.").arg(as, text);
    }
    if (negative)
        value = -value;
    if (value < minimum)
        return QStringLiteral("%1 must be at least %2, not %3.").arg(as).arg(minimum).arg(text);
    *out = int(value);
    return {};
}

QString readDuration(const QString &as, const QString &text, Milliseconds minimum, BareNumber bare,
                     Milliseconds *out)
{
    QString why;
    Milliseconds value{};
    if (!parseDuration(text, &value, &why, bare))
        return QStringLiteral("%1: %2").arg(as, why);
    if (value < minimum) {
        if (minimum == Milliseconds(1))
            return QStringLiteral("%1 must be above zero, not %2.").arg(as, text);
        return QStringLiteral("%1 must be at least %2, not %3.").arg(as, formatDuration(minimum), text);
    }
    *out = value;
    return {};
}

QString readSize(const QString &as, const QString &text, qint64 *out)
{
    QString why;
    if (!parseSize(text, out, &why))
        return QStringLiteral("%1: %2").arg(as, why);
    return {};
}

QString readPercent(const QString &as, const QString &text, double *out)
{
    QString why;
    if (!parsePercent(text, out, &why))
        return QStringLiteral("%1: %2").arg(as, why);
    return {};
}

} // namespace

ReadValue flag(bool *out)
{
    return [out](const QString &, const QString &) {
        *out = true;
        return QString();
    };
}

ReadValue wholeNumber(int *out, int minimum)
{
    return [out, minimum](const QString &v, const QString &as) { return readInt(as, v, minimum, out); };
}

ReadValue wholeNumber(std::optional<int> *out, int minimum)
{
    return [out, minimum](const QString &v, const QString &as) {
        int value = 0;
        QString error = readInt(as, v, minimum, &value);
        if (error.isEmpty())
            *out = value;
        return error;
    };
}

ReadValue unsigned64(quint64 *out)
{
    return [out](const QString &v, const QString &as) -> QString {
        bool ok = false;
        const quint64 value = allDigits(v) ? v.toULongLong(&ok, 10) : 0;
        if (!ok)
            return QStringLiteral("%1 expects a whole number from 0 to 18446744073709551615, not \"%2\".").arg(as, v);
        *out = value;
        return {};
    };
}

/// iperf3's reading of a bare number is its one-letter options' only.
BareNumber bareFor(const QString &as, BareNumber bare)
{
    return as.size() == 2 ? bare : BareNumber::Refused;
}

ReadValue duration(Milliseconds *out, Milliseconds minimum, BareNumber bare)
{
    return [out, minimum, bare](const QString &v, const QString &as) {
        return readDuration(as, v, minimum, bareFor(as, bare), out);
    };
}

ReadValue durationWindow(Milliseconds *at, Milliseconds *length)
{
    return [at, length](const QString &text, const QString &as) -> QString {
        const qsizetype plus = text.indexOf(u'+');
        if (plus < 0 || text.indexOf(u'+', plus + 1) >= 0) {
            return QStringLiteral("%1 takes AT+FOR, two durations as in 10s+2s (dropping everything from 10 s "
                                  "after start for 2 s), not \"%2\".").arg(as, text);
        }
        QString why;
        Milliseconds start{}, span{};
        if (!parseDuration(QStringView(text).left(plus), &start, &why))
            return QStringLiteral("%1: %2").arg(as, why);
        if (!parseDuration(QStringView(text).mid(plus + 1), &span, &why))
            return QStringLiteral("%1: %2").arg(as, why);
        if (span.count() <= 0)
            return QStringLiteral("%1 needs a length above zero after the +, not \"%2\".").arg(as, text);
        *at = start;
        *length = span;
        return {};
    };
}

ReadValue size(qint64 *out)
{
    return [out](const QString &v, const QString &as) { return readSize(as, v, out); };
}

ReadValue size(std::optional<qint64> *out)
{
    return [out](const QString &v, const QString &as) {
        qint64 value = 0;
        QString error = readSize(as, v, &value);
        if (error.isEmpty())
            *out = value;
        return error;
    };
}

ReadValue rate(qint64 *out, BareNumber bare)
{
    return [out, bare](const QString &v, const QString &as) -> QString {
        QString why;
        if (!parseRate(v, out, &why, bareFor(as, bare)))
            return QStringLiteral("%1: %2").arg(as, why);
        return {};
    };
}

ReadValue percent(double *out)
{
    return [out](const QString &v, const QString &as) { return readPercent(as, v, out); };
}

ReadValue percent(std::optional<double> *out)
{
    return [out](const QString &v, const QString &as) {
        double value = 0;
        QString error = readPercent(as, v, &value);
        if (error.isEmpty())
            *out = value;
        return error;
    };
}

ReadValue listenAddress(QString *out)
{
    return [out](const QString &v, const QString &as) -> QString {
        QString why;
        if (!parseHostPort(v, nullptr, nullptr, &why))
            return QStringLiteral("%1: %2").arg(as, why);
        *out = v;
        return {};
    };
}

ReadValue dialAddress(QString *out)
{
    return [out](const QString &v, const QString &as) -> QString {
        QString host, why;
        quint16 port = 0;
        if (!parseHostPort(v, &host, &port, &why))
            return QStringLiteral("%1: %2").arg(as, why);
        if (host.isEmpty())
            return QStringLiteral("%1 needs a host to connect to; \"%2\" has none.").arg(as, v);
        if (port == 0)
            return QStringLiteral("%1 needs a port from 1 to 65535; \"%2\" has 0.").arg(as, v);
        *out = v;
        return {};
    };
}

ReadValue nonEmpty(QString *out, const QString &what)
{
    return [out, what](const QString &v, const QString &as) -> QString {
        if (v.isEmpty())
            return QStringLiteral("%1 needs %2.").arg(as, what);
        *out = v;
        return {};
    };
}

ReadValue after(std::function<void()> first, ReadValue read)
{
    return [first = std::move(first), read = std::move(read)](const QString &v, const QString &as) {
        first();
        return read(v, as);
    };
}

QString defaultText(const QString &value)
{
    return QStringLiteral("default ") + value;
}

QString defaultWords(const QString &words)
{
    return QStringLiteral("default: ") + words;
}

QString byDefault(Milliseconds value)
{
    return defaultText(formatDuration(value));
}

QString byDefault(int value)
{
    return defaultText(QString::number(value));
}

QString byDefault(quint64 value)
{
    return defaultText(QString::number(value));
}

QString defaultSize(qint64 bytes)
{
    return defaultText(formatSize(bytes));
}

QString defaultPercent(double fraction)
{
    return defaultText(formatPercent(fraction));
}

} // namespace quicpool::cli
