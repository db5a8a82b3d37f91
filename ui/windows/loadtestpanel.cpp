#include "loadtestpanel.h"

#include "icons.h"
#include "loadtestpath.h"
#include "looplag.h"
#include "poolworker.h"
#include "timeserieschart.h"

#include <QtCore/QDir>
#include <QtCore/QFileInfo>
#include <QtCore/QSaveFile>
#include <QtWidgets/QCheckBox>
#include <QtWidgets/QComboBox>
#include <QtWidgets/QDoubleSpinBox>
#include <QtWidgets/QFileDialog>
#include <QtWidgets/QFormLayout>
#include <QtWidgets/QGroupBox>
#include <QtWidgets/QHBoxLayout>
#include <QtWidgets/QLabel>
#include <QtWidgets/QLineEdit>
#include <QtWidgets/QPlainTextEdit>
#include <QtWidgets/QProgressBar>
#include <QtWidgets/QPushButton>
#include <QtWidgets/QSpinBox>
#include <QtWidgets/QVBoxLayout>

#include <quicpool/relay/pathprofile.h>

namespace quicpool::diag {

FieldErrors validateLoadTest(const LoadTestConfig &c, int existingHandle)
{
    FieldErrors e;
    if (c.target == LoadTestConfig::Target::Remote) {
        if (QString m = checkAddress(c.remoteAddress, false); !m.isEmpty())
            e.insert(QStringLiteral("remote"), m);
    }
    if (c.target == LoadTestConfig::Target::Existing && existingHandle < 0)
        e.insert(QStringLiteral("existing"), QStringLiteral("Open a client pool first (its server must serve the mode)."));
    if (c.durationMs < 0)
        e.insert(QStringLiteral("duration"), QStringLiteral("The duration cannot be negative."));
    if (c.durationMs == 0 && c.streams < 1)
        e.insert(QStringLiteral("streams"), QStringLiteral("Run at least one stream."));
    if (c.parallelism < 1)
        e.insert(QStringLiteral("parallelism"), QStringLiteral("Parallelism must be at least 1."));
    if (c.rateBytesPerSecond < 0)
        e.insert(QStringLiteral("rate"), QStringLiteral("The target rate cannot be negative."));
    if (!c.path.isEmpty() && c.target == LoadTestConfig::Target::Existing)
        e.insert(QStringLiteral("path"), QStringLiteral("A path applies to the embedded pair or a remote server."));
    else if (const QString why = checkLoadTestPath(c); !why.isEmpty())
        e.insert(QStringLiteral("path"), why);
    if (c.bytes < 0)
        e.insert(QStringLiteral("bytes"), QStringLiteral("The size cannot be negative."));
    return e;
}

LoadTestPanel::LoadTestPanel(PoolWorker *worker, LoopLagMonitor *lag, QWidget *parent)
    : QWidget(parent), m_worker(worker), m_lag(lag)
{
    m_target = new QComboBox(this);
    m_target->addItem(tr("Embedded loopback pair (made for the test)"), int(LoadTestConfig::Target::EmbeddedPair));
    m_target->addItem(tr("A client pool of this window"), int(LoadTestConfig::Target::Existing));
    m_target->addItem(tr("Remote quicpool server --mode …"), int(LoadTestConfig::Target::Remote));
    m_remote = new QLineEdit(this);
    m_remote->setPlaceholderText(QStringLiteral("host:port"));
    m_tls = new QComboBox(this);
    m_tls->addItem(tr("TLS 0"), 0);
    m_tls->addItem(tr("TLS 1"), 1);
    m_tls->addItem(tr("TLS 2"), 2);
    m_tls->setCurrentIndex(1);
    m_existing = new QComboBox(this);
    m_mode = new QComboBox(this);
    for (workload::Mode m : {workload::Mode::Echo, workload::Mode::Sink, workload::Mode::Source})
        m_mode->addItem(workload::modeName(m), int(m));
    m_streams = new QSpinBox(this);
    m_streams->setRange(0, 1000000);
    m_streams->setValue(200);
    m_duration = new QSpinBox(this);
    m_duration->setRange(0, 24 * 3600);
    m_duration->setValue(0);
    m_duration->setSuffix(tr(" s"));
    m_duration->setSpecialValueText(tr("off: run the streams above"));
    m_duration->setToolTip(tr("Run for this long instead of a number of streams (iperf3 -t)"));
    connect(m_duration, &QSpinBox::valueChanged, this, [this] { m_streams->setEnabled(m_duration->value() == 0); });
    m_rate = new QSpinBox(this);
    m_rate->setRange(0, 100000);
    m_rate->setSuffix(tr(" Mbit/s"));
    m_rate->setSpecialValueText(tr("unlimited"));
    m_rate->setToolTip(tr("Target payload rate (iperf3 -b): streams start no faster than this"));
    m_reverse = new QCheckBox(tr("Reverse: the server sends (sink ↔ source)"), this);
    m_path = new QComboBox(this);
    m_path->addItem(tr("None (direct)"), QString());
    for (const relay::PathProfile &p : relay::pathProfiles())
        m_path->addItem(QStringLiteral("%1 — %2").arg(p.name, p.description), p.name);
    m_path->addItem(tr("Custom…"), customPathName());
    m_path->setToolTip(tr("Route the test through an in-process impairment relay"));
    m_pathRtt = new QSpinBox(this);
    m_pathRtt->setRange(0, 10000);
    m_pathRtt->setValue(50);
    m_pathRtt->setSuffix(tr(" ms RTT"));
    m_pathLoss = new QDoubleSpinBox(this);
    m_pathLoss->setRange(0, 100);
    m_pathLoss->setDecimals(2);
    m_pathLoss->setSingleStep(0.5);
    m_pathLoss->setSuffix(tr(" % loss"));
    m_pathRate = new QSpinBox(this);
    m_pathRate->setRange(0, 100000);
    m_pathRate->setValue(400);
    m_pathRate->setSuffix(tr(" Mbit/s"));
    m_pathRate->setSpecialValueText(tr("no rate limit"));
    connect(m_path, &QComboBox::currentIndexChanged, this, &LoadTestPanel::updatePathFields);
    m_kib = new QSpinBox(this);
    m_kib->setRange(0, 1024 * 1024);
    m_kib->setValue(64);
    m_kib->setSuffix(tr(" KiB"));
    m_parallel = new QSpinBox(this);
    m_parallel->setRange(0, 256);
    m_parallel->setValue(8);
    connect(m_target, &QComboBox::currentIndexChanged, this, &LoadTestPanel::updateTargetFields);

    m_start = new QPushButton(appIcon(QStringLiteral("start")), tr("Run"), this);
    m_cancel = new QPushButton(appIcon(QStringLiteral("stop")), tr("Cancel"), this);
    m_json = new QPushButton(appIcon(QStringLiteral("export")), tr("Export JSON…"), this);
    m_csv = new QPushButton(appIcon(QStringLiteral("export")), tr("Export CSV…"), this);
    m_csv->setToolTip(tr("The summary, plus the per-second series and the per-stream latencies beside it"));
    m_png = new QPushButton(appIcon(QStringLiteral("export")), tr("Chart PNG…"), this);
    connect(m_start, &QPushButton::clicked, this, &LoadTestPanel::start);
    connect(m_cancel, &QPushButton::clicked, this, &LoadTestPanel::cancel);
    connect(m_json, &QPushButton::clicked, this, [this] { exportInteractively(true); });
    connect(m_csv, &QPushButton::clicked, this, [this] { exportInteractively(false); });
    connect(m_png, &QPushButton::clicked, this, [this] {
        const QString path = QFileDialog::getSaveFileName(this, tr("Export load-test chart"),
                                                          QStringLiteral("loadtest.png"), tr("PNG (*.png)"));
        if (path.isEmpty())
            return;
        QString error;
        const bool ok = exportPng(path, &error);
        Q_EMIT statusMessage(ok ? tr("Exported the chart to %1").arg(path) : error, !ok);
    });

    m_progress = new QProgressBar(this);
    m_progress->setRange(0, 1);
    m_progress->setValue(0);
    m_progress->setFormat(tr("%v of %m streams"));
    m_summary = new QLabel(tr("Not run yet."), this);
    m_summary->setWordWrap(true);
    m_summary->setTextInteractionFlags(Qt::TextSelectableByMouse);
    m_failures = new QPlainTextEdit(this);
    m_failures->setReadOnly(true);
    m_failures->setPlaceholderText(tr("Failure reasons appear here."));
    m_failures->setMaximumHeight(90);
    // Delivery, not buffering: bytes handed to a stream fill its send
    // buffer far faster than the link drains it (spikes, then gaps).
    m_chart = new TimeSeriesChart(tr("Payload delivered, over the last second"), tr("MB/s"), this);
    m_chart->addSeries(tr("sent (acknowledged by the server)"));
    m_chart->addSeries(tr("received (read)"));
    m_chart->addSeries(tr("buffered (handed to the streams)"));
    m_chart->setSeriesDashed(ReceivedSeries, true); // echo: both directions carry the same
    m_chart->setSeriesVisible(BufferedSeries, false);
    m_chart->setWindowSeconds(60);
    m_showBuffered = new QCheckBox(tr("Show what was handed to the send buffers (not throughput)"), this);
    m_showBuffered->setToolTip(tr("Bytes written into the streams' send buffers: they fill faster than the link "
                                  "drains them, so this line runs ahead of the delivered one in bursts"));
    connect(m_showBuffered, &QCheckBox::toggled, this,
            [this](bool on) { m_chart->setSeriesVisible(BufferedSeries, on); });

    auto *form = new QFormLayout;
    form->addRow(tr("Target:"), m_target);
    auto *remoteRow = new QHBoxLayout;
    remoteRow->setContentsMargins(0, 0, 0, 0);
    remoteRow->addWidget(m_remote, 1);
    remoteRow->addWidget(m_tls);
    auto *remoteBox = new QWidget(this);
    remoteBox->setLayout(remoteRow);
    form->addRow(tr("Remote server:"), m_errors.wrap(QStringLiteral("remote"), remoteBox));
    form->addRow(tr("Client pool:"), m_errors.wrap(QStringLiteral("existing"), m_existing));
    form->addRow(tr("Mode:"), m_mode);
    form->addRow(tr("Streams:"), m_errors.wrap(QStringLiteral("streams"), m_streams));
    form->addRow(tr("Duration:"), m_errors.wrap(QStringLiteral("duration"), m_duration));
    form->addRow(tr("Bytes per stream:"), m_errors.wrap(QStringLiteral("bytes"), m_kib));
    form->addRow(tr("Parallelism:"), m_errors.wrap(QStringLiteral("parallelism"), m_parallel));
    form->addRow(tr("Target rate:"), m_errors.wrap(QStringLiteral("rate"), m_rate));
    form->addRow(QString(), m_reverse);
    auto *customBox = new QWidget(this);
    auto *customRow = new QHBoxLayout(customBox);
    customRow->setContentsMargins(0, 0, 0, 0);
    customRow->addWidget(m_pathRtt);
    customRow->addWidget(m_pathLoss);
    customRow->addWidget(m_pathRate);
    auto *pathBox = new QWidget(this);
    auto *pathCol = new QVBoxLayout(pathBox);
    pathCol->setContentsMargins(0, 0, 0, 0);
    pathCol->addWidget(m_path);
    pathCol->addWidget(customBox);
    form->addRow(tr("Path:"), m_errors.wrap(QStringLiteral("path"), pathBox));
    auto *buttons = new QHBoxLayout;
    for (QPushButton *b : {m_start, m_cancel})
        buttons->addWidget(b);
    auto *exports = new QHBoxLayout;
    for (QPushButton *b : {m_json, m_csv, m_png})
        exports->addWidget(b);
    auto *settings = new QGroupBox(tr("Load test"), this);
    auto *settingsLayout = new QVBoxLayout(settings);
    settingsLayout->addLayout(form);
    settingsLayout->addLayout(buttons);
    settingsLayout->addLayout(exports);
    settingsLayout->addStretch(1);
    settings->setMaximumWidth(460);

    auto *right = new QVBoxLayout;
    right->addWidget(m_progress);
    right->addWidget(m_summary);
    right->addWidget(m_chart, 1);
    right->addWidget(m_showBuffered);
    right->addWidget(m_failures);
    auto *layout = new QHBoxLayout(this);
    layout->addWidget(settings);
    layout->addLayout(right, 1);

    if (worker) {
        connect(worker, &PoolWorker::loadTestProgress, this, &LoadTestPanel::onProgress);
        connect(worker, &PoolWorker::loadTestFinished, this, &LoadTestPanel::onFinished);
    }
    updateTargetFields();
    updatePathFields();
}

void LoadTestPanel::updatePathFields()
{
    const bool custom = m_path->currentData().toString() == customPathName();
    for (QWidget *w : {static_cast<QWidget *>(m_pathRtt), static_cast<QWidget *>(m_pathLoss),
                       static_cast<QWidget *>(m_pathRate)})
        w->setVisible(custom);
}

void LoadTestPanel::updateTargetFields()
{
    const auto target = LoadTestConfig::Target(m_target->currentData().toInt());
    m_remote->parentWidget()->setEnabled(target == LoadTestConfig::Target::Remote);
    m_existing->setEnabled(target == LoadTestConfig::Target::Existing);
    m_cancel->setEnabled(m_running);
    m_start->setEnabled(!m_running);
    m_json->setEnabled(m_hasResult);
    m_csv->setEnabled(m_hasResult);
    m_png->setEnabled(m_hasResult);
}

void LoadTestPanel::setClientPools(const QList<QPair<QString, int>> &pools)
{
    const int current = m_existing->currentData().isValid() ? m_existing->currentData().toInt() : -1;
    m_existing->clear();
    for (const auto &p : pools)
        m_existing->addItem(p.first, p.second);
    setExistingPool(current);
}

void LoadTestPanel::setExistingPool(int handle)
{
    const int i = m_existing->findData(handle);
    if (i >= 0)
        m_existing->setCurrentIndex(i);
}

LoadTestConfig LoadTestPanel::config() const
{
    LoadTestConfig c;
    c.target = LoadTestConfig::Target(m_target->currentData().toInt());
    c.remoteAddress = m_remote->text().trimmed();
    c.tlsMode = m_tls->currentData().toInt();
    c.mode = workload::Mode(m_mode->currentData().toInt());
    c.streams = m_streams->value();
    c.durationMs = m_duration->value() * 1000;
    c.rateBytesPerSecond = qint64(m_rate->value()) * 1000 * 1000 / 8;
    c.reverse = m_reverse->isChecked();
    c.path = m_path->currentData().toString();
    c.pathRoundTripMs = m_pathRtt->value();
    c.pathLossPercent = m_pathLoss->value();
    c.pathRateBytes = qint64(m_pathRate->value()) * 1000 * 1000 / 8;
    c.bytes = qint64(m_kib->value()) * 1024;
    c.parallelism = m_parallel->value();
    return c;
}

void LoadTestPanel::setConfig(const LoadTestConfig &c)
{
    m_target->setCurrentIndex(m_target->findData(int(c.target)));
    m_remote->setText(c.remoteAddress);
    m_tls->setCurrentIndex(qBound(0, c.tlsMode, 2));
    m_mode->setCurrentIndex(m_mode->findData(int(c.mode)));
    m_streams->setValue(c.streams);
    m_duration->setValue(c.durationMs / 1000);
    m_rate->setValue(int(c.rateBytesPerSecond * 8 / 1000 / 1000));
    m_reverse->setChecked(c.reverse);
    const int pathIndex = m_path->findData(c.path);
    m_path->setCurrentIndex(pathIndex >= 0 ? pathIndex : 0);
    m_pathRtt->setValue(c.pathRoundTripMs);
    m_pathLoss->setValue(c.pathLossPercent);
    m_pathRate->setValue(int(c.pathRateBytes * 8 / 1000 / 1000));
    updatePathFields();
    m_kib->setValue(int(c.bytes / 1024));
    m_parallel->setValue(c.parallelism);
    updateTargetFields();
}

bool LoadTestPanel::start()
{
    if (m_running)
        return false;
    const LoadTestConfig c = config();
    const int existing = m_existing->currentData().isValid() ? m_existing->currentData().toInt() : -1;
    const FieldErrors errors = validateLoadTest(c, existing);
    m_errors.show(errors);
    if (!errors.isEmpty())
        return false;
    m_running = true;
    m_hasResult = false;
    m_last = {};
    m_startedAt = QDateTime::currentDateTime();
    m_chart->clear();
    m_sentRate.clear();
    m_receivedRate.clear();
    m_bufferedRate.clear();
    // The progress' elapsed seconds count from about now.
    m_chart->setTimeOrigin(m_startedAt);
    if (c.durationMs > 0) {
        m_progress->setRange(0, c.durationMs / 1000);
        m_progress->setFormat(tr("%v of %m s"));
        m_summary->setText(tr("Running for %1 s, %2 KiB per stream, %3 at a time, mode %4, path %5…")
                               .arg(c.durationMs / 1000).arg(c.bytes / 1024).arg(c.parallelism)
                               .arg(workload::modeName(effectiveMode(c)), describePath(c)));
    } else {
        m_progress->setRange(0, c.streams);
        m_progress->setFormat(tr("%v of %m streams"));
        m_summary->setText(tr("Running %1 × %2 KiB, %3 at a time, mode %4, path %5…")
                               .arg(c.streams).arg(c.bytes / 1024).arg(c.parallelism)
                               .arg(workload::modeName(effectiveMode(c)), describePath(c)));
    }
    m_progress->setValue(0);
    m_failures->clear();
    if (m_lag)
        m_lag->resetPeak();
    updateTargetFields();
    PoolWorker *w = m_worker;
    w->call([w, c, existing] { w->startLoadTest(c, existing); });
    Q_EMIT started();
    Q_EMIT statusMessage(tr("Load test started."), false);
    return true;
}

void LoadTestPanel::cancel()
{
    if (!m_running)
        return;
    PoolWorker *w = m_worker;
    w->call([w] { w->cancelLoadTest(); });
    m_summary->setText(tr("Cancelling…"));
}

void LoadTestPanel::onProgress(const LoadTestProgress &p)
{
    if (!m_running)
        return;
    if (p.elapsedSeconds - m_last.elapsedSeconds > 0.01) {
        m_sentRate.add(p.elapsedSeconds, p.deliveredSent);
        m_receivedRate.add(p.elapsedSeconds, p.deliveredReceived);
        m_bufferedRate.add(p.elapsedSeconds, p.bufferedSent);
        m_chart->append(p.elapsedSeconds, {m_sentRate.megabytesPerSecond(), m_receivedRate.megabytesPerSecond(),
                                           m_bufferedRate.megabytesPerSecond()});
        m_last = p;
    }
    if (config().durationMs > 0) {
        m_progress->setValue(qMin(m_progress->maximum(), int(p.elapsedSeconds)));
    } else {
        m_progress->setMaximum(qMax(1, p.total));
        m_progress->setValue(p.done());
    }
    m_summary->setText(tr("%1 ok, %2 failed, %3 running · %4 s")
                           .arg(p.ok).arg(p.failed).arg(p.running).arg(p.elapsedSeconds, 0, 'f', 1));
}

void LoadTestPanel::onFinished(const LoadTestResult &r)
{
    if (!m_running)
        return;
    m_running = false;
    m_hasResult = true;
    m_result = r;
    m_result.maxGuiDelayMs = m_lag ? m_lag->peakMs() : -1;
    if (config().durationMs <= 0)
        m_progress->setValue(qMin(m_progress->maximum(), r.ok + r.failed));
    else
        m_progress->setValue(m_progress->maximum());
    m_summary->setText(m_result.summary());
    m_failures->setPlainText(r.failures.join(QLatin1Char('\n')));
    updateTargetFields();
    const bool bad = !r.error.isEmpty() || r.failed > 0;
    Q_EMIT statusMessage(m_result.summary(), bad && !r.cancelled);
    Q_EMIT finished(m_result);
}

QString LoadTestPanel::summaryText() const
{
    return m_summary->text();
}

int LoadTestPanel::progressValue() const
{
    return m_progress->value();
}

bool LoadTestPanel::exportJson(const QString &path, QString *error) const
{
    QSaveFile f(path);
    if (!m_hasResult || !f.open(QIODevice::WriteOnly) || f.write(m_result.toJson()) < 0 || !f.commit()) {
        if (error)
            *error = m_hasResult ? tr("Cannot write %1: %2").arg(path, f.errorString()) : tr("No result to export yet.");
        return false;
    }
    return true;
}

namespace {
bool writeFile(const QString &path, const QByteArray &data, QString *error)
{
    QSaveFile f(path);
    if (!f.open(QIODevice::WriteOnly) || f.write(data) < 0 || !f.commit()) {
        if (error)
            *error = QObject::tr("Cannot write %1: %2").arg(path, f.errorString());
        return false;
    }
    return true;
}

QString besidePath(const QString &path, const QString &suffix)
{
    const QFileInfo info(path);
    return info.dir().filePath(info.completeBaseName() + suffix);
}
} // namespace

QString LoadTestPanel::intervalsCsvPath(const QString &summaryPath)
{
    return besidePath(summaryPath, QStringLiteral("-intervals.csv"));
}

QString LoadTestPanel::streamsCsvPath(const QString &summaryPath)
{
    return besidePath(summaryPath, QStringLiteral("-streams.csv"));
}

bool LoadTestPanel::exportCsv(const QString &path, QString *error) const
{
    if (!m_hasResult) {
        if (error)
            *error = tr("No result to export yet.");
        return false;
    }
    return writeFile(path, m_result.toCsv(), error) && writeFile(intervalsCsvPath(path), m_result.intervalsCsv(), error)
        && writeFile(streamsCsvPath(path), m_result.streamsCsv(), error);
}

bool LoadTestPanel::exportPng(const QString &path, QString *error)
{
    if (!m_hasResult && !m_running) {
        if (error)
            *error = tr("Run a load test first.");
        return false;
    }
    const LoadTestConfig c = m_hasResult ? m_result.config : config();
    const QString what = c.durationMs > 0 ? tr("%1 s").arg(c.durationMs / 1000) : tr("%1 streams").arg(c.streams);
    const QString target = c.target == LoadTestConfig::Target::Remote ? c.remoteAddress
        : c.target == LoadTestConfig::Target::Existing ? m_existing->currentText()
                                                       : tr("embedded loopback pair");
    const QString caption = tr("Load test · %1 · mode %2 · %3 × %4 KiB, %5 at a time · path %6 · started %7")
                                .arg(target, workload::modeName(effectiveMode(c)), what).arg(c.bytes / 1024)
                                .arg(c.parallelism).arg(describePath(c), m_startedAt.toString(Qt::ISODate));
    return m_chart->exportPng(path, error, caption);
}

void LoadTestPanel::exportInteractively(bool json)
{
    const QString path = QFileDialog::getSaveFileName(
        this, json ? tr("Export load test (JSON)") : tr("Export load test (CSV)"),
        json ? QStringLiteral("loadtest.json") : QStringLiteral("loadtest.csv"),
        json ? tr("JSON (*.json)") : tr("CSV (*.csv)"));
    if (path.isEmpty())
        return;
    QString error;
    const bool ok = json ? exportJson(path, &error) : exportCsv(path, &error);
    Q_EMIT statusMessage(ok ? tr("Exported the load test to %1").arg(path) : error, !ok);
}

} // namespace quicpool::diag
