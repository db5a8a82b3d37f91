#include "optiontable.h"

#include <QtCore/QCommandLineParser>
#include <QtCore/QHash>
#include <algorithm>

namespace quicpool::cli {

namespace {

constexpr qsizetype kHelpWidth = 79;
/// The widest option column; longer names put their description below.
constexpr qsizetype kMaxNameColumn = 26;
/// Holds words together while a description is broken into lines.
constexpr char16_t kNoBreak = u'\u00a0';

/// Put after the last argument, it becomes the value of an option that was
/// left without one, so that case reads like "--hostname --json". No real
/// command line holds it: argv strings end at their first NUL.
const QString kEnd = QString(QChar(u'\0'));

Option helpOption()
{
    return {{QStringLiteral("h"), QStringLiteral("help")}, {}, QStringLiteral("show this text"), {}, {}};
}

/// "--json", "-J", "-1": a value no option takes, so an option's value
/// was forgotten. A negative number ("-3", "-1ms") is a value.
bool looksLikeOption(const QString &value)
{
    return value.startsWith(u"--") || (value.size() >= 2 && value.at(0) == u'-' && value.at(1).isLetter());
}

/// Levenshtein distance, for "Did you mean": names are short, and a long
/// unknown one is no typo of them.
qsizetype editDistance(QStringView a, QStringView b)
{
    if (a.size() > 64 || b.size() > 64)
        return std::max(a.size(), b.size());
    std::vector<qsizetype> row(size_t(b.size()) + 1);
    for (qsizetype j = 0; j <= b.size(); ++j)
        row[size_t(j)] = j;
    for (qsizetype i = 1; i <= a.size(); ++i) {
        qsizetype diagonal = row[0];
        row[0] = i;
        for (qsizetype j = 1; j <= b.size(); ++j) {
            const qsizetype above = row[size_t(j)];
            const qsizetype cost = a.at(i - 1) == b.at(j - 1) ? 0 : 1;
            row[size_t(j)] = std::min({above + 1, row[size_t(j - 1)] + 1, diagonal + cost});
            diagonal = above;
        }
    }
    return row[size_t(b.size())];
}

/// The arguments up to "--", where options end.
QStringList optionArguments(const QStringList &args)
{
    const qsizetype end = args.indexOf(QStringLiteral("--"));
    return end < 0 ? args : args.mid(0, end);
}

class Table
{
public:
    explicit Table(const CommandLine &t) : m_table(t)
    {
        m_options = allOptions(t);
        for (const Option &o : m_options) {
            for (const QString &name : o.names)
                m_byName.insert(name, &o);
        }
    }

    const std::vector<Option> &options() const { return m_options; }
    const Option *find(const QString &name) const { return m_byName.value(name); }
    QString command() const { return m_table.command; }

    QString unknown(const QString &spelledName) const
    {
        return QStringLiteral("Unknown option %1 for quicpool %2.").arg(spelledName, m_table.command);
    }

