#include "settings.h"

#include <QtCore/QDir>

namespace quicpool::diag {

std::unique_ptr<QSettings> openSettings()
{
    const QString dir = qEnvironmentVariable("QUICPOOL_SETTINGS_DIR");
    if (!dir.isEmpty()) {
        QDir().mkpath(dir);
        return std::make_unique<QSettings>(QDir(dir).filePath(QStringLiteral("quicpool-diag.ini")),
                                           QSettings::IniFormat);
    }
    return std::make_unique<QSettings>(QStringLiteral("QuicPool"), QStringLiteral("quicpool-diag"));
}

} // namespace quicpool::diag
