// A QUIC listener on a thread of its own (127.0.0.1, a port of its own, a
// generated self-signed certificate), for tests that count what happens on
// the client's thread alone, or run the two ends on two cores as the bench
// does. Each new connection is handed to onConnection on the listener's
// thread; the listener goes on that thread when this object goes.
#pragma once

#include "transport/listener.h"
#include "transport/tls/tlscontext.h"

#include <QtCore/QThread>
#include <functional>
#include <memory>

namespace quicpool::testing {

class ThreadedListener
{
public:
    /// Listens with config; port() is 0 when that failed.
    ThreadedListener(const transport::TransportConfig &config,
                     std::function<void(transport::Connection *)> onConnection)
    {
        m_thread.start();
        m_anchor.moveToThread(&m_thread);
        QMetaObject::invokeMethod(&m_anchor, [&] {
            Error err;
            m_listener = std::make_unique<transport::Listener>();
            if (!m_listener->listen(QHostAddress::LocalHost, 0,
                                    transport::TlsContext::createServer(transport::TlsServerOptions(), &err),
                                    config, &err))
                return;
            m_port = m_listener->port();
            QObject::connect(m_listener.get(), &transport::Listener::newConnection, m_listener.get(), onConnection);
        }, Qt::BlockingQueuedConnection);
    }
    ~ThreadedListener()
    {
        QMetaObject::invokeMethod(&m_anchor, [this] { m_listener.reset(); }, Qt::BlockingQueuedConnection);
        m_thread.quit();
        m_thread.wait();
    }
    ThreadedListener(const ThreadedListener &) = delete;
    ThreadedListener &operator=(const ThreadedListener &) = delete;

    quint16 port() const { return m_port; }

private:
    QThread m_thread;
    QObject m_anchor;
    std::unique_ptr<transport::Listener> m_listener;
    quint16 m_port = 0;
};

} // namespace quicpool::testing
