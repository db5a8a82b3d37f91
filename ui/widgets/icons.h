// The app's own SVG icons (resources/icons), scalable for HiDPI.
#pragma once

#include <QtGui/QIcon>

namespace quicpool::diag {

/// Makes the compiled-in resources available (static library): call once.
void initResources();
/// ":/icons/<name>.svg" as an icon; a null icon if it does not exist.
QIcon appIcon(const QString &name);

} // namespace quicpool::diag
