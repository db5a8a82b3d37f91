// The quicpool-diag program itself: --screenshot writes a PNG of the
// window and exits 0; bad arguments exit non-zero with a sentence; --help
// and --version work with no display; stderr stays quiet unless asked.
#include <QtCore/QDir>
#include <QtCore/QProcess>
#include <QtCore/QTemporaryDir>
#include <QtGui/QImage>
#include <QtTest/QtTest>

class TestScreenshot : public QObject
{
    Q_OBJECT
private Q_SLOTS:
    void initTestCase();
    void screenshotWritesPng_data();
    void screenshotWritesPng();
    void badArgumentsFail();
    void helpAndVersionWithoutDisplay_data();
    void helpAndVersionWithoutDisplay();
    void badArgumentsWithoutDisplay();
    void stderrQuietUnlessVerbose();
    void sizeOption();

private:
    QProcessEnvironment environment() const;
    QString m_program;
    QTemporaryDir m_dir;
};

void TestScreenshot::initTestCase()
{
    // QUICPOOL_DIAG names the binary; otherwise it sits beside the tests' build folder.
    QStringList candidates;
    if (qEnvironmentVariableIsSet("QUICPOOL_DIAG"))
        candidates << qEnvironmentVariable("QUICPOOL_DIAG");
    const QDir here(QCoreApplication::applicationDirPath());
    candidates << here.filePath(QStringLiteral("../app/quicpool-diag"))
               << here.filePath(QStringLiteral("../../app/quicpool-diag"))
               << here.filePath(QStringLiteral("quicpool-diag"));
    for (const QString &c : std::as_const(candidates)) {
        if (QFileInfo(c).isExecutable()) {
            m_program = QFileInfo(c).absoluteFilePath();
            break;
        }
    }
    QVERIFY2(!m_program.isEmpty(), qPrintable(QStringLiteral("quicpool-diag not found; tried ") + candidates.join(QStringLiteral(", "))));
    QVERIFY(m_dir.isValid());
}

QProcessEnvironment TestScreenshot::environment() const
{
    QProcessEnvironment env = QProcessEnvironment::systemEnvironment();
    env.insert(QStringLiteral("QT_QPA_PLATFORM"), QStringLiteral("offscreen"));
    env.insert(QStringLiteral("QUICPOOL_SETTINGS_DIR"), m_dir.filePath(QStringLiteral("settings")));
    return env;
}

void TestScreenshot::screenshotWritesPng_data()
{
    QTest::addColumn<QStringList>("extra");
    QTest::newRow("demo") << QStringList();
    QTest::newRow("no demo") << QStringList{QStringLiteral("--no-demo")};
}

void TestScreenshot::screenshotWritesPng()
{
    QFETCH(QStringList, extra);
    const QString png = m_dir.filePath(QStringLiteral("shot-%1.png").arg(QTest::currentDataTag()).replace(QLatin1Char(' '), QLatin1Char('-')));
    QProcess p;
    p.setProcessEnvironment(environment());
    p.start(m_program, QStringList{QStringLiteral("--screenshot"), png, QStringLiteral("--quit-after"), QStringLiteral("800")} + extra);
    QVERIFY2(p.waitForFinished(60000), "quicpool-diag did not exit");
    QCOMPARE(p.exitStatus(), QProcess::NormalExit);
    QVERIFY2(p.exitCode() == 0, p.readAllStandardError().constData());
    const QImage image(png);
    QVERIFY(!image.isNull());
    QVERIFY(image.width() >= 800 && image.height() >= 500);
}

void TestScreenshot::badArgumentsFail()
{
    QProcess p;
    p.setProcessEnvironment(environment());
    p.start(m_program, {QStringLiteral("--quit-after"), QStringLiteral("later")});
    QVERIFY(p.waitForFinished(30000));
    QVERIFY(p.exitCode() != 0);
    QVERIFY(p.readAllStandardError().contains("--quit-after"));
}

void TestScreenshot::helpAndVersionWithoutDisplay_data()
{
    QTest::addColumn<QString>("option");
    QTest::addColumn<QString>("expected");
    QTest::newRow("--help") << QStringLiteral("--help") << QStringLiteral("--screenshot");
    QTest::newRow("-h") << QStringLiteral("-h") << QStringLiteral("--no-demo");
    QTest::newRow("--version") << QStringLiteral("--version") << QStringLiteral("quicpool-diag ");
}

