#include "icons.h"

#include <QtCore/QFile>

// Q_INIT_RESOURCE must be called from the global namespace.
static void initQuicPoolDiagResources()
{
    Q_INIT_RESOURCE(resources);
}

namespace quicpool::diag {

void initResources()
{
    static const bool done = [] {
        initQuicPoolDiagResources();
        return true;
    }();
    Q_UNUSED(done);
}

QIcon appIcon(const QString &name)
{
    initResources();
    const QString path = QStringLiteral(":/icons/%1.svg").arg(name);
    if (!QFile::exists(path))
        return {};
    return QIcon(path);
}

} // namespace quicpool::diag
