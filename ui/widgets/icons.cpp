#include "icons.h"

#include <QtCore/QFile>
#include <QtGui/QPainter>
#include <QtGui/QPixmap>

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

QColor statusColor(StatusLevel level)
{
    switch (level) {
    case StatusLevel::Neutral: return QColor(0x80, 0x80, 0x80);
    case StatusLevel::Working: return QColor(0x2f, 0x7d, 0xd1);
    case StatusLevel::Good: return QColor(0x2e, 0x9d, 0x4f);
    case StatusLevel::Trouble: return QColor(0xe0, 0x8a, 0x00);
    case StatusLevel::Failed: return QColor(0xd0, 0x30, 0x30);
    }
    return {};
}

QIcon statusIcon(StatusLevel level)
{
    QIcon icon;
    for (int size : {16, 32}) {
        QPixmap pixmap(size, size);
        pixmap.fill(Qt::transparent);
        QPainter p(&pixmap);
        p.setRenderHint(QPainter::Antialiasing);
        p.setPen(QPen(statusColor(level).darker(130), size / 16.0));
        p.setBrush(statusColor(level));
        const double m = size * 0.2;
        p.drawEllipse(QRectF(m, m, size - 2 * m, size - 2 * m));
        p.end();
        icon.addPixmap(pixmap);
    }
    return icon;
}

QColor statusBackground(StatusLevel level, const QPalette &palette)
{
    const QColor base = palette.color(QPalette::Window);
    const QColor tint = statusColor(level);
    const double a = level == StatusLevel::Neutral ? 0.10 : 0.22;
    return QColor::fromRgbF(base.redF() * (1 - a) + tint.redF() * a, base.greenF() * (1 - a) + tint.greenF() * a,
                            base.blueF() * (1 - a) + tint.blueF() * a);
}

} // namespace quicpool::diag
