// Running the `quicpool` binary from a test: the path to it, a run to
// completion with its output, and `quicpool server` as a child process
// that reports its port and certificate. Shared by the suites that run
// the CLI between processes (tests/cli, tests/faults). Every wait keeps
// this thread's event loop turning: an in-process relay or server may
// have to answer meanwhile.
//
// The binary comes from QUICPOOL_CLI (set by tests/CMakeLists.txt), else
// from ../app/quicpool next to the test in the build tree.
#pragma once

#include <QtCore/QCoreApplication>
#include <QtCore/QDir>
#include <QtCore/QElapsedTimer>
#include <QtCore/QProcess>
#include <QtCore/QRegularExpression>
#include <QtTest/QSignalSpy>
#include <QtTest/QTest>
#include <csignal>
#include <sys/types.h>
#include <signal.h>

namespace clitest {

inline QString cliPath()
{
    const QString fromEnv = qEnvironmentVariable("QUICPOOL_CLI");
    if (!fromEnv.isEmpty())
        return fromEnv;
    return QDir(QCoreApplication::applicationDirPath()).filePath(QStringLiteral("../app/quicpool"));
}

/// What a finished run left behind.
struct Finished
{
    bool finished = false;   ///< exited on its own within the bound
    bool crashed = false;
    int exitCode = -1;
    qint64 ms = 0;           ///< from start to exit (or to the kill)
    QString out;
    QString err;

    QString describe() const
    {
        return QStringLiteral("exit %1%2%3 after %4 ms\n--- stdout:\n%5--- stderr:\n%6")
            .arg(exitCode)
            .arg(crashed ? QStringLiteral(" (crashed)") : QString())
            .arg(finished ? QString() : QStringLiteral(" (did not finish: killed)"))
            .arg(ms)
            .arg(out.right(4000), err.right(4000));
    }
};

inline QString describe(const Finished &f) { return f.describe(); }

/// Runs the CLI to completion, or kills it after timeoutMs.
inline Finished runCli(const QStringList &args, int timeoutMs = 30000)
{
    QProcess process;
    process.setProgram(cliPath());
    process.setArguments(args);
    QSignalSpy done(&process, &QProcess::finished);
    QElapsedTimer clock;
    clock.start();
    process.start();
    Finished result;
    if (!process.waitForStarted(5000)) {
        result.err = QStringLiteral("cannot start %1: %2").arg(cliPath(), process.errorString());
        return result;
    }
    result.finished = done.wait(timeoutMs);
    result.ms = clock.elapsed();
    if (!result.finished) {
        process.kill();
        process.waitForFinished(2000);
    } else {
        result.exitCode = process.exitCode();
        result.crashed = process.exitStatus() != QProcess::NormalExit;
    }
    result.out = QString::fromUtf8(process.readAllStandardOutput());
    result.err += QString::fromUtf8(process.readAllStandardError());
    return result;
}

/// `quicpool server` as a child process; knows its port once started.
class CliServer
{
public:
    /// Listens on a port of its choosing.
    bool start(const QStringList &extra) { return startOn(QStringLiteral("127.0.0.1:0"), extra); }

    /// listen: "127.0.0.1:0" picks a port; a fixed one lets a restart take it again.
    bool startOn(const QString &listen, const QStringList &extra = {})
    {
        m_process.setProgram(cliPath());
        m_process.setArguments(QStringList{QStringLiteral("server"), QStringLiteral("--listen"), listen} + extra);
        m_process.start();
        if (!m_process.waitForStarted(5000)) {
            m_log = m_process.errorString();
            return false;
        }
        static const QRegularExpression listening(QStringLiteral("^listening on 127\\.0\\.0\\.1:(\\d+)"),
                                                  QRegularExpression::MultilineOption);
        static const QRegularExpression certificate(QStringLiteral("^certificate (sha256:[0-9A-F:]{95})$"),
                                                    QRegularExpression::MultilineOption);
        QElapsedTimer clock;
        clock.start();
        while (clock.elapsed() < 15000) {
            m_log += QString::fromUtf8(m_process.readAllStandardError());
            const auto port = listening.match(m_log);
            const auto fp = certificate.match(m_log);
            if (port.hasMatch() && fp.hasMatch()) {
                m_port = port.captured(1).toUShort();
                m_fingerprint = fp.captured(1);
                return m_port != 0;
            }
            if (m_process.state() == QProcess::NotRunning)
                return false;
            QTest::qWait(20);
        }
        return false;
    }

    /// Sends the signal and waits for the exit; the exit code, or -1 for a
    /// crash, a kill or no exit.
    int stop(int signalNumber = SIGTERM)
    {
        if (m_process.state() != QProcess::NotRunning) {
            QSignalSpy done(&m_process, &QProcess::finished);
            ::kill(pid_t(m_process.processId()), signalNumber);
            if (!done.wait(10000)) {
                m_process.kill();
                m_process.waitForFinished(2000);
                return -1;
            }
        }
        m_log += QString::fromUtf8(m_process.readAllStandardError());
        return m_process.exitStatus() == QProcess::NormalExit ? m_process.exitCode() : -1;
    }

    ~CliServer()
    {
        if (m_process.state() != QProcess::NotRunning) {
            m_process.kill();
            m_process.waitForFinished(2000);
        }
    }

    QString address() const { return QStringLiteral("127.0.0.1:%1").arg(m_port); }
    quint16 port() const { return m_port; }
    qint64 pid() const { return m_process.processId(); }
    QString fingerprint() const { return m_fingerprint; }
    /// Everything the server printed on stderr so far.
    QString readLog()
    {
        m_log += QString::fromUtf8(m_process.readAllStandardError());
        return m_log;
    }
    QString log() const { return m_log; }

private:
    QProcess m_process;
    QString m_log;
    quint16 m_port = 0;
    QString m_fingerprint;
};

inline QStringList linesOf(const QString &text)
{
    return text.split(u'\n', Qt::SkipEmptyParts);
}

inline const QRegularExpression &okLine()
{
    static const QRegularExpression re(QStringLiteral("^stream [0-9a-f]{8} bytes=(\\d+) ms=\\d+\\.\\d ok$"));
    return re;
}

inline const QRegularExpression &failLine()
{
    static const QRegularExpression re(QStringLiteral("^stream [0-9a-f]{8} bytes=\\d+ ms=\\d+\\.\\d fail: (.+)$"));
    return re;
}

} // namespace clitest
