#include "logpanel.h"

#include "logmodel.h"

#include <QtCore/QSaveFile>
#include <QtWidgets/QComboBox>
#include <QtWidgets/QFileDialog>
#include <QtWidgets/QHBoxLayout>
#include <QtWidgets/QHeaderView>
#include <QtWidgets/QLabel>
#include <QtWidgets/QLineEdit>
#include <QtWidgets/QPushButton>
#include <QtWidgets/QScrollBar>
#include <QtWidgets/QTableView>
#include <QtWidgets/QVBoxLayout>

namespace quicpool::diag {

LogPanel::LogPanel(LogModel *model, QWidget *parent)
    : QWidget(parent), m_model(model), m_filter(new LogFilterModel(this))
{
    m_filter->setSourceModel(model);

    m_level = new QComboBox(this);
    m_level->addItem(tr("Debug and above"), int(QtDebugMsg));
    m_level->addItem(tr("Info and above"), int(QtInfoMsg));
    m_level->addItem(tr("Warnings and errors"), int(QtWarningMsg));
    m_level->addItem(tr("Errors only"), int(QtCriticalMsg));
    m_level->setCurrentIndex(1);
    m_filter->setMinimumLevel(QtInfoMsg);
    connect(m_level, &QComboBox::currentIndexChanged, this, [this](int) {
        m_filter->setMinimumLevel(QtMsgType(m_level->currentData().toInt()));
    });

    m_search = new QLineEdit(this);
    m_search->setPlaceholderText(tr("Search the log (Ctrl+F)"));
    m_search->setClearButtonEnabled(true);
    connect(m_search, &QLineEdit::textChanged, m_filter, &LogFilterModel::setSearchText);

    auto *save = new QPushButton(tr("Save…"), this);
    save->setToolTip(tr("Save the visible lines to a text file"));
    connect(save, &QPushButton::clicked, this, &LogPanel::saveInteractively);
    auto *clear = new QPushButton(tr("Clear"), this);
    connect(clear, &QPushButton::clicked, model, &LogModel::clear);

    m_view = new QTableView(this);
    m_view->setModel(m_filter);
    m_view->setSelectionBehavior(QAbstractItemView::SelectRows);
    m_view->setEditTriggers(QAbstractItemView::NoEditTriggers);
    m_view->verticalHeader()->hide();
    m_view->verticalHeader()->setDefaultSectionSize(m_view->fontMetrics().height() + 4);
    m_view->horizontalHeader()->setStretchLastSection(true);
    m_view->setWordWrap(false);
    m_view->setMinimumHeight(50);
    m_view->setColumnWidth(LogModel::TimeColumn, m_view->fontMetrics().horizontalAdvance(QStringLiteral("00:00:00.000  ")));
    m_view->setColumnWidth(LogModel::LevelColumn, m_view->fontMetrics().horizontalAdvance(QStringLiteral("warning   ")));
    m_view->setColumnWidth(LogModel::CategoryColumn, m_view->fontMetrics().horizontalAdvance(QStringLiteral("quicpool.conn   ")));
    // Stay at the bottom while the user is there; leave them alone otherwise.
    connect(m_filter, &QAbstractItemModel::rowsInserted, this, [this] {
        QScrollBar *bar = m_view->verticalScrollBar();
        if (bar->value() >= bar->maximum() - 2)
            m_view->scrollToBottom();
    });

    auto *bar = new QHBoxLayout;
    bar->addWidget(new QLabel(tr("Show:"), this));
    bar->addWidget(m_level);
    bar->addWidget(m_search, 1);
    bar->addWidget(save);
    bar->addWidget(clear);
    auto *layout = new QVBoxLayout(this);
    layout->setContentsMargins(4, 4, 4, 4);
    layout->addLayout(bar);
    layout->addWidget(m_view);
}

void LogPanel::focusSearch()
{
    m_search->setFocus(Qt::ShortcutFocusReason);
    m_search->selectAll();
}

void LogPanel::setMinimumLevel(QtMsgType type)
{
    const int i = m_level->findData(int(type));
    if (i >= 0)
        m_level->setCurrentIndex(i);
    m_filter->setMinimumLevel(type);
}

void LogPanel::setSearchText(const QString &text)
{
    m_search->setText(text);
}

int LogPanel::visibleRows() const
{
    return m_filter->rowCount();
}

bool LogPanel::saveTo(const QString &path, QString *error) const
{
    QSaveFile f(path);
    if (!f.open(QIODevice::WriteOnly | QIODevice::Text)) {
        if (error)
            *error = tr("Cannot write %1: %2").arg(path, f.errorString());
        return false;
    }
    for (int r = 0; r < m_filter->rowCount(); ++r) {
        const int source = m_filter->mapToSource(m_filter->index(r, 0)).row();
        f.write(LogModel::formatLine(m_model->entryAt(source)).toUtf8() + '\n');
    }
    if (!f.commit()) {
        if (error)
            *error = tr("Cannot write %1: %2").arg(path, f.errorString());
        return false;
    }
    return true;
}

void LogPanel::saveInteractively()
{
    const QString path = QFileDialog::getSaveFileName(this, tr("Save log"), QStringLiteral("quicpool-diag.log"),
                                                      tr("Text files (*.log *.txt)"));
    if (path.isEmpty())
        return;
    QString error;
    if (saveTo(path, &error))
        Q_EMIT statusMessage(tr("Saved %1 log lines to %2").arg(visibleRows()).arg(path), false);
    else
        Q_EMIT statusMessage(error, true);
}

} // namespace quicpool::diag
