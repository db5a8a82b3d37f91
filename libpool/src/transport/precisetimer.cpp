#include "transport/precisetimer.h"

#include "common/logging.h"
#include "transport/clock.h"

#include <QtCore/QSocketNotifier>
#include <QtCore/QTimer>
#include <atomic>
#include <cerrno>
#include <cstring>
#include <sys/timerfd.h>
#include <unistd.h>

namespace quicpool::transport {

namespace {
std::atomic_bool g_warnedFallback{false};
}

PreciseTimer::PreciseTimer(QObject *owner, std::function<void()> fired) : m_fired(std::move(fired))
{
    m_fd = ::timerfd_create(CLOCK_MONOTONIC, TFD_NONBLOCK | TFD_CLOEXEC);
    if (m_fd >= 0) {
        m_notifier = new QSocketNotifier(m_fd, QSocketNotifier::Read, owner);
        QObject::connect(m_notifier, &QSocketNotifier::activated, owner, [this] { onReadable(); });
        return;
    }
    if (!g_warnedFallback.exchange(true))
        qCWarning(lcConn) << "no timerfd (" << strerror(errno) << "): pacing falls back to millisecond timers";
    m_fallback = new QTimer(owner);
    m_fallback->setSingleShot(true);
    m_fallback->setTimerType(Qt::PreciseTimer);
    QObject::connect(m_fallback, &QTimer::timeout, owner, [this] {
        m_armed = false;
        m_fired();
    });
}

PreciseTimer::~PreciseTimer()
{
    delete m_notifier;   // before its descriptor goes
    delete m_fallback;
    if (m_fd >= 0)
        ::close(m_fd);
}

void PreciseTimer::armAt(uint64_t monotonicNs)
{
    m_armed = true;
    if (m_fd < 0) {
        const uint64_t now = nowNs();
        m_fallback->start(monotonicNs <= now ? 0 : int((monotonicNs - now + kNsPerMs - 1) / kNsPerMs));
        return;
    }
    // 0 would disarm it: a time already past fires at once instead.
    if (monotonicNs == 0)
        monotonicNs = 1;
    itimerspec spec{};
    spec.it_value.tv_sec = time_t(monotonicNs / 1000000000);
    spec.it_value.tv_nsec = long(monotonicNs % 1000000000);
    ::timerfd_settime(m_fd, TFD_TIMER_ABSTIME, &spec, nullptr);
}

void PreciseTimer::stop()
{
    if (!m_armed)
        return;
    m_armed = false;
    if (m_fd < 0) {
        m_fallback->stop();
        return;
    }
    const itimerspec spec{};
    ::timerfd_settime(m_fd, 0, &spec, nullptr);
}

void PreciseTimer::onReadable()
{
    uint64_t expirations = 0;
    // Reading resets readiness; nothing to read means it was re-armed (or
    // stopped) after it fired and before we got here.
    if (::read(m_fd, &expirations, sizeof expirations) != sizeof expirations)
        return;
    m_armed = false;
    m_fired();
}

} // namespace quicpool::transport
