// One pool's tab: config summary, start/stop/flush/reset-errors, live
// charts sampled from the pool's atomic counters, the streams table with
// fetch-by-ID / take-next, the payload panel and the connection details.
#pragma once

#include "inlineerrors.h"
#include "poolsample.h"
#include "poolstatus.h"
#include "profiles.h"
#include "workertypes.h"

#include <QtCore/QDateTime>
#include <QtCore/QElapsedTimer>
#include <QtCore/QTimer>
#include <QtWidgets/QWidget>

#include <optional>

class QComboBox;
class QHBoxLayout;
class QLabel;
class QLineEdit;
class QSpinBox;
class QTableView;
class QTabWidget;
class QPushButton;

namespace quicpool::diag {

class ConnectionPanel;
class DefencePanel;
class PayloadPanel;
class PoolCharts;
class PoolWorker;
class StreamModel;

class PoolView : public QWidget
{
    Q_OBJECT
public:
    PoolView(PoolWorker *worker, int handle, const PoolSpec &spec, QWidget *parent = nullptr);
    ~PoolView() override;

    int handle() const { return m_handle; }
    PoolKind kind() const { return m_spec.kind; }
    QString name() const { return m_spec.name; }
    const PoolSpec &spec() const { return m_spec; }
    bool isDemo() const { return m_demo; }
    void setDemo(bool demo) { m_demo = demo; }
    bool isRunning() const { return m_running; }
    quint16 serverPort() const { return m_port; }
    /// The banner: the pool's state and the sentence of its current error.
    const PoolStatus &status() const { return m_status; }
    QString bannerText() const;
    /// The last status line this pool reported (for the status bar).
    QString lastMessage() const { return m_lastMessage; }
    bool lastMessageIsError() const { return m_lastMessageIsError; }
    /// "active 4 / capacity 4 · …" as shown beside the buttons.
    QString countersText() const;
    /// The counter label (one line: the buttons beside it turn icon-only
    /// when the window is too narrow for their words).
    QLabel *countersLabel() const { return m_counters; }
    bool isHeadCompact() const;

    PoolCharts *charts() const { return m_charts; }
    StreamModel *streams() const { return m_streams; }
    PayloadPanel *payload() const { return m_payload; }
    ConnectionPanel *connection() const { return m_connection; }
    /// Server pools: the Defences tab's figures (nullptr for clients).
    DefencePanel *defences() const { return m_defences; }
    /// Server pools: the flood banner's line while the server is under a
    /// handshake flood (DefenceStats::underFlood()), empty otherwise.
    QString floodBannerText() const;
    bool isFloodBannerShown() const;
    /// Selects the Defences tab (the flood banner's button does).
    void showDefences();
    QLineEdit *idEdit() const { return m_idEdit; }
    QString fetchError() const { return m_errors.message(QStringLiteral("id")); }
    QString fetchResult() const;
    const QList<PoolSample> &samples() const { return m_samples; }

    /// Starts sampling at this period (default 250 ms).
    void setSamplePeriod(int ms);
    int samplePeriod() const { return m_sampleTimer.interval(); }
    /// The "sample every …" choice beside the buttons.
    QComboBox *sampleCombo() const { return m_sampleCombo; }

public Q_SLOTS:
    void start();
    void stop();
    void flush();
    void resetErrors();
    void setChartsPaused(bool paused);
    void resetZoom();
    /// Client: outgoingGet of the typed ID; validated inline first.
    bool fetchById();
    /// Server: incomingGet; client: the oldest ready ID.
    void takeNext();
    void refreshConnection();
    /// The charts as PNG, captioned with exportCaption().
    bool exportPng(const QString &path, QString *error = nullptr);
    /// "name · client pool · 127.0.0.1:4433 · 2026-11-27T18:20:01 to 18:25:13"
    QString exportCaption() const;
    bool exportCsv(const QString &path, QString *error = nullptr) const;

Q_SIGNALS:
    void statusMessage(const QString &text, bool isError);
    void runningChanged(bool running);
    /// status() changed (level or text).
    void statusChanged();

protected:
    void resizeEvent(QResizeEvent *event) override;

private:
    void buildUi();
    void fitHead();
    void sample();
    void setPool(const PoolPtr &pool);
    void updateSummary();
    void onStreamAcquired(const StreamInfo &info);
    void setPhase(PoolPhase phase);
    void updateStatus();
    void updateFlood(const DefenceStats &stats);
    void report(const QString &message, bool isError);
    QString where() const;

    PoolWorker *m_worker;
    int m_handle;
    PoolSpec m_spec;
    bool m_demo = false;
    bool m_running = false;
    quint16 m_port = 0;
    PoolPtr m_pool;
    QTimer m_sampleTimer;
    QTimer m_slowTimer;
    QElapsedTimer m_clock;
    QDateTime m_createdAt;   ///< wall-clock time of m_clock's zero
    QList<PoolSample> m_samples;
    PoolPhase m_phase = PoolPhase::Starting;
    Pool::State m_poolState = Pool::State::Idle;
    Error m_poolError;
    PoolStatus m_status;
    QString m_lastMessage;
    bool m_lastMessageIsError = false;
    InlineErrors m_errors;

    QLabel *m_summary = nullptr;
    QLabel *m_state = nullptr;
    QLabel *m_banner = nullptr;
    QLabel *m_bannerIcon = nullptr;
    QWidget *m_bannerBox = nullptr;
    QLabel *m_counters = nullptr;
    QHBoxLayout *m_head = nullptr;
    QList<QPushButton *> m_headButtons;
    int m_headButtonsWidth = 0;      ///< the buttons' width with their words
    bool m_compactHead = false;
    bool m_headFitted = false;
    QPushButton *m_pauseButton = nullptr;
    QComboBox *m_sampleCombo = nullptr;
    PoolCharts *m_charts = nullptr;
    StreamModel *m_streams = nullptr;
    QTableView *m_table = nullptr;
    QLineEdit *m_idEdit = nullptr;
    QSpinBox *m_timeout = nullptr;
    QLabel *m_fetchResult = nullptr;
    PayloadPanel *m_payload = nullptr;
    ConnectionPanel *m_connection = nullptr;
    DefencePanel *m_defences = nullptr;
    QWidget *m_floodBox = nullptr;
    QLabel *m_floodBanner = nullptr;
    std::optional<DefenceStats> m_floodStart;   ///< the reading when the current flood began
    QTabWidget *m_bottomTabs = nullptr;
};

} // namespace quicpool::diag
