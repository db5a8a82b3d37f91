// A UDP relay that sits between a QUIC client and server on loopback and
// injects the faults real networks produce: loss, reordering, duplication,
// delay with jitter, total outage and NAT rebinding. Test helper only.
#pragma once

#include <QByteArray>
#include <QElapsedTimer>
#include <QHashFunctions>
#include <QHostAddress>
#include <QList>
#include <QObject>
#include <QRandomGenerator>
#include <QString>
#include <QTimer>

#include <array>
#include <map>
#include <memory>
#include <optional>
#include <unordered_map>

class QUdpSocket;

namespace quicpool::testing {

// What the relay does to the datagrams of one direction. Probabilities are
// clamped to 0..1 and times to >= 0 when set.
struct RelayFaults
{
    double drop = 0.0;      // lose the datagram
    double reorder = 0.0;   // hold it back until the next one (or a short time) has passed
    double duplicate = 0.0; // forward it twice
    int delayMs = 0;        // fixed extra one-way delay
    int jitterMs = 0;       // plus a uniform 0..jitterMs on top of delayMs
    bool blackhole = false; // drop everything
};

// Per-direction counts. Once nothing is pending (see UdpRelay::pending()),
// forwarded == received - dropped + duplicated.
struct RelayCounters
{
    quint64 received = 0;   // datagrams read from the sending side
    quint64 forwarded = 0;  // datagrams written to the receiving side (copies included)
    quint64 dropped = 0;    // lost on purpose, or because the write failed
    quint64 reordered = 0;  // held back: behind the next datagram, or alone for the hold time
    quint64 duplicated = 0; // extra copies made
    quint64 ignored = 0;    // server->client only: datagrams from someone other than upstream
};

// The relay binds one local port that clients send to. Each client address
// gets its own upstream-facing socket, so the server sees one distinct source
// port per client; replies go back to the client they belong to.
// Single-threaded: everything runs on the thread's Qt event loop.
class UdpRelay : public QObject
{
    Q_OBJECT

public:
    enum Direction { ClientToServer = 0, ServerToClient = 1 };
    Q_ENUM(Direction)

    // seed makes the fault decisions reproducible (one generator per direction,
    // so traffic in one direction does not change the other's decisions).
    UdpRelay(const QHostAddress &upstreamAddress, quint16 upstreamPort, quint32 seed = 1,
             QObject *parent = nullptr);
    ~UdpRelay() override;

    UdpRelay(const UdpRelay &) = delete;
    UdpRelay &operator=(const UdpRelay &) = delete;

    // Binds an ephemeral port on bindAddress; a null address means the
    // loopback of the upstream's family (127.0.0.1 or ::1).
    bool listen(const QHostAddress &bindAddress = QHostAddress());
    // Stops relaying: closes every socket and forgets pending datagrams.
    void close();
    bool isListening() const;
    QHostAddress address() const;
    quint16 port() const;
    QString errorString() const { return m_errorString; }

    QHostAddress upstreamAddress() const { return m_upstreamAddress; }
    quint16 upstreamPort() const { return m_upstreamPort; }

    // Fault settings take effect for the next datagram read.
    void setFaults(Direction direction, const RelayFaults &faults);
    RelayFaults faults(Direction direction) const { return m_dir[direction].faults; }
    // Each setter exists per direction and, without one, for both directions.
    void setDropProbability(Direction direction, double probability);
    void setDropProbability(double probability);
    void setReorderProbability(Direction direction, double probability);
    void setReorderProbability(double probability);
    void setDuplicateProbability(Direction direction, double probability);
    void setDuplicateProbability(double probability);
    void setDelay(Direction direction, int delayMs, int jitterMs = 0);
    void setDelay(int delayMs, int jitterMs = 0);
    void setBlackhole(Direction direction, bool on);
    void setBlackhole(bool on);

    // How long a reordered datagram waits for a successor before it is
    // released anyway (default 10 ms).
    void setReorderHoldMs(int ms);
    int reorderHoldMs() const { return m_reorderHoldMs; }

    // Restarts both generators as if the relay had been built with seed.
    void reseed(quint32 seed);

    RelayCounters counters(Direction direction) const { return m_dir[direction].counters; }
    void resetCounters();
    // Datagrams delayed or held back and not yet written.
    int pending() const;

