// The log pane: level filter, search, save to file, follow the newest line.
#pragma once

#include <QtWidgets/QWidget>

class QComboBox;
class QLineEdit;
class QTableView;

namespace quicpool::diag {

class LogModel;
class LogFilterModel;

class LogPanel : public QWidget
{
    Q_OBJECT
public:
    explicit LogPanel(LogModel *model, QWidget *parent = nullptr);

    /// Puts the cursor into the search field (Ctrl+F).
    void focusSearch();
    void setMinimumLevel(QtMsgType type);
    void setSearchText(const QString &text);
    int visibleRows() const;
    /// Writes the visible (filtered) lines; false with a sentence on failure.
    bool saveTo(const QString &path, QString *error = nullptr) const;

Q_SIGNALS:
    void statusMessage(const QString &text, bool isError);

private:
    void saveInteractively();

    LogModel *m_model;
    LogFilterModel *m_filter;
    QComboBox *m_level;
    QLineEdit *m_search;
    QTableView *m_view;
};

} // namespace quicpool::diag
