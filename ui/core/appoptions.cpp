#include "appoptions.h"

#include <QtCore/QCommandLineParser>

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
    parser.addOptions({profile, noDemo, screenshot, quitAfter});
    o.helpText = parser.helpText();
    if (!parser.parse(arguments)) {
        o.error = parser.errorText();
        return o;
    }
    if (parser.isSet(help) || parser.isSet(version)) {
        o.helpShown = true;
        return o;
    }
    if (!parser.positionalArguments().isEmpty()) {
        o.error = QStringLiteral("Unexpected argument '%1'.").arg(parser.positionalArguments().first());
        return o;
    }
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
    if (!o.screenshot.isEmpty() && o.quitAfterMs < 0)
        o.quitAfterMs = 1500; // a screenshot without a delay would show nothing live
    return o;
}

} // namespace quicpool::diag
