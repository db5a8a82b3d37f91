// The fault suite's kit: `quicpool server` and `quicpool client` as child
// processes, the impairment relay in this process between them, and the
// one rule every fault run is held to: it carries every byte intact (the
// client's echo and sink modes check each byte against the test pattern)
// or it ends with a clear sentence, within a bounded time.
//
// The binary comes from QUICPOOL_CLI (set by tests/CMakeLists.txt).
#pragma once

#include "relayfixture.h"

#include <QtCore/QCoreApplication>
#include <QtCore/QDir>
#include <QtCore/QElapsedTimer>
#include <QtCore/QProcess>
#include <QtCore/QRegularExpression>
#include <QtNetwork/QUdpSocket>
#include <QtTest/QSignalSpy>
#include <QtTest/QTest>
#include <csignal>

namespace quicpool::faults {

inline QString cliPath()
{
    const QString fromEnv = qEnvironmentVariable("QUICPOOL_CLI");
    if (!fromEnv.isEmpty())
        return fromEnv;
    return QDir(QCoreApplication::applicationDirPath()).filePath(QStringLiteral("../app/quicpool"));
}

/// A loopback UDP port nothing listens on now (bound once, then let go).
inline quint16 freeUdpPort()
{
    QUdpSocket probe;
    probe.bind(QHostAddress::LocalHost, 0);
    return probe.localPort();
}

/// What a finished client run left behind.
struct ClientRun
{
    bool finished = false;   ///< exited on its own within the bound
    bool crashed = false;
    int exitCode = -1;
    qint64 ms = 0;           ///< from start to exit
    QString out;
    QString err;

