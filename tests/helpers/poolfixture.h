// Shorthands the end-to-end suites share: loopback pools with real TLS on
// ephemeral ports, and a payload pattern that shows any lost or changed byte.
#pragma once

#include <quicpool/quicpool.h>
#include <QtCore/QByteArray>
#include <QtCore/QString>
#include <memory>

namespace quicpool::testing {

using namespace std::chrono_literals;

/// A server pool on 127.0.0.1:0 with a generated self-signed certificate.
inline ServerPoolConfig serverConfig(int maxCap)
{
    ServerPoolConfig sc;
    sc.setMaxCapacity(maxCap);
    sc.setListenAddress(QStringLiteral("127.0.0.1:0"));
    sc.setKeepAlive(5000ms);
    return sc;
}

/// A client pool (TLS mode 1) for a server on 127.0.0.1:port.
inline ClientPoolConfig clientConfig(quint16 port, int minCap, int maxCap)
{
    ClientPoolConfig cc;
    cc.setMinCapacity(minCap);
    cc.setMaxCapacity(maxCap);
    cc.setMinInterval(50ms);
    cc.setMaxInterval(500ms);
    cc.setKeepAlive(5000ms);
    cc.setTlsMode(TlsMode::SelfSigned);
    cc.setAddress(QStringLiteral("127.0.0.1:%1").arg(port));
    return cc;
}

/// Bytes whose value depends on position and a seed: a shifted, dropped or
/// swapped byte cannot go unnoticed.
inline QByteArray pattern(int size, int seed)
{
    QByteArray out(size, Qt::Uninitialized);
    for (int i = 0; i < size; ++i)
        out[i] = char((i * 31 + seed * 7 + (i >> 8)) & 0xff);
    return out;
}

} // namespace quicpool::testing
