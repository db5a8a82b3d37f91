#include "metricsserver.h"

#include "units.h"

#include <QtCore/QTimer>
#include <QtNetwork/QTcpSocket>
#include <memory>

namespace quicpool::cli {

namespace {

constexpr int kRequestTimeoutMs = 5000;

QByteArray plainResponse(const QByteArray &status, const QByteArray &text, bool withBody = true)
{
    const QByteArray body = text + '\n';
    QByteArray out = "HTTP/1.1 " + status + "\r\nContent-Type: text/plain; charset=utf-8\r\nContent-Length: "
                     + QByteArray::number(body.size()) + "\r\nConnection: close\r\n";
    if (status.startsWith("405"))
        out += "Allow: GET, HEAD\r\n";
    out += "\r\n";
    if (withBody)
        out += body;
    return out;
}

} // namespace

HttpRequestHead parseHttpRequestHead(const QByteArray &received)
{
    HttpRequestHead head;
    head.complete = received.contains("\r\n\r\n") || received.contains("\n\n");
    const qsizetype lineEnd = received.indexOf('\n');
    if (lineEnd < 0)
        return head;
    const QList<QByteArray> parts = received.left(lineEnd).trimmed().split(' ');
    if (parts.size() != 3 || !parts.at(2).startsWith("HTTP/1.") || parts.at(0).isEmpty() || !parts.at(1).startsWith('/'))
        return head;
    head.valid = true;
    head.method = parts.at(0);
    const qsizetype query = parts.at(1).indexOf('?');
    head.path = query < 0 ? parts.at(1) : parts.at(1).left(query);
    return head;
}

QByteArray httpResponse(const HttpRequestHead &head, const std::function<QByteArray()> &metricsBody)
{
    if (!head.valid)
        return plainResponse("400 Bad Request", "Bad request: expected \"GET /metrics HTTP/1.1\".");
    const bool headOnly = head.method == "HEAD";
    if (head.method != "GET" && !headOnly)
        return plainResponse("405 Method Not Allowed", "Only GET and HEAD are served here.");
    if (head.path != "/metrics")
        return plainResponse("404 Not Found", "Not found: metrics are at /metrics.", !headOnly);
    const QByteArray body = metricsBody();
    QByteArray out = QByteArray("HTTP/1.1 200 OK\r\nContent-Type: ") + kOpenMetricsContentType
                     + "\r\nContent-Length: " + QByteArray::number(body.size()) + "\r\nConnection: close\r\n\r\n";
    if (!headOnly)
        out += body;
    return out;
}

MetricsServer::MetricsServer(Source source, QObject *parent) : QObject(parent), m_source(std::move(source))
{
    connect(&m_server, &QTcpServer::newConnection, this, &MetricsServer::accept);
}

bool MetricsServer::listen(const QString &hostPort)
{
    QString host, why;
    quint16 port = 0;
    if (!parseHostPort(hostPort, &host, &port, &why)) {
        m_error = why;
        return false;
    }
    QHostAddress address = QHostAddress::Any;
    if (!host.isEmpty() && !address.setAddress(host)) {
        if (host == u"localhost") {
            address = QHostAddress::LocalHost;
        } else {
            m_error = QStringLiteral("\"%1\" is not an IP address to listen on").arg(host);
            return false;
        }
    }
    if (!m_server.listen(address, port)) {
        m_error = m_server.errorString();
        return false;
    }
    return true;
}

void MetricsServer::accept()
{
    while (QTcpSocket *socket = m_server.nextPendingConnection()) {
        // The socket owns what belongs to its request: the bytes so far
        // and the timer against a client that never finishes its head.
        socket->setParent(this);
        auto *timer = new QTimer(socket);
        timer->setSingleShot(true);
        auto answered = std::make_shared<bool>(false);
        auto buffer = std::make_shared<QByteArray>();
        auto answer = [socket, timer, answered](const QByteArray &response) {
            if (*answered)
                return;
            *answered = true;
            timer->stop();
            socket->write(response);
            socket->disconnectFromHost();
        };
        connect(socket, &QTcpSocket::disconnected, socket, &QObject::deleteLater);
        connect(socket, &QTcpSocket::errorOccurred, socket, [socket] {
            if (socket->state() == QAbstractSocket::UnconnectedState)
                socket->deleteLater();
        });
        connect(timer, &QTimer::timeout, socket,
                [answer] { answer(plainResponse("400 Bad Request", "Request incomplete after 5s.")); });
        connect(socket, &QTcpSocket::readyRead, this, [this, socket, buffer, answered, answer] {
            if (*answered) {
                socket->readAll();
                return;
            }
            *buffer += socket->readAll();
            const HttpRequestHead head = parseHttpRequestHead(*buffer);
            if (!head.complete && buffer->size() <= kMaxRequestHead)
                return;
            if (!head.complete) {
                answer(plainResponse("400 Bad Request", "Request head over 8 KiB."));
                return;
            }
            answer(httpResponse(head, [this] { return formatOpenMetrics(m_source()); }));
        });
        timer->start(kRequestTimeoutMs);
    }
}

} // namespace quicpool::cli
