// SIGINT and SIGTERM delivered as a Qt signal on the main thread, through a
// self-pipe watched by a QSocketNotifier: the handler itself only writes
// one byte, which is all a signal handler may safely do.
#pragma once

#include <QtCore/QObject>
#include <QtCore/QSocketNotifier>
#include <memory>

namespace quicpool::cli {

class SignalWatcher : public QObject
{
    Q_OBJECT
public:
    /// Installs handlers for SIGINT and SIGTERM; the previous ones come back
    /// when the watcher is destroyed. One watcher at a time.
    explicit SignalWatcher(QObject *parent = nullptr);
    ~SignalWatcher() override;

    /// False if the pipe or the handlers could not be set up.
    bool isActive() const { return m_notifier != nullptr; }

Q_SIGNALS:
    /// The signal number (SIGINT or SIGTERM). Every delivery is reported.
    void received(int signalNumber);

private:
    void drain();

    std::unique_ptr<QSocketNotifier> m_notifier;
};

} // namespace quicpool::cli
