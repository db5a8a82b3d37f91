// Fuzz target: the app's saved profiles as read back from its settings
// file (quicpool-diag's QSettings INI: a file a user may edit, copy from
// another machine or find truncated). Every profile in it is loaded and its
// pool forms checked as the app checks them before opening a pool. Fields
// that name files or folders are emptied first: the checks would read them,
// and the fuzzer must not make folders.
#include "formvalidation.h"
#include "profiles.h"

#include <QtCore/QCoreApplication>
#include <QtCore/QFile>
#include <QtCore/QSettings>
#include <QtCore/QTemporaryDir>
#include <memory>

using namespace quicpool::diag;

namespace {
std::unique_ptr<QTemporaryDir> g_dir;
quint64 g_count = 0;

void neutralize(QlogForm &q)
{
    q.enabled = false;
    q.directory.clear();
}
} // namespace

extern "C" int LLVMFuzzerInitialize(int *argc, char ***argv)
{
    static QCoreApplication app(*argc, *argv);
    g_dir = std::make_unique<QTemporaryDir>();
    return 0;
}

extern "C" int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    // A new name each time: QSettings caches what it read per file name.
    const QString path = g_dir->filePath(QStringLiteral("settings-%1.ini").arg(++g_count));
    {
        QFile file(path);
        if (!file.open(QIODevice::WriteOnly))
            return 0;
        file.write(reinterpret_cast<const char *>(data), qint64(size));
    }
    {
        QSettings settings(path, QSettings::IniFormat);
        (void)lastProfile(settings);
        for (const QString &name : profileNames(settings)) {
            Profile profile;
            if (!loadProfile(settings, name, &profile))
                continue;
            for (PoolSpec spec : std::as_const(profile.pools)) {
                spec.client.caFile.clear();
                neutralize(spec.client.qlog);
                spec.server.certificateFile.clear();
                spec.server.privateKeyFile.clear();
                neutralize(spec.server.qlog);
                if (spec.kind == PoolKind::Client)
                    (void)validateClientForm(spec.client);
                else
                    (void)validateServerForm(spec.server);
            }
        }
    }
    QFile::remove(path);
    return 0;
}
