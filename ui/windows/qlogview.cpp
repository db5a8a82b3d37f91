#include "qlogview.h"

#include "icons.h"
#include "poolcharts.h"
#include "qlogloader.h"
#include "streammodel.h"
#include "timeserieschart.h"

#include <QtCore/QFileInfo>
#include <QtCore/QLocale>
#include <QtCore/QSaveFile>
#include <QtWidgets/QFileDialog>
#include <QtWidgets/QGridLayout>
#include <QtWidgets/QHBoxLayout>
#include <QtWidgets/QLabel>
#include <QtWidgets/QProgressBar>
#include <QtWidgets/QPushButton>
#include <QtWidgets/QScrollArea>
#include <QtWidgets/QVBoxLayout>

namespace quicpool::diag {

namespace {

QList<QPointF> scaled(const QList<QPointF> &points, double factor)
{
    QList<QPointF> out;
    out.reserve(points.size());
    for (const QPointF &p : points)
        out.append(QPointF(p.x(), p.y() * factor));
    return out;
}

QString count(qint64 n)
{
    return QLocale::c().toString(n);
}

} // namespace

QlogView::QlogView(QWidget *parent) : QWidget(parent), m_loader(new QlogLoader(this))
{
    m_title = new QLabel(this);
    QFont bold = m_title->font();
    bold.setBold(true);
    m_title->setFont(bold);
    m_title->setTextInteractionFlags(Qt::TextSelectableByMouse);
    m_summary = new QLabel(this);
    m_summary->setObjectName(QStringLiteral("qlogSummary"));
    m_summary->setWordWrap(true);
    m_summary->setTextFormat(Qt::PlainText);
    m_summary->setTextInteractionFlags(Qt::TextSelectableByMouse);

    m_bannerBox = new QWidget(this);
    m_bannerBox->setAutoFillBackground(true);
    m_bannerIcon = new QLabel(m_bannerBox);
    m_banner = new QLabel(m_bannerBox);
    m_banner->setObjectName(QStringLiteral("qlogBanner"));
    m_banner->setWordWrap(true);
    m_banner->setTextFormat(Qt::PlainText);
    m_banner->setTextInteractionFlags(Qt::TextSelectableByMouse);
    auto *bannerLayout = new QHBoxLayout(m_bannerBox);
    bannerLayout->setContentsMargins(8, 4, 8, 4);
    bannerLayout->addWidget(m_bannerIcon, 0, Qt::AlignTop);
    bannerLayout->addWidget(m_banner, 1);
    m_bannerBox->hide();

    m_progress = new QProgressBar(this);
    m_progress->setRange(0, 0);
    m_progress->setFormat(tr("%p %"));
    m_cancel = new QPushButton(appIcon(QStringLiteral("stop")), tr("Cancel"), this);
    m_png = new QPushButton(appIcon(QStringLiteral("export")), tr("Chart PNG…"), this);
    m_csv = new QPushButton(appIcon(QStringLiteral("export")), tr("Series CSV…"), this);
    auto *zoom = new QPushButton(appIcon(QStringLiteral("zoom-reset")), tr("Reset zoom"), this);
    zoom->setToolTip(tr("Show the whole trace again (or double-click a chart)"));
    m_png->setEnabled(false);
    m_csv->setEnabled(false);
    connect(m_cancel, &QPushButton::clicked, this, &QlogView::cancel);
    connect(zoom, &QPushButton::clicked, this, &QlogView::resetZoom);
    connect(m_png, &QPushButton::clicked, this, [this] {
        const QString to = QFileDialog::getSaveFileName(this, tr("Export the qlog charts"),
                                                        QFileInfo(m_path).completeBaseName() + QStringLiteral(".png"),
                                                        tr("PNG (*.png)"));
        if (to.isEmpty())
            return;
        QString error;
        const bool ok = exportPng(to, &error);
        Q_EMIT statusMessage(ok ? tr("Exported the charts to %1").arg(to) : error, !ok);
    });
    connect(m_csv, &QPushButton::clicked, this, [this] {
        const QString to = QFileDialog::getSaveFileName(this, tr("Export the qlog series"),
                                                        QFileInfo(m_path).completeBaseName() + QStringLiteral(".csv"),
                                                        tr("CSV (*.csv)"));
        if (to.isEmpty())
            return;
        QString error;
        const bool ok = exportCsv(to, &error);
        Q_EMIT statusMessage(ok ? tr("Exported the series to %1").arg(to) : error, !ok);
    });

    auto *head = new QHBoxLayout;
    head->addWidget(m_title, 1);
    head->addWidget(m_progress);
    head->addWidget(m_cancel);
    head->addWidget(zoom);
    head->addWidget(m_png);
    head->addWidget(m_csv);

    // The live tabs' charts, fed once with the whole file.
    auto chart = [this](const QString &title, const QString &unit, const QStringList &series) {
        auto *c = new TimeSeriesChart(title, unit, this);
        for (const QString &s : series)
            c->addSeries(s);
        c->setMinimumSize(PoolCharts::minimumChartSize());
        m_charts.append(c);
        return c;
    };
    chart(tr("Congestion window"), tr("KiB"), {tr("cwnd"), tr("in flight")});
    chart(tr("RTT"), tr("ms"), {tr("smoothed"), tr("latest"), tr("min")});
    TimeSeriesChart *packets = chart(tr("Packets"), tr("per second"), {tr("sent"), tr("received"), tr("lost")});
    TimeSeriesChart *stream = chart(tr("Stream data"), tr("MB/s"), {tr("sent"), tr("received")});
    // Echo traffic sends what it receives: keep the second line visible.
    packets->setSeriesDashed(1, true);
    stream->setSeriesDashed(1, true);

    m_chartBox = new QWidget(this);
    auto *grid = new QGridLayout(m_chartBox);
    grid->setContentsMargins(0, 0, 0, 0);
    grid->setSpacing(4);
    for (int i = 0; i < m_charts.size(); ++i)
        grid->addWidget(m_charts.at(i), i / 2, i % 2);
    auto *scroll = new QScrollArea(this);
    scroll->setWidget(m_chartBox);
    scroll->setWidgetResizable(true);
    scroll->setFrameShape(QFrame::NoFrame);

    auto *layout = new QVBoxLayout(this);
    layout->setContentsMargins(6, 6, 6, 6);
    layout->addLayout(head);
    layout->addWidget(m_summary);
    layout->addWidget(m_bannerBox);
    layout->addWidget(scroll, 1);

    connect(m_loader, &QlogLoader::progressed, this, [this](qint64 done, qint64 total) {
        if (total > 0) {
            m_progress->setRange(0, 1000);
            m_progress->setValue(int(qMin<qint64>(1000, done * 1000 / total)));
        }
        m_summary->setText(tr("Reading %1 of %2…").arg(formatBytes(done), formatBytes(qMax(done, total))));
    });
    connect(m_loader, &QlogLoader::finished, this,
            [this](const QlogParseResult &r) { showResult(m_loader->path(), r); });
    m_progress->hide();
    m_cancel->hide();
}

QlogView::~QlogView() = default;

QString QlogView::fileName() const
{
    return QFileInfo(m_path).fileName();
}

bool QlogView::isLoading() const
{
    return m_loader->isLoading();
}

void QlogView::open(const QString &path)
{
    m_path = path;
    m_hasResult = false;
    m_title->setText(fileName());
    m_title->setToolTip(path);
    m_summary->setText(tr("Reading…"));
    setBanner({}, false);
    m_progress->setRange(0, 0);
    m_progress->show();
    m_cancel->show();
    m_png->setEnabled(false);
    m_csv->setEnabled(false);
    if (!m_loader->load(path))
        m_summary->setText(tr("Still reading the previous file."));
}

void QlogView::cancel()
{
    m_loader->cancel();
}

void QlogView::resetZoom()
{
    for (TimeSeriesChart *c : std::as_const(m_charts))
        c->resetZoom();
}

void QlogView::setBanner(const QString &text, bool isError)
{
    m_bannerIsError = isError;
    m_banner->setText(text);
    m_bannerBox->setVisible(!text.isEmpty());
    const StatusLevel level = isError ? StatusLevel::Failed : StatusLevel::Trouble;
    m_bannerIcon->setPixmap(statusIcon(level).pixmap(16, 16));
    QPalette pal = m_bannerBox->palette();
    pal.setColor(QPalette::Window, statusBackground(level, palette()));
    m_bannerBox->setPalette(pal);
}

QString QlogView::bannerText() const
{
    return m_bannerBox->isVisibleTo(this) ? m_banner->text() : QString();
}

QString QlogView::summaryText() const
{
    return m_summary->text();
}

void QlogView::showResult(const QString &path, const QlogParseResult &result)
{
    m_path = path;
    m_result = result;
    m_hasResult = result.ok();
    m_progress->hide();
    m_cancel->hide();
    m_title->setText(fileName());
    m_title->setToolTip(path);
    const QlogTrace &t = result.trace;
    if (!result.ok()) {
        for (TimeSeriesChart *c : std::as_const(m_charts))
            c->clear();
        m_summary->setText(tr("Nothing to draw."));
        setBanner(result.error, true);
        m_png->setEnabled(false);
        m_csv->setEnabled(false);
        Q_EMIT statusMessage(tr("%1: %2").arg(fileName(), result.error), true);
        Q_EMIT loaded(false);
        return;
    }
    QStringList who;
    for (const QString &s : {t.producer, t.vantagePoint})
        if (!s.isEmpty())
            who << s;
    QStringList parts;
    if (!who.isEmpty())
        parts << who.join(QLatin1Char(' '));
    parts << (t.qlogVersion.isEmpty() ? tr("%1 qlog").arg(t.fileFormat) : tr("%1 qlog %2").arg(t.fileFormat, t.qlogVersion));
    if (t.startedAt.isValid())
        parts << tr("started %1").arg(t.startedAt.toString(Qt::ISODate));
    parts << tr("%1 s").arg(t.durationSeconds, 0, 'f', 2);
    parts << tr("%1 packets sent, %2 received, %3 lost (%4 %)")
                 .arg(count(t.packetsSentTotal), count(t.packetsReceivedTotal), count(t.packetsLostTotal))
                 .arg(t.packetsSentTotal > 0 ? 100.0 * double(t.packetsLostTotal) / double(t.packetsSentTotal) : 0.0,
                      0, 'f', 2);
    parts << tr("stream data %1 sent, %2 received")
                 .arg(formatBytes(t.streamBytesSentTotal), formatBytes(t.streamBytesReceivedTotal));
    if (t.maxCongestionWindow > 0)
        parts << tr("largest cwnd %1").arg(formatBytes(qint64(t.maxCongestionWindow)));
    if (t.lowestMinRtt >= 0)
        parts << tr("min RTT %1 ms").arg(t.lowestMinRtt, 0, 'g', 4);
    parts << tr("%1 of %2 events drawn").arg(count(t.eventsUsed), count(t.events));
    m_summary->setText(parts.join(QStringLiteral(" · ")));
    setBanner(t.warnings.join(QLatin1Char('\n')), false);
    fillCharts(t);
    m_png->setEnabled(true);
    m_csv->setEnabled(true);
    Q_EMIT statusMessage(tr("Opened %1: %2 events").arg(fileName(), count(t.events)), false);
    Q_EMIT loaded(true);
}

void QlogView::fillCharts(const QlogTrace &t)
{
    const QDateTime origin = t.startedAt.isValid() ? t.startedAt : QDateTime::currentDateTime();
    for (TimeSeriesChart *c : std::as_const(m_charts))
        c->setTimeOrigin(origin);
    congestionChart()->setAllPoints({scaled(t.congestionWindow, 1.0 / 1024), scaled(t.bytesInFlight, 1.0 / 1024)});
    rttChart()->setAllPoints({t.smoothedRtt, t.latestRtt, t.minRtt});
    packetChart()->setAllPoints({t.packetsSent, t.packetsReceived, t.packetsLost});
    streamChart()->setAllPoints({scaled(t.streamBytesSent, 1e-6), scaled(t.streamBytesReceived, 1e-6)});
}

QString QlogView::exportCaption() const
{
    const QlogTrace &t = m_result.trace;
    QStringList parts{fileName()};
    if (!t.producer.isEmpty() || !t.vantagePoint.isEmpty())
        parts << QStringLiteral("%1 %2").arg(t.producer, t.vantagePoint).trimmed();
    if (!t.groupId.isEmpty())
        parts << tr("connection %1").arg(t.groupId);
    if (t.startedAt.isValid())
        parts << tr("started %1").arg(t.startedAt.toString(Qt::ISODate));
    parts << tr("%1 s").arg(t.durationSeconds, 0, 'f', 2);
    return parts.join(QStringLiteral(" · "));
}

bool QlogView::exportPng(const QString &path, QString *error)
{
    if (!m_hasResult) {
        if (error)
            *error = tr("Open a qlog file first.");
        return false;
    }
    for (TimeSeriesChart *c : std::as_const(m_charts))
        c->hideCrosshair();
    return savePngWithCaption(m_chartBox->grab(), exportCaption(), palette(), path, error);
}

bool QlogView::exportCsv(const QString &path, QString *error) const
{
    if (!m_hasResult) {
        if (error)
            *error = tr("Open a qlog file first.");
        return false;
    }
    QSaveFile f(path);
    if (!f.open(QIODevice::WriteOnly) || f.write(qlogSeriesCsv(m_result.trace)) < 0 || !f.commit()) {
        if (error)
            *error = tr("Cannot write %1: %2").arg(path, f.errorString());
        return false;
    }
    return true;
}

} // namespace quicpool::diag
