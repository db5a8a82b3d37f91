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
    LogEntry() = default;
    LogEntry(const QDateTime &at, QtMsgType level, const QString &from, const QString &text)
        : time(at), type(level), category(from), message(text), lastTime(at)
    {
    }

    QDateTime time;
    QtMsgType type = QtDebugMsg;
    QString category;
    QString message;
    int repeats = 1;        ///< identical lines folded into this one
    QDateTime lastTime;     ///< when the last of them arrived
    /// The message as shown: "… (x243)" once it repeated.
    QString displayMessage() const;
};

/// Whether a message goes on to stderr as well as into the log panel:
/// warnings and worse always; debug and info only when asked for
/// (--verbose, or a QT_LOGGING_RULES rule, which sets `verbose`).
bool echoesToStderr(QtMsgType type, bool verbose);

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

    /// Adds a line, or folds it into an identical one among the last
    /// foldWindow() lines (same level, category and message).
    void append(const LogEntry &entry);
    static constexpr int foldWindow() { return 16; }
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
    /// Whether debug and info lines also go to stderr (see echoesToStderr).
    static void setVerboseStderr(bool verbose);

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
