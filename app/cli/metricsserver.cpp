#include "metricsserver.h"

#include "units.h"

#include <QtCore/QTimer>
#include <QtNetwork/QTcpSocket>
#include <memory>

namespace quicpool::cli {

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
        socket->setParent(this);
        ++m_connections;
        connect(socket, &QObject::destroyed, this, [this] { --m_connections; });
        connect(socket, &QTcpSocket::disconnected, socket, &QObject::deleteLater);
        connect(socket, &QTcpSocket::errorOccurred, socket, [socket] {
            if (socket->state() == QAbstractSocket::UnconnectedState)
                socket->deleteLater();
        });
        // What belongs to the request lives with its socket: the bytes so
        // far (never more than the head may take) and the timer against a
        // client that never finishes.
        auto *timer = new QTimer(socket);
        timer->setSingleShot(true);
        auto answered = std::make_shared<bool>(false);
        auto received = std::make_shared<QByteArray>();
        auto answer = [socket, timer, answered](const QByteArray &response) {
            if (*answered)
                return;
            *answered = true;
            timer->stop();
            socket->write(response);
            socket->disconnectFromHost();
        };
        if (m_connections > kMaxMetricsConnections) {
            answer(httpErrorResponse(503, "Too many connections to the metrics endpoint; try again."));
            continue;
        }
        connect(timer, &QTimer::timeout, socket, [answer, timeout = m_timeout] {
            answer(httpErrorResponse(408, QByteArrayLiteral("No complete request within ")
                                              + formatDuration(timeout).toLatin1() + '.'));
        });
        connect(socket, &QTcpSocket::readyRead, this, [this, socket, received, answered, answer] {
            if (*answered) {
                socket->skip(socket->bytesAvailable());   // one response per connection
                return;
            }
            // One byte past the limit is enough to know it was passed.
            *received += socket->read(kMaxRequestHead + 1 - received->size());
            const HttpParse parse = parseHttpRequest(*received);
            if (parse.state == HttpParse::State::Incomplete)
                return;
            answer(httpResponse(parse, [this] { return formatOpenMetrics(m_source()); }));
        });
        timer->start(m_timeout);
    }
}

} // namespace quicpool::cli