    // Clients seen so far, and the local port of each one's upstream socket
    // (the source port the server sees for it); 0 for an unknown client.
    int clientCount() const { return int(m_clients.size()); }
    quint16 upstreamPortFor(const QHostAddress &clientAddress, quint16 clientPort) const;

    // NAT rebinding: gives every known client (or just the one named) a fresh
    // upstream socket on a new port and closes the old one, so the server
    // sees the client at a new address. Datagrams already delayed go out
    // through the new socket. Returns how many clients were rebound; a
    // failure to bind leaves that client on its old socket and sets
    // errorString().
    int rebindClient();
    bool rebindClient(const QHostAddress &clientAddress, quint16 clientPort);

Q_SIGNALS:
    void clientAdded(const QHostAddress &clientAddress, quint16 clientPort);
    // Once per datagram written (each copy counts).
    void datagramForwarded(quicpool::testing::UdpRelay::Direction direction, int size);
    void datagramDropped(quicpool::testing::UdpRelay::Direction direction, int size);

private:
    struct ClientKey
    {
        QHostAddress address;
        quint16 port = 0;
        friend bool operator==(const ClientKey &, const ClientKey &) = default;
    };
    struct ClientKeyHash
    {
        size_t operator()(const ClientKey &key) const noexcept
        {
            return qHashMulti(0, key.address, key.port);
        }
    };
    struct Pending
    {
        Direction direction = ClientToServer;
        ClientKey client;
        QByteArray data;
    };
    struct Held
    {
        Pending datagram;
        qint64 delayNs = 0;  // its delay, applied from the moment it is released
        quint64 serial = 0; // tells a stale hold timeout from the current one
    };
    struct Client
    {
        ClientKey key;
        QUdpSocket *upstream = nullptr; // child of the relay
        std::array<std::optional<Held>, 2> held;
    };
    struct DirectionState
    {
        RelayFaults faults;
        RelayCounters counters;
        QRandomGenerator rng;
    };

    void readFromClients();
    void readFromUpstream(QUdpSocket *socket, const ClientKey &key);
    QUdpSocket *openUpstreamSocket(const ClientKey &key);
    Client *clientFor(const ClientKey &key, bool create);
    void handleDatagram(Direction direction, const ClientKey &client, QByteArray data);
    void passReorderStage(Pending datagram, bool holdBack, qint64 delayNs);
    void releaseHeld(const ClientKey &key, Direction direction, quint64 serial);
    void schedule(Pending datagram, qint64 delayNs);
    void armDelayTimer();
    void sendDueDatagrams();
    void write(const Pending &datagram);
    void countDrop(Direction direction, int size);

    QHostAddress m_upstreamAddress;
    quint16 m_upstreamPort = 0;
    QUdpSocket *m_listener = nullptr;
    std::unordered_map<ClientKey, std::unique_ptr<Client>, ClientKeyHash> m_clients;
    std::array<DirectionState, 2> m_dir;
    int m_reorderHoldMs = 10;
    quint64 m_nextHoldSerial = 1;
    // Delayed datagrams by due time (ns on m_clock); multimap keeps equal
    // due times in arrival order, so a fixed delay never reorders by itself.
    std::multimap<qint64, Pending> m_delayed;
    QElapsedTimer m_clock;
    QTimer m_delayTimer;
    QString m_errorString;
};

// Kinds of datagram the garbage generator makes.
enum class GarbageKind { Random, LongHeaderInitial, ShortHeader };

struct GarbageDatagram
{
    GarbageKind kind = GarbageKind::Random;
    QByteArray data;
};

// Deterministic garbage for robustness tests: count datagrams of 1..1500
// bytes, a mix of pure noise (any first byte), QUIC long-header Initial
// look-alikes and short-header look-alikes. An Initial look-alike has the
// long-header form and fixed bits with packet type Initial, version 1 (one
// in eight carries a random version instead, to reach version negotiation),
// connection ID lengths that are mostly legal (sometimes > 20), a token and
// length field, random rest; three in four are 1200..1500 bytes like real
// Initials, the others truncated. A short-header look-alike has form bit 0
// and fixed bit 1, then random bytes.
QList<GarbageDatagram> garbageDatagrams(int count, quint32 seed);
// Sends garbageDatagrams(count, seed) to address:port from a temporary
// socket; returns how many were written (0 for a bad address or port).
int sendGarbage(const QHostAddress &address, quint16 port, int count, quint32 seed);

} // namespace quicpool::testing
