// Where qlog files go: a folder that exists or can be made, and takes files.
#include "common/qlogdirectory.h"

#include <quicpool/config.h>
#include <QtCore/QFileInfo>
#include <QtCore/QTemporaryFile>
#include <filesystem>
#include <system_error>

namespace quicpool {

namespace {

Error qlogError(const QString &sentence)
{
    return Error(ErrorCode::QlogError, sentence);
}

} // namespace

Error checkQlogDirectory(const QString &directory)
{
    if (directory.isEmpty())
        return {};
    const QFileInfo info(directory);
    if (info.exists()) {
        if (!info.isDir())
            return qlogError(QStringLiteral("The qlog folder %1 is a file, not a folder.").arg(directory));
        if (!info.isWritable())
            return qlogError(QStringLiteral("The qlog folder %1 is not writable.").arg(directory));
        return {};
    }
    // Missing: it can be made if its nearest existing parent is a folder
    // this process may write into.
    QString parent = QFileInfo(info.absoluteFilePath()).absolutePath();
    for (;;) {
        const QFileInfo up(parent);
        if (up.exists()) {
            if (!up.isDir()) {
                return qlogError(QStringLiteral("The qlog folder %1 cannot be made: %2 is a file, not a folder.")
                                     .arg(directory, parent));
            }
            if (!up.isWritable()) {
                return qlogError(QStringLiteral("The qlog folder %1 does not exist and cannot be made: %2 is not "
                                                "writable.").arg(directory, parent));
            }
            return {};
        }
        const QString next = QFileInfo(parent).absolutePath();
        if (next == parent)
            return qlogError(QStringLiteral("The qlog folder %1 does not exist and cannot be made.").arg(directory));
        parent = next;
    }
}

Error makeQlogDirectory(const QString &directory)
{
    if (directory.isEmpty())
        return {};
    if (Error e = checkQlogDirectory(directory))
        return e;
    if (!QFileInfo(directory).isDir()) {
        std::error_code why;
        std::filesystem::create_directories(std::filesystem::path(directory.toStdU16String()), why);
        if (why || !QFileInfo(directory).isDir()) {
            const QString reason = why ? QString::fromStdString(why.message()) : QStringLiteral("it is still missing");
            return qlogError(QStringLiteral("The qlog folder %1 could not be made: %2.").arg(directory, reason));
        }
    }
    // Permissions can say yes where the file system says no (a read-only
    // mount, root's view of a mode): try.
    QTemporaryFile probe(QFileInfo(directory).absoluteFilePath() + QStringLiteral("/.quicpool-qlog-XXXXXX"));
    if (!probe.open()) {
        return qlogError(QStringLiteral("The qlog folder %1 is not writable: %2.").arg(directory, probe.errorString()));
    }
    return {};
}

} // namespace quicpool
