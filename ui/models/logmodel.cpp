#include "logmodel.h"

#include <QtCore/QMutex>
#include <QtCore/QPointer>
#include <QtCore/QThread>
#include <QtGui/QBrush>
#include <QtGui/QGuiApplication>
#include <QtGui/QPalette>

namespace quicpool::diag {

namespace {

QMutex g_mutex;
QPointer<LogModel> g_model;
QtMessageHandler g_previous = nullptr;
bool g_verbose = false;

void forwardMessage(QtMsgType type, const QMessageLogContext &context, const QString &message)
{
    QtMessageHandler previous = nullptr;
    {
        QMutexLocker lock(&g_mutex);
        if (echoesToStderr(type, g_verbose))
            previous = g_previous;
        if (g_model) {
            const QDateTime now = QDateTime::currentDateTime();
            LogEntry entry(now, type, QString::fromUtf8(context.category ? context.category : "default"), message);
            // Queued even on the GUI thread: a message logged inside a model
            // update must not re-enter the model.
            QMetaObject::invokeMethod(g_model.data(), [m = g_model, entry] { if (m) m->append(entry); },
                                      Qt::QueuedConnection);
        }
    }
    if (previous)
        previous(type, context, message);
}

} // namespace

bool echoesToStderr(QtMsgType type, bool verbose)
{
    return verbose || logLevel(type) >= logLevel(QtWarningMsg);
}

QString LogEntry::displayMessage() const
{
    return repeats > 1 ? QStringLiteral("%1 (x%2)").arg(message).arg(repeats) : message;
}

void LogModel::setVerboseStderr(bool verbose)
{
    QMutexLocker lock(&g_mutex);
    g_verbose = verbose;
}

int logLevel(QtMsgType type)
{
    switch (type) {
    case QtDebugMsg: return 0;
    case QtInfoMsg: return 1;
    case QtWarningMsg: return 2;
    case QtCriticalMsg: return 3;
    case QtFatalMsg: return 4;
    }
    return 0;
}

QString logLevelName(QtMsgType type)
{
    switch (type) {
    case QtDebugMsg: return QStringLiteral("debug");
    case QtInfoMsg: return QStringLiteral("info");
    case QtWarningMsg: return QStringLiteral("warning");
    case QtCriticalMsg: return QStringLiteral("critical");
    case QtFatalMsg: return QStringLiteral("fatal");
    }
    return {};
}

LogModel::LogModel(QObject *parent) : QAbstractTableModel(parent) {}

LogModel::~LogModel()
{
    uninstallMessageHandler();
}

int LogModel::rowCount(const QModelIndex &parent) const
{
    return parent.isValid() ? 0 : int(m_entries.size());
}

int LogModel::columnCount(const QModelIndex &parent) const
{
    return parent.isValid() ? 0 : ColumnCount;
}

QVariant LogModel::data(const QModelIndex &index, int role) const
{
    if (!index.isValid() || index.row() >= m_entries.size())
        return {};
    const LogEntry &e = m_entries.at(index.row());
    if (role == Qt::DisplayRole) {
        switch (index.column()) {
        case TimeColumn: return e.time.toString(QStringLiteral("HH:mm:ss.zzz"));
        case LevelColumn: return logLevelName(e.type);
        case CategoryColumn: return e.category;
        case MessageColumn: return e.displayMessage();
        }
    } else if (role == Qt::ToolTipRole && index.column() == MessageColumn) {
        if (e.repeats > 1)
            return tr("%1\n%2 times, last at %3")
                .arg(e.message).arg(e.repeats).arg(e.lastTime.toString(QStringLiteral("HH:mm:ss.zzz")));
        return e.message;
    } else if (role == Qt::ForegroundRole && logLevel(e.type) >= logLevel(QtWarningMsg)) {
        // The palette's own emphasis colour, so dark and light themes both read.
        return QGuiApplication::palette().brush(QPalette::Link);
    }
    return {};
}

QVariant LogModel::headerData(int section, Qt::Orientation orientation, int role) const
{
    if (orientation != Qt::Horizontal || role != Qt::DisplayRole)
        return {};
    switch (section) {
    case TimeColumn: return tr("Time");
    case LevelColumn: return tr("Level");
    case CategoryColumn: return tr("Category");
    case MessageColumn: return tr("Message");
    }
    return {};
}

void LogModel::append(const LogEntry &entry)
{
    // A pool retrying with the same complaint must not bury everything
    // else: identical recent lines fold into one with a count.
    const qsizetype from = qMax<qsizetype>(0, m_entries.size() - foldWindow());
    for (qsizetype i = m_entries.size() - 1; i >= from; --i) {
        LogEntry &e = m_entries[i];
        if (e.type == entry.type && e.category == entry.category && e.message == entry.message) {
            ++e.repeats;
            e.lastTime = entry.time;
            const QModelIndex changed = index(int(i), MessageColumn);
            Q_EMIT dataChanged(changed, changed);
            return;
        }
    }
    if (m_entries.size() >= m_max) {
        const int drop = qMax(1, m_max / 10); // in batches: one model reset-ish signal, not one per line
        beginRemoveRows({}, 0, drop - 1);
        m_entries.remove(0, drop);
        endRemoveRows();
    }
    beginInsertRows({}, int(m_entries.size()), int(m_entries.size()));
    m_entries.append(entry);
    endInsertRows();
    // Only our own categories reach the status bar; Qt's platform chatter
    // ("default", "qt.*") stays in the log.
    if (logLevel(entry.type) >= logLevel(QtWarningMsg) && entry.category.startsWith(QLatin1String("quicpool")))
        Q_EMIT problemLogged(QStringLiteral("%1: %2").arg(entry.category, entry.message));
}

void LogModel::clear()
{
    beginResetModel();
    m_entries.clear();
    endResetModel();
}

QString LogModel::formatLine(const LogEntry &e)
{
    return QStringLiteral("%1 %2 %3: %4")
        .arg(e.time.toString(Qt::ISODateWithMs), logLevelName(e.type), e.category, e.displayMessage());
}

void LogModel::installMessageHandler()
{
    QMutexLocker lock(&g_mutex);
    g_model = this;
    QtMessageHandler previous = qInstallMessageHandler(forwardMessage);
    if (previous != forwardMessage)
        g_previous = previous;
}

void LogModel::uninstallMessageHandler()
{
    QMutexLocker lock(&g_mutex);
    if (g_model == this || g_model.isNull()) {
        g_model = nullptr;
        qInstallMessageHandler(g_previous);
        g_previous = nullptr;
    }
}

void LogFilterModel::setMinimumLevel(QtMsgType type)
{
    m_minLevel = logLevel(type);
    invalidateFilter();
}

void LogFilterModel::setSearchText(const QString &text)
{
    m_search = text;
    invalidateFilter();
}

bool LogFilterModel::filterAcceptsRow(int sourceRow, const QModelIndex &sourceParent) const
{
    Q_UNUSED(sourceParent);
    const auto *model = qobject_cast<const LogModel *>(sourceModel());
    if (!model || sourceRow >= model->rowCount())
        return false;
    const LogEntry &e = model->entryAt(sourceRow);
    if (logLevel(e.type) < m_minLevel)
        return false;
    if (m_search.isEmpty())
        return true;
    return e.message.contains(m_search, Qt::CaseInsensitive) || e.category.contains(m_search, Qt::CaseInsensitive);
}

} // namespace quicpool::diag
