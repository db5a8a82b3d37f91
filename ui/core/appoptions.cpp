#include "appoptions.h"

#include <QtCore/QCommandLineParser>

#include <quicpool/global.h>

namespace quicpool::diag {

AppOptions parseAppOptions(const QStringList &arguments)
{
    AppOptions o;
    QCommandLineParser parser;
    parser.setApplicationDescription(QStringLiteral("QuicPool diagnostics: live pool charts, streams, payloads and load tests."));
    const QCommandLineOption help = parser.addHelpOption();
    const QCommandLineOption version = parser.addVersionOption();
    const QCommandLineOption profile(QStringLiteral("profile"), QStringLiteral("Open the saved profile NAME."),
                                     QStringLiteral("NAME"));
    const QCommandLineOption noDemo(QStringLiteral("no-demo"),
                                    QStringLiteral("Do not open the embedded loopback demo pair."));
    const QCommandLineOption screenshot(QStringLiteral("screenshot"),
                                        QStringLiteral("Render the main window to FILE (PNG) and exit; see --quit-after."),
                                        QStringLiteral("FILE"));
    const QCommandLineOption quitAfter(QStringLiteral("quit-after"), QStringLiteral("Exit after MS milliseconds."),
                                       QStringLiteral("MS"));
    const QCommandLineOption verbose(QStringLiteral("verbose"),
                                     QStringLiteral("Write debug and info lines to stderr too (by default only warnings "
                                                    "and errors; the log panel has everything)."));
    const QCommandLineOption size(QStringLiteral("size"),
                                  QStringLiteral("Open the window WIDTHxHEIGHT pixels large (for screenshots)."),
                                  QStringLiteral("WxH"));
    parser.addOptions({profile, noDemo, screenshot, quitAfter, size, verbose});
    parser.addPositionalArgument(QStringLiteral("files"),
                                 QStringLiteral("qlog files (.sqlog, .qlog) to open in the qlog viewer."),
                                 QStringLiteral("[FILE…]"));
    // helpText() names the program from QCoreApplication when there is one;
    // without one (headless --help runs before any application object) it
    // says "<executable_name>", so put the real name in.
    o.helpText = parser.helpText();
    if (!arguments.isEmpty())
        o.helpText.replace(QStringLiteral("<executable_name>"), arguments.first());
    if (!parser.parse(arguments)) {
        o.error = parser.errorText();
        return o;
    }
    if (parser.isSet(help) || parser.isSet(version)) {
        o.helpShown = true;
        o.versionShown = parser.isSet(version) && !parser.isSet(help);
        return o;
    }
    o.verbose = parser.isSet(verbose);
    o.qlogFiles = parser.positionalArguments();
    o.profile = parser.value(profile);
    if (parser.isSet(profile) && o.profile.trimmed().isEmpty()) {
        o.error = QStringLiteral("--profile needs a name.");
        return o;
    }
    o.noDemo = parser.isSet(noDemo);
    o.screenshot = parser.value(screenshot);
    if (parser.isSet(quitAfter)) {
        bool ok = false;
        o.quitAfterMs = parser.value(quitAfter).toInt(&ok);
        if (!ok || o.quitAfterMs < 0) {
            o.error = QStringLiteral("--quit-after needs a number of milliseconds, not '%1'.").arg(parser.value(quitAfter));
            return o;
        }
    }
    if (parser.isSet(size)) {
        const QStringList parts = parser.value(size).split(QLatin1Char('x'));
        bool okW = false;
        bool okH = false;
        const int w = parts.size() == 2 ? parts.at(0).toInt(&okW) : 0;
        const int h = parts.size() == 2 ? parts.at(1).toInt(&okH) : 0;
        if (!okW || !okH || w < 200 || h < 150 || w > 10000 || h > 10000) {
            o.error = QStringLiteral("--size needs WIDTHxHEIGHT in pixels, such as 1024x700, not '%1'.")
                          .arg(parser.value(size));
            return o;
        }
        o.size = QSize(w, h);
    }
    if (!o.screenshot.isEmpty() && o.quitAfterMs < 0)
        o.quitAfterMs = 1500; // a screenshot without a delay would show nothing live
    return o;
}

QString versionText()
{
    return QStringLiteral("quicpool-diag %1").arg(quicpool::version());
}

} // namespace quicpool::diag
