#include "qlogloader.h"

#include <QtCore/QPointer>
#include <QtCore/QThread>

namespace quicpool::diag {

QlogLoader::QlogLoader(QObject *parent) : QObject(parent)
{
    qRegisterMetaType<QlogParseResult>();
}

QlogLoader::~QlogLoader()
{
    cancel();
    joinThread();
}

void QlogLoader::joinThread()
{
    if (!m_thread)
        return;
    m_thread->wait();
    delete m_thread;
    m_thread = nullptr;
}

bool QlogLoader::load(const QString &path)
{
    if (m_thread)
        return false;
    m_path = path;
    auto cancelled = std::make_shared<std::atomic_bool>(false);
    m_cancel = cancelled;
    // The thread reports through queued calls on this object: dropped by Qt
    // if it is gone, and it cannot be gone while the thread runs (the
    // destructor joins it).
    QPointer<QlogLoader> self(this);
    m_thread = QThread::create([self, cancelled, path] {
        const QlogParseResult result = readQlogFile(path, [self, cancelled](qint64 done, qint64 total) {
            QMetaObject::invokeMethod(self.data(), [self, done, total] {
                if (self)
                    Q_EMIT self->progressed(done, total);
            }, Qt::QueuedConnection);
            return !cancelled->load();
        });
        QMetaObject::invokeMethod(self.data(), [self, result] {
            if (!self)
                return;
            self->joinThread();
            Q_EMIT self->finished(result);
        }, Qt::QueuedConnection);
    });
    m_thread->setObjectName(QStringLiteral("qlog-reader"));
    m_thread->start(QThread::LowPriority);
    return true;
}

void QlogLoader::cancel()
{
    if (m_cancel)
        m_cancel->store(true);
}

} // namespace quicpool::diag
