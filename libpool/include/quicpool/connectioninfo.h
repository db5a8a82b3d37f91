// What a monitor can learn about a pool's QUIC connection.
#pragma once

#include <quicpool/global.h>
#include <QtCore/QList>
#include <QtCore/QString>
#include <QtNetwork/QHostAddress>
#include <QtNetwork/QSslCertificate>

namespace quicpool {

/// Figures from ngtcp2's congestion controller plus our own UDP counters.
/// Times are in microseconds. lostPackets is -1 where ngtcp2 (1.11) does not
/// report it; congestionEvents counts reductions of the congestion window.
struct ConnectionStats
{
    qint64 smoothedRttUs = 0;
    qint64 minRttUs = 0;
    qint64 latestRttUs = 0;
    qint64 rttVarUs = 0;
    qint64 cwnd = 0;
    qint64 bytesInFlight = 0;
    qint64 bytesSent = 0;
    qint64 bytesReceived = 0;
    qint64 packetsSent = 0;
    qint64 packetsReceived = 0;
    qint64 lostPackets = -1;
    qint64 congestionEvents = 0;
};

struct ConnectionInfo
{
    bool valid = false;                 ///< false: no connection right now
    QString tlsVersion;                 ///< e.g. "TLS1.3"
    QString cipher;                     ///< e.g. "TLS_AES_128_GCM_SHA256"
    QString alpn;                       ///< "np-quic"
    QList<QSslCertificate> peerCertificates; ///< leaf first; empty on a server without client certs
    QSslCertificate localCertificate;   ///< the server's own leaf (server pools)
    QHostAddress localAddress;
    quint16 localPort = 0;
    QHostAddress peerAddress;
    quint16 peerPort = 0;
    ConnectionStats stats;
};

} // namespace quicpool
