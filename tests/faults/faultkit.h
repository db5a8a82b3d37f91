// The fault suite's kit: `quicpool server` and `quicpool client` as child
// processes, the impairment relay in this process between them, and the
// one rule every fault run is held to: it carries every byte intact (the
// client's echo and sink modes check each byte against the test pattern)
// or it ends with a clear sentence, within a bounded time.
#pragma once

#include "cliprocess.h"
#include "relayfixture.h"

#include <QtCore/QRegularExpression>
#include <QtNetwork/QUdpSocket>

namespace quicpool::faults {

using clitest::cliPath;
using clitest::CliServer;
using ClientRun = clitest::Finished;

/// A loopback UDP port nothing listens on now (bound once, then let go).
inline quint16 freeUdpPort()
{
    QUdpSocket probe;
    probe.bind(QHostAddress::LocalHost, 0);
    return probe.localPort();
}

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

/// Runs `quicpool client --verbose` to its end, or kills it after boundMs.
inline ClientRun runClient(const QStringList &args, int boundMs)
{
    return clitest::runCli(QStringList{QStringLiteral("client"), QStringLiteral("--verbose")} + args, boundMs);
}

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
