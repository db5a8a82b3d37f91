// quicpool-diag: the desktop diagnostics and visual load-testing app.
// All logic lives in ui/ (core, models, widgets, windows); this only wires
// the command line.
#include "appoptions.h"
#include "icons.h"
#include "logmodel.h"
#include "mainwindow.h"

#include <quicpool/global.h>

#include <QtCore/QTextStream>
#include <QtCore/QTimer>
#include <QtWidgets/QApplication>

#include <cstdio>

namespace {

QStringList rawArguments(int argc, char *argv[])
{
    QStringList list;
    for (int i = 0; i < argc; ++i)
        list.append(QString::fromLocal8Bit(argv[i]));
    return list;
}

bool haveDisplay()
{
    return qEnvironmentVariableIsSet("QT_QPA_PLATFORM") || qEnvironmentVariableIsSet("DISPLAY")
        || qEnvironmentVariableIsSet("WAYLAND_DISPLAY");
}

// 0: go on; otherwise the exit code after printing help, version or an error.
int handleTextOptions(const quicpool::diag::AppOptions &options, bool errorsToo)
{
    if (options.helpShown) {
        if (options.versionShown)
            QTextStream(stdout) << quicpool::diag::versionText() << '\n';
        else
            QTextStream(stdout) << options.helpText;
        return 0;
    }
    if (errorsToo && !options.error.isEmpty()) {
        QTextStream(stderr) << "quicpool-diag: " << options.error << "\n\n" << options.helpText;
        return 2;
    }
    return -1;
}

} // namespace

int main(int argc, char *argv[])
{
    // --help and --version first, before QApplication: it needs a display
    // and aborts without one. Qt's own options (-platform …) are unknown
    // here, so an error waits for the second parse unless there is no
    // display at all, where the error is the best answer we can give.
    {
        const quicpool::diag::AppOptions early = quicpool::diag::parseAppOptions(rawArguments(argc, argv));
        if (const int code = handleTextOptions(early, !haveDisplay()); code >= 0)
            return code;
    }

    QApplication app(argc, argv);
    QApplication::setOrganizationName(QStringLiteral("QuicPool"));
    QApplication::setApplicationName(QStringLiteral("quicpool-diag"));
    QApplication::setApplicationVersion(quicpool::version());
    QApplication::setDesktopFileName(QStringLiteral("io.github.quicpool.Diag"));

    const quicpool::diag::AppOptions options = quicpool::diag::parseAppOptions(QApplication::arguments());
    if (const int code = handleTextOptions(options, true); code >= 0)
        return code;
    // stderr carries warnings and errors; debug and info lines only when
    // asked for, by --verbose or by a logging rule the user set.
    quicpool::diag::LogModel::setVerboseStderr(options.verbose || qEnvironmentVariableIsSet("QT_LOGGING_RULES"));

    quicpool::diag::initResources();
    QApplication::setWindowIcon(quicpool::diag::appIcon(QStringLiteral("quicpool-diag")));
    quicpool::diag::MainWindow window;
    if (options.size.isValid())
        window.resize(options.size);
    window.show();
    window.startUp(options);

    if (!options.screenshot.isEmpty()) {
        QTimer::singleShot(options.quitAfterMs, &window, [&window, &options] {
            const bool ok = window.saveScreenshot(options.screenshot);
            if (!ok)
                QTextStream(stderr) << "quicpool-diag: cannot write " << options.screenshot << '\n';
            QApplication::exit(ok ? 0 : 1);
        });
    } else if (options.quitAfterMs >= 0) {
        QTimer::singleShot(options.quitAfterMs, &window, [] { QApplication::exit(0); });
    }
    return app.exec();
}
