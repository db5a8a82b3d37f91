// The server side of the load-test protocol (echo / sink / source): takes
// every stream a ServerPool pools and serves it in the chosen mode. Used by
// the embedded loopback pair and the load tests against it. Lives on the
// pool's thread.
#pragma once

#include "modeprotocol.h"

#include <QtCore/QObject>
#include <QtCore/QPointer>

#include <quicpool/pool.h>

namespace quicpool::diag {

class ModeServer : public QObject
{
    Q_OBJECT
public:
    ModeServer(ServerPool *pool, LoadMode mode, QObject *parent = nullptr);
    ~ModeServer() override;

    LoadMode mode() const { return m_mode; }
    /// Applies to streams taken from now on.
    void setMode(LoadMode mode) { m_mode = mode; }
    /// Starts taking streams; keeps going until the pool closes or stop().
    void start();
    void stop();
    qint64 servedStreams() const { return m_served; }

private:
    void takeNext();
    void scheduleTake(int delayMs);
    void serve(Stream *stream);

    QPointer<ServerPool> m_pool;
    LoadMode m_mode;
    bool m_running = false;
    bool m_waiting = false;
    qint64 m_served = 0;
};

} // namespace quicpool::diag