    QString describe() const
    {
        return QStringLiteral("exit %1%2%3 after %4 ms\n--- stdout:\n%5--- stderr:\n%6")
            .arg(exitCode)
            .arg(crashed ? QStringLiteral(" (crashed)") : QString())
            .arg(finished ? QString() : QStringLiteral(" (did not finish: killed)"))
            .arg(ms)
            .arg(out.right(3000), err.right(3000));
    }
};

/// How a run ended, by the rule above.
enum class Outcome { Intact, ClearFailure, Broken };

/// Intact: exit 0 and "streams=N ok=N failed=0". ClearFailure: exit 1, the
/// summary line, and a sentence for every stream that did not check out
/// (a "stream … fail: <why>" line, or "quicpool: K of N streams not run:
/// <why>"). Anything else (a crash, a hang, no summary, a failure nobody
/// explains) is Broken; *why says what.
inline Outcome judgeRun(const ClientRun &run, int streams, QString *why)
{
    if (!run.finished || run.crashed) {
        *why = QStringLiteral("the client did not exit on its own");
        return Outcome::Broken;
    }
    static const QRegularExpression summary(
        QStringLiteral("^streams=(\\d+) ok=(\\d+) failed=(\\d+) bytes=\\d+ seconds="),
        QRegularExpression::MultilineOption);
    const QRegularExpressionMatch m = summary.match(run.out);
    if (!m.hasMatch() || m.captured(1).toInt() != streams) {
        *why = QStringLiteral("no summary line for %1 streams").arg(streams);
        return Outcome::Broken;
    }
    const int ok = m.captured(2).toInt(), failed = m.captured(3).toInt();
    if (run.exitCode == 0 && ok == streams && failed == 0)
        return Outcome::Intact;
    if (run.exitCode != 1 || ok + failed != streams) {
        *why = QStringLiteral("exit %1 with ok=%2 failed=%3").arg(run.exitCode).arg(ok).arg(failed);
        return Outcome::Broken;
    }
    // Every failure explained: a sentence per failed run, or one for those
    // never started.
    static const QRegularExpression failLine(QStringLiteral("^stream \\S* bytes=\\d+ ms=[0-9.]+ fail: (.+)$"),
                                             QRegularExpression::MultilineOption);
    static const QRegularExpression notRun(QStringLiteral("^quicpool: (\\d+) of \\d+ streams not run: (.{8,})$"),
                                           QRegularExpression::MultilineOption);
    int explained = 0;
    for (auto it = failLine.globalMatch(run.out + run.err); it.hasNext();) {
        const QString reason = it.next().captured(1).trimmed();
        if (reason.isEmpty() || reason == u"unknown error") {
            *why = QStringLiteral("a stream failed without a reason");
            return Outcome::Broken;
        }
        ++explained;
    }
    for (auto it = notRun.globalMatch(run.err); it.hasNext();)
        explained += it.next().captured(1).toInt();
    if (explained < failed) {
        *why = QStringLiteral("%1 failed streams, %2 explained").arg(failed).arg(explained);
        return Outcome::Broken;
    }
    return Outcome::ClearFailure;
}

/// The first sentence a run failed with ("fail: …" or "… not run: …"), for the log.
inline QString firstSentence(const ClientRun &run)
{
    static const QRegularExpression sentence(QStringLiteral("(?:fail|streams not run): (.+)$"),
                                             QRegularExpression::MultilineOption);
    const QRegularExpressionMatch m = sentence.match(run.out + run.err);
    return m.hasMatch() ? m.captured(1) : QString();
}

/// Runs `quicpool client` to its end (or kills it after boundMs) while this
/// thread's event loop keeps turning: the relay lives on it.
inline ClientRun runClient(const QStringList &args, int boundMs)
{
    QProcess process;
    process.setProgram(cliPath());
    process.setArguments(QStringList{QStringLiteral("client"), QStringLiteral("--verbose")} + args);
    QSignalSpy done(&process, &QProcess::finished);
    QElapsedTimer clock;
    clock.start();
    process.start();
    ClientRun run;
    if (!process.waitForStarted(5000)) {
        run.err = QStringLiteral("cannot start %1: %2").arg(cliPath(), process.errorString());
        return run;
    }
    run.finished = done.wait(boundMs);
    run.ms = clock.elapsed();
    if (!run.finished) {
        process.kill();
        process.waitForFinished(2000);
    } else {
        run.exitCode = process.exitCode();
        run.crashed = process.exitStatus() != QProcess::NormalExit;
    }
    run.out = QString::fromUtf8(process.readAllStandardOutput());
    run.err += QString::fromUtf8(process.readAllStandardError());
    return run;
}

/// `quicpool server` as a child process; knows its port once started.
class CliServer
{
public:
    /// listen: "127.0.0.1:0" picks a port; a fixed one lets a restart take it again.
    bool start(const QString &listen, const QStringList &extra = {})
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
        QElapsedTimer clock;
        clock.start();
        while (clock.elapsed() < 15000) {
            m_log += QString::fromUtf8(m_process.readAllStandardError());
            const auto port = listening.match(m_log);
            if (port.hasMatch()) {
                m_port = port.captured(1).toUShort();
                return m_port != 0;
            }
            if (m_process.state() == QProcess::NotRunning)
                return false;
            QTest::qWait(20);   // the relay's loop keeps turning meanwhile
        }
        return false;
    }

    /// Sends the signal and waits for the exit (event loop turning); the
    /// exit code, or -1 for a crash, a kill or no exit.
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

    quint16 port() const { return m_port; }
    QString readLog()
    {
        m_log += QString::fromUtf8(m_process.readAllStandardError());
        return m_log;
    }

private:
    QProcess m_process;
    QString m_log;
    quint16 m_port = 0;
};

/// The client's arguments for `streams` runs of `bytes` each in `mode`
/// towards 127.0.0.1:port.
inline QStringList clientArgs(quint16 port, int streams, int parallel, const QString &bytes,
                              const QStringList &extra = {}, const QString &mode = QStringLiteral("echo"))
{
    return QStringList{QStringLiteral("--connect"), QStringLiteral("127.0.0.1:%1").arg(port),
                       QStringLiteral("--mode"), mode,
                       QStringLiteral("--streams"), QString::number(streams),
                       QStringLiteral("--parallel"), QString::number(parallel),
                       QStringLiteral("--bytes"), bytes}
           + extra;
}

} // namespace quicpool::faults
