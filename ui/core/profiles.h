// Saved profiles: named sets of pool forms, kept in QSettings and reopened
// on the next start. Forms (what the user typed) are saved rather than
// configs, so a reopened form looks exactly as it was left.
#pragma once

#include "formvalidation.h"
#include "workertypes.h"

#include <QtCore/QList>
#include <QtCore/QSettings>
#include <QtCore/QStringList>

namespace quicpool::diag {

struct PoolSpec
{
    PoolKind kind = PoolKind::Client;
    QString name;
    ClientForm client;
    ServerForm server;
    bool serveEcho = false;     ///< server pools: serve every stream as echo
};

struct Profile
{
    QString name;
    QList<PoolSpec> pools;
};

QStringList profileNames(QSettings &settings);
bool hasProfile(QSettings &settings, const QString &name);
/// False when there is no such profile.
bool loadProfile(QSettings &settings, const QString &name, Profile *profile);
void saveProfile(QSettings &settings, const Profile &profile);
void removeProfile(QSettings &settings, const QString &name);

/// The profile open when the app last quit ("" for none).
QString lastProfile(QSettings &settings);
void setLastProfile(QSettings &settings, const QString &name);

} // namespace quicpool::diag
