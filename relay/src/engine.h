// Everything a Relay does, on the Relay's thread: the listen socket and one
// upstream socket per client (raw non-blocking fds watched by
// QSocketNotifier, read and written with recvmmsg / sendmmsg in batches),
// the per-direction verdicts, the arena of held datagrams, the delay line
// and the one precise timer (releasetimer.h) that releases what is due.
//
// Data path: a batch is read straight into arena slots; each datagram gets
// its verdict (dropped, or a release time); survivors go into the delay
// line; everything due is released at once into per-socket send batches.
// Counts are kept in a working copy and published under a mutex once per
// batch, so readers on other threads always see a consistent snapshot.
#pragma once

#include "arena.h"
#include "batch.h"
#include "delayline.h"
#include "dice.h"
#include "flowtable.h"
#include "link.h"
#include "releasetimer.h"
#include "schedulelog.h"
#include "verdict.h"

#include <quicpool/relay/relay.h>

#include <QtCore/QList>
#include <QtCore/QMutex>
#include <array>
#include <atomic>
#include <optional>

class QSocketNotifier;
class QTimer;

namespace quicpool::relay {

class Engine
{
public:
    Engine(Relay *relay, const RelayConfig &config);
    ~Engine();
    Engine(const Engine &) = delete;
    Engine &operator=(const Engine &) = delete;

    bool start();
    /// notify: emit stopped() if it was running (not while being destroyed).
    void stop(bool notify = true);
    bool isRunning() const { return m_running.load(std::memory_order_acquire); }
    quint16 listenPort() const { return m_listenPort.load(std::memory_order_acquire); }
    QHostAddress listenAddress() const;
    QString errorString() const;

    const RelayConfig &config() const { return m_config; }
    void setConfig(const RelayConfig &config);
    void setBlackhole(bool on) { m_blackhole = on; }
    bool blackhole() const { return m_blackhole; }
    int rebindAll();

    RelayStats stats() const;
    QList<Mapping> mappings() const;

    /// Tests only (schedulelog.h): records every verdict and release into log.
    static void attachScheduleLog(Relay &relay, ScheduleLog *log) { relay.m_engine->m_scheduleLog = log; }

private:
    void readClients();
    void readUpstream(uint32_t flowIndex, uint32_t generation);
    /// One recvmmsg into fresh arena slots; the number read (0 when none).
    int receive(int fd, bool withNames);
    void handle(Direction direction, uint32_t flowIndex, uint32_t slotIndex, uint32_t size, int64_t nowNs);
    void schedule(uint32_t slotIndex, int64_t releaseNs, bool holdBack, bool successor, int64_t nowNs);
    void releaseDue(int64_t nowNs);
    void enqueue(SendBatch &batch, int fd, const Endpoint *to, uint32_t slotIndex);
    void flush(SendBatch &batch);
    void finishTurn(int64_t nowNs);
    void armTimer();

    uint32_t flowFor(const sockaddr_storage &name, socklen_t length, int64_t nowNs);
    /// A socket towards the server for a client, on a port of its own; -1
    /// with a sentence in *error.
    int openUpstream(QString *error) const;
    void watchUpstream(uint32_t flowIndex);
    void closeFlow(uint32_t flowIndex);
    void sweepIdle();
    void applyTimers();
    void publish(int64_t nowNs);
    /// Sets the error and emits errorOccurred now (start() only).
    bool fail(const QString &sentence);
    /// Sets the error and emits errorOccurred on the next loop turn.
    void reportLater(const QString &sentence);
    DirectionStats &counts(Direction d) { return d == Direction::Up ? m_stats.up : m_stats.down; }

    Relay *m_relay;
    RelayConfig m_config;
    std::array<Impairments, 2> m_impairments;
    std::array<Link, 2> m_links;
    std::array<std::optional<Dice>, 2> m_dice;
    std::array<uint64_t, 2> m_arrivalSeq{};
    int64_t m_reorderHoldNs = 0;
    bool m_blackhole = false;
    /// UDP GSO for runs of equal datagrams (batch.h); off for good once the
    /// kernel or a route refuses it.
    bool m_segmentation = true;

    Endpoint m_upstream;
    Endpoint m_listen;
    int m_listenFd = -1;
    QSocketNotifier *m_listenNotifier = nullptr;
    FlowTable m_flows;
    Arena m_arena;
    DelayLine m_line;
    ReceiveBatch m_receive;
    SendBatch m_sendUp;
    SendBatch m_sendDown;

    ReleaseTimer m_releaseTimer;
    QTimer *m_rebindTimer;
    QTimer *m_sweepTimer;

    ScheduleLog *m_scheduleLog = nullptr;

    int64_t m_startNs = 0;
    RelayStats m_stats;         // the working copy, this thread only
    bool m_mappingsChanged = false;

    std::atomic<bool> m_running{false};
    std::atomic<quint16> m_listenPort{0};
    mutable QMutex m_mutex;     // guards what follows
    RelayStats m_published;
    QList<Mapping> m_publishedMappings;
    QHostAddress m_boundAddress;
    bool m_publishedRunning = false;
    int64_t m_publishedStartNs = 0;
    int64_t m_stoppedNs = 0;
    QString m_error;
};

} // namespace quicpool::relay
