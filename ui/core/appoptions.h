// quicpool-diag's command line, parsed without side effects so tests reach it.
#pragma once

#include <QtCore/QString>
#include <QtCore/QStringList>

namespace quicpool::diag {

struct AppOptions
{
    QString profile;        ///< --profile NAME
    bool noDemo = false;    ///< --no-demo: start empty even with no profile
    QString screenshot;     ///< --screenshot FILE
    int quitAfterMs = -1;   ///< --quit-after MS
    bool helpShown = false;
    QString error;          ///< set when the arguments are wrong
    QString helpText;
};

/// arguments include the program name first, as QCoreApplication::arguments().
AppOptions parseAppOptions(const QStringList &arguments);

} // namespace quicpool::diag
