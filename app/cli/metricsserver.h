// The /metrics endpoint of `quicpool server|client --metrics HOST:PORT`: a
// tiny HTTP/1.1 server on QTcpServer. GET (or HEAD) /metrics answers 200
// with the OpenMetrics text of the moment (openmetrics.h); any other path
// 404, any other method 405, a request head that is malformed, over 8 KiB
// or not complete within 5 s 400. One request per connection
// ("Connection: close"), which is how Prometheus scrapes anyway.
#pragma once

#include "openmetrics.h"

#include <QtCore/QByteArray>
#include <QtCore/QObject>
#include <QtNetwork/QHostAddress>
#include <QtNetwork/QTcpServer>
#include <functional>

namespace quicpool::cli {

inline constexpr qsizetype kMaxRequestHead = 8192;
inline constexpr char kOpenMetricsContentType[] = "application/openmetrics-text; version=1.0.0; charset=utf-8";

/// What a request head asks for. Pure, for unit tests.
struct HttpRequestHead
{
    bool complete = false;   ///< the blank line after the headers has arrived
    bool valid = false;      ///< a request line "METHOD TARGET HTTP/1.x"
    QByteArray method;
    QByteArray path;         ///< target without its query
};
HttpRequestHead parseHttpRequestHead(const QByteArray &received);

/// The whole response for a request head: status line, headers, body.
/// metricsBody is called only for a /metrics request.
QByteArray httpResponse(const HttpRequestHead &head, const std::function<QByteArray()> &metricsBody);

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

private:
    void accept();

    Source m_source;
    QTcpServer m_server;
    QString m_error;
};

} // namespace quicpool::cli
