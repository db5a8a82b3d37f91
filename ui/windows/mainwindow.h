// The main window: a tab per pool plus the load-test tab, the log dock,
// menus and shortcuts, the status bar (messages and GUI event-loop delay),
// profiles, window geometry, About. Owns the worker thread.
#pragma once

#include "appoptions.h"
#include "profiles.h"

#include <QtWidgets/QMainWindow>
#include <memory>

class QAction;
class QLabel;
class QMenu;
class QTabWidget;

namespace quicpool::diag {

class LoadTestPanel;
class LogModel;
class LogPanel;
class LoopLagMonitor;
class PoolFormDialog;
class PoolView;
class PoolWorker;
class QlogView;
class WorkerThread;

class MainWindow : public QMainWindow
{
    Q_OBJECT
public:
    explicit MainWindow(QWidget *parent = nullptr);
    ~MainWindow() override;

    /// Profile / demo choice of the command line (see AppOptions).
    void startUp(const AppOptions &options);

    PoolView *openClientPool(const PoolSpec &spec, const ClientPoolConfig &config);
    PoolView *openServerPool(const PoolSpec &spec, const ServerPoolConfig &config);
    /// Validates the spec's form and opens it; nullptr with the reason in the status bar.
    PoolView *openSpec(const PoolSpec &spec);
    /// An echo-serving server pool on 127.0.0.1:0 plus a client pool to it
    /// (TLS mode 1) with a light echo load.
    void openDemoPair();
    /// A qlog viewer tab reading `path` (on a thread); the tab says how it went.
    QlogView *openQlog(const QString &path);
    /// File > Open qlog…: asks for a file, starting in the last folder used.
    void openQlogInteractively();
    QList<QlogView *> qlogViews() const;
    /// Shows the new-pool form (non-modal); Open creates the pool.
    PoolFormDialog *showPoolDialog(PoolKind kind);
    void closePool(PoolView *view);

    QList<PoolView *> poolViews() const;
    PoolView *currentPoolView() const;
    LoadTestPanel *loadTestPanel() const { return m_loadTest; }
    LogPanel *logPanel() const { return m_logPanel; }
    LogModel *logModel() const { return m_log; }
    LoopLagMonitor *lagMonitor() const { return m_lag; }
    PoolWorker *worker() const;
    QTabWidget *tabs() const { return m_tabs; }
    QString statusText() const;
    QString profileName() const { return m_profileName; }

    /// The current pools (demo ones left out) as a profile.
    Profile currentProfile(const QString &name) const;
    bool saveProfileAs(const QString &name);
    bool openProfile(const QString &name);
    /// Writes the current pool's charts: PNG and the samples as CSV.
    bool exportCurrent(const QString &pngPath, const QString &csvPath, QString *error = nullptr);
    bool saveScreenshot(const QString &path);

public Q_SLOTS:
    void showStatus(const QString &text, bool isError = false);
    void about();

protected:
    void closeEvent(QCloseEvent *event) override;

private:
    void createActions();
    void logStatus(const QString &text, bool isError);
    void setStatusLine(const QString &text);
    void updateTabStatus(PoolView *view);
    void showCurrentTabStatus();
    void addPoolView(PoolView *view);
    void updateClientPoolList();
    void updateActions();
    void exportInteractively();
    void saveProfileInteractively();
    void rebuildProfileMenu();
    void restoreGeometryFromSettings();
    void saveGeometryToSettings();

    std::unique_ptr<WorkerThread> m_thread;
    LogModel *m_log;
    LogPanel *m_logPanel;
    LoopLagMonitor *m_lag;
    QTabWidget *m_tabs;
    LoadTestPanel *m_loadTest;
    QLabel *m_statusLabel;
    QLabel *m_lagLabel;
    QMenu *m_profileMenu = nullptr;
    QList<QAction *> m_poolActions;
    QString m_profileName;
    QString m_loadTestMessage;
    int m_demoCount = 0;
};

} // namespace quicpool::diag
