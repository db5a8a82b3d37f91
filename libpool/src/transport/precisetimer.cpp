#include "transport/precisetimer.h"

#include "common/logging.h"
#include "transport/clock.h"

#include <QtCore/QEvent>
#include <QtCore/QObject>
#include <QtCore/QSocketNotifier>
#include <QtCore/QTimer>
#include <atomic>
#include <cerrno>
#include <cstring>
#include <sys/timerfd.h>
#include <unistd.h>

namespace quicpool::transport {

/// The timers of one thread: their deadlines and the one timer source
/// (a timerfd, or a QTimer when there is none) set to the earliest.
class ThreadTimers
{
public:
    static ThreadTimers *forThisThread();
    static ThreadTimers *ofThisThread() { return s_current; }

    void attach()
    {
        ++m_refs;
        m_orphaned = false;   // a timer came back while the last ones were firing: stay
    }
    void detach(PreciseTimer *t);
    void schedule(PreciseTimer *t, uint64_t deadline);
    void cancel(PreciseTimer *t) { m_heap.cancel(&t->m_entry); }   // the source may wake once for nothing
    bool isPrecise() const { return m_fd >= 0; }
    size_t armed() const { return m_heap.size(); }

private:
    ThreadTimers();
    ~ThreadTimers();
    void setSource();
    void onSource();
    void fireDue();

