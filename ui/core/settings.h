// Where quicpool-diag keeps its settings: QSettings("QuicPool",
// "quicpool-diag"), or an INI file in $QUICPOOL_SETTINGS_DIR when that is
// set, so tests and portable setups never touch the user's real config.
#pragma once

#include <QtCore/QSettings>
#include <memory>

namespace quicpool::diag {

std::unique_ptr<QSettings> openSettings();

} // namespace quicpool::diag
