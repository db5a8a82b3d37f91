// The documentation of the command line says exactly what the parser
// accepts: for every command, the man page's SYNOPSIS and the README's
// synopsis name each option of the command's table (long and short) and no
// other, and the man page's OPTIONS section explains each of them.
#include "cliargs.h"

#include <QtCore/QFile>
#include <QtCore/QRegularExpression>
#include <QtTest/QtTest>

using namespace quicpool::cli;

namespace {

const QStringList kCommands = {QStringLiteral("server"), QStringLiteral("client"), QStringLiteral("demo"),
                               QStringLiteral("bench"), QStringLiteral("relay")};

QString readSource(const QString &path)
{
    QFile f(QStringLiteral(QUICPOOL_SOURCE_DIR "/") + path);
    if (!f.open(QIODevice::ReadOnly))
        return {};
    return QString::fromUtf8(f.readAll());
}

/// "-t", "--time", ... as written in the text.
QSet<QString> optionsIn(const QString &text)
{
    static const QRegularExpression option(QStringLiteral("(?<![\\w-])(--[a-z][a-z-]*[a-z]|-[A-Za-z])(?![\\w-])"));
    QSet<QString> found;
    for (const QRegularExpressionMatch &m : option.globalMatch(text))
        found.insert(m.captured(1));
    return found;
}

/// What the parser takes for a command, -h/--help aside (every command
/// has them; the synopses say so once).
QSet<QString> tableOptions(const QString &command)
{
    QSet<QString> names;
    for (const OptionSpelling &o : commandOptions(command)) {
        for (const QString &name : o.names) {
            if (name != u"h" && name != u"help")
                names.insert(name.size() == 1 ? QStringLiteral("-") + name : QStringLiteral("--") + name);
        }
    }
    return names;
}

/// The man page without roff's escaped dashes.
QString manPage()
{
    return readSource(QStringLiteral("installer/man/quicpool.1.in")).replace(QStringLiteral("\\-"), QStringLiteral("-"));
}

QString section(const QString &text, const QString &from, const QString &to)
{
    const qsizetype start = text.indexOf(from);
    const qsizetype end = text.indexOf(to, start + 1);
    return start < 0 || end < 0 ? QString() : text.mid(start, end - start);
}

QString sorted(const QSet<QString> &set)
{
    QStringList list(set.begin(), set.end());
    list.sort();
    return list.join(u' ');
}

} // namespace

class TestCliDocs : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void commands_data()
    {
        QTest::addColumn<QString>("command");
        for (const QString &c : kCommands)
            QTest::newRow(qPrintable(c)) << c;
    }

    void commands() { QVERIFY(!tableOptions(QStringLiteral("client")).isEmpty()); }

    void manSynopsis_data() { commands_data(); }

    void manSynopsis()
    {
        QFETCH(QString, command);
        const QString synopsis = section(manPage(), QStringLiteral(".SH SYNOPSIS"), QStringLiteral(".SH DESCRIPTION"));
        QVERIFY(!synopsis.isEmpty());
        // One block per command, from ".B quicpool COMMAND" to ".PP".
        const QString block = section(synopsis, QStringLiteral(".B quicpool ") + command + u'\n', QStringLiteral(".PP"));
        QVERIFY2(!block.isEmpty(), qPrintable(command));
        QCOMPARE(sorted(optionsIn(block)), sorted(tableOptions(command)));
    }

    void manOptionsExplainEach_data() { commands_data(); }

    void manOptionsExplainEach()
    {
        QFETCH(QString, command);
        const QString options = section(manPage(), QStringLiteral(".SH OPTIONS"), QStringLiteral(".SH EXIT STATUS"));
        QVERIFY(!options.isEmpty());
        // Every option is the subject of a .TP paragraph.
        QSet<QString> explained;
        const QStringList lines = options.split(u'\n');
        for (qsizetype i = 0; i + 1 < lines.size(); ++i) {
            if (lines.at(i) == u".TP")
                explained.unite(optionsIn(lines.at(i + 1)));
        }
        const QSet<QString> table = tableOptions(command);
        QVERIFY2(explained.contains(table), qPrintable(sorted(table - explained)));
    }

    void readmeSynopsis_data() { commands_data(); }

    void readmeSynopsis()
    {
        QFETCH(QString, command);
        const QString readme = readSource(QStringLiteral("README.md"));
        QVERIFY(!readme.isEmpty());
        // The code block after "## The `quicpool` command" that lists every
        // command: a command's lines run from "quicpool COMMAND" to the next
        // "quicpool " line or the end of the block.
        const QString intro = section(readme, QStringLiteral("## The `quicpool` command"), QStringLiteral("\n## "));
        const QString block = section(intro, QStringLiteral("```\nquicpool server"), QStringLiteral("\n```"));
        QVERIFY(!block.isEmpty());
        QString lines;
        bool inCommand = false;
        for (const QString &line : block.split(u'\n')) {
            if (line.startsWith(QStringLiteral("quicpool ")) || line.startsWith(QStringLiteral("```\nquicpool")))
                inCommand = line.startsWith(QStringLiteral("quicpool ") + command + u' ')
                            || line == QStringLiteral("quicpool ") + command;
            if (line.startsWith(QStringLiteral("```")))
                continue;
            if (inCommand)
                lines += line + u'\n';
        }
        QVERIFY2(!lines.isEmpty(), qPrintable(command));
        QCOMPARE(sorted(optionsIn(lines)), sorted(tableOptions(command)));
    }

    void generalOptionsDocumented()
    {
        // quicpool's own options, in both synopses and the help.
        const QString man = manPage();
        for (const char *option : {"-v", "--version", "-V", "-h", "--help"}) {
            QVERIFY2(optionsIn(section(man, QStringLiteral(".SH SYNOPSIS"), QStringLiteral(".SH DESCRIPTION")))
                         .contains(QLatin1String(option)),
                     option);
            QVERIFY2(usageText().contains(QLatin1String(option)), option);
        }
    }
};

QTEST_GUILESS_MAIN(TestCliDocs)
#include "tst_clidocs.moc"
