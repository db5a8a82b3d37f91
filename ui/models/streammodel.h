// The streams of one pool as a table: the IDs pooled right now (with their
// age, from when this view first saw them) and the streams the user took
// (ID, state, bytes in/out, age).
#pragma once

#include "workertypes.h"

#include <QtCore/QAbstractTableModel>
#include <QtCore/QHash>
#include <QtCore/QList>
#include <QtCore/QStringList>

namespace quicpool::diag {

class StreamModel : public QAbstractTableModel
{
    Q_OBJECT
public:
    enum Column { IdColumn, KindColumn, StateColumn, BytesInColumn, BytesOutColumn, AgeColumn, ColumnCount };
    enum Role { KeyRole = Qt::UserRole + 1 };

    explicit StreamModel(QObject *parent = nullptr);

    int rowCount(const QModelIndex &parent = {}) const override;
    int columnCount(const QModelIndex &parent = {}) const override;
    QVariant data(const QModelIndex &index, int role = Qt::DisplayRole) const override;
    QVariant headerData(int section, Qt::Orientation orientation, int role = Qt::DisplayRole) const override;

    /// The pool's ready IDs, oldest first; ages carry over for IDs seen before.
    void setReadyIds(const QStringList &ids, qint64 nowMs);
    /// Adds, updates or (info.gone) removes a taken stream.
    void updateTaken(const StreamInfo &info);
    void clear();
    /// Refreshes the age column (call once a second).
    void tick(qint64 nowMs);

    int pooledCount() const { return int(m_pooled.size()); }
    int takenCount() const { return int(m_taken.size()); }
    QStringList pooledIds() const;
    /// -1 when the row is a pooled ID, else the worker's stream key.
    int keyAt(int row) const;
    int rowOfKey(int key) const;
    const StreamInfo *taken(int key) const;

private:
    struct Pooled { QString id; qint64 seenAtMs; };
    QList<Pooled> m_pooled;      // rows 0..pooled-1
    QList<StreamInfo> m_taken;   // rows after them
    qint64 m_now = 0;
};

/// "850 ms", "12 s", "3 min 4 s", "2 h 5 min".
QString formatAge(qint64 ms);
/// "512 B", "1.5 KiB", "3.2 MiB".
QString formatBytes(qint64 bytes);

} // namespace quicpool::diag