    static thread_local ThreadTimers *s_current;
    DeadlineHeap m_heap;
    int m_fd = -1;
    QSocketNotifier *m_notifier = nullptr;
    QTimer *m_fallback = nullptr;
    uint64_t m_sourceAt = 0;    // when the source fires; 0: not set
    size_t m_refs = 0;          // timers registered here
    bool m_firing = false;
    bool m_orphaned = false;    // the last timer went while firing: go afterwards
};

thread_local ThreadTimers *ThreadTimers::s_current = nullptr;

namespace {
std::atomic_bool g_warnedFallback{false};
thread_local uint64_t t_wakeups = 0;
}

/// Lives as a child of a timer's owner, so it hears (QEvent::ThreadChange)
/// when the owner moves to another thread, and posted calls to it follow.
class TimerAnchor : public QObject
{
public:
    TimerAnchor(QObject *owner, PreciseTimer *timer) : QObject(owner), m_timer(timer) {}
    bool event(QEvent *e) override
    {
        if (e->type() == QEvent::ThreadChange)
            m_timer->leaveThread();
        return QObject::event(e);
    }

private:
    PreciseTimer *m_timer;
};

// ---------------------------------------------------------------- ThreadTimers

ThreadTimers *ThreadTimers::forThisThread()
{
    if (!s_current)
        s_current = new ThreadTimers;
    return s_current;
}

ThreadTimers::ThreadTimers()
{
    m_fd = ::timerfd_create(CLOCK_MONOTONIC, TFD_NONBLOCK | TFD_CLOEXEC);
    if (m_fd >= 0) {
        m_notifier = new QSocketNotifier(m_fd, QSocketNotifier::Read);
        QObject::connect(m_notifier, &QSocketNotifier::activated, m_notifier, [this] { onSource(); });
        return;
    }
    if (!g_warnedFallback.exchange(true))
        qCWarning(lcConn) << "no timerfd (" << strerror(errno) << "): pacing falls back to millisecond timers";
    m_fallback = new QTimer;
    m_fallback->setSingleShot(true);
    m_fallback->setTimerType(Qt::PreciseTimer);
    QObject::connect(m_fallback, &QTimer::timeout, m_fallback, [this] { onSource(); });
}

ThreadTimers::~ThreadTimers()
{
    delete m_notifier;   // before its descriptor goes
    delete m_fallback;
    if (m_fd >= 0)
        ::close(m_fd);
    if (s_current == this)
        s_current = nullptr;
}

void ThreadTimers::detach(PreciseTimer *t)
{
    m_heap.cancel(&t->m_entry);
    if (--m_refs > 0)
        return;
    if (m_firing)
        m_orphaned = true;
    else
        delete this;
}

void ThreadTimers::schedule(PreciseTimer *t, uint64_t deadline)
{
    m_heap.schedule(&t->m_entry, deadline);
    if (!m_firing)
        setSource();
}

void ThreadTimers::setSource()
{
    const DeadlineHeap::Entry *top = m_heap.top();
    // Only ever earlier: a source set for a timer since stopped or moved
    // later wakes once for nothing and is set again then, which costs less
    // than a system call on every re-arm (ngtcp2 re-arms after each packet).
    if (!top || (m_sourceAt != 0 && m_sourceAt <= top->deadline))
        return;
    m_sourceAt = std::max<uint64_t>(top->deadline, 1);   // 0 would disarm a timerfd
    if (m_fd >= 0) {
        itimerspec spec{};
        spec.it_value.tv_sec = time_t(m_sourceAt / 1000000000);
        spec.it_value.tv_nsec = long(m_sourceAt % 1000000000);
        ::timerfd_settime(m_fd, TFD_TIMER_ABSTIME, &spec, nullptr);
        return;
    }
    const uint64_t now = nowNs();
    m_fallback->start(m_sourceAt <= now ? 0 : int((m_sourceAt - now + kNsPerMs - 1) / kNsPerMs));
}

void ThreadTimers::onSource()
{
    ++t_wakeups;
    if (m_fd >= 0) {
        uint64_t expirations = 0;
        // Nothing to read: it was set again after it fired; fire what is due anyway.
        [[maybe_unused]] const ssize_t n = ::read(m_fd, &expirations, sizeof expirations);
    }
    m_sourceAt = 0;
    fireDue();
}

void ThreadTimers::fireDue()
{
    const uint64_t now = nowNs();
    const uint64_t before = m_heap.nextSequence();
    m_firing = true;
    while (DeadlineHeap::Entry *e = m_heap.popDue(now, before)) {
        // Taken out before it runs: the callback may re-arm, stop or delete
        // any timer, this one included.
        static_cast<PreciseTimer::Slot *>(e)->timer->m_fired();
    }
    m_firing = false;
    if (m_orphaned) {
        delete this;
        return;
    }
    setSource();
}

// ---------------------------------------------------------------- PreciseTimer

PreciseTimer::PreciseTimer(QObject *owner, std::function<void()> fired)
    : m_fired(std::move(fired)), m_anchor(new TimerAnchor(owner, this))
{
    m_entry.timer = this;
}

PreciseTimer::~PreciseTimer()
{
    if (m_home)
        m_home->detach(this);
    delete m_anchor;   // and any re-arming posted to it
}

void PreciseTimer::armAt(uint64_t monotonicNs)
{
    m_rearmAfterMove = false;
    if (!m_home) {
        m_home = ThreadTimers::forThisThread();
        m_home->attach();
    }
    m_home->schedule(this, monotonicNs);
}

void PreciseTimer::stop()
{
    m_rearmAfterMove = false;
    if (m_home)
        m_home->cancel(this);
}

bool PreciseTimer::isPrecise() const
{
    const ThreadTimers *t = m_home ? m_home : ThreadTimers::ofThisThread();
    return !t || t->isPrecise();
}

void PreciseTimer::leaveThread()
{
    if (!m_home)
        return;
    if (m_entry.isScheduled()) {
        m_rearmAt = m_entry.deadline;
        m_rearmAfterMove = true;
    }
    m_home->detach(this);
    m_home = nullptr;
    // Posted now, delivered on the new thread: the move takes posted events along.
    QMetaObject::invokeMethod(m_anchor, [this] { arriveOnThread(); }, Qt::QueuedConnection);
}

void PreciseTimer::arriveOnThread()
{
    if (m_rearmAfterMove)
        armAt(m_rearmAt);
}

size_t PreciseTimer::armedOnThisThread()
{
    const ThreadTimers *t = ThreadTimers::ofThisThread();
    return t ? t->armed() : 0;
}

bool PreciseTimer::threadHasTimerSource()
{
    return ThreadTimers::ofThisThread() != nullptr;
}

uint64_t PreciseTimer::wakeupsOnThisThread()
{
    return t_wakeups;
}

} // namespace quicpool::transport
