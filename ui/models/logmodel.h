// libpool's and the app's log messages as a table model. A Qt message
// handler forwards every message from any thread with a queued call, so the
// model itself is only touched on the GUI thread.
#pragma once

#include <QtCore/QAbstractTableModel>
#include <QtCore/QDateTime>
#include <QtCore/QList>
#include <QtCore/QSortFilterProxyModel>

namespace quicpool::diag {

struct LogEntry
{
    QDateTime time;
    QtMsgType type = QtDebugMsg;
    QString category;
    QString message;
};

/// Debug < Info < Warning < Critical < Fatal, as numbers for filtering.
int logLevel(QtMsgType type);
QString logLevelName(QtMsgType type);

class LogModel : public QAbstractTableModel
{
    Q_OBJECT
public:
    enum Column { TimeColumn, LevelColumn, CategoryColumn, MessageColumn, ColumnCount };

    explicit LogModel(QObject *parent = nullptr);
    ~LogModel() override;

    int rowCount(const QModelIndex &parent = {}) const override;
    int columnCount(const QModelIndex &parent = {}) const override;
    QVariant data(const QModelIndex &index, int role = Qt::DisplayRole) const override;
    QVariant headerData(int section, Qt::Orientation orientation, int role = Qt::DisplayRole) const override;

    void append(const LogEntry &entry);
    const LogEntry &entryAt(int row) const { return m_entries.at(row); }
    int maxEntries() const { return m_max; }
    void setMaxEntries(int max) { m_max = qMax(10, max); }
    void clear();
    /// One line per entry: "time level category: message".
    static QString formatLine(const LogEntry &entry);

    /// Routes qDebug/qInfo/qWarning/... of every thread into this model
    /// (and on to the previous handler). One model at a time; the model
    /// uninstalls itself when destroyed.
    void installMessageHandler();
    void uninstallMessageHandler();

Q_SIGNALS:
    /// A warning or worse arrived: for the status bar.
    void problemLogged(const QString &text);

private:
    QList<LogEntry> m_entries;
    int m_max = 20000;
};

/// Filters by minimum level and a case-insensitive search text.
class LogFilterModel : public QSortFilterProxyModel
{
    Q_OBJECT
public:
    using QSortFilterProxyModel::QSortFilterProxyModel;
    void setMinimumLevel(QtMsgType type);
    void setSearchText(const QString &text);

protected:
    bool filterAcceptsRow(int sourceRow, const QModelIndex &sourceParent) const override;

private:
    int m_minLevel = 0;
    QString m_search;
};

} // namespace quicpool::diag
