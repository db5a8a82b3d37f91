#include "mainwindow.h"

#include "clientpoolform.h"
#include "icons.h"
#include "loadtestpanel.h"
#include "logmodel.h"
#include "logpanel.h"
#include "looplag.h"
#include "poolcharts.h"
#include "poolformdialog.h"
#include "poolview.h"
#include "poolworker.h"
#include "qlogview.h"
#include "serverpoolform.h"
#include "settings.h"

#include <quicpool/global.h>

#include <QtCore/QFileInfo>
#include <QtCore/QLoggingCategory>
#include <QtGui/QAction>
#include <QtGui/QCloseEvent>
#include <QtGui/QKeySequence>
#include <QtWidgets/QApplication>
#include <QtWidgets/QDockWidget>
#include <QtWidgets/QFileDialog>
#include <QtWidgets/QInputDialog>
#include <QtWidgets/QLabel>
#include <QtWidgets/QMenuBar>
#include <QtWidgets/QMessageBox>
#include <QtWidgets/QStatusBar>
#include <QtWidgets/QTabBar>
#include <QtWidgets/QTabWidget>
#include <QtWidgets/QToolBar>

Q_LOGGING_CATEGORY(lcUi, "quicpool.ui")

namespace quicpool::diag {

MainWindow::MainWindow(QWidget *parent) : QMainWindow(parent), m_thread(std::make_unique<WorkerThread>())
{
    initResources();
    setWindowTitle(tr("QuicPool diagnostics"));
    setWindowIcon(appIcon(QStringLiteral("quicpool-diag")));

    m_log = new LogModel(this);
    m_log->installMessageHandler();
    m_lag = new LoopLagMonitor(this);

    m_tabs = new QTabWidget(this);
    m_tabs->setTabsClosable(true);
    m_tabs->setMovable(true);
    m_tabs->setDocumentMode(true);
    m_loadTest = new LoadTestPanel(worker(), m_lag, this);
    m_tabs->addTab(m_loadTest, appIcon(QStringLiteral("loadtest")), tr("Load test"));
    m_tabs->tabBar()->setTabButton(0, QTabBar::RightSide, nullptr); // the load test tab stays
    connect(m_tabs, &QTabWidget::tabCloseRequested, this, [this](int index) {
        if (auto *view = qobject_cast<PoolView *>(m_tabs->widget(index)))
            closePool(view);
        else if (auto *qlog = qobject_cast<QlogView *>(m_tabs->widget(index))) {
            m_tabs->removeTab(index);
            qlog->deleteLater();   // cancels a read still running
        }
    });
    connect(m_tabs, &QTabWidget::currentChanged, this, &MainWindow::updateActions);
    connect(m_tabs, &QTabWidget::currentChanged, this, &MainWindow::showCurrentTabStatus);
    setCentralWidget(m_tabs);

    m_logPanel = new LogPanel(m_log, this);
    auto *dock = new QDockWidget(tr("Log"), this);
    dock->setObjectName(QStringLiteral("logDock"));
    dock->setWidget(m_logPanel);
    addDockWidget(Qt::BottomDockWidgetArea, dock);
    resizeDocks({dock}, {150}, Qt::Vertical);

    m_statusLabel = new QLabel(this);
    m_statusLabel->setObjectName(QStringLiteral("statusLine"));
    // Ignored: a long sentence must not push the GUI-delay label off; the
    // full text is in the tooltip and the log.
    m_statusLabel->setSizePolicy(QSizePolicy::Ignored, QSizePolicy::Preferred);
    m_lagLabel = new QLabel(tr("GUI delay: –"), this);
    m_lagLabel->setToolTip(tr("How late the GUI thread's event loop runs a 10 ms timer (last second / peak)"));
    statusBar()->addWidget(m_statusLabel, 1);
    statusBar()->addPermanentWidget(m_lagLabel);
    connect(m_lag, &LoopLagMonitor::updated, this, [this](qint64 recent, qint64 peak) {
        m_lagLabel->setText(tr("GUI delay: %1 ms (peak %2 ms)").arg(recent).arg(peak));
    });
    // The status bar belongs to the tab in view: a pool's problems are on
    // its own tab and banner; app-wide ones show while no pool tab is in view.
    connect(m_log, &LogModel::problemLogged, this, [this](const QString &text) {
        if (!currentPoolView())
            setStatusLine(text);
    });
    connect(m_logPanel, &LogPanel::statusMessage, this, &MainWindow::showStatus);
    connect(m_loadTest, &LoadTestPanel::statusMessage, this, [this](const QString &text, bool isError) {
        m_loadTestMessage = text;
        logStatus(text, isError);
        if (m_tabs->currentWidget() == m_loadTest)
            setStatusLine(text);
    });

    createActions();
    dock->toggleViewAction()->setShortcut(QKeySequence(tr("Ctrl+Shift+L")));
    restoreGeometryFromSettings();
    updateActions();
}

MainWindow::~MainWindow()
{
    // Views drop their pool references before the worker closes the pools.
    const QList<PoolView *> views = poolViews();
    for (PoolView *v : views)
        delete v;
    m_thread.reset();
    m_log->uninstallMessageHandler();
}

PoolWorker *MainWindow::worker() const
{
    return m_thread->worker();
}

void MainWindow::createActions()
{
    auto action = [this](const QString &text, const QString &icon, const QKeySequence &key, auto slot) {
        auto *a = new QAction(appIcon(icon), text, this);
        if (!key.isEmpty())
            a->setShortcut(key);
        connect(a, &QAction::triggered, this, slot);
        addAction(a); // shortcuts work with the menu bar hidden too
        return a;
    };
    QAction *newClient = action(tr("New &client pool…"), QStringLiteral("client"), QKeySequence(tr("Ctrl+N")),
                                [this] { showPoolDialog(PoolKind::Client); });
    QAction *newServer = action(tr("New &server pool…"), QStringLiteral("server"), QKeySequence(tr("Ctrl+Shift+N")),
                                [this] { showPoolDialog(PoolKind::Server); });
    QAction *demo = action(tr("Open &demo pair"), QStringLiteral("quicpool-diag"), QKeySequence(),
                           [this] { openDemoPair(); });
    QAction *openQlogA = action(tr("Open &qlog…"), QStringLiteral("qlog"), QKeySequence(tr("Ctrl+O")),
                                [this] { openQlogInteractively(); });
    openQlogA->setToolTip(tr("Draw a qlog file (.sqlog, .qlog) from QuicPool, ngtcp2, quic-go, quiche…"));
    QAction *saveProfile = action(tr("Save &profile…"), QString(), QKeySequence(tr("Ctrl+S")),
                                  [this] { saveProfileInteractively(); });
    QAction *exportA = action(tr("&Export…"), QStringLiteral("export"), QKeySequence(tr("Ctrl+E")),
                              [this] { exportInteractively(); });
    QAction *quit = action(tr("&Quit"), QString(), QKeySequence(tr("Ctrl+Q")), [this] { close(); });
    QAction *start = action(tr("&Start"), QStringLiteral("start"), QKeySequence(Qt::Key_F5),
                            [this] { if (PoolView *v = currentPoolView()) v->start(); });
    QAction *stop = action(tr("S&top"), QStringLiteral("stop"), QKeySequence(Qt::SHIFT | Qt::Key_F5),
                           [this] { if (PoolView *v = currentPoolView()) v->stop(); });
    QAction *flush = action(tr("&Flush"), QStringLiteral("flush"), QKeySequence(tr("Ctrl+L")),
                            [this] { if (PoolView *v = currentPoolView()) v->flush(); });
    QAction *resetErr = action(tr("&Reset errors"), QStringLiteral("reset"), QKeySequence(),
                               [this] { if (PoolView *v = currentPoolView()) v->resetErrors(); });
    QAction *closeP = action(tr("&Close pool"), QString(), QKeySequence(tr("Ctrl+W")),
                             [this] { if (PoolView *v = currentPoolView()) closePool(v); });
    QAction *pause = action(tr("&Pause charts"), QStringLiteral("pause"), QKeySequence(Qt::Key_Space), [this] {
        const QList<PoolView *> views = poolViews();
        bool anyRunning = false;
        for (PoolView *v : views)
            anyRunning = anyRunning || !v->charts()->isPaused();
        for (PoolView *v : views)
            v->setChartsPaused(anyRunning);
        showStatus(anyRunning ? tr("Charts paused (Space resumes)") : tr("Charts resumed"));
    });
    QAction *zoom = action(tr("Reset &zoom"), QStringLiteral("zoom-reset"), QKeySequence(tr("Ctrl+0")),
                           [this] { if (PoolView *v = currentPoolView()) v->resetZoom(); });
    QAction *find = action(tr("&Find in log"), QString(), QKeySequence(tr("Ctrl+F")),
                           [this] { m_logPanel->focusSearch(); });
    QAction *aboutA = action(tr("&About"), QStringLiteral("quicpool-diag"), QKeySequence(), [this] { about(); });
    m_poolActions = {start, stop, flush, resetErr, closeP, zoom};

    QMenu *file = menuBar()->addMenu(tr("&File"));
    file->addActions({newClient, newServer, demo});
    file->addSeparator();
    m_profileMenu = file->addMenu(tr("Open p&rofile"));
    connect(m_profileMenu, &QMenu::aboutToShow, this, &MainWindow::rebuildProfileMenu);
    file->addAction(saveProfile);
    file->addSeparator();
    file->addAction(openQlogA);
    file->addAction(exportA);
    file->addSeparator();
    file->addAction(quit);
    QMenu *pool = menuBar()->addMenu(tr("&Pool"));
    pool->addActions({start, stop, flush, resetErr});
    pool->addSeparator();
    pool->addAction(closeP);
    QMenu *view = menuBar()->addMenu(tr("&View"));
    view->addActions({pause, zoom, find});
    view->addAction(findChild<QDockWidget *>(QStringLiteral("logDock"))->toggleViewAction());
    QMenu *help = menuBar()->addMenu(tr("&Help"));
    help->addAction(aboutA);

    QToolBar *bar = addToolBar(tr("Main"));
    bar->setObjectName(QStringLiteral("mainToolBar"));
    bar->setToolButtonStyle(Qt::ToolButtonTextBesideIcon);
    bar->addActions({newClient, newServer});
    bar->addSeparator();
    bar->addActions({start, stop, flush, pause, exportA});
}

void MainWindow::updateActions()
{
    const bool pool = currentPoolView() != nullptr;
    for (QAction *a : std::as_const(m_poolActions))
        a->setEnabled(pool);
}

void MainWindow::startUp(const AppOptions &options)
{
    for (const QString &file : options.qlogFiles)
        openQlog(file);
    if (!options.qlogFiles.isEmpty() && options.profile.isEmpty())
        return;   // files to read, not pools to watch: no demo, no last profile
    auto settings = openSettings();
    if (!options.profile.isEmpty()) {
        if (openProfile(options.profile))
            return;
        showStatus(tr("There is no saved profile '%1'; it will be created when you save.").arg(options.profile), true);
        m_profileName = options.profile;
    } else if (const QString last = lastProfile(*settings); !last.isEmpty() && hasProfile(*settings, last)) {
        if (openProfile(last))
            return;
    }
    if (!options.noDemo && poolViews().isEmpty())
        openDemoPair();
}

void MainWindow::addPoolView(PoolView *view)
{
    const int index = m_tabs->indexOf(m_loadTest); // before the load-test tab (qlog tabs follow it)
    m_tabs->insertTab(index, view, statusIcon(view->status().level), view->name());
    m_tabs->setCurrentIndex(index);
    connect(view, &PoolView::statusMessage, this, [this, view](const QString &text, bool isError) {
        logStatus(text, isError);
        if (currentPoolView() == view)
            setStatusLine(text);
    });
    connect(view, &PoolView::statusChanged, this, [this, view] { updateTabStatus(view); });
    updateTabStatus(view);
    connect(view, &PoolView::runningChanged, this, &MainWindow::updateClientPoolList);
    updateClientPoolList();
    updateActions();
}

PoolView *MainWindow::openClientPool(const PoolSpec &spec, const ClientPoolConfig &config)
{
    PoolSpec s = spec;
    s.kind = PoolKind::Client;
    if (s.name.isEmpty())
        s.name = tr("client %1").arg(s.client.address);
    PoolWorker *w = worker();
    const int handle = w->allocateHandle();
    auto *view = new PoolView(w, handle, s, this);
    addPoolView(view);
    const QString name = s.name;
    w->call([w, handle, name, config] { w->openClient(handle, name, config); });
    qCInfo(lcUi).noquote() << "opening" << name;
    return view;
}

PoolView *MainWindow::openServerPool(const PoolSpec &spec, const ServerPoolConfig &config)
{
    PoolSpec s = spec;
    s.kind = PoolKind::Server;
    if (s.name.isEmpty())
        s.name = tr("server %1").arg(s.server.listenAddress);
    PoolWorker *w = worker();
    const int handle = w->allocateHandle();
    auto *view = new PoolView(w, handle, s, this);
    addPoolView(view);
    const QString name = s.name;
    const bool serve = s.serveEcho;
    w->call([w, handle, name, config, serve] { w->openServer(handle, name, config, serve, workload::Mode::Echo); });
    qCInfo(lcUi).noquote() << "opening" << name;
    return view;
}

PoolView *MainWindow::openSpec(const PoolSpec &spec)
{
    if (spec.kind == PoolKind::Client) {
        ClientPoolConfig config;
        const FieldErrors errors = validateClientForm(spec.client, &config);
        if (!errors.isEmpty()) {
            showStatus(tr("%1: %2").arg(spec.name, errors.first()), true);
            return nullptr;
        }
        return openClientPool(spec, config);
    }
    ServerPoolConfig config;
    const FieldErrors errors = validateServerForm(spec.server, &config);
    if (!errors.isEmpty()) {
        showStatus(tr("%1: %2").arg(spec.name, errors.first()), true);
        return nullptr;
    }
    return openServerPool(spec, config);
}

void MainWindow::openDemoPair()
{
    ++m_demoCount;
    const QString suffix = m_demoCount > 1 ? QStringLiteral(" %1").arg(m_demoCount) : QString();
    PoolSpec server;
    server.kind = PoolKind::Server;
    server.name = tr("demo server%1").arg(suffix);
    server.server.listenAddress = QStringLiteral("127.0.0.1:0");
    server.server.maxCapacity = 32;
    server.serveEcho = true;
    // Connect before opening: the worker may report the start before
    // openSpec returns, and a signal is only queued to existing connections.
    auto serverHandle = std::make_shared<int>(-1);
    auto connection = std::make_shared<QMetaObject::Connection>();
    *connection = connect(worker(), &PoolWorker::poolStarted, this,
                          [this, connection, serverHandle, suffix](int h, bool ok, const QString &, quint16 port) {
        if (h != *serverHandle)
            return;
        disconnect(*connection);
        if (!ok) {
            showStatus(tr("The demo server did not start; see the log."), true);
            return;
        }
        PoolSpec client;
        client.kind = PoolKind::Client;
        client.name = tr("demo client%1").arg(suffix);
        client.client.address = QStringLiteral("127.0.0.1:%1").arg(port);
        client.client.minCapacity = 4;
        client.client.maxCapacity = 16;
        client.client.minIntervalMs = 100;
        client.client.maxIntervalMs = 1000;
        client.client.tlsMode = 1;
        PoolView *clientView = openSpec(client);
        if (!clientView)
            return;
        clientView->setDemo(true);
        PoolWorker *w = worker();
        const int ch = clientView->handle();
        w->call([w, ch] { w->setDemoLoad(ch, true); });
        m_loadTest->setExistingPool(ch);
    });
    PoolView *serverView = openSpec(server);
    if (!serverView) {
        disconnect(*connection);
        return;
    }
    serverView->setDemo(true);
    *serverHandle = serverView->handle(); // set before any queued signal is delivered
}

QlogView *MainWindow::openQlog(const QString &path)
{
    auto *view = new QlogView(this);
    const int index = m_tabs->addTab(view, appIcon(QStringLiteral("qlog")), QFileInfo(path).fileName());
    m_tabs->setTabToolTip(index, path);
    m_tabs->setCurrentIndex(index);
    connect(view, &QlogView::statusMessage, this, [this, view](const QString &text, bool isError) {
        logStatus(text, isError);
        if (m_tabs->currentWidget() == view)
            setStatusLine(text);
    });
    connect(view, &QlogView::loaded, this, [this, view](bool ok) {
        const int at = m_tabs->indexOf(view);
        if (at >= 0 && !ok)
            m_tabs->setTabIcon(at, statusIcon(StatusLevel::Failed));
    });
    view->open(path);
    auto settings = openSettings();
    settings->setValue(QStringLiteral("qlog/lastFolder"), QFileInfo(path).absolutePath());
    return view;
}

void MainWindow::openQlogInteractively()
{
    auto settings = openSettings();
    const QString folder = settings->value(QStringLiteral("qlog/lastFolder")).toString();
    const QString path = QFileDialog::getOpenFileName(
        this, tr("Open a qlog file"), folder,
        tr("qlog files (*.sqlog *.qlog *.json);;All files (*)"));
    if (!path.isEmpty())
        openQlog(path);
}

QList<QlogView *> MainWindow::qlogViews() const
{
    QList<QlogView *> views;
    for (int i = 0; i < m_tabs->count(); ++i) {
        if (auto *v = qobject_cast<QlogView *>(m_tabs->widget(i)))
            views.append(v);
    }
    return views;
}

PoolFormDialog *MainWindow::showPoolDialog(PoolKind kind)
{
    auto *dialog = new PoolFormDialog(kind, this);
    dialog->setAttribute(Qt::WA_DeleteOnClose);
    connect(dialog, &QDialog::accepted, this, [this, dialog] {
        if (dialog->kind() == PoolKind::Client)
            openClientPool(dialog->spec(), dialog->clientConfig());
        else
            openServerPool(dialog->spec(), dialog->serverConfig());
    });
    dialog->open();
    return dialog;
}

void MainWindow::closePool(PoolView *view)
{
    PoolWorker *w = worker();
    const int handle = view->handle();
    w->call([w, handle] { w->removePool(handle); });
    m_tabs->removeTab(m_tabs->indexOf(view));
    view->deleteLater();
    showStatus(tr("Closed %1").arg(view->name()));
    QMetaObject::invokeMethod(this, [this] { updateClientPoolList(); updateActions(); }, Qt::QueuedConnection);
}

QList<PoolView *> MainWindow::poolViews() const
{
    QList<PoolView *> views;
    for (int i = 0; i < m_tabs->count(); ++i) {
        if (auto *v = qobject_cast<PoolView *>(m_tabs->widget(i)))
            views.append(v);
    }
    return views;
}

PoolView *MainWindow::currentPoolView() const
{
    return qobject_cast<PoolView *>(m_tabs->currentWidget());
}

void MainWindow::updateClientPoolList()
{
    QList<QPair<QString, int>> clients;
    for (PoolView *v : poolViews()) {
        if (v->kind() == PoolKind::Client)
            clients.append({v->name(), v->handle()});
    }
    m_loadTest->setClientPools(clients);
}

QString MainWindow::statusText() const
{
    return m_statusLabel->text();
}

void MainWindow::showStatus(const QString &text, bool isError)
{
    // Errors go to the status bar and the log; never to a modal box.
    setStatusLine(text);
    logStatus(text, isError);
}

void MainWindow::logStatus(const QString &text, bool isError)
{
    if (isError)
        qCWarning(lcUi).noquote() << text;
    else
        qCInfo(lcUi).noquote() << text;
}

void MainWindow::setStatusLine(const QString &text)
{
    m_statusLabel->setText(text);
    m_statusLabel->setToolTip(text);
}

void MainWindow::updateTabStatus(PoolView *view)
{
    const int index = m_tabs->indexOf(view);
    if (index < 0)
        return;
    m_tabs->setTabIcon(index, statusIcon(view->status().level));
    m_tabs->setTabToolTip(index, QStringLiteral("%1 · %2").arg(view->status().state, view->status().text));
    if (currentPoolView() == view)
        setStatusLine(QStringLiteral("%1: %2").arg(view->name(), view->status().text));
}

void MainWindow::showCurrentTabStatus()
{
    if (PoolView *v = currentPoolView())
        setStatusLine(QStringLiteral("%1: %2").arg(v->name(), v->status().text));
    else if (m_tabs->currentWidget() == m_loadTest)
        setStatusLine(m_loadTestMessage);
}

Profile MainWindow::currentProfile(const QString &name) const
{
    Profile p;
    p.name = name;
    for (PoolView *v : poolViews()) {
        if (!v->isDemo())
            p.pools.append(v->spec());
    }
    return p;
}

bool MainWindow::saveProfileAs(const QString &name)
{
    if (name.trimmed().isEmpty()) {
        showStatus(tr("A profile needs a name."), true);
        return false;
    }
    auto settings = openSettings();
    saveProfile(*settings, currentProfile(name.trimmed()));
    setLastProfile(*settings, name.trimmed());
    m_profileName = name.trimmed();
    showStatus(tr("Saved profile '%1'").arg(m_profileName));
    return true;
}

bool MainWindow::openProfile(const QString &name)
{
    auto settings = openSettings();
    Profile p;
    if (!loadProfile(*settings, name, &p)) {
        showStatus(tr("There is no profile '%1'.").arg(name), true);
        return false;
    }
    m_profileName = p.name;
    setLastProfile(*settings, p.name);
    for (const PoolSpec &spec : std::as_const(p.pools))
        openSpec(spec);
    showStatus(tr("Opened profile '%1' (%2 pools)").arg(p.name).arg(p.pools.size()));
    return true;
}

void MainWindow::rebuildProfileMenu()
{
    m_profileMenu->clear();
    auto settings = openSettings();
    const QStringList names = profileNames(*settings);
    if (names.isEmpty())
        m_profileMenu->addAction(tr("(no saved profiles)"))->setEnabled(false);
    for (const QString &n : names)
        m_profileMenu->addAction(n, this, [this, n] { openProfile(n); });
}

void MainWindow::saveProfileInteractively()
{
    bool ok = false;
    const QString name = QInputDialog::getText(this, tr("Save profile"), tr("Profile name:"), QLineEdit::Normal,
                                               m_profileName.isEmpty() ? tr("default") : m_profileName, &ok);
    if (ok)
        saveProfileAs(name);
}

bool MainWindow::exportCurrent(const QString &pngPath, const QString &csvPath, QString *error)
{
    PoolView *v = currentPoolView();
    if (!v) {
        if (error)
            *error = tr("Select a pool tab to export its charts.");
        return false;
    }
    return v->exportPng(pngPath, error) && v->exportCsv(csvPath, error);
}

void MainWindow::exportInteractively()
{
    if (auto *qlog = qobject_cast<QlogView *>(m_tabs->currentWidget())) {
        const QString path = QFileDialog::getSaveFileName(
            this, tr("Export the qlog charts (PNG, with the series as CSV beside it)"),
            QFileInfo(qlog->path()).completeBaseName() + QStringLiteral(".png"), tr("PNG (*.png)"));
        if (path.isEmpty())
            return;
        const QFileInfo info(path);
        const QString csv = info.dir().filePath(info.completeBaseName() + QStringLiteral(".csv"));
        QString error;
        const bool ok = qlog->exportPng(path, &error) && qlog->exportCsv(csv, &error);
        showStatus(ok ? tr("Exported %1 and %2").arg(path, csv) : error, !ok);
        return;
    }
    if (m_tabs->currentWidget() == m_loadTest) {
        const QString path = QFileDialog::getSaveFileName(this, tr("Export load test"), QStringLiteral("loadtest.json"),
                                                          tr("JSON (*.json);;CSV (*.csv)"));
        if (path.isEmpty())
            return;
        QString error;
        const bool ok = path.endsWith(QLatin1String(".csv"), Qt::CaseInsensitive) ? m_loadTest->exportCsv(path, &error)
                                                                                    : m_loadTest->exportJson(path, &error);
        showStatus(ok ? tr("Exported %1").arg(path) : error, !ok);
        return;
    }
    const QString path = QFileDialog::getSaveFileName(this, tr("Export charts (PNG, with the data as CSV beside it)"),
                                                      QStringLiteral("pool.png"), tr("PNG (*.png)"));
    if (path.isEmpty())
        return;
    const QFileInfo info(path);
    const QString csv = info.dir().filePath(info.completeBaseName() + QStringLiteral(".csv"));
    QString error;
    const bool ok = exportCurrent(path, csv, &error);
    showStatus(ok ? tr("Exported %1 and %2").arg(path, csv) : error, !ok);
}

bool MainWindow::saveScreenshot(const QString &path)
{
    const QPixmap pixmap = grab();
    return !pixmap.isNull() && pixmap.save(path, "PNG");
}

void MainWindow::about()
{
    QMessageBox::about(this, tr("About QuicPool diagnostics"),
                       tr("<h3>QuicPool diagnostics %1</h3>"
                          "<p>Pools of ready QUIC streams, wire compatible with NodePass.</p>"
                          "<p>Qt %2 · ngtcp2 %3 · %4</p>")
                           .arg(quicpool::version(), QString::fromLatin1(qVersion()), quicpool::ngtcp2Version(),
                                quicpool::tlsLibraryVersionString()));
}

void MainWindow::restoreGeometryFromSettings()
{
    auto settings = openSettings();
    const QByteArray geometry = settings->value(QStringLiteral("window/geometry")).toByteArray();
    if (geometry.isEmpty() || !restoreGeometry(geometry))
        resize(1280, 860);
    restoreState(settings->value(QStringLiteral("window/state")).toByteArray());
}

void MainWindow::saveGeometryToSettings()
{
    auto settings = openSettings();
    settings->setValue(QStringLiteral("window/geometry"), saveGeometry());
    settings->setValue(QStringLiteral("window/state"), saveState());
}

void MainWindow::closeEvent(QCloseEvent *event)
{
    saveGeometryToSettings();
    if (!m_profileName.isEmpty()) {
        // Reopen what was open: the current profile follows the window.
        auto settings = openSettings();
        saveProfile(*settings, currentProfile(m_profileName));
        setLastProfile(*settings, m_profileName);
    }
    QMainWindow::closeEvent(event);
}

} // namespace quicpool::diag
