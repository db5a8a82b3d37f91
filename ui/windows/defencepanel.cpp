#include "defencepanel.h"

#include "defencefigures.h"

#include <QtWidgets/QGridLayout>
#include <QtWidgets/QLabel>

namespace quicpool::diag {

DefencePanel::DefencePanel(QWidget *parent) : QWidget(parent)
{
    // Two columns of label/value pairs: eight rows would need more height
    // than the tab has at 1024x700.
    auto *grid = new QGridLayout(this);
    grid->setHorizontalSpacing(12);
    grid->setVerticalSpacing(4);
    const QList<DefenceFigure> figures = defenceFigures(DefenceStats());
    const int rows = int(figures.size() + 1) / 2;
    for (int i = 0; i < figures.size(); ++i) {
        const DefenceFigure &f = figures.at(i);
        auto *label = new QLabel(tr("%1:").arg(f.label), this);
        auto *value = new QLabel(f.value, this);
        value->setObjectName(f.key);
        value->setTextInteractionFlags(Qt::TextSelectableByMouse);
        QFont bold = value->font();
        bold.setBold(true);
        value->setFont(bold);
        label->setToolTip(f.tip);
        value->setToolTip(f.tip);
        const int row = i % rows;
        const int column = (i / rows) * 2;
        grid->addWidget(label, row, column);
        grid->addWidget(value, row, column + 1);
        m_values.insert(f.key, value);
    }
    grid->setColumnStretch(1, 1);
    grid->setColumnStretch(3, 1);
    grid->setRowStretch(rows, 1);
}

void DefencePanel::setStats(const DefenceStats &stats)
{
    for (const DefenceFigure &f : defenceFigures(stats)) {
        if (QLabel *l = m_values.value(f.key); l && l->text() != f.value)
            l->setText(f.value);
    }
}

QString DefencePanel::value(const QString &key) const
{
    const QLabel *l = m_values.value(key);
    return l ? l->text() : QString();
}

} // namespace quicpool::diag
