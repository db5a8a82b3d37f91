#include "profiles.h"

namespace quicpool::diag {

namespace {

// Profile names become settings groups: keep them to one safe path segment.
QString groupOf(const QString &name)
{
    QString safe = name;
    safe.replace(QLatin1Char('/'), QLatin1Char('_')).replace(QLatin1Char('\\'), QLatin1Char('_'));
    return QStringLiteral("profiles/") + safe;
}

void writePath(QSettings &s, const PathForm &p)
{
    s.setValue(QStringLiteral("congestionControl"), p.congestionControl);
    s.setValue(QStringLiteral("streamWindowKiB"), p.streamWindowKiB);
    s.setValue(QStringLiteral("connectionWindowKiB"), p.connectionWindowKiB);
    s.setValue(QStringLiteral("sendBufferKiB"), p.sendBufferKiB);
    s.setValue(QStringLiteral("busyPollUs"), p.busyPollUs);
}

PathForm readPath(QSettings &s)
{
    PathForm p;
    p.congestionControl = s.value(QStringLiteral("congestionControl"), p.congestionControl).toString();
    p.streamWindowKiB = s.value(QStringLiteral("streamWindowKiB"), p.streamWindowKiB).toInt();
    p.connectionWindowKiB = s.value(QStringLiteral("connectionWindowKiB"), p.connectionWindowKiB).toInt();
    p.sendBufferKiB = s.value(QStringLiteral("sendBufferKiB"), p.sendBufferKiB).toInt();
    p.busyPollUs = s.value(QStringLiteral("busyPollUs"), p.busyPollUs).toInt();
    return p;
}

void writeQlog(QSettings &s, const QlogForm &q)
{
    s.setValue(QStringLiteral("qlogEnabled"), q.enabled);
    s.setValue(QStringLiteral("qlogDirectory"), q.directory);
}

QlogForm readQlog(QSettings &s)
{
    QlogForm q;
    q.enabled = s.value(QStringLiteral("qlogEnabled"), false).toBool();
    q.directory = s.value(QStringLiteral("qlogDirectory")).toString();
    return q;
}

void writeSpec(QSettings &s, const PoolSpec &p)
{
    s.setValue(QStringLiteral("kind"), p.kind == PoolKind::Client ? QStringLiteral("client") : QStringLiteral("server"));
    s.setValue(QStringLiteral("name"), p.name);
    if (p.kind == PoolKind::Client) {
        const ClientForm &c = p.client;
        s.setValue(QStringLiteral("address"), c.address);
        s.setValue(QStringLiteral("minCapacity"), c.minCapacity);
        s.setValue(QStringLiteral("maxCapacity"), c.maxCapacity);
        s.setValue(QStringLiteral("minIntervalMs"), c.minIntervalMs);
        s.setValue(QStringLiteral("maxIntervalMs"), c.maxIntervalMs);
        s.setValue(QStringLiteral("keepAliveMs"), c.keepAliveMs);
        s.setValue(QStringLiteral("tlsMode"), c.tlsMode);
        s.setValue(QStringLiteral("hostname"), c.hostname);
        s.setValue(QStringLiteral("pin"), c.pin);
        s.setValue(QStringLiteral("caFile"), c.caFile);
        s.setValue(QStringLiteral("maxBackoffMs"), c.maxBackoffMs);
        writePath(s, c.path);
        writeQlog(s, c.qlog);
    } else {
        const ServerForm &v = p.server;
        s.setValue(QStringLiteral("listenAddress"), v.listenAddress);
        s.setValue(QStringLiteral("maxCapacity"), v.maxCapacity);
        s.setValue(QStringLiteral("clientIp"), v.clientIp);
        s.setValue(QStringLiteral("generateSelfSigned"), v.generateSelfSigned);
        s.setValue(QStringLiteral("selfSignedName"), v.selfSignedName);
        s.setValue(QStringLiteral("certificateFile"), v.certificateFile);
        s.setValue(QStringLiteral("privateKeyFile"), v.privateKeyFile);
        s.setValue(QStringLiteral("keepAliveMs"), v.keepAliveMs);
        s.setValue(QStringLiteral("retry"), retryModeName(v.retryMode));
        s.setValue(QStringLiteral("retryThreshold"), v.retryThreshold);
        s.setValue(QStringLiteral("serveEcho"), p.serveEcho);
        writePath(s, v.path);
        writeQlog(s, v.qlog);
    }
}

PoolSpec readSpec(QSettings &s)
{
    PoolSpec p;
    p.kind = s.value(QStringLiteral("kind")).toString() == QLatin1String("server") ? PoolKind::Server
                                                                                    : PoolKind::Client;
    p.name = s.value(QStringLiteral("name")).toString();
    if (p.kind == PoolKind::Client) {
        ClientForm &c = p.client;
        c.address = s.value(QStringLiteral("address"), c.address).toString();
        c.minCapacity = s.value(QStringLiteral("minCapacity"), c.minCapacity).toInt();
        c.maxCapacity = s.value(QStringLiteral("maxCapacity"), c.maxCapacity).toInt();
        c.minIntervalMs = s.value(QStringLiteral("minIntervalMs"), c.minIntervalMs).toInt();
        c.maxIntervalMs = s.value(QStringLiteral("maxIntervalMs"), c.maxIntervalMs).toInt();
        c.keepAliveMs = s.value(QStringLiteral("keepAliveMs"), c.keepAliveMs).toInt();
        c.tlsMode = s.value(QStringLiteral("tlsMode"), c.tlsMode).toInt();
        c.hostname = s.value(QStringLiteral("hostname")).toString();
        c.pin = s.value(QStringLiteral("pin")).toString();
        c.caFile = s.value(QStringLiteral("caFile")).toString();
        c.maxBackoffMs = s.value(QStringLiteral("maxBackoffMs"), c.maxBackoffMs).toInt();
        c.path = readPath(s);
        c.qlog = readQlog(s);
    } else {
        ServerForm &v = p.server;
        v.listenAddress = s.value(QStringLiteral("listenAddress"), v.listenAddress).toString();
        v.maxCapacity = s.value(QStringLiteral("maxCapacity"), v.maxCapacity).toInt();
        v.clientIp = s.value(QStringLiteral("clientIp")).toString();
        v.generateSelfSigned = s.value(QStringLiteral("generateSelfSigned"), true).toBool();
        v.selfSignedName = s.value(QStringLiteral("selfSignedName"), v.selfSignedName).toString();
        v.certificateFile = s.value(QStringLiteral("certificateFile")).toString();
        v.privateKeyFile = s.value(QStringLiteral("privateKeyFile")).toString();
        v.keepAliveMs = s.value(QStringLiteral("keepAliveMs"), v.keepAliveMs).toInt();
        parseRetryMode(s.value(QStringLiteral("retry"), retryModeName(v.retryMode)).toString(), &v.retryMode);
        v.retryThreshold = s.value(QStringLiteral("retryThreshold"), v.retryThreshold).toInt();
        p.serveEcho = s.value(QStringLiteral("serveEcho"), false).toBool();
        v.path = readPath(s);
        v.qlog = readQlog(s);
    }
    return p;
}

} // namespace

QStringList profileNames(QSettings &settings)
{
    settings.beginGroup(QStringLiteral("profiles"));
    QStringList names = settings.childGroups();
    settings.endGroup();
    names.sort(Qt::CaseInsensitive);
    return names;
}

bool hasProfile(QSettings &settings, const QString &name)
{
    return !name.isEmpty() && settings.contains(groupOf(name) + QStringLiteral("/name"));
}

bool loadProfile(QSettings &settings, const QString &name, Profile *profile)
{
    if (!hasProfile(settings, name))
        return false;
    Profile p;
    settings.beginGroup(groupOf(name));
    p.name = settings.value(QStringLiteral("name")).toString();
    const int n = settings.beginReadArray(QStringLiteral("pools"));
    for (int i = 0; i < n; ++i) {
        settings.setArrayIndex(i);
        p.pools.append(readSpec(settings));
    }
    settings.endArray();
    settings.endGroup();
    *profile = p;
    return true;
}

void saveProfile(QSettings &settings, const Profile &profile)
{
    settings.remove(groupOf(profile.name));
    settings.beginGroup(groupOf(profile.name));
    settings.setValue(QStringLiteral("name"), profile.name);
    settings.beginWriteArray(QStringLiteral("pools"), int(profile.pools.size()));
    for (int i = 0; i < profile.pools.size(); ++i) {
        settings.setArrayIndex(i);
        writeSpec(settings, profile.pools.at(i));
    }
    settings.endArray();
    settings.endGroup();
    settings.sync();
}

void removeProfile(QSettings &settings, const QString &name)
{
    settings.remove(groupOf(name));
}

QString lastProfile(QSettings &settings)
{
    return settings.value(QStringLiteral("lastProfile")).toString();
}

void setLastProfile(QSettings &settings, const QString &name)
{
    settings.setValue(QStringLiteral("lastProfile"), name);
}

} // namespace quicpool::diag
