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

class DefenceStatsPrivate : public QSharedData
{
public:
    qint64 pendingHandshakes = 0;
    qint64 pendingHandshakesPeak = 0;
    qint64 handshakesStarted = 0;
    qint64 handshakesCompleted = 0;
    qint64 handshakesTimedOut = 0;
    qint64 retriesSent = 0;
    qint64 tokensAccepted = 0;
    qint64 tokensRejected = 0;
    qint64 allowListRefusals = 0;
    qint64 limitDrops = 0;
    qint64 unvalidatedBytesReceived = 0;
    qint64 unvalidatedBytesSent = 0;
    bool underFlood = false;
};

QUICPOOL_VALUE_CLASS(DefenceStats)
QUICPOOL_FIELD(DefenceStats, qint64, pendingHandshakes, setPendingHandshakes)
QUICPOOL_FIELD(DefenceStats, qint64, pendingHandshakesPeak, setPendingHandshakesPeak)
QUICPOOL_FIELD(DefenceStats, qint64, handshakesStarted, setHandshakesStarted)
QUICPOOL_FIELD(DefenceStats, qint64, handshakesCompleted, setHandshakesCompleted)
QUICPOOL_FIELD(DefenceStats, qint64, handshakesTimedOut, setHandshakesTimedOut)
QUICPOOL_FIELD(DefenceStats, qint64, retriesSent, setRetriesSent)
QUICPOOL_FIELD(DefenceStats, qint64, tokensAccepted, setTokensAccepted)
QUICPOOL_FIELD(DefenceStats, qint64, tokensRejected, setTokensRejected)
QUICPOOL_FIELD(DefenceStats, qint64, allowListRefusals, setAllowListRefusals)
QUICPOOL_FIELD(DefenceStats, qint64, limitDrops, setLimitDrops)
QUICPOOL_FIELD(DefenceStats, qint64, unvalidatedBytesReceived, setUnvalidatedBytesReceived)
QUICPOOL_FIELD(DefenceStats, qint64, unvalidatedBytesSent, setUnvalidatedBytesSent)
QUICPOOL_FIELD(DefenceStats, bool, underFlood, setUnderFlood)

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
QUICPOOL_VALUE_CLASS_DTOR(DefenceStats)
