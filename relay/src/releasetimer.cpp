#include "releasetimer.h"

#include "udp.h"

#include <QtCore/QSocketNotifier>
#include <algorithm>
#include <cerrno>
#include <sys/timerfd.h>
#include <unistd.h>

namespace quicpool::relay {

ReleaseTimer::ReleaseTimer(QObject *owner, std::function<void()> fired) : m_owner(owner), m_fired(std::move(fired))
{
}

ReleaseTimer::~ReleaseTimer()
{
    close();
}

bool ReleaseTimer::open(QString *error)
{
    if (m_fd >= 0)
        return true;
    m_fd = ::timerfd_create(CLOCK_MONOTONIC, TFD_NONBLOCK | TFD_CLOEXEC);
    if (m_fd < 0) {
        *error = QStringLiteral("cannot make a timer: %1").arg(systemError(errno));
        return false;
    }
    m_notifier = new QSocketNotifier(m_fd, QSocketNotifier::Read, m_owner);
    QObject::connect(m_notifier, &QSocketNotifier::activated, m_owner, [this] { onReadable(); });
    return true;
}

void ReleaseTimer::close()
{
    if (m_notifier) {
        m_notifier->setEnabled(false);
        delete m_notifier;
        m_notifier = nullptr;
    }
    if (m_fd >= 0)
        ::close(m_fd);
    m_fd = -1;
    m_armed = false;
}

void ReleaseTimer::armAt(int64_t monotonicNs)
{
    if (m_fd < 0)
        return;
    // 0 would disarm: a time in the past is the earliest possible instead.
    monotonicNs = std::max<int64_t>(1, monotonicNs);
    itimerspec spec{};
    spec.it_value.tv_sec = time_t(monotonicNs / 1000000000);
    spec.it_value.tv_nsec = long(monotonicNs % 1000000000);
    ::timerfd_settime(m_fd, TFD_TIMER_ABSTIME, &spec, nullptr);
    m_armed = true;
    m_armedAt = monotonicNs;
}

void ReleaseTimer::disarm()
{
    if (m_fd < 0 || !m_armed)
        return;
    const itimerspec spec{};
    ::timerfd_settime(m_fd, 0, &spec, nullptr);
    m_armed = false;
}

void ReleaseTimer::onReadable()
{
    uint64_t expirations = 0;
    // Reading resets readiness; EAGAIN means it was re-armed meanwhile.
    if (::read(m_fd, &expirations, sizeof expirations) != sizeof expirations)
        return;
    m_armed = false;
    m_fired();
}

} // namespace quicpool::relay
