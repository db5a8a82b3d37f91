// The value classes a monitor reads: connection figures and TLS facts.
#include <quicpool/connectioninfo.h>

#include "common/valueclass_p.h"

namespace quicpool {

class ConnectionStatsPrivate : public QSharedData
{
public:
    qint64 smoothedRttUs = 0;
    qint64 minRttUs = 0;
    qint64 latestRttUs = 0;
    qint64 rttVarUs = 0;
    qint64 congestionWindow = 0;
    qint64 bytesInFlight = 0;
    qint64 bytesSent = 0;
    qint64 bytesReceived = 0;
    qint64 packetsSent = 0;
    qint64 packetsReceived = 0;
    qint64 lostPackets = 0;
    qint64 congestionEvents = 0;
    qint64 bytesLost = 0;
    qint64 peakCongestionWindow = 0;
    qint64 peakBytesInFlight = 0;
    qint64 ecnEct0Sent = 0;
    qint64 ecnEct1Sent = 0;
    qint64 ecnCeSent = 0;
    qint64 ecnEct0Received = 0;
    qint64 ecnEct1Received = 0;
    qint64 ecnCeReceived = 0;
};

QUICPOOL_VALUE_CLASS(ConnectionStats)
QUICPOOL_FIELD(ConnectionStats, qint64, smoothedRttUs, setSmoothedRttUs)
QUICPOOL_FIELD(ConnectionStats, qint64, minRttUs, setMinRttUs)
QUICPOOL_FIELD(ConnectionStats, qint64, latestRttUs, setLatestRttUs)
QUICPOOL_FIELD(ConnectionStats, qint64, rttVarUs, setRttVarUs)
QUICPOOL_FIELD(ConnectionStats, qint64, congestionWindow, setCongestionWindow)
QUICPOOL_FIELD(ConnectionStats, qint64, bytesInFlight, setBytesInFlight)
QUICPOOL_FIELD(ConnectionStats, qint64, bytesSent, setBytesSent)
QUICPOOL_FIELD(ConnectionStats, qint64, bytesReceived, setBytesReceived)
QUICPOOL_FIELD(ConnectionStats, qint64, packetsSent, setPacketsSent)
QUICPOOL_FIELD(ConnectionStats, qint64, packetsReceived, setPacketsReceived)
QUICPOOL_FIELD(ConnectionStats, qint64, lostPackets, setLostPackets)
QUICPOOL_FIELD(ConnectionStats, qint64, congestionEvents, setCongestionEvents)
QUICPOOL_FIELD(ConnectionStats, qint64, bytesLost, setBytesLost)
QUICPOOL_FIELD(ConnectionStats, qint64, peakCongestionWindow, setPeakCongestionWindow)
QUICPOOL_FIELD(ConnectionStats, qint64, peakBytesInFlight, setPeakBytesInFlight)
QUICPOOL_FIELD(ConnectionStats, qint64, ecnEct0Sent, setEcnEct0Sent)
QUICPOOL_FIELD(ConnectionStats, qint64, ecnEct1Sent, setEcnEct1Sent)
QUICPOOL_FIELD(ConnectionStats, qint64, ecnCeSent, setEcnCeSent)
QUICPOOL_FIELD(ConnectionStats, qint64, ecnEct0Received, setEcnEct0Received)
QUICPOOL_FIELD(ConnectionStats, qint64, ecnEct1Received, setEcnEct1Received)
QUICPOOL_FIELD(ConnectionStats, qint64, ecnCeReceived, setEcnCeReceived)

class ConnectionInfoPrivate : public QSharedData
{
public:
    bool valid = false;
    QString tlsVersion;
    QString cipher;
    QString alpn;
    QList<QSslCertificate> peerCertificates;
    QSslCertificate localCertificate;
    QHostAddress localAddress;
    quint16 localPort = 0;
    QHostAddress peerAddress;
    quint16 peerPort = 0;
    ConnectionStats stats;
};

QUICPOOL_VALUE_CLASS(ConnectionInfo)
QUICPOOL_REF_FIELD(ConnectionInfo, QString, tlsVersion, setTlsVersion)
QUICPOOL_REF_FIELD(ConnectionInfo, QString, cipher, setCipher)
QUICPOOL_REF_FIELD(ConnectionInfo, QString, alpn, setAlpn)
QUICPOOL_REF_FIELD(ConnectionInfo, QList<QSslCertificate>, peerCertificates, setPeerCertificates)
QUICPOOL_REF_FIELD(ConnectionInfo, QSslCertificate, localCertificate, setLocalCertificate)
QUICPOOL_REF_FIELD(ConnectionInfo, QHostAddress, localAddress, setLocalAddress)
QUICPOOL_FIELD(ConnectionInfo, quint16, localPort, setLocalPort)
QUICPOOL_REF_FIELD(ConnectionInfo, QHostAddress, peerAddress, setPeerAddress)
QUICPOOL_FIELD(ConnectionInfo, quint16, peerPort, setPeerPort)
QUICPOOL_REF_FIELD(ConnectionInfo, ConnectionStats, stats, setStats)

bool ConnectionInfo::isValid() const { return d->valid; }
void ConnectionInfo::setValid(bool valid) { d->valid = valid; }

} // namespace quicpool

QUICPOOL_VALUE_CLASS_DTOR(ConnectionStats)
QUICPOOL_VALUE_CLASS_DTOR(ConnectionInfo)
