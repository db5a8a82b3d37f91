// quicpool-diag: the desktop diagnostics and visual load-testing app.
// All logic lives in ui/ (core, models, widgets, windows); this only wires
// the command line.
#include "appoptions.h"
#include "icons.h"
#include "mainwindow.h"

#include <quicpool/global.h>

#include <QtCore/QTextStream>
#include <QtCore/QTimer>
#include <QtWidgets/QApplication>

#include <cstdio>

int main(int argc, char *argv[])
{
    QApplication app(argc, argv);
    QApplication::setOrganizationName(QStringLiteral("QuicPool"));
    QApplication::setApplicationName(QStringLiteral("quicpool-diag"));
    QApplication::setApplicationVersion(quicpool::version());
    QApplication::setDesktopFileName(QStringLiteral("io.github.quicpool.Diag"));

    const quicpool::diag::AppOptions options = quicpool::diag::parseAppOptions(QApplication::arguments());
    if (!options.error.isEmpty()) {
        QTextStream(stderr) << "quicpool-diag: " << options.error << "\n\n" << options.helpText;
        return 2;
    }
    if (options.helpShown) {
        if (QApplication::arguments().contains(QStringLiteral("--version"))
            || QApplication::arguments().contains(QStringLiteral("-v")))
            QTextStream(stdout) << "quicpool-diag " << quicpool::version() << '\n';
        else
            QTextStream(stdout) << options.helpText;
        return 0;
    }

    quicpool::diag::initResources();
    QApplication::setWindowIcon(quicpool::diag::appIcon(QStringLiteral("quicpool-diag")));
    quicpool::diag::MainWindow window;
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
