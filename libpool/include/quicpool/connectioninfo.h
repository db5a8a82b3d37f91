// What a monitor can learn about a pool's QUIC connection: implicitly
// shared value classes, read as one consistent snapshot.
#pragma once

#include <quicpool/global.h>
#include <QtCore/QList>
#include <QtCore/QMetaType>
#include <QtCore/QSharedDataPointer>
#include <QtCore/QString>
#include <QtNetwork/QHostAddress>
#include <QtNetwork/QSslCertificate>

// The private classes' destructors live in the library, so the inline
// special members below never need their definitions.
namespace quicpool {
class ConnectionStatsPrivate;
class ConnectionInfoPrivate;
class DefenceStatsPrivate;
} // namespace quicpool
QT_DECLARE_QSDP_SPECIALIZATION_DTOR_WITH_EXPORT(quicpool::ConnectionStatsPrivate, QUICPOOL_EXPORT)
QT_DECLARE_QSDP_SPECIALIZATION_DTOR_WITH_EXPORT(quicpool::DefenceStatsPrivate, QUICPOOL_EXPORT)
QT_DECLARE_QSDP_SPECIALIZATION_DTOR_WITH_EXPORT(quicpool::ConnectionInfoPrivate, QUICPOOL_EXPORT)

namespace quicpool {

/// Figures from ngtcp2's recovery and congestion control plus the UDP
/// counters. Times are in microseconds, sizes in bytes. All zero while no handshake has
/// completed: the figures of a connection that is still dialing are
/// ngtcp2's initial guesses, not measurements.
class QUICPOOL_EXPORT ConnectionStats
{
public:
    ConnectionStats();
    ConnectionStats(const ConnectionStats &other);
    ConnectionStats(ConnectionStats &&other) noexcept = default;
    ConnectionStats &operator=(const ConnectionStats &other);
    ConnectionStats &operator=(ConnectionStats &&other) noexcept
    {
        swap(other);
        return *this;
    }
    ~ConnectionStats();
    void swap(ConnectionStats &other) noexcept { d.swap(other.d); }

    qint64 smoothedRttUs() const;
    void setSmoothedRttUs(qint64 us);
    qint64 minRttUs() const;
    void setMinRttUs(qint64 us);
    qint64 latestRttUs() const;
    void setLatestRttUs(qint64 us);
    qint64 rttVarUs() const;
    void setRttVarUs(qint64 us);
    /// Congestion window and the bytes in flight against it.
    qint64 congestionWindow() const;
    void setCongestionWindow(qint64 bytes);
    qint64 bytesInFlight() const;
    void setBytesInFlight(qint64 bytes);
    /// UDP payload bytes and datagrams, both ways.
    qint64 bytesSent() const;
    void setBytesSent(qint64 bytes);
    qint64 bytesReceived() const;
    void setBytesReceived(qint64 bytes);
    qint64 packetsSent() const;
    void setPacketsSent(qint64 packets);
    qint64 packetsReceived() const;
    void setPacketsReceived(qint64 packets);
    /// Packets declared lost (Path MTU probes not counted), and their bytes.
    qint64 lostPackets() const;
    void setLostPackets(qint64 packets);
    qint64 bytesLost() const;
    void setBytesLost(qint64 bytes);
    /// The largest congestion window and flight the connection has reached:
    /// how far it opened up on its path.
    qint64 peakCongestionWindow() const;
    void setPeakCongestionWindow(qint64 bytes);
    qint64 peakBytesInFlight() const;
    void setPeakBytesInFlight(qint64 bytes);
    /// Reductions of the congestion window (loss or ECN).
    qint64 congestionEvents() const;
    void setCongestionEvents(qint64 events);
    /// Datagrams by their ECN mark (RFC 3168, RFC 9000 13.4), as sent and
    /// as they arrived: ECT(0), ECT(1), and CE (congestion experienced: a
    /// router on the way marked it instead of dropping it). ngtcp2 marks
    /// ECT(0) while it tests a path and, once the peer's acknowledgements
    /// show the marks arrive intact, for good; on a path that drops or
    /// clears them it stops marking. ngtcp2 1.24 does not say whether it
    /// validated a path; marks still sent long after the handshake mean it did.
    qint64 ecnEct0Sent() const;
    void setEcnEct0Sent(qint64 datagrams);
    qint64 ecnEct1Sent() const;
    void setEcnEct1Sent(qint64 datagrams);
    qint64 ecnCeSent() const;
    void setEcnCeSent(qint64 datagrams);
    qint64 ecnEct0Received() const;
    void setEcnEct0Received(qint64 datagrams);
    qint64 ecnEct1Received() const;
    void setEcnEct1Received(qint64 datagrams);
    qint64 ecnCeReceived() const;
    void setEcnCeReceived(qint64 datagrams);

private:
    QSharedDataPointer<ConnectionStatsPrivate> d;
};

/// What a server pool's listener did about the clients it has not yet
/// trusted: handshakes under way and their ends, address validation
/// (Retry, tokens), the allow-list, the admission bounds and the bytes
/// exchanged with addresses not yet validated (which stay within 3x, RFC
/// 9000 8.1). Counters count since the pool started; ServerPool::defenceStats().
class QUICPOOL_EXPORT DefenceStats
{
public:
    DefenceStats();
    DefenceStats(const DefenceStats &other);
    DefenceStats(DefenceStats &&other) noexcept = default;
    DefenceStats &operator=(const DefenceStats &other);
    DefenceStats &operator=(DefenceStats &&other) noexcept
    {
        swap(other);
        return *this;
    }
    ~DefenceStats();
    void swap(DefenceStats &other) noexcept { d.swap(other.d); }

