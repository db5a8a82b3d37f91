// The quicpool-diag program itself: --screenshot writes a PNG of the
// window and exits 0; bad arguments exit non-zero with a sentence.
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

QTEST_GUILESS_MAIN(TestScreenshot)
#include "tst_screenshot.moc"
