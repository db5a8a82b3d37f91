#include "timeserieschart.h"

#include <QtCharts/QChart>
#include <QtCharts/QChartView>
#include <QtCharts/QLineSeries>
#include <QtCharts/QValueAxis>
#include <QtCore/QFile>
#include <QtCore/QSaveFile>
#include <QtGui/QCursor>
#include <QtGui/QMouseEvent>
#include <QtGui/QFont>
#include <QtGui/QFontMetrics>
#include <QtGui/QPainter>
#include <QtGui/QPen>
#include <QtGui/QWheelEvent>
#include <QtWidgets/QToolTip>
#include <QtWidgets/QVBoxLayout>

#include <cmath>
#include <limits>

namespace quicpool::diag {

namespace {

// Zooms with the rubber band and the wheel, pans with the middle (or
// right) button and the arrow keys; any of these stops following.
class ChartView : public QChartView
{
public:
    ChartView(QChart *chart, TimeSeriesChart *owner) : QChartView(chart), m_owner(owner)
    {
        setRubberBand(QChartView::RectangleRubberBand);
        setRenderHint(QPainter::Antialiasing);
        setFocusPolicy(Qt::StrongFocus);
    }

protected:
    void mousePressEvent(QMouseEvent *e) override
    {
        if (e->button() == Qt::MiddleButton || e->button() == Qt::RightButton) {
            m_panning = true;
            m_last = e->position();
            e->accept();
            return;
        }
        QChartView::mousePressEvent(e);
    }
    void mouseMoveEvent(QMouseEvent *e) override
    {
        if (m_panning) {
            const QPointF delta = e->position() - m_last;
            m_last = e->position();
            m_owner->panBy(-delta.x(), delta.y());
            e->accept();
            return;
        }
        QChartView::mouseMoveEvent(e);
    }
    void mouseReleaseEvent(QMouseEvent *e) override
    {
        if (m_panning) {
            m_panning = false;
            e->accept();
            return;
        }
        const bool band = e->button() == Qt::LeftButton;
        QChartView::mouseReleaseEvent(e);
        if (band)
            m_owner->zoomBy(1.0); // marks "not following" after a rubber-band zoom
    }
    void mouseDoubleClickEvent(QMouseEvent *e) override
    {
        m_owner->resetZoom();
        e->accept();
    }
    void wheelEvent(QWheelEvent *e) override
    {
        m_owner->zoomBy(e->angleDelta().y() > 0 ? 1.25 : 0.8);
        e->accept();
    }
    void keyPressEvent(QKeyEvent *e) override
    {
        switch (e->key()) {
        case Qt::Key_Left: m_owner->panBy(-30, 0); break;
        case Qt::Key_Right: m_owner->panBy(30, 0); break;
        case Qt::Key_Up: m_owner->panBy(0, 30); break;
        case Qt::Key_Down: m_owner->panBy(0, -30); break;
        case Qt::Key_Plus: m_owner->zoomBy(1.25); break;
        case Qt::Key_Minus: m_owner->zoomBy(0.8); break;
        case Qt::Key_0: m_owner->resetZoom(); break;
        default: QChartView::keyPressEvent(e); return;
        }
        e->accept();
    }

private:
    TimeSeriesChart *m_owner;
    bool m_panning = false;
    QPointF m_last;
};

// 1, 2 or 5 times a power of ten, at least x.
double niceCeil(double x)
{
    if (x <= 0)
        return 1;
    const double p = std::pow(10.0, std::floor(std::log10(x)));
    for (double m : {1.0, 2.0, 5.0, 10.0}) {
        if (m * p >= x)
            return m * p;
    }
    return 10 * p;
}

// A tick interval in seconds near x from a human set (1 s .. 1 h).
double niceStep(double x)
{
    for (double s : {1.0, 2.0, 5.0, 10.0, 15.0, 30.0, 60.0, 120.0, 300.0, 600.0, 1800.0})
        if (s >= x)
            return s;
    return 3600;
}

} // namespace

class TimeSeriesChart::Private
{
public:
    QChart *chart = nullptr;
    ChartView *view = nullptr;
    QValueAxis *axisX = nullptr;
    QValueAxis *axisY = nullptr;
    QList<QLineSeries *> series;
    QString title;
    QString unit;
    int maxPoints = 600;
    double windowSeconds = 120;
    bool paused = false;
    bool following = true;
    double lastT = 0;
    double firstT = -1;
    struct Held { double t; QList<double> values; };
    QList<Held> held;   // samples that arrived while paused
    QList<double> times; // one per append, for CSV rows
    QList<QList<double>> rows;
};

TimeSeriesChart::TimeSeriesChart(const QString &title, const QString &unit, QWidget *parent)
    : QWidget(parent), d(std::make_unique<Private>())
{
    d->title = title;
    d->unit = unit;
    d->chart = new QChart;
    d->chart->setTitle(unit.isEmpty() ? title : QStringLiteral("%1 (%2)").arg(title, unit));
    d->chart->legend()->setAlignment(Qt::AlignBottom);
    d->chart->setMargins(QMargins(2, 2, 2, 2));
    d->chart->setBackgroundRoundness(0);
    // Animations would redraw the whole chart on each sample: off.
    d->chart->setAnimationOptions(QChart::NoAnimation);
    d->axisX = new QValueAxis;
    d->axisX->setLabelFormat(QStringLiteral("%.0f s"));
    // Grid lines anchored at whole seconds scroll with the data instead of
    // sliding under it, and their labels stay round numbers.
    d->axisX->setTickType(QValueAxis::TicksDynamic);
    d->axisX->setTickAnchor(0);
    d->axisX->setTickInterval(2);
    d->axisX->setRange(0, qMin(10.0, d->windowSeconds));
    d->axisY = new QValueAxis;
    d->axisY->setLabelFormat(QStringLiteral("%.4g"));
    d->axisY->setTickCount(3);
    d->axisY->setRange(0, 1);
    d->chart->addAxis(d->axisX, Qt::AlignBottom);
    d->chart->addAxis(d->axisY, Qt::AlignLeft);
    d->view = new ChartView(d->chart, this);
    d->view->setMinimumSize(160, 100);
    auto *layout = new QVBoxLayout(this);
    layout->setContentsMargins(0, 0, 0, 0);
    layout->addWidget(d->view);
    QEvent e(QEvent::PaletteChange);
    changeEvent(&e);
}

TimeSeriesChart::~TimeSeriesChart() = default;

int TimeSeriesChart::addSeries(const QString &name)
{
    auto *s = new QLineSeries;
    s->setName(name);
    d->chart->addSeries(s);
    s->attachAxis(d->axisX);
    s->attachAxis(d->axisY);
    connect(s, &QLineSeries::hovered, this, [this, s](const QPointF &p, bool state) {
        if (state)
            QToolTip::showText(QCursor::pos(),
                               QStringLiteral("%1: %2%3 at %4 s")
                                   .arg(s->name()).arg(p.y(), 0, 'g', 5)
                                   .arg(d->unit.isEmpty() ? QString() : QStringLiteral(" ") + d->unit)
                                   .arg(p.x(), 0, 'f', 1),
                               d->view);
        else
            QToolTip::hideText();
    });
    d->series.append(s);
    for (QList<double> &row : d->rows)
        row.append(std::numeric_limits<double>::quiet_NaN());
    return int(d->series.size() - 1);
}

int TimeSeriesChart::seriesCount() const { return int(d->series.size()); }
QString TimeSeriesChart::seriesName(int index) const { return d->series.value(index) ? d->series.at(index)->name() : QString(); }
QString TimeSeriesChart::title() const { return d->title; }
int TimeSeriesChart::maxPoints() const { return d->maxPoints; }
double TimeSeriesChart::windowSeconds() const { return d->windowSeconds; }
bool TimeSeriesChart::isPaused() const { return d->paused; }
bool TimeSeriesChart::isFollowing() const { return d->following; }

void TimeSeriesChart::setMaxPoints(int points)
{
    d->maxPoints = qMax(2, points);
}

void TimeSeriesChart::setWindowSeconds(double seconds)
{
    d->windowSeconds = qMax(1.0, seconds);
}

int TimeSeriesChart::pointCount(int series) const
{
    return d->series.value(series) ? int(d->series.at(series)->count()) : 0;
}

QList<QPointF> TimeSeriesChart::points(int series) const
{
    return d->series.value(series) ? d->series.at(series)->points() : QList<QPointF>();
}

void TimeSeriesChart::append(double t, const QList<double> &values)
{
    d->times.append(t);
    d->rows.append(values);
    while (d->times.size() > d->maxPoints) {
        d->times.removeFirst();
        d->rows.removeFirst();
    }
    if (d->paused) {
        d->held.append({t, values});
        if (d->held.size() > d->maxPoints)
            d->held.removeFirst();
        return;
    }
    d->lastT = t;
    if (d->firstT < 0)
        d->firstT = t;
    for (int i = 0; i < d->series.size() && i < values.size(); ++i) {
        if (std::isnan(values.at(i)))
            continue;
        QLineSeries *s = d->series.at(i);
        s->append(t, values.at(i));
        const int excess = int(s->count()) - d->maxPoints;
        if (excess > 0)
            s->removePoints(0, excess); // one call: one redraw
    }
    if (!d->following)
        return;
    // Scroll the time axis; the value axis changes only when the data leaves
    // it or shrinks well below it, so the chart does not jump on every sample.
    const double right = followRight();
    d->axisX->setRange(right - visibleSpan(), right);
    d->axisX->setTickInterval(niceStep(visibleSpan() / 5.0));
    double lo = 0, hi = 0;
    bool any = false;
    for (QLineSeries *s : std::as_const(d->series)) {
        const QList<QPointF> pts = s->points();
        for (const QPointF &p : pts) {
            if (p.x() < right - visibleSpan())
                continue;
            lo = any ? qMin(lo, p.y()) : p.y();
            hi = any ? qMax(hi, p.y()) : p.y();
            any = true;
        }
    }
    if (!any)
        return;
    lo = qMin(lo, 0.0);
    const double top = hi <= 0 ? 1.0 : niceCeil(hi * 1.1);
    if (hi > d->axisY->max() || top < d->axisY->max() * 0.5 || lo < d->axisY->min())
        d->axisY->setRange(lo, top);
}

double TimeSeriesChart::visibleSpan() const
{
    // A fresh chart shows its first seconds across the whole width, then the
    // span grows to the full window and from there on scrolls.
    const double have = d->firstT < 0 ? 0 : d->lastT - d->firstT;
    return qBound(qMin(10.0, d->windowSeconds), have, d->windowSeconds);
}

double TimeSeriesChart::followRight() const
{
    const double start = d->firstT < 0 ? 0 : d->firstT;
    return qMax(d->lastT, start + visibleSpan());
}

void TimeSeriesChart::setPaused(bool paused)
{
    if (d->paused == paused)
        return;
    d->paused = paused;
    if (!paused) {
        const QList<Private::Held> held = std::exchange(d->held, {});
        // Replay without recording the rows twice.
        const auto times = d->times;
        const auto rows = d->rows;
        for (const auto &h : held)
            append(h.t, h.values);
        d->times = times;
        d->rows = rows;
    }
}

void TimeSeriesChart::resetZoom()
{
    d->chart->zoomReset();
    const bool was = d->following;
    d->following = true;
    const double right = followRight();
    d->axisX->setRange(right - visibleSpan(), right);
    if (!was)
        Q_EMIT followingChanged(true);
}

void TimeSeriesChart::zoomBy(double factor)
{
    if (factor != 1.0)
        d->chart->zoom(factor);
    if (d->following) {
        d->following = false;
        Q_EMIT followingChanged(false);
    }
}

void TimeSeriesChart::panBy(double dxPixels, double dyPixels)
{
    d->chart->scroll(dxPixels, dyPixels);
    if (d->following) {
        d->following = false;
        Q_EMIT followingChanged(false);
    }
}

QByteArray TimeSeriesChart::toCsv() const
{
    QByteArray out = "time_s";
    for (QLineSeries *s : std::as_const(d->series))
        out += ',' + s->name().toUtf8().replace(',', ' ');
    out += '\n';
    for (int r = 0; r < d->times.size(); ++r) {
        out += QByteArray::number(d->times.at(r), 'f', 3);
        const QList<double> &row = d->rows.at(r);
        for (int c = 0; c < d->series.size(); ++c) {
            out += ',';
            if (c < row.size() && !std::isnan(row.at(c)))
                out += QByteArray::number(row.at(c), 'g', 10);
        }
        out += '\n';
    }
    return out;
}

bool TimeSeriesChart::exportCsv(const QString &path, QString *error) const
{
    QSaveFile f(path);
    if (!f.open(QIODevice::WriteOnly) || f.write(toCsv()) < 0 || !f.commit()) {
        if (error)
            *error = QStringLiteral("Cannot write %1: %2").arg(path, f.errorString());
        return false;
    }
    return true;
}

QPixmap withCaption(const QPixmap &pixmap, const QString &caption, const QPalette &palette)
{
    if (caption.isEmpty() || pixmap.isNull())
        return pixmap;
    const qreal dpr = pixmap.devicePixelRatio();
    const int width = int(pixmap.width() / dpr);
    QFont font;
    const QFontMetrics fm(font);
    const QRect textRect = fm.boundingRect(QRect(0, 0, width - 16, 10000), Qt::TextWordWrap, caption);
    const int band = textRect.height() + 12;
    QPixmap out(QSize(pixmap.width(), pixmap.height() + int(band * dpr)));
    out.setDevicePixelRatio(dpr);
    out.fill(palette.color(QPalette::Base));
    QPainter p(&out);
    p.setPen(palette.color(QPalette::Text));
    p.setFont(font);
    p.drawText(QRect(8, 6, width - 16, band - 12), Qt::TextWordWrap | Qt::AlignLeft | Qt::AlignVCenter, caption);
    p.drawPixmap(0, band, pixmap);
    p.end();
    return out;
}

bool savePngWithCaption(const QPixmap &pixmap, const QString &caption, const QPalette &palette, const QString &path,
                        QString *error)
{
    const QPixmap out = withCaption(pixmap, caption, palette);
    if (out.isNull() || !out.save(path, "PNG")) {
        if (error)
            *error = QStringLiteral("Cannot write the image %1.").arg(path);
        return false;
    }
    return true;
}

bool TimeSeriesChart::exportPng(const QString &path, QString *error, const QString &caption)
{
    return savePngWithCaption(grab(), caption, palette(), path, error);
}

void TimeSeriesChart::clear()
{
    for (QLineSeries *s : std::as_const(d->series))
        s->clear();
    d->times.clear();
    d->rows.clear();
    d->held.clear();
    d->firstT = -1;
    d->lastT = 0;
    d->axisX->setRange(0, qMin(10.0, d->windowSeconds));
    d->axisY->setRange(0, 1);
}

void TimeSeriesChart::setSeriesDashed(int series, bool dashed)
{
    QLineSeries *s = d->series.value(series);
    if (!s)
        return;
    s->setProperty("quicpoolDashed", dashed); // a theme change resets pens: see changeEvent
    QPen pen = s->pen();
    pen.setStyle(dashed ? Qt::DashLine : Qt::SolidLine);
    pen.setWidthF(dashed ? 2.5 : 2.0);
    s->setPen(pen);
}

bool TimeSeriesChart::isSeriesDashed(int series) const
{
    QLineSeries *s = d->series.value(series);
    return s && s->pen().style() == Qt::DashLine;
}

void TimeSeriesChart::changeEvent(QEvent *event)
{
    if (event->type() == QEvent::PaletteChange || event->type() == QEvent::StyleChange) {
        // Follow the system's light or dark palette: pick the chart theme by
        // the window colour's lightness and keep the palette's own colours.
        const QPalette pal = palette();
        const bool dark = pal.color(QPalette::Window).lightness() < 128;
        const QChart::ChartTheme theme = dark ? QChart::ChartThemeDark : QChart::ChartThemeLight;
        if (d->chart->theme() != theme) {
            d->chart->setTheme(theme);
            for (int i = 0; i < d->series.size(); ++i) {
                if (d->series.at(i)->property("quicpoolDashed").toBool())
                    setSeriesDashed(i, true);
            }
        }
        d->chart->setBackgroundBrush(pal.brush(QPalette::Base));
        d->chart->setTitleBrush(pal.brush(QPalette::Text));
        d->chart->legend()->setLabelColor(pal.color(QPalette::Text));
        for (QValueAxis *axis : {d->axisX, d->axisY}) {
            axis->setLabelsColor(pal.color(QPalette::Text));
            axis->setGridLineColor(pal.color(QPalette::Mid));
        }
        QFont f = font();
        f.setBold(true);
        d->chart->setTitleFont(f);
        QFont small = font();
        small.setPointSizeF(small.pointSizeF() * 0.85);
        d->chart->legend()->setFont(small);
        for (QValueAxis *axis : {d->axisX, d->axisY})
            axis->setLabelsFont(small);
    }
    QWidget::changeEvent(event);
}

} // namespace quicpool::diag
