// The kinds of option value the commands take, as ReadValues for the option
// tables (optiontable.h), and the default texts --help shows. Every
// sentence names the option as it was written ("--time: ..." or "-t: ...").
// The units themselves are units.h's.
#pragma once

#include "optiontable.h"
#include "units.h"

#include <QtCore/QString>
#include <optional>

namespace quicpool::cli {

/// A flag: sets *out.
ReadValue flag(bool *out);
/// A strict decimal whole number (ASCII digits, an optional '-') of at least minimum.
ReadValue wholeNumber(int *out, int minimum);
ReadValue wholeNumber(std::optional<int> *out, int minimum);
/// Any unsigned 64-bit decimal number.
ReadValue unsigned64(quint64 *out);
/// A duration of at least minimum (0: any; 1 ms: "above zero"); bare says
/// how the option's one-letter name reads a number without a unit (units.h:
/// "-t 10" is 10 s); its long name always wants a unit.
ReadValue duration(Milliseconds *out, Milliseconds minimum, BareNumber bare = BareNumber::Refused);
/// AT+FOR: two durations, the second above zero ("10s+2s").
ReadValue durationWindow(Milliseconds *at, Milliseconds *length);
ReadValue size(qint64 *out);
ReadValue size(std::optional<qint64> *out);
/// Bytes per second; bare as for duration() ("-b 100M").
ReadValue rate(qint64 *out, BareNumber bare = BareNumber::Refused);
/// A fraction 0..1 from "1%".
ReadValue percent(double *out);
ReadValue percent(std::optional<double> *out);
/// Where to listen: HOST:PORT, where port 0 picks one and no host means
/// every address.
ReadValue listenAddress(QString *out);
/// Where to send: a host and a port from 1 to 65535.
ReadValue dialAddress(QString *out);
/// Any text but the empty one; what names it: "--cert needs a PEM file name."
ReadValue nonEmpty(QString *out, const QString &what);
/// Runs before first, then read: for options other options look at.
ReadValue after(std::function<void()> first, ReadValue read);

/// Default texts for the tables: "default 30s", "default 1024",
/// "default 64KiB", "default 0%"; and "default: none" for words.
QString byDefault(Milliseconds value);
QString byDefault(int value);
QString byDefault(quint64 value);
QString defaultSize(qint64 bytes);
QString defaultPercent(double fraction);
QString defaultWords(const QString &words);
QString defaultText(const QString &value);

} // namespace quicpool::cli
