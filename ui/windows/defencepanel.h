// A server pool's defences as figures (the "Defences" tab under its
// charts): pending handshakes and their peak, handshakes started,
// completed and timed out, Retries, tokens, allow-list refusals, drops at
// the bounds, bytes from and to unvalidated addresses. The rows come from
// defenceFigures() (ui/core/defencefigures.h); the chart beside the other
// charts is PoolCharts::defenceChart().
#pragma once

#include <quicpool/connectioninfo.h>

#include <QtCore/QHash>
#include <QtWidgets/QWidget>

class QLabel;

namespace quicpool::diag {

class DefencePanel : public QWidget
{
    Q_OBJECT
public:
    explicit DefencePanel(QWidget *parent = nullptr);

    void setStats(const DefenceStats &stats);
    /// What a figure reads now ("pending", "retries", ...: DefenceFigure::key).
    QString value(const QString &key) const;

private:
    QHash<QString, QLabel *> m_values;
};

} // namespace quicpool::diag
