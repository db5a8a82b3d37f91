// The object on the worker thread that owns every pool, the streams the user
// took, the embedded echo server and the load tests. The GUI calls its
// methods only through queued invocations (call()) and hears back through
// its queued signals, so nothing here ever blocks the GUI thread.
#pragma once

#include "loadtestresult.h"
#include "workertypes.h"

#include <workload/protocol.h>

#include <quicpool/config.h>
#include <quicpool/pool.h>

#include <QtCore/QAtomicInt>
#include <QtCore/QHash>
#include <QtCore/QObject>
#include <QtCore/QStringList>
#include <QtCore/QThread>
#include <QtCore/QTimer>
#include <functional>

namespace quicpool {
class ClientPool;
class ServerPool;
class Stream;
}

namespace quicpool::diag {

class LoadTest;

class PoolWorker : public QObject
{
    Q_OBJECT
public:
    explicit PoolWorker(QObject *parent = nullptr);
    ~PoolWorker() override;

    /// Any thread: a fresh handle to name a pool in later calls.
    int allocateHandle();
    /// Any thread: runs fn on the worker's thread, later (never blocks).
    void call(std::function<void()> fn);

    // Everything below runs on the worker thread (use call()).
    void openClient(int handle, const QString &name, const ClientPoolConfig &config);
    /// serveMode: the server takes its streams and serves them (echo for the demo).
    void openServer(int handle, const QString &name, const ServerPoolConfig &config, bool serve,
                    workload::Mode serveMode = workload::Mode::Echo);
    void startPool(int handle);
    void stopPool(int handle);
    void flushPool(int handle);
    void resetErrors(int handle);
    void removePool(int handle);
    void removeAll();

    void fetchById(int handle, const QString &id, int timeoutMs);
    void takeNext(int handle, int timeoutMs);
    void sendOnStream(int handle, int key, const QByteArray &data);
    void closeStream(int handle, int key);
    void abortStream(int handle, int key);
    void releaseStream(int handle, int key);
    void requestConnectionDetails(int handle);

    /// A light background echo load from a client pool (the demo).
    void setDemoLoad(int handle, bool on);

    /// clientHandle is used for Target::Existing only.
    void startLoadTest(const LoadTestConfig &config, int clientHandle = -1);
    void cancelLoadTest();

Q_SIGNALS:
    void poolCreated(int handle, const quicpool::diag::PoolPtr &pool);
    void poolStarted(int handle, bool ok, const QString &message, quint16 port);
    void poolStopped(int handle);
    void poolMessage(int handle, const QString &message, bool isError);
    /// The pool's Pool::State or its current error (Pool::lastError()) changed.
    void poolStatusChanged(int handle, quicpool::Pool::State state, const quicpool::Error &error);
    void streamTaken(int handle, const QString &id);
    void streamAcquired(int handle, const quicpool::diag::StreamInfo &info);
    void acquireFailed(int handle, const QString &message);
    void streamUpdated(int handle, const quicpool::diag::StreamInfo &info);
    void streamData(int handle, int key, const QByteArray &data);
    void connectionDetails(int handle, const quicpool::diag::ConnectionDetails &details);
    void loadTestProgress(const quicpool::diag::LoadTestProgress &progress);
    void loadTestFinished(const quicpool::diag::LoadTestResult &result);

private:
    struct Taken;
    struct Entry;

    Entry *entry(int handle, bool reportMissing = true);
    /// Makes and starts the entry's pool: no error, or why it did not start.
    Error createPool(Entry &e);
    void destroyPool(Entry &e);
    void adoptStream(int handle, Stream *stream);
    void flushSend(Entry &e, Taken &t);
    StreamInfo infoOf(const Taken &t) const;
    void publishStreams();
    void demoTick();

    QAtomicInt m_nextHandle{1};
    QHash<int, Entry *> m_entries;
    int m_nextKey = 1;
    QTimer m_publish; // children (parent this) so moveToThread moves them
    QTimer m_demo;
    LoadTest *m_loadTest = nullptr;
    QHash<int, LoadTest *> m_demoLoads;
};

/// Owns a QThread running a PoolWorker; stops and joins it on destruction
/// after letting the worker close its pools on its own thread.
class WorkerThread
{
public:
    WorkerThread();
    ~WorkerThread();
    PoolWorker *worker() const { return m_worker; }

private:
    QThread m_thread;
    PoolWorker *m_worker;
};

} // namespace quicpool::diag