    /// Handshakes accepted and not yet complete or ended, now and at most.
    qint64 pendingHandshakes() const;
    void setPendingHandshakes(qint64 handshakes);
    qint64 pendingHandshakesPeak() const;
    void setPendingHandshakesPeak(qint64 handshakes);
    /// Handshakes begun (an Initial accepted), completed, and ended by the
    /// handshake timeout (everything they held freed).
    qint64 handshakesStarted() const;
    void setHandshakesStarted(qint64 handshakes);
    qint64 handshakesCompleted() const;
    void setHandshakesCompleted(qint64 handshakes);
    qint64 handshakesTimedOut() const;
    void setHandshakesTimedOut(qint64 handshakes);
    /// Retry packets sent, and tokens (from a Retry or a NEW_TOKEN frame)
    /// that proved a client's address or did not (forged, expired, another address).
    qint64 retriesSent() const;
    void setRetriesSent(qint64 packets);
    qint64 tokensAccepted() const;
    void setTokensAccepted(qint64 tokens);
    qint64 tokensRejected() const;
    void setTokensRejected(qint64 tokens);
    /// Initials from addresses the allow-list (clientIp) does not name,
    /// refused before any TLS work.
    qint64 allowListRefusals() const;
    void setAllowListRefusals(qint64 initials);
    /// Initials dropped because the pending-handshake bounds were reached.
    qint64 limitDrops() const;
    void setLimitDrops(qint64 initials);
    /// UDP payload bytes from and to addresses not validated yet.
    qint64 unvalidatedBytesReceived() const;
    void setUnvalidatedBytesReceived(qint64 bytes);
    qint64 unvalidatedBytesSent() const;
    void setUnvalidatedBytesSent(qint64 bytes);
    /// Pending handshakes above the Retry threshold, or Retries sent in the
    /// last few seconds.
    bool underFlood() const;
    void setUnderFlood(bool flood);

private:
    QSharedDataPointer<DefenceStatsPrivate> d;
};

/// TLS and addressing facts of a connection, with its latest figures.
class QUICPOOL_EXPORT ConnectionInfo
{
public:
    ConnectionInfo();
    ConnectionInfo(const ConnectionInfo &other);
    ConnectionInfo(ConnectionInfo &&other) noexcept = default;
    ConnectionInfo &operator=(const ConnectionInfo &other);
    ConnectionInfo &operator=(ConnectionInfo &&other) noexcept
    {
        swap(other);
        return *this;
    }
    ~ConnectionInfo();
    void swap(ConnectionInfo &other) noexcept { d.swap(other.d); }

    /// False: no established connection right now.
    bool isValid() const;
    void setValid(bool valid);
    QString tlsVersion() const;           ///< e.g. "TLS1.3"
    void setTlsVersion(const QString &version);
    QString cipher() const;               ///< e.g. "TLS_AES_128_GCM_SHA256"
    void setCipher(const QString &cipher);
    QString alpn() const;                 ///< "np-quic"
    void setAlpn(const QString &alpn);
    /// Leaf first; empty on a server (clients send no certificate).
    QList<QSslCertificate> peerCertificates() const;
    void setPeerCertificates(const QList<QSslCertificate> &chain);
    /// The server's own leaf (server pools).
    QSslCertificate localCertificate() const;
    void setLocalCertificate(const QSslCertificate &certificate);
    QHostAddress localAddress() const;
    void setLocalAddress(const QHostAddress &address);
    quint16 localPort() const;
    void setLocalPort(quint16 port);
    QHostAddress peerAddress() const;
    void setPeerAddress(const QHostAddress &address);
    quint16 peerPort() const;
    void setPeerPort(quint16 port);
    ConnectionStats stats() const;
    void setStats(const ConnectionStats &stats);

private:
    QSharedDataPointer<ConnectionInfoPrivate> d;
};

} // namespace quicpool

Q_DECLARE_SHARED(quicpool::ConnectionStats)
Q_DECLARE_SHARED(quicpool::ConnectionInfo)
Q_DECLARE_SHARED(quicpool::DefenceStats)
Q_DECLARE_METATYPE(quicpool::DefenceStats)
