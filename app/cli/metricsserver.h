// The /metrics endpoint of `quicpool server|client --metrics HOST:PORT`: a
// small HTTP/1.1 server on QTcpServer around the strict request reader of
// httprequest.h. GET (or HEAD) /metrics answers 200 with the OpenMetrics
// text of the moment (openmetrics.h); any other path 404, any other method
// 405, a malformed request 400, a head over 8 KiB 431, a request not
// complete within the timeout (5 s) 408. One request per connection, one
// response, then the connection closes ("Connection: close"), which is how
// Prometheus scrapes anyway; at most kMaxMetricsConnections at once, more
// get 503. Why not Qt HttpServer: docs/ARCHITECTURE.md.
#pragma once

#include "httprequest.h"
#include "openmetrics.h"

#include <QtCore/QObject>
#include <QtNetwork/QHostAddress>
#include <QtNetwork/QTcpServer>
#include <chrono>
#include <functional>

namespace quicpool::cli {

/// Connections the endpoint serves at once (a scraper needs one).
inline constexpr int kMaxMetricsConnections = 16;

class MetricsServer : public QObject
{
    Q_OBJECT
public:
    using Source = std::function<QList<PoolMetrics>()>;
    MetricsServer(Source source, QObject *parent = nullptr);

    /// Listens on HOST:PORT (empty host: every address; port 0 picks one).
    /// False with errorString() set.
    bool listen(const QString &hostPort);
    QString errorString() const { return m_error; }
    QHostAddress address() const { return m_server.serverAddress(); }
    quint16 port() const { return m_server.serverPort(); }
    /// How long a connection may take to send its request (default 5 s).
    void setRequestTimeout(std::chrono::milliseconds timeout) { m_timeout = timeout; }
    /// Connections open now.
    int connectionCount() const { return m_connections; }

private:
    void accept();

    Source m_source;
    QTcpServer m_server;
    QString m_error;
    std::chrono::milliseconds m_timeout{5000};
    int m_connections = 0;
};

} // namespace quicpool::cli
