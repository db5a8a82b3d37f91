// The app's own SVG icons (resources/icons), scalable for HiDPI.
#pragma once

#include "poolstatus.h"

#include <QtGui/QColor>
#include <QtGui/QIcon>
#include <QtGui/QPalette>

namespace quicpool::diag {

/// Makes the compiled-in resources available (static library): call once.
void initResources();
/// ":/icons/<name>.svg" as an icon; a null icon if it does not exist.
QIcon appIcon(const QString &name);

/// The colour of a status level (grey, blue, green, amber, red).
QColor statusColor(StatusLevel level);
/// A filled dot of statusColor(level), for pool tabs and banners.
QIcon statusIcon(StatusLevel level);
/// A banner background: the level's colour faintly over the palette's window.
QColor statusBackground(StatusLevel level, const QPalette &palette);

} // namespace quicpool::diag