void TestScreenshot::helpAndVersionWithoutDisplay()
{
    // No platform, no X, no Wayland: QApplication would abort ("could not
    // connect to display"); the options are answered before it exists.
    QFETCH(QString, option);
    QFETCH(QString, expected);
    QProcessEnvironment env = QProcessEnvironment::systemEnvironment();
    for (const char *name : {"QT_QPA_PLATFORM", "DISPLAY", "WAYLAND_DISPLAY"})
        env.remove(QString::fromLatin1(name));
    QProcess p;
    p.setProcessEnvironment(env);
    p.start(m_program, {option});
    QVERIFY(p.waitForFinished(30000));
    const QByteArray out = p.readAllStandardOutput();
    const QByteArray err = p.readAllStandardError();
    QCOMPARE(p.exitStatus(), QProcess::NormalExit);
    QVERIFY2(p.exitCode() == 0, err.constData());
    QVERIFY2(out.contains(expected.toUtf8()), out.constData());
    QVERIFY2(!out.contains("<executable_name>"), out.constData());
    QVERIFY2(err.isEmpty(), err.constData());
}

void TestScreenshot::badArgumentsWithoutDisplay()
{
    QProcessEnvironment env = QProcessEnvironment::systemEnvironment();
    for (const char *name : {"QT_QPA_PLATFORM", "DISPLAY", "WAYLAND_DISPLAY"})
        env.remove(QString::fromLatin1(name));
    QProcess p;
    p.setProcessEnvironment(env);
    p.start(m_program, {QStringLiteral("--no-such-option")});
    QVERIFY(p.waitForFinished(30000));
    QCOMPARE(p.exitStatus(), QProcess::NormalExit);
    QCOMPARE(p.exitCode(), 2);
    QVERIFY(p.readAllStandardError().contains("no-such-option"));
}

void TestScreenshot::stderrQuietUnlessVerbose()
{
    // The demo pair logs a line per pool opened and per stream served
    // (info and debug): the log panel shows them, stderr does not.
    const auto run = [this](const QStringList &extra, const QString &rules) {
        QProcessEnvironment env = environment();
        env.remove(QStringLiteral("QT_LOGGING_RULES"));
        if (!rules.isEmpty())
            env.insert(QStringLiteral("QT_LOGGING_RULES"), rules);
        QProcess p;
        p.setProcessEnvironment(env);
        p.start(m_program, QStringList{QStringLiteral("--quit-after"), QStringLiteral("2500")} + extra);
        p.waitForFinished(60000);
        return QString::fromUtf8(p.readAllStandardError());
    };
    const QString quiet = run({}, {});
    QVERIFY2(!quiet.contains(QStringLiteral("opening demo")), qPrintable(quiet));
    QVERIFY2(!quiet.contains(QStringLiteral("serving")), qPrintable(quiet));
    QVERIFY2(quiet.count(QLatin1Char('\n')) < 10, qPrintable(quiet));
    const QString verbose = run({QStringLiteral("--verbose")}, {});
    QVERIFY2(verbose.contains(QStringLiteral("opening demo server")), qPrintable(verbose));
    const QString ruled = run({}, QStringLiteral("quicpool.ui.serve.debug=true"));
    QVERIFY2(ruled.contains(QStringLiteral("serving")), qPrintable(ruled));
}

void TestScreenshot::sizeOption()
{
    const QString png = m_dir.filePath(QStringLiteral("sized.png"));
    QProcess p;
    p.setProcessEnvironment(environment());
    p.start(m_program, {QStringLiteral("--size"), QStringLiteral("1024x700"), QStringLiteral("--screenshot"), png,
                        QStringLiteral("--quit-after"), QStringLiteral("600"), QStringLiteral("--no-demo")});
    QVERIFY(p.waitForFinished(60000));
    QVERIFY2(p.exitCode() == 0, p.readAllStandardError().constData());
    const QImage image(png);
    QCOMPARE(image.size(), QSize(1024, 700));
}

QTEST_GUILESS_MAIN(TestScreenshot)
#include "tst_screenshot.moc"
