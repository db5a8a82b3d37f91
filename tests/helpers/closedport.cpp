#include "closedport.h"

#include <QtCore/QFile>
#include <QtCore/QRandomGenerator>
#include <QtNetwork/QUdpSocket>
#include <algorithm>

namespace quicpool::testing {

int ephemeralPortsStart()
{
    QFile range(QStringLiteral("/proc/sys/net/ipv4/ip_local_port_range"));
    if (!range.open(QIODevice::ReadOnly))
        return 32768;
    bool ok = false;
    const int low = QString::fromLatin1(range.readAll()).simplified().section(u' ', 0, 0).toInt(&ok);
    return ok && low > 1024 ? low : 32768;
}

quint16 closedUdpPort(const QHostAddress &address)
{
    // Below the ephemeral range, from a random start so suites running at
    // once do not all try the same port first.
    const int low = 1024;
    const int span = std::max(1, ephemeralPortsStart() - low);
    const int start = int(QRandomGenerator::global()->bounded(span));
    for (int i = 0; i < span; ++i) {
        const auto port = quint16(low + (start + i) % span);
        QUdpSocket probe;
        if (probe.bind(address, port))
            return port;   // free now, and no bind to port 0 will be given it
    }
    return 0;
}

} // namespace quicpool::testing
