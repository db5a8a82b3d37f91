// quicpool-diag's command line, parsed without side effects so tests reach it.
#pragma once

#include <QtCore/QSize>
#include <QtCore/QString>
#include <QtCore/QStringList>

namespace quicpool::diag {

struct AppOptions
{
    QString profile;        ///< --profile NAME
    bool noDemo = false;    ///< --no-demo: start empty even with no profile
    QString screenshot;     ///< --screenshot FILE
    int quitAfterMs = -1;   ///< --quit-after MS
    QSize size;             ///< --size WxH; invalid: the saved or default size
    bool verbose = false;   ///< --verbose: debug and info lines on stderr too
    QStringList qlogFiles;  ///< FILE…: qlog files to open in the viewer
    bool helpShown = false;
    bool versionShown = false;
    QString error;          ///< set when the arguments are wrong
    QString helpText;
};

/// arguments include the program name first, as QCoreApplication::arguments().
/// Needs no QCoreApplication and no display, so --help and --version work
/// on a headless machine.
AppOptions parseAppOptions(const QStringList &arguments);

/// What --version prints: "quicpool-diag 0.x.y".
QString versionText();

} // namespace quicpool::diag
