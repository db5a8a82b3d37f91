// Reads a qlog file on a thread of its own (readQlogFile()), so a big file
// never blocks the GUI: progress and the result come back as signals on
// the loader's thread. Cancel stops the read at the next 1 MiB chunk; a
// loader deleted while reading cancels and waits for that.
#pragma once

#include "qlogreader.h"

#include <QtCore/QObject>
#include <QtCore/QString>

#include <atomic>
#include <memory>

class QThread;

namespace quicpool::diag {

class QlogLoader : public QObject
{
    Q_OBJECT
public:
    explicit QlogLoader(QObject *parent = nullptr);
    ~QlogLoader() override;

    /// Starts reading `path`; false while a read is still running.
    bool load(const QString &path);
    void cancel();
    bool isLoading() const { return m_thread != nullptr; }
    QString path() const { return m_path; }

Q_SIGNALS:
    void progressed(qint64 done, qint64 total);
    void finished(const quicpool::diag::QlogParseResult &result);

private:
    void joinThread();

    QThread *m_thread = nullptr;
    std::shared_ptr<std::atomic_bool> m_cancel;
    QString m_path;
};

} // namespace quicpool::diag
