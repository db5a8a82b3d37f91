// The load-test tab: streams × bytes × parallelism × mode against the
// embedded pair, a client pool of this window, or a remote `quicpool
// server --mode X`; progress, live throughput, summary, JSON/CSV export,
// and Cancel at any moment. The engine runs on the worker thread.
#pragma once

#include "inlineerrors.h"
#include "loadtestresult.h"
#include "trailingrate.h"

#include <QtCore/QDateTime>
#include <QtCore/QList>
#include <QtCore/QPair>
#include <QtWidgets/QWidget>

class QCheckBox;
class QComboBox;
class QDoubleSpinBox;
class QLabel;
class QLineEdit;
class QPlainTextEdit;
class QProgressBar;
class QPushButton;
class QSpinBox;

namespace quicpool::diag {

class LoopLagMonitor;
class PoolWorker;
class TimeSeriesChart;

/// Checks the load test's inputs (pure); field names as the panel's.
FieldErrors validateLoadTest(const LoadTestConfig &config, int existingHandle);

class LoadTestPanel : public QWidget
{
    Q_OBJECT
public:
    LoadTestPanel(PoolWorker *worker, LoopLagMonitor *lag, QWidget *parent = nullptr);

    /// Client pools of this window the test may run over: name and handle.
    void setClientPools(const QList<QPair<QString, int>> &pools);
    LoadTestConfig config() const;
    void setConfig(const LoadTestConfig &config);
    /// Target::Existing: pick the client pool by handle.
    void setExistingPool(int handle);

    bool isRunning() const { return m_running; }
    bool hasResult() const { return m_hasResult; }
    const LoadTestResult &result() const { return m_result; }
    QString summaryText() const;
    QString errorMessage(const QString &field) const { return m_errors.message(field); }
    /// The live chart: payload delivered each way (sent as acknowledged
    /// by the server, received as read), per second over the last second,
    /// and, hidden unless asked for, what was handed to the send buffers.
    TimeSeriesChart *chart() const { return m_chart; }
    /// The chart's series, in order.
    enum ChartSeries { SentSeries, ReceivedSeries, BufferedSeries };
    QCheckBox *bufferedCheck() const { return m_showBuffered; }
    int progressValue() const;

public Q_SLOTS:
    /// False (messages inline) on bad input or while a test runs.
    bool start();
    void cancel();
    bool exportJson(const QString &path, QString *error = nullptr) const;
    /// The summary to path; the per-second series and the per-stream
    /// latencies beside it, as <base>-intervals.csv and <base>-streams.csv.
    bool exportCsv(const QString &path, QString *error = nullptr) const;
    /// The throughput chart with the test's settings and time written on it.
    bool exportPng(const QString &path, QString *error = nullptr);

public:
    static QString intervalsCsvPath(const QString &summaryPath);
    static QString streamsCsvPath(const QString &summaryPath);

Q_SIGNALS:
    void statusMessage(const QString &text, bool isError);
    void started();
    void finished(const quicpool::diag::LoadTestResult &result);

private:
    void onProgress(const LoadTestProgress &p);
    void onFinished(const LoadTestResult &r);
    void updateTargetFields();
    void updatePathFields();
    void exportInteractively(bool json);

    PoolWorker *m_worker;
    LoopLagMonitor *m_lag;
    InlineErrors m_errors;
    QComboBox *m_target;
    QLineEdit *m_remote;
    QComboBox *m_tls;
    QComboBox *m_existing;
    QComboBox *m_mode;
    QSpinBox *m_streams;
    QSpinBox *m_duration;
    QSpinBox *m_rate;
    QCheckBox *m_reverse;
    QComboBox *m_path;
    QSpinBox *m_pathRtt;
    QDoubleSpinBox *m_pathLoss;
    QSpinBox *m_pathRate;
    QSpinBox *m_kib;
    QSpinBox *m_parallel;
    QPushButton *m_start;
    QPushButton *m_cancel;
    QPushButton *m_json;
    QPushButton *m_csv;
    QPushButton *m_png;
    QProgressBar *m_progress;
    QLabel *m_summary;
    QPlainTextEdit *m_failures;
    TimeSeriesChart *m_chart;
    QCheckBox *m_showBuffered;
    TrailingRate m_sentRate;
    TrailingRate m_receivedRate;
    TrailingRate m_bufferedRate;
    LoadTestResult m_result;
    LoadTestProgress m_last;
    bool m_running = false;
    bool m_hasResult = false;
    QDateTime m_startedAt;
};

} // namespace quicpool::diag
