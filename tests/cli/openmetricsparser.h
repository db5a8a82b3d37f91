// Runs tests/cli/openmetrics_parse.py (the reference OpenMetrics parser from
// python3-prometheus-client, which scripts/setup-deps.sh installs) on a
// text and returns its families as JSON; a parse error comes back as the
// parser's sentence. Debian's python3 is preferred over one on PATH (a
// pyenv python does not see Debian's modules).
#pragma once

#include <QtCore/QFile>
#include <QtCore/QJsonDocument>
#include <QtCore/QJsonObject>
#include <QtCore/QProcess>
#include <QtCore/QStandardPaths>

namespace openmetricstest {

struct Parsed
{
    bool ok = false;
    QJsonObject families;  ///< name -> {type, unit, samples: [{name, labels, value}]}
    QString error;
};

inline QString python()
{
    if (QFile::exists(QStringLiteral("/usr/bin/python3")))
        return QStringLiteral("/usr/bin/python3");
    return QStandardPaths::findExecutable(QStringLiteral("python3"));
}

inline Parsed parseOpenMetrics(const QByteArray &text)
{
    Parsed parsed;
    QProcess process;
    process.start(python(), {QStringLiteral(QUICPOOL_OPENMETRICS_PARSER)});
    if (!process.waitForStarted(10000)) {
        parsed.error = QStringLiteral("cannot run %1: %2").arg(python(), process.errorString());
        return parsed;
    }
    process.write(text);
    process.closeWriteChannel();
    if (!process.waitForFinished(30000)) {
        process.kill();
        parsed.error = QStringLiteral("the parser did not finish");
        return parsed;
    }
    const QByteArray out = process.readAllStandardOutput();
    if (process.exitCode() != 0) {
        parsed.error = QString::fromUtf8(process.readAllStandardError());
        return parsed;
    }
    parsed.families = QJsonDocument::fromJson(out).object().value(u"families").toObject();
    parsed.ok = true;
    return parsed;
}

} // namespace openmetricstest
