// One command's options as a table: each option's names, the name of its
// value, what it does, its default and how its value is read. The same
// table feeds QCommandLineParser (which splits the arguments into options
// and values), the reading of every value, and the command's --help, so an
// option is written down once. Adding one is one entry:
//
//   {{"P", "parallel"}, "P", "streams running at once", def(o.parallel), atLeast(&o.parallel, 1)},
//
// (optionvalues.h has the readers: durations, sizes, rates, addresses, ...).
#pragma once

#include <QtCore/QSet>
#include <QtCore/QString>
#include <QtCore/QStringList>
#include <functional>
#include <vector>

namespace quicpool::cli {

/// Reads one occurrence of an option into the command's options. spelled is
/// the option as it was written ("-t" or "--time"), for the sentence; value
/// is empty for a flag. Returns a usage error sentence, or an empty string.
using ReadValue = std::function<QString(const QString &value, const QString &spelled)>;

struct Option
{
    /// A one-letter name and/or long names, without dashes: {"t", "time"}.
    /// The last one is the option's name in sentences and in finish().
    QStringList names;
    QString valueName;      ///< "DUR", "HOST:PORT"; empty: a flag, which takes no value
    QString description;    ///< for --help: what it does (the default follows)
    QString defaultText;    ///< "default 30s", "default: none"; empty: none shown
    ReadValue read;
};

/// A heading and its options, in --help order.
struct OptionGroup
{
    QString heading;        ///< empty: the command's own options
    std::vector<Option> options;
};

/// One command: its table and the words around it in --help.
struct CommandLine
{
    QString command;        ///< "client"
    QString synopsis;       ///< what follows "Usage: quicpool client "
    QString about;          ///< paragraph(s) between the usage line and the options
    std::vector<OptionGroup> groups;
    QString notes;          ///< text after the options (may be empty)
    /// Checks between options once every one is read. given holds the
    /// names (Option::names' last) of the options on the command line.
    /// Returns a sentence, or an empty string.
    std::function<QString(const QSet<QString> &given)> finish;
};

/// The text with no-break spaces, so --help keeps it on one line (a list
/// of names a reader looks for as a whole).
QString keepTogether(QString text);

/// "--time" or "-t": how a name is written on the command line.
QString spelled(const QString &name);

/// What reading a command line came to: -h/--help among the options, or
/// the sentence of what is wrong and a hint for the line after it ("Did you
/// mean --parallel?", often empty), or neither: every option was read.
struct CommandLineRead
{
    bool help = false;
    QString error;
    QString hint;
};

/// Reads the arguments after the command's name: QCommandLineParser splits
/// them ("--opt value", "--opt=value", "-t 10", "-t10", "-t=10", "-RJ";
/// "--" ends the options), then every occurrence is read in command-line
/// order through the table (so the last of an option wins, and an option
/// may depend on the ones before it), then finish() runs. A value that
/// looks like an option ("--hostname --json", "-t -J") is a forgotten
/// value. The command takes no arguments besides its options. -h and
/// --help are every command's; they are not in the tables.
CommandLineRead readCommandLine(const CommandLine &table, const QStringList &args);

/// The command's --help: the usage line, the about text, every option with
/// its value, description and default in two columns (-h, --help first),
/// the notes; lines of at most 79 columns.
QString formatHelp(const CommandLine &table);

/// Every option of the table, -h/--help included, for the tests and the
/// documentation checks.
std::vector<Option> allOptions(const CommandLine &table);

} // namespace quicpool::cli