    /// "Did you mean --parallel?" for a long name close to one of ours.
    QString closest(const QString &name) const
    {
        if (name.size() < 3)
            return {};
        QString best;
        qsizetype bestDistance = 3;
        for (const Option &o : m_options) {
            for (const QString &candidate : o.names) {
                if (candidate.size() < 2)
                    continue;
                const qsizetype d = editDistance(name, candidate);
                if (d < bestDistance) {
                    bestDistance = d;
                    best = candidate;
                }
            }
        }
        return best.isEmpty() ? QString() : QStringLiteral("Did you mean --%1?").arg(best);
    }

private:
    const CommandLine &m_table;
    std::vector<Option> m_options;
    QHash<QString, const Option *> m_byName;
};

/// The option QCommandLineParser did not know, as it was written.
CommandLineRead unknownOption(const Table &table, const QString &name, const QStringList &args)
{
    // Compacted short options ("-RJx") come back one letter at a time;
    // "--x" comes back as "x" too.
    const QString dashed = QStringLiteral("--") + name;
    const QStringList options = optionArguments(args);
    const bool written = std::any_of(options.begin(), options.end(), [&](const QString &a) {
        return a == dashed || a.startsWith(dashed + u'=');
    });
    const QString as = name.size() == 1 && !written ? QStringLiteral("-") + name : dashed;
    return {false, table.unknown(as), name.size() > 1 ? table.closest(name) : QString()};
}

/// QCommandLineParser failed without an unknown option: a flag was given a
/// value ("--json=yes", "-R=1"). Finds it the way the parser walks.
CommandLineRead valueOnFlag(const Table &table, const QStringList &args, const QString &parserError)
{
    for (const QString &a : optionArguments(args)) {
        const qsizetype equals = a.indexOf(u'=');
        if (equals < 0 || !a.startsWith(u'-') || a.size() < 2)
            continue;
        if (a.startsWith(u"--")) {
            const QString name = a.mid(2, equals - 2);
            if (name.isEmpty())
                return {false, table.unknown(a), {}};
            const Option *o = table.find(name);
            if (o && o->valueName.isEmpty())
                return {false, QStringLiteral("%1 takes no value.").arg(spelled(name)), {}};
            continue;
        }
        // "-RJ=1": letters until one takes a value (the rest is its value)
        // or a flag is followed by '='.
        for (qsizetype pos = 1; pos < a.size(); ++pos) {
            const Option *o = table.find(a.mid(pos, 1));
            if (!o || !o->valueName.isEmpty())
                break;
            if (pos + 1 < a.size() && a.at(pos + 1) == u'=')
                return {false, QStringLiteral("%1 takes no value.").arg(spelled(a.mid(pos, 1))), {}};
        }
    }
    // Not reached with the parser of Qt 6.4; say what it said.
    return {false, QStringLiteral("quicpool %1 cannot read its options: %2").arg(table.command(), parserError), {}};
}

QStringList wrap(const QString &text, qsizetype width)
{
    QStringList lines;
    QString line;
    for (const QString &word : text.split(u' ', Qt::SkipEmptyParts)) {
        if (!line.isEmpty() && line.size() + 1 + word.size() > width) {
            lines.append(line);
            line.clear();
        }
        if (!line.isEmpty())
            line += u' ';
        line += word;
    }
    if (!line.isEmpty())
        lines.append(line);
    return lines;
}

/// "  -c, --connect HOST:PORT" or "      --min-cap N".
QString nameColumn(const Option &o)
{
    QString shortName, longName;
    for (const QString &name : o.names) {
        if (name.size() == 1 && shortName.isEmpty())
            shortName = name;
        else if (name.size() > 1 && longName.isEmpty())
            longName = name;
    }
    QString column = shortName.isEmpty() ? QStringLiteral("      ") : QStringLiteral("  -%1, ").arg(shortName);
    if (longName.isEmpty())
        column.chop(2);
    else
        column += QStringLiteral("--") + longName;
    if (!o.valueName.isEmpty())
        column += u' ' + o.valueName;
    return column;
}

} // namespace

QString keepTogether(QString text)
{
    return text.replace(u' ', QChar(kNoBreak));
}

QString spelled(const QString &name)
{
    return (name.size() == 1 ? QStringLiteral("-") : QStringLiteral("--")) + name;
}

std::vector<Option> allOptions(const CommandLine &table)
{
    std::vector<Option> options{helpOption()};
    for (const OptionGroup &group : table.groups)
        options.insert(options.end(), group.options.begin(), group.options.end());
    return options;
}

CommandLineRead readCommandLine(const CommandLine &commandLine, const QStringList &args)
{
    const Table table(commandLine);
    // QCommandLineParser takes "--t" for -t; a letter is written "-t".
    for (const QString &a : optionArguments(args)) {
        if (a.startsWith(u"--") && (a.size() == 3 || (a.size() > 3 && a.at(3) == u'=')))
            return {false, table.unknown(a.left(3)), {}};
    }
    QCommandLineParser parser;
    parser.setSingleDashWordOptionMode(QCommandLineParser::ParseAsCompactedShortOptions);
    parser.setOptionsAfterPositionalArgumentsMode(QCommandLineParser::ParseAsOptions);
    for (const Option &o : table.options()) {
        // A name twice in one table is a programming error the tests catch
        // (tst_cliargs' everyTableOption); the parser warns and keeps the first.
        parser.addOption(QCommandLineOption(o.names, o.description, o.valueName));
    }
    // The first element is the program's name, as in argv.
    const bool parsed = parser.parse(QStringList{QStringLiteral("quicpool")} + args + QStringList{kEnd});
    if (parser.isSet(QStringLiteral("help")))
        return {true, {}, {}};
    if (!parser.unknownOptionNames().isEmpty())
        return unknownOption(table, parser.unknownOptionNames().constFirst(), args);
    if (!parsed)
        return valueOnFlag(table, args, parser.errorText());

    // Every occurrence in command-line order; values() keeps each option's
    // values in that order too.
    QHash<const Option *, qsizetype> taken;
    QHash<const Option *, QStringList> values;
    QSet<QString> given;
    for (const QString &name : parser.optionNames()) {
        const Option *o = table.find(name);
        if (!o || !o->read)
            continue;
        const QString as = spelled(name);
        QString value;
        if (!o->valueName.isEmpty()) {
            if (!values.contains(o))
                values.insert(o, parser.values(name));
            value = values.value(o).value(taken[o]++);
            if (value == kEnd || looksLikeOption(value))
                return {false, QStringLiteral("%1 needs a value.").arg(as), {}};
        }
        if (QString error = o->read(value, as); !error.isEmpty())
            return {false, error, {}};
        given.insert(o->names.constLast());
    }
    QStringList extra = parser.positionalArguments();
    if (!extra.isEmpty() && extra.constLast() == kEnd)
        extra.removeLast();
    if (!extra.isEmpty()) {
        return {false,
                QStringLiteral("Unexpected argument \"%1\": quicpool %2 takes no arguments, only options.")
                    .arg(extra.constFirst(), commandLine.command),
                {}};
    }
    if (commandLine.finish)
        return {false, commandLine.finish(given), {}};
    return {};
}

QString formatHelp(const CommandLine &t)
{
    QString out = QStringLiteral("Usage: quicpool %1 %2\n").arg(t.command, t.synopsis);
    if (!t.about.isEmpty())
        out += u'\n' + t.about + (t.about.endsWith(u'\n') ? QString() : QStringLiteral("\n"));

    std::vector<OptionGroup> groups = t.groups;
    if (groups.empty() || !groups.front().heading.isEmpty())
        groups.insert(groups.begin(), OptionGroup{});
    groups.front().options.insert(groups.front().options.begin(), helpOption());

    qsizetype column = 0;
    for (const OptionGroup &g : groups) {
        for (const Option &o : g.options) {
            const qsizetype width = nameColumn(o).size();
            if (width <= kMaxNameColumn)
                column = std::max(column, width);
        }
    }
    column += 2;
    for (const OptionGroup &g : groups) {
        out += u'\n';
        if (!g.heading.isEmpty())
            out += g.heading + QStringLiteral(":\n");
        for (const Option &o : g.options) {
            QString text = o.description;
            if (!o.defaultText.isEmpty()) {
                // "(default 30s)" stays on one line: a no-break space until
                // the lines are made.
                QString words = o.defaultText;
                const qsizetype space = words.indexOf(u' ');
                text += QStringLiteral(" (%1)").arg(space > 0 ? keepTogether(words.left(space + 1)) + words.mid(space + 1)
                                                              : words);
            }
            const QString names = nameColumn(o);
            QStringList lines = wrap(text, kHelpWidth - column);
            const QString indent(column, u' ');
            if (names.size() + 2 > column) {
                out += names + u'\n';
            } else if (!lines.isEmpty()) {
                out += names.leftJustified(column) + lines.takeFirst() + u'\n';
            } else {
                out += names + u'\n';
            }
            for (const QString &line : lines)
                out += indent + line + u'\n';
        }
    }
    out.replace(QChar(kNoBreak), u' ');
    if (!t.notes.isEmpty())
        out += u'\n' + t.notes + (t.notes.endsWith(u'\n') ? QString() : QStringLiteral("\n"));
    return out;
}

} // namespace quicpool::cli
