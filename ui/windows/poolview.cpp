#include "poolview.h"

#include "connectionpanel.h"
#include "defencefigures.h"
#include "defencepanel.h"
#include "icons.h"
#include "payloadpanel.h"
#include "poolcharts.h"
#include "poolworker.h"
#include "streammodel.h"

#include <quicpool/pool.h>

#include <QtCore/QDateTime>
#include <QtCore/QSaveFile>
#include <QtWidgets/QComboBox>
#include <QtWidgets/QHBoxLayout>
#include <QtWidgets/QHeaderView>
#include <QtWidgets/QLabel>
#include <QtWidgets/QLineEdit>
#include <QtWidgets/QPushButton>
#include <QtWidgets/QScrollArea>
#include <QtWidgets/QSpinBox>
#include <QtWidgets/QSplitter>
#include <QtWidgets/QTabWidget>
#include <QtWidgets/QTableView>
#include <QtWidgets/QVBoxLayout>

namespace quicpool::diag {

namespace {
constexpr int kMaxSamples = 600;

QString clientSummary(const ClientForm &f)
{
    return QObject::tr("Client pool → %1 · capacity %2–%3 · interval %4–%5 ms · keep-alive %6 ms · TLS mode %7%8%9")
        .arg(f.address).arg(f.minCapacity).arg(f.maxCapacity).arg(f.minIntervalMs).arg(f.maxIntervalMs)
        .arg(f.keepAliveMs).arg(f.tlsMode)
        .arg(f.hostname.isEmpty() ? QString() : QObject::tr(" · host %1").arg(f.hostname))
        .arg(f.pin.isEmpty() ? QString() : QObject::tr(" · pinned"));
}

QString serverSummary(const ServerForm &f, bool echo)
{
    return QObject::tr("Server pool on %1 · max capacity %2 · clients %3 · %4 · keep-alive %5 ms%6")
        .arg(f.listenAddress).arg(f.maxCapacity)
        .arg(f.clientIp.isEmpty() ? QObject::tr("any") : f.clientIp)
        .arg(f.generateSelfSigned ? QObject::tr("self-signed for %1").arg(f.selfSignedName)
                                  : QObject::tr("certificate %1").arg(f.certificateFile))
        .arg(f.keepAliveMs)
        .arg(echo ? QObject::tr(" · serving echo") : QString());
}
} // namespace

PoolView::PoolView(PoolWorker *worker, int handle, const PoolSpec &spec, QWidget *parent)
    : QWidget(parent), m_worker(worker), m_handle(handle), m_spec(spec), m_sampleTimer(this), m_slowTimer(this)
{
    buildUi();
    m_clock.start();
    m_createdAt = QDateTime::currentDateTime();
    m_charts->setTimeOrigin(m_createdAt); // samples count from here (sample())
    m_sampleTimer.setInterval(250);
    connect(&m_sampleTimer, &QTimer::timeout, this, &PoolView::sample);
    m_sampleTimer.start();
    m_slowTimer.setInterval(3000);
    connect(&m_slowTimer, &QTimer::timeout, this, [this] {
        if (!m_pool)
            m_streams->tick(QDateTime::currentMSecsSinceEpoch());   // sample() does it while there is a pool
        if (m_running && m_bottomTabs->currentWidget() == m_connection)
            refreshConnection();
    });
    m_slowTimer.start();

    const int h = handle;
    connect(worker, &PoolWorker::poolCreated, this, [this, h](int handle_, const PoolPtr &pool) {
        if (handle_ == h)
            setPool(pool);
    });
    connect(worker, &PoolWorker::poolStarted, this, [this, h](int handle_, bool ok, const QString &message, quint16 port) {
        if (handle_ != h)
            return;
        m_running = ok;
        m_port = port;
        setPhase(ok ? PoolPhase::Running : PoolPhase::StartFailed);
        report(message, !ok);
        Q_EMIT runningChanged(ok);
        if (ok)
            refreshConnection();
    });
    connect(worker, &PoolWorker::poolStopped, this, [this, h](int handle_) {
        if (handle_ != h)
            return;
        m_running = false;
        m_pool.reset();
        m_streams->setReadyIds({}, QDateTime::currentMSecsSinceEpoch());
        // A stopped server is flooded no more (a restarted one counts afresh).
        m_floodStart.reset();
        m_floodBanner->clear();
        m_floodBox->hide();
        setPhase(PoolPhase::Stopped);
        report(tr("stopped"), false);
        Q_EMIT runningChanged(false);
    });
    connect(worker, &PoolWorker::poolMessage, this, [this, h](int handle_, const QString &message, bool isError) {
        if (handle_ == h)
            report(message, isError);
    });
    connect(worker, &PoolWorker::poolStatusChanged, this,
            [this, h](int handle_, Pool::State state, const Error &error) {
        if (handle_ != h)
            return;
        m_poolState = state;
        m_poolError = error;
        updateStatus();
    });
    connect(worker, &PoolWorker::streamAcquired, this, [this, h](int handle_, const StreamInfo &info) {
        if (handle_ == h)
            onStreamAcquired(info);
    });
    connect(worker, &PoolWorker::acquireFailed, this, [this, h](int handle_, const QString &message) {
        if (handle_ != h)
            return;
        m_fetchResult->setText(tr("Failed: %1").arg(message));
        report(message, true);
    });
    connect(worker, &PoolWorker::streamUpdated, this, [this, h](int handle_, const StreamInfo &info) {
        if (handle_ != h)
            return;
        m_streams->updateTaken(info);
        if (info.gone)
            m_payload->forgetStream(info.key);
    });
    connect(worker, &PoolWorker::streamData, this, [this, h](int handle_, int key, const QByteArray &bytes) {
        if (handle_ == h)
            m_payload->addReceived(key, bytes);
    });
    connect(worker, &PoolWorker::connectionDetails, this, [this, h](int handle_, const ConnectionDetails &d) {
        if (handle_ == h)
            m_connection->setDetails(d);
    });

    connect(m_payload, &PayloadPanel::sendRequested, this, [this](int key, const QByteArray &bytes, bool fin) {
        const int hh = m_handle;
        PoolWorker *w = m_worker;
        w->call([w, hh, key, bytes, fin] {
            w->sendOnStream(hh, key, bytes);
            if (fin)
                w->closeStream(hh, key);
        });
    });
    connect(m_payload, &PayloadPanel::closeRequested, this, [this](int key) {
        PoolWorker *w = m_worker;
        const int hh = m_handle;
        w->call([w, hh, key] { w->closeStream(hh, key); });
    });
    connect(m_payload, &PayloadPanel::abortRequested, this, [this](int key) {
        PoolWorker *w = m_worker;
        const int hh = m_handle;
        w->call([w, hh, key] { w->abortStream(hh, key); });
    });
    connect(m_payload, &PayloadPanel::releaseRequested, this, [this](int key) {
        PoolWorker *w = m_worker;
        const int hh = m_handle;
        w->call([w, hh, key] { w->releaseStream(hh, key); });
    });
    connect(m_connection, &ConnectionPanel::refreshRequested, this, &PoolView::refreshConnection);
}

PoolView::~PoolView() = default;

void PoolView::buildUi()
{
    m_summary = new QLabel(this);
    m_summary->setTextInteractionFlags(Qt::TextSelectableByMouse);
    m_summary->setWordWrap(true);
    m_state = new QLabel(tr("Starting"), this);
    m_state->setObjectName(QStringLiteral("poolState"));
    QFont bold = m_state->font();
    bold.setBold(true);
    m_state->setFont(bold);
    m_banner = new QLabel(this);
    m_banner->setObjectName(QStringLiteral("poolBanner"));
    m_banner->setWordWrap(true);
    m_banner->setTextFormat(Qt::PlainText);
    m_banner->setTextInteractionFlags(Qt::TextSelectableByMouse);
    m_bannerIcon = new QLabel(this);
    m_bannerBox = new QWidget(this);
    m_bannerBox->setAutoFillBackground(true);
    auto *bannerLayout = new QHBoxLayout(m_bannerBox);
    bannerLayout->setContentsMargins(8, 4, 8, 4);
    bannerLayout->addWidget(m_bannerIcon);
    bannerLayout->addWidget(m_state);
    bannerLayout->addWidget(m_banner, 1);
    // Server pools: a second banner while a handshake flood lasts.
    m_floodBox = new QWidget(this);
    m_floodBox->setObjectName(QStringLiteral("floodBanner"));
    m_floodBox->setAutoFillBackground(true);
    {
        QPalette pal = m_floodBox->palette();
        pal.setColor(QPalette::Window, statusBackground(StatusLevel::Trouble, palette()));
        m_floodBox->setPalette(pal);
        auto *floodIcon = new QLabel(m_floodBox);
        floodIcon->setPixmap(statusIcon(StatusLevel::Trouble).pixmap(16, 16));
        m_floodBanner = new QLabel(m_floodBox);
        m_floodBanner->setWordWrap(true);
        m_floodBanner->setTextFormat(Qt::PlainText);
        m_floodBanner->setTextInteractionFlags(Qt::TextSelectableByMouse);
        auto *showB = new QPushButton(tr("Show defences"), m_floodBox);
        showB->setToolTip(tr("The Defences tab: every figure of the server's admission control"));
        connect(showB, &QPushButton::clicked, this, &PoolView::showDefences);
        auto *floodLayout = new QHBoxLayout(m_floodBox);
        floodLayout->setContentsMargins(8, 2, 8, 2);
        floodLayout->addWidget(floodIcon);
        floodLayout->addWidget(m_floodBanner, 1);
        floodLayout->addWidget(showB);
    }
    m_floodBox->hide();
    m_counters = new QLabel(this);
    m_counters->setTextFormat(Qt::PlainText);
    // Wraps rather than widen the window past 1024 pixels.
    m_counters->setWordWrap(true);
    m_counters->setMinimumWidth(160);

    auto button = [this](const QString &text, const QString &icon, const QString &tip) {
        auto *b = new QPushButton(appIcon(icon), text, this);
        b->setToolTip(tip);
        return b;
    };
    auto *startB = button(tr("Start"), QStringLiteral("start"), tr("Start the pool (F5)"));
    auto *stopB = button(tr("Stop"), QStringLiteral("stop"), tr("Close the pool (Shift+F5)"));
    auto *flushB = button(tr("Flush"), QStringLiteral("flush"), tr("Close every pooled stream; the client refills (Ctrl+L)"));
    auto *resetB = button(tr("Reset errors"), QStringLiteral("reset"), tr("Set the error counter back to zero"));
    m_pauseButton = button(tr("Pause"), QStringLiteral("pause"), tr("Pause or resume the charts (Space)"));
    m_pauseButton->setCheckable(true);
    auto *zoomB = button(tr("Reset zoom"), QStringLiteral("zoom-reset"), tr("Follow the newest data again (or double-click a chart)"));
    connect(startB, &QPushButton::clicked, this, &PoolView::start);
    connect(stopB, &QPushButton::clicked, this, &PoolView::stop);
    connect(flushB, &QPushButton::clicked, this, &PoolView::flush);
    connect(resetB, &QPushButton::clicked, this, &PoolView::resetErrors);
    connect(m_pauseButton, &QPushButton::toggled, this, &PoolView::setChartsPaused);
    connect(zoomB, &QPushButton::clicked, this, &PoolView::resetZoom);

    m_sampleCombo = new QComboBox(this);
    for (int ms : {100, 250, 500, 1000, 2000})
        m_sampleCombo->addItem(ms < 1000 ? tr("every %1 ms").arg(ms) : tr("every %1 s").arg(ms / 1000), ms);
    m_sampleCombo->setCurrentIndex(m_sampleCombo->findData(250));
    m_sampleCombo->setToolTip(tr("How often the charts sample the pool"));
    connect(m_sampleCombo, &QComboBox::currentIndexChanged, this,
            [this] { setSamplePeriod(m_sampleCombo->currentData().toInt()); });

    m_head = new QHBoxLayout;
    m_head->addWidget(m_counters, 1);
    m_head->addWidget(m_sampleCombo);
    for (QPushButton *b : {startB, stopB, flushB, resetB, m_pauseButton, zoomB}) {
        m_head->addWidget(b);
        m_headButtons.append(b);
        b->setProperty("fullText", b->text());
        m_headButtonsWidth += b->sizeHint().width();
    }

    m_charts = new PoolCharts(m_spec.kind == PoolKind::Server, this);

    // Streams tab.
    m_streams = new StreamModel(this);
    m_table = new QTableView(this);
    m_table->setModel(m_streams);
    m_table->setSelectionBehavior(QAbstractItemView::SelectRows);
    m_table->setSelectionMode(QAbstractItemView::SingleSelection);
    m_table->verticalHeader()->hide();
    m_table->setMinimumHeight(50);
    m_table->horizontalHeader()->setSectionResizeMode(StreamModel::StateColumn, QHeaderView::Stretch);
    m_table->setColumnWidth(StreamModel::IdColumn, m_table->fontMetrics().horizontalAdvance(QStringLiteral("00000000000")));
    m_table->verticalHeader()->setDefaultSectionSize(m_table->fontMetrics().height() + 6);
    connect(m_table->selectionModel(), &QItemSelectionModel::currentRowChanged, this, [this](const QModelIndex &cur) {
        const int key = m_streams->keyAt(cur.row());
        if (key >= 0) {
            const StreamInfo *s = m_streams->taken(key);
            m_payload->setStream(key, s ? s->id : QString());
        } else if (cur.isValid() && m_spec.kind == PoolKind::Client) {
            m_idEdit->setText(m_streams->data(m_streams->index(cur.row(), StreamModel::IdColumn)).toString());
        }
    });
    m_idEdit = new QLineEdit(this);
    m_idEdit->setPlaceholderText(tr("stream ID, 8 hex characters"));
    m_idEdit->setMaxLength(32);
    connect(m_idEdit, &QLineEdit::returnPressed, this, &PoolView::fetchById);
    m_timeout = new QSpinBox(this);
    m_timeout->setRange(0, 600000);
    m_timeout->setValue(5000);
    m_timeout->setSuffix(tr(" ms"));
    m_timeout->setPrefix(tr("timeout "));
    auto *fetchB = new QPushButton(tr("Fetch by ID"), this);
    connect(fetchB, &QPushButton::clicked, this, &PoolView::fetchById);
    auto *takeB = new QPushButton(tr("Take next"), this);
    takeB->setToolTip(m_spec.kind == PoolKind::Server ? tr("incomingGet: the stream that waited longest")
                                                      : tr("outgoingGet of the oldest ready ID"));
    connect(takeB, &QPushButton::clicked, this, &PoolView::takeNext);
    m_fetchResult = new QLabel(this);
    m_fetchResult->setTextInteractionFlags(Qt::TextSelectableByMouse);

    auto *fetchRow = new QHBoxLayout;
    QWidget *idBox = m_errors.wrap(QStringLiteral("id"), m_idEdit);
    if (m_spec.kind == PoolKind::Client) {
        fetchRow->addWidget(idBox, 1);
        fetchRow->addWidget(fetchB);
    } else {
        idBox->hide();
        fetchB->hide();
    }
    fetchRow->addWidget(takeB);
    fetchRow->addWidget(m_timeout);
    if (m_spec.kind == PoolKind::Server)
        fetchRow->addWidget(m_fetchResult, 1);
    auto *streamsTab = new QWidget(this);
    auto *streamsLayout = new QVBoxLayout(streamsTab);
    streamsLayout->addLayout(fetchRow);
    if (m_spec.kind == PoolKind::Client)
        streamsLayout->addWidget(m_fetchResult);
    streamsLayout->addWidget(m_table, 1);

    m_payload = new PayloadPanel(this);
    m_connection = new ConnectionPanel(this);
    m_bottomTabs = new QTabWidget(this);
    m_bottomTabs->addTab(streamsTab, tr("Streams"));
    m_bottomTabs->addTab(m_payload, tr("Payload"));
    m_bottomTabs->addTab(m_connection, tr("Connection"));
    if (m_spec.kind == PoolKind::Server) {
        m_defences = new DefencePanel(this);
        m_bottomTabs->addTab(m_defences, tr("Defences"));
    }
    connect(m_bottomTabs, &QTabWidget::currentChanged, this, [this] {
        if (m_bottomTabs->currentWidget() == m_connection)
            refreshConnection();
    });

    // The charts scroll rather than shrink below a readable size; the
    // bottom tabs keep room for a table, a payload or the details.
    auto *chartScroll = new QScrollArea(this);
    chartScroll->setObjectName(QStringLiteral("chartScroll"));
    chartScroll->setWidget(m_charts);
    chartScroll->setWidgetResizable(true);
    chartScroll->setFrameShape(QFrame::NoFrame);
    chartScroll->setMinimumHeight(120);
    m_bottomTabs->setMinimumHeight(180);
    auto *split = new QSplitter(Qt::Vertical, this);
    split->setObjectName(QStringLiteral("poolSplit"));
    split->addWidget(chartScroll);
    split->addWidget(m_bottomTabs);
    split->setStretchFactor(0, 3);
    split->setStretchFactor(1, 2);
    split->setSizes({480, 320});
    split->setChildrenCollapsible(false);

    auto *layout = new QVBoxLayout(this);
    layout->setContentsMargins(6, 6, 6, 6);
    layout->addWidget(m_summary);
    layout->addWidget(m_bannerBox);
    layout->addWidget(m_floodBox);
    layout->addLayout(m_head);
    layout->addWidget(split, 1);
    updateSummary();
    updateStatus();
}

void PoolView::resizeEvent(QResizeEvent *event)
{
    QWidget::resizeEvent(event);
    fitHead();
}

void PoolView::fitHead()
{
    // The counter line keeps one line: where it would not fit beside the
    // buttons with their words (1024 px wide windows), the buttons show
    // their icons only (their tooltips still name them), which frees
    // about 380 px. Decided on the buttons' full width, so it does not flap.
    const int textWidth = m_counters->fontMetrics().horizontalAdvance(m_counters->text());
    const int spacing = qMax(0, m_head->spacing()) + 2;
    const int needed = textWidth + m_sampleCombo->sizeHint().width() + m_headButtonsWidth
        + spacing * int(m_headButtons.size() + 2);
    const QMargins margins = layout() ? layout()->contentsMargins() : QMargins();
    const bool compact = needed > width() - margins.left() - margins.right();
    if (m_headFitted && compact == m_compactHead)
        return;
    m_headFitted = true;
    m_compactHead = compact;
    for (QPushButton *b : std::as_const(m_headButtons))
        b->setText(compact ? QString() : b->property("fullText").toString());
}

bool PoolView::isHeadCompact() const
{
    return m_compactHead;
}

QString PoolView::where() const
{
    if (m_spec.kind == PoolKind::Client)
        return m_spec.client.address;
    QString host;
    quint16 port = 0;
    if (!parseHostPort(m_spec.server.listenAddress, &host, &port))
        return m_spec.server.listenAddress;
    if (m_port)
        port = m_port;
    return host.contains(QLatin1Char(':')) ? QStringLiteral("[%1]:%2").arg(host).arg(port)
                                           : QStringLiteral("%1:%2").arg(host).arg(port);
}

void PoolView::setPhase(PoolPhase phase)
{
    m_phase = phase;
    updateStatus();
}

void PoolView::updateStatus()
{
    const PoolStatus st = describePoolStatus(m_spec.kind, m_phase, m_poolState, m_poolError, where());
    if (st.level == m_status.level && st.text == m_status.text && st.state == m_status.state && !m_banner->text().isEmpty())
        return;
    m_status = st;
    m_state->setText(st.state);
    // "Failed: …" and "Connected to …" say the state already: no echo of it.
    m_state->setVisible(!st.text.startsWith(st.state));
    m_banner->setText(st.text);
    m_bannerIcon->setPixmap(statusIcon(st.level).pixmap(16, 16));
    QPalette pal = m_bannerBox->palette();
    pal.setColor(QPalette::Window, statusBackground(st.level, palette()));
    m_bannerBox->setPalette(pal);
    Q_EMIT statusChanged();
}

void PoolView::updateFlood(const DefenceStats &stats)
{
    if (stats.underFlood()) {
        if (!m_floodStart) {
            m_floodStart = stats;
            report(tr("handshake flood: %1 handshakes pending, %2 Retries sent so far")
                       .arg(groupedCount(stats.pendingHandshakes()), groupedCount(stats.retriesSent())),
                   true);
        }
        m_floodBanner->setText(quicpool::diag::floodBannerText(stats, *m_floodStart));
        m_floodBox->show();
    } else if (m_floodStart) {
        report(floodOverText(stats, *m_floodStart), false);
        m_floodStart.reset();
        m_floodBanner->clear();
        m_floodBox->hide();
    }
}

QString PoolView::floodBannerText() const
{
    return m_floodBox->isHidden() ? QString() : m_floodBanner->text();
}

bool PoolView::isFloodBannerShown() const
{
    return !m_floodBox->isHidden();
}

void PoolView::showDefences()
{
    if (m_defences)
        m_bottomTabs->setCurrentWidget(m_defences);
}

void PoolView::report(const QString &message, bool isError)
{
    m_lastMessage = QStringLiteral("%1: %2").arg(name(), message);
    m_lastMessageIsError = isError;
    Q_EMIT statusMessage(m_lastMessage, isError);
}

QString PoolView::bannerText() const
{
    return m_banner->text();
}

QString PoolView::countersText() const
{
    return m_counters->text();
}

void PoolView::updateSummary()
{
    QString text = m_spec.kind == PoolKind::Client ? clientSummary(m_spec.client)
                                                   : serverSummary(m_spec.server, m_spec.serveEcho);
    if (m_spec.kind == PoolKind::Server && m_port)
        text += tr(" · port %1").arg(m_port);
    m_summary->setText(text);
}

void PoolView::setSamplePeriod(int ms)
{
    m_sampleTimer.setInterval(qMax(10, ms));
}

void PoolView::setPool(const PoolPtr &pool)
{
    m_pool = pool;
    m_streams->clear();
}

void PoolView::sample()
{
    if (!m_pool)
        return;
    // Only what the pool lets any thread read is read here (atomics, the
    // ready IDs under its lock): the pool itself lives on the worker thread.
    // The table's pooled rows and the counter line come from one reading.
    QStringList ids;
    PoolSample s = samplePool(*m_pool, double(m_clock.elapsed()) / 1000.0, &ids);
    const qint64 now = QDateTime::currentMSecsSinceEpoch();
    m_streams->setReadyIds(ids, now);
    m_streams->tick(now);   // every age, the taken streams' too, as of this sample
    if (!m_samples.isEmpty())
        deriveRates(m_samples.last(), &s);
    m_samples.append(s);
    if (m_samples.size() > kMaxSamples)
        m_samples.remove(0, m_samples.size() - kMaxSamples);
    m_charts->addSample(s);
    if (s.hasDefence) {
        m_defences->setStats(s.defence);
        updateFlood(s.defence);
    }
    const QString counters = countersLine(s);
    if (counters != m_counters->text()) {
        m_counters->setText(counters);
        fitHead();
    }
    // The signals bring changes at once; reading the atomics here as well
    // catches an error that clears without a change of state.
    if (m_phase == PoolPhase::Running) {
        m_poolState = m_pool->state();
        m_poolError = m_pool->lastError();
        updateStatus();
    }
    if (m_spec.kind == PoolKind::Server && m_port)
        updateSummary();
}

void PoolView::start()
{
    PoolWorker *w = m_worker;
    const int h = m_handle;
    m_poolError = Error();
    setPhase(PoolPhase::Starting);
    w->call([w, h] { w->startPool(h); });
}

void PoolView::stop()
{
    PoolWorker *w = m_worker;
    const int h = m_handle;
    w->call([w, h] { w->stopPool(h); });
}

void PoolView::flush()
{
    PoolWorker *w = m_worker;
    const int h = m_handle;
    w->call([w, h] { w->flushPool(h); });
}

void PoolView::resetErrors()
{
    PoolWorker *w = m_worker;
    const int h = m_handle;
    w->call([w, h] { w->resetErrors(h); });
}

void PoolView::setChartsPaused(bool paused)
{
    m_charts->setPaused(paused);
    if (m_pauseButton->isChecked() != paused)
        m_pauseButton->setChecked(paused);
    m_pauseButton->setProperty("fullText", paused ? tr("Resume") : tr("Pause"));
    m_pauseButton->setToolTip(paused ? tr("Resume the charts (Space)") : tr("Pause the charts (Space)"));
    if (!m_compactHead)
        m_pauseButton->setText(m_pauseButton->property("fullText").toString());
}

void PoolView::resetZoom()
{
    m_charts->resetZoom();
}

QString PoolView::fetchResult() const
{
    return m_fetchResult->text();
}

bool PoolView::fetchById()
{
    const QString id = m_idEdit->text().trimmed();
    const QString error = checkStreamId(id);
    m_errors.show(error.isEmpty() ? FieldErrors() : FieldErrors{{QStringLiteral("id"), error}});
    if (!error.isEmpty())
        return false;
    m_fetchResult->setText(tr("Waiting for %1…").arg(id));
    PoolWorker *w = m_worker;
    const int h = m_handle;
    const int timeout = m_timeout->value();
    w->call([w, h, id, timeout] { w->fetchById(h, id, timeout); });
    return true;
}

void PoolView::takeNext()
{
    m_errors.clear();
    m_fetchResult->setText(tr("Waiting for the next stream…"));
    PoolWorker *w = m_worker;
    const int h = m_handle;
    const int timeout = m_timeout->value();
    w->call([w, h, timeout] { w->takeNext(h, timeout); });
}

void PoolView::onStreamAcquired(const StreamInfo &info)
{
    m_streams->updateTaken(info);
    m_fetchResult->setText(tr("Took stream %1.").arg(info.id));
    m_payload->setStream(info.key, info.id);
    const int row = m_streams->rowOfKey(info.key);
    if (row >= 0)
        m_table->selectRow(row);
    report(tr("took stream %1").arg(info.id), false);
}

void PoolView::refreshConnection()
{
    PoolWorker *w = m_worker;
    const int h = m_handle;
    w->call([w, h] { w->requestConnectionDetails(h); });
}

QString PoolView::exportCaption() const
{
    QString range;
    if (!m_samples.isEmpty()) {
        const QDateTime from = m_createdAt.addMSecs(qint64(m_samples.first().t * 1000));
        const QDateTime to = m_createdAt.addMSecs(qint64(m_samples.last().t * 1000));
        range = tr("%1 to %2").arg(from.toString(Qt::ISODate), to.toString(QStringLiteral("HH:mm:ss")));
    } else {
        range = tr("no samples yet");
    }
    return tr("%1 · %2 pool · %3 · %4").arg(name(), m_spec.kind == PoolKind::Client ? tr("client") : tr("server"),
                                            where(), range);
}

bool PoolView::exportPng(const QString &path, QString *error)
{
    return m_charts->exportPng(path, error, exportCaption());
}

bool PoolView::exportCsv(const QString &path, QString *error) const
{
    QSaveFile f(path);
    if (!f.open(QIODevice::WriteOnly) || f.write(samplesToCsv(m_samples)) < 0 || !f.commit()) {
        if (error)
            *error = tr("Cannot write %1: %2").arg(path, f.errorString());
        return false;
    }
    return true;
}

} // namespace quicpool::diag
