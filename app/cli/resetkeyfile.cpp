#include "resetkeyfile.h"

#include <QtCore/QDir>
#include <QtCore/QFile>
#include <QtCore/QFileInfo>
#include <QtCore/QRandomGenerator>

namespace quicpool::cli {

namespace {
constexpr int kKeyLength = 32;
}

QString defaultResetKeyPath()
{
    QString base = qEnvironmentVariable("XDG_STATE_HOME");
    if (base.isEmpty() || !QDir::isAbsolutePath(base))   // the XDG rule: relative paths are ignored
        base = QDir::homePath() + QStringLiteral("/.local/state");
    return base + QStringLiteral("/quicpool/reset.key");
}

bool readResetKey(const QString &path, QByteArray *key, QString *error)
{
    QFile file(path);
    if (!file.open(QIODevice::ReadOnly)) {
        *error = QStringLiteral("cannot read the reset key file %1: %2").arg(path, file.errorString());
        return false;
    }
    const QByteArray bytes = file.readAll();
    if (bytes.size() < kKeyLength) {
        *error = QStringLiteral("the reset key file %1 holds %2 bytes; it needs %3 or more")
                     .arg(path).arg(bytes.size()).arg(kKeyLength);
        return false;
    }
    *key = bytes;
    return true;
}

bool loadOrCreateResetKey(const QString &path, QByteArray *key, QString *error)
{
    if (QFileInfo::exists(path))
        return readResetKey(path, key, error);
    const QFileInfo info(path);
    QDir dir = info.absoluteDir();
    if (!dir.exists() && !QDir().mkpath(dir.absolutePath())) {
        *error = QStringLiteral("cannot create the folder %1 for the reset key").arg(dir.absolutePath());
        return false;
    }
    QFile::setPermissions(dir.absolutePath(), QFileDevice::ReadOwner | QFileDevice::WriteOwner | QFileDevice::ExeOwner);
    QByteArray bytes(kKeyLength, Qt::Uninitialized);
    QRandomGenerator::system()->fillRange(reinterpret_cast<quint32 *>(bytes.data()), kKeyLength / 4);
    // Private from its first byte (created 0600, not chmod-ed after): the
    // key lets whoever holds it end this server's connections. NewOnly: two
    // servers starting at once do not both write one.
    QFile file(path);
    if (!file.open(QIODevice::WriteOnly | QIODevice::NewOnly, QFileDevice::ReadOwner | QFileDevice::WriteOwner)) {
        if (QFileInfo::exists(path))
            return readResetKey(path, key, error);
        *error = QStringLiteral("cannot create the reset key file %1: %2").arg(path, file.errorString());
        return false;
    }
    if (file.write(bytes) != bytes.size() || !file.flush()) {
        *error = QStringLiteral("cannot write the reset key file %1: %2").arg(path, file.errorString());
        file.remove();
        return false;
    }
    *key = bytes;
    return true;
}

} // namespace quicpool::cli
