#include "streammodel.h"

#include <QtCore/QDateTime>

namespace quicpool::diag {

QString formatAge(qint64 ms)
{
    if (ms < 0)
        ms = 0;
    if (ms < 1000)
        return QStringLiteral("%1 ms").arg(ms);
    const qint64 s = ms / 1000;
    if (s < 60)
        return QStringLiteral("%1 s").arg(s);
    if (s < 3600)
        return QStringLiteral("%1 min %2 s").arg(s / 60).arg(s % 60);
    return QStringLiteral("%1 h %2 min").arg(s / 3600).arg((s % 3600) / 60);
}

QString formatBytes(qint64 bytes)
{
    if (bytes < 1024)
        return QStringLiteral("%1 B").arg(bytes);
    if (bytes < 1024 * 1024)
        return QStringLiteral("%1 KiB").arg(double(bytes) / 1024.0, 0, 'f', 1);
    if (bytes < 1024LL * 1024 * 1024)
        return QStringLiteral("%1 MiB").arg(double(bytes) / (1024.0 * 1024.0), 0, 'f', 1);
    return QStringLiteral("%1 GiB").arg(double(bytes) / (1024.0 * 1024.0 * 1024.0), 0, 'f', 2);
}

StreamModel::StreamModel(QObject *parent) : QAbstractTableModel(parent)
{
    m_now = QDateTime::currentMSecsSinceEpoch();
}

int StreamModel::rowCount(const QModelIndex &parent) const
{
    return parent.isValid() ? 0 : int(m_pooled.size() + m_taken.size());
}

int StreamModel::columnCount(const QModelIndex &parent) const
{
    return parent.isValid() ? 0 : ColumnCount;
}

QVariant StreamModel::data(const QModelIndex &index, int role) const
{
    if (!index.isValid())
        return {};
    const int row = index.row();
    if (role == KeyRole)
        return keyAt(row);
    if (role == Qt::TextAlignmentRole && (index.column() == BytesInColumn || index.column() == BytesOutColumn
                                          || index.column() == AgeColumn))
        return int(Qt::AlignRight | Qt::AlignVCenter);
    if (role != Qt::DisplayRole && role != Qt::ToolTipRole)
        return {};
    if (row < m_pooled.size()) {
        const Pooled &p = m_pooled.at(row);
        switch (index.column()) {
        case IdColumn: return p.id;
        case KindColumn: return tr("pooled");
        case StateColumn: return tr("ready");
        case AgeColumn: return formatAge(m_now - p.seenAtMs);
        default: return {};
        }
    }
    const int t = row - int(m_pooled.size());
    if (t >= m_taken.size())
        return {};
    const StreamInfo &s = m_taken.at(t);
    switch (index.column()) {
    case IdColumn: return s.id;
    case KindColumn: return tr("taken");
    case StateColumn: return s.error.isEmpty() ? s.state : QStringLiteral("%1 (%2)").arg(s.state, s.error);
    case BytesInColumn: return formatBytes(s.bytesIn);
    case BytesOutColumn: return formatBytes(s.bytesOut);
    case AgeColumn: return formatAge(m_now - s.takenAtMs);
    }
    return {};
}

QVariant StreamModel::headerData(int section, Qt::Orientation orientation, int role) const
{
    if (orientation != Qt::Horizontal || role != Qt::DisplayRole)
        return {};
    switch (section) {
    case IdColumn: return tr("ID");
    case KindColumn: return tr("Where");
    case StateColumn: return tr("State");
    case BytesInColumn: return tr("In");
    case BytesOutColumn: return tr("Out");
    case AgeColumn: return tr("Age");
    }
    return {};
}

void StreamModel::setReadyIds(const QStringList &ids, qint64 nowMs)
{
    m_now = nowMs;
    QHash<QString, qint64> seen;
    for (const Pooled &p : std::as_const(m_pooled))
        seen.insert(p.id, p.seenAtMs);
    QList<Pooled> next;
    next.reserve(ids.size());
    for (const QString &id : ids)
        next.append({id, seen.value(id, nowMs)});
    // Pooled rows come first; replacing them in one reset keeps the taken
    // rows' selection logic simple and the pooled set is small.
    const int oldCount = int(m_pooled.size());
    const int newCount = int(next.size());
    if (oldCount > newCount) {
        beginRemoveRows({}, newCount, oldCount - 1);
        m_pooled.resize(newCount);
        endRemoveRows();
    } else if (newCount > oldCount) {
        beginInsertRows({}, oldCount, newCount - 1);
        m_pooled.resize(newCount);
        endInsertRows();
    }
    m_pooled = next;
    if (newCount > 0)
        Q_EMIT dataChanged(index(0, 0), index(newCount - 1, ColumnCount - 1));
}

void StreamModel::updateTaken(const StreamInfo &info)
{
    for (int i = 0; i < m_taken.size(); ++i) {
        if (m_taken.at(i).key != info.key)
            continue;
        const int row = int(m_pooled.size()) + i;
        if (info.gone) {
            beginRemoveRows({}, row, row);
            m_taken.removeAt(i);
            endRemoveRows();
        } else {
            StreamInfo merged = info;
            if (merged.takenAtMs == 0)
                merged.takenAtMs = m_taken.at(i).takenAtMs;
            m_taken[i] = merged;
            Q_EMIT dataChanged(index(row, 0), index(row, ColumnCount - 1));
        }
        return;
    }
    if (info.gone)
        return;
    const int row = rowCount();
    beginInsertRows({}, row, row);
    m_taken.append(info);
    endInsertRows();
}

void StreamModel::clear()
{
    beginResetModel();
    m_pooled.clear();
    m_taken.clear();
    endResetModel();
}

void StreamModel::tick(qint64 nowMs)
{
    m_now = nowMs;
    if (rowCount() > 0)
        Q_EMIT dataChanged(index(0, AgeColumn), index(rowCount() - 1, AgeColumn), {Qt::DisplayRole});
}

QStringList StreamModel::pooledIds() const
{
    QStringList ids;
    for (const Pooled &p : m_pooled)
        ids.append(p.id);
    return ids;
}

int StreamModel::keyAt(int row) const
{
    if (row < m_pooled.size())
        return -1;
    const int t = row - int(m_pooled.size());
    return t < m_taken.size() ? m_taken.at(t).key : -1;
}

int StreamModel::rowOfKey(int key) const
{
    for (int i = 0; i < m_taken.size(); ++i) {
        if (m_taken.at(i).key == key)
            return int(m_pooled.size()) + i;
    }
    return -1;
}

const StreamInfo *StreamModel::taken(int key) const
{
    for (const StreamInfo &s : m_taken) {
        if (s.key == key)
            return &s;
    }
    return nullptr;
}

} // namespace quicpool::diag
