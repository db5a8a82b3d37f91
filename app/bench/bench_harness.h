// The machinery the benchmark workloads share: a worker thread with its own
// event loop (the "server process" of an in-process run), a server pool on
// it that serves sink and echo streams through the workload library's
// StreamServer, and event-loop waits.
#pragma once

#include "bench_plan.h"

#include <workload/streamserver.h>

#include <quicpool/quicpool.h>
#include <QtCore/QThread>
#include <atomic>
#include <chrono>
#include <functional>
#include <memory>
#include <optional>

namespace quicpool::cli::bench {

using namespace std::chrono_literals;

/// Spins the calling thread's event loop until done() holds or the time is
/// up; done() is checked after every batch of events and every millisecond.
bool spinUntil(const std::function<bool()> &done, std::chrono::milliseconds timeout);

/// A thread with its own event loop, standing in for the server process.
class WorkerThread
{
public:
    WorkerThread();
    ~WorkerThread();
    WorkerThread(const WorkerThread &) = delete;
    WorkerThread &operator=(const WorkerThread &) = delete;

    /// Runs fn on the worker thread and waits for it while spinning the
    /// caller's event loop, so fn may call back into the caller's thread.
    /// False if fn did not finish in time (it may still run later: capture
    /// by value what must outlive the call).
    bool run(std::function<void()> fn, std::chrono::milliseconds timeout = 30s);
    QThread *thread() { return &m_thread; }

private:
    QThread m_thread;
    QObject *m_context = nullptr;   // lives on m_thread; posted functors run in its name
};

/// Largest chunk the workloads read or write at once (PatternWindow serves
/// at least this much pattern from any offset).
inline constexpr qint64 kChunk = 256 * 1024;

// ------------------------------------------------------------ the server side

/// A ServerPool living on a WorkerThread, served by a workload::StreamServer
/// there. Its methods are called from the benchmark's (client) thread;
/// pool() is for code run on the worker.
class QuicServer
{
public:
    explicit QuicServer(WorkerThread *worker);
    ~QuicServer();
    QuicServer(const QuicServer &) = delete;
    QuicServer &operator=(const QuicServer &) = delete;

    /// Starts a server pool on 127.0.0.1 with a fresh port, serving its
    /// streams in `mode` (Hold leaves them pooled: fill, memory, get).
    /// maxCapacity is also the client's initial stream credit
    /// (initial_max_streams_bidi).
    /// congestionControl unset: the library's default.
    bool start(int maxCapacity, workload::Mode mode, QString *error,
               std::optional<CongestionControl> congestionControl = std::nullopt,
               std::chrono::microseconds busyPoll = std::chrono::microseconds(0));
    /// Closes and deletes the pool on its thread.
    void stop();

    quint16 port() const { return m_port; }
    QString address() const { return QStringLiteral("127.0.0.1:%1").arg(m_port); }
    int active() const;                       ///< pooled streams (atomic, any thread)
    ServerPool *pool() const { return m_pool; }
    WorkerThread *worker() const { return m_worker; }
    /// Called on the worker thread, directly from the pool's streamPooled.
    /// Set or clear it from the worker thread (inside run()).
    std::function<void(const QString &id)> pooledHook;

private:
    WorkerThread *m_worker;
    ServerPool *m_pool = nullptr;
    workload::StreamServer *m_server = nullptr;   // lives on the worker, as the pool does
    quint16 m_port = 0;
};

// ------------------------------------------------------------ the client side

/// What every workload run gets.
struct WorkloadContext
{
    Sizes sizes;
    QString connect;                 ///< empty: the in-process server on worker
    WorkerThread *worker = nullptr;
    std::function<void(const QString &line)> progress;  ///< one line per phase
    bool chosen = false;             ///< this workload was named with --workload
    /// --cc for both ends of the QUIC workloads; unset: the library's default.
    std::optional<CongestionControl> congestionControl;
    /// --busy-poll for both ends of the echo workload; 0: off.
    std::chrono::microseconds busyPoll{0};
};

/// A client pool configuration for a local or remote bench server.
ClientPoolConfig benchClientConfig(const QString &address, int capacity, Milliseconds interval,
                                   std::optional<CongestionControl> congestionControl = std::nullopt);

/// An optional send buffer size from QUICPOOL_BENCH_SEND_BUFFER (bytes),
/// a diagnostic knob for profiling; 0 when unset (library default).
qint64 sendBufferOverride();

} // namespace quicpool::cli::bench
