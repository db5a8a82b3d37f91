#include "timeserieschart.h"

#include "chartscale.h"

#include <QtCharts/QCategoryAxis>
#include <QtCharts/QChart>
#include <QtCharts/QChartView>
#include <QtCharts/QLineSeries>
#include <QtCharts/QLogValueAxis>
#include <QtCharts/QValueAxis>
#include <QtCore/QFile>
#include <QtCore/QSaveFile>
#include <QtGui/QActionGroup>
#include <QtGui/QFont>
#include <QtGui/QFontMetrics>
#include <QtGui/QMouseEvent>
#include <QtGui/QPainter>
#include <QtGui/QPen>
#include <QtGui/QWheelEvent>
#include <QtWidgets/QGraphicsLineItem>
#include <QtWidgets/QGraphicsRectItem>
#include <QtWidgets/QGraphicsSimpleTextItem>
#include <QtWidgets/QMenu>
#include <QtWidgets/QVBoxLayout>

#include <algorithm>
#include <cmath>
#include <functional>
#include <limits>

namespace quicpool::diag {

namespace {

// Zooms with the rubber band and the wheel, pans with the middle button,
// a right-button drag and the arrow keys; any of these stops following. A
// right click that does not drag opens the chart's menu instead.
class ChartView : public QChartView
{
public:
    ChartView(QChart *chart, TimeSeriesChart *owner) : QChartView(chart), m_owner(owner)
    {
        setRubberBand(QChartView::RectangleRubberBand);
        setRenderHint(QPainter::Antialiasing);
        setFocusPolicy(Qt::StrongFocus);
        // Moves without a button held drive the crosshair.
        viewport()->setMouseTracking(true);
    }
    std::function<void(const QPoint &globalPos)> onMenu;

protected:
    void mousePressEvent(QMouseEvent *e) override
    {
        if (e->button() == Qt::MiddleButton || e->button() == Qt::RightButton) {
            m_panning = true;
            m_dragged = false;
            m_pressed = e->position();
            m_last = e->position();
            e->accept();
            return;
        }
        QChartView::mousePressEvent(e);
    }
    void mouseMoveEvent(QMouseEvent *e) override
    {
        if (m_panning) {
            // A hand's jitter is not a drag: the right click stays a click.
            if (!m_dragged && (e->position() - m_pressed).manhattanLength() < 5)
                return e->accept();
            m_dragged = true;
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
            if (e->button() == Qt::RightButton && !m_dragged && onMenu)
                onMenu(e->globalPosition().toPoint());
            return;
        }
        const bool band = e->button() == Qt::LeftButton;
        QChartView::mouseReleaseEvent(e);
        if (band)
            m_owner->zoomBy(1.0); // marks "not following" after a rubber-band zoom
    }
    void contextMenuEvent(QContextMenuEvent *e) override
    {
        // The mouse opens the menu on release (above), so a right drag can
        // pan; the keyboard's menu key comes here.
        if (e->reason() != QContextMenuEvent::Mouse && onMenu)
            onMenu(e->globalPos());
        e->accept();
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
    bool m_dragged = false;
    QPointF m_pressed;
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
    // The time axis is a QValueAxis (relative) or its subclass QCategoryAxis
    // (wall clock, labels placed by wallClockTicks()); the value axis is
    // exactly one of linearY and logY.
    QValueAxis *axisX = nullptr;
    QValueAxis *linearY = nullptr;
    QLogValueAxis *logY = nullptr;
    /// A log axis has no place for v <= 0: such a sample is kept (and read
    /// by the crosshair) but not drawn, rather than drawn at a made-up
    /// floor that would read as a measurement.
    bool drawable(double v) const { return !(logY && v <= 0); }
    QList<QLineSeries *> series;
    // Every series' samples as given (time in seconds since the origin):
    // what points() returns, the crosshair reads, and the drawn lines are
    // made from (a log axis leaves out values <= 0).
    QList<QList<QPointF>> samples;
    QString title;
    QString unit;
    QDateTime origin = QDateTime::currentDateTime();
    int maxPoints = 600;
    double windowSeconds = 120;
    bool paused = false;
    bool following = true;
    bool relabelling = false;
    double lastT = 0;
    double firstT = -1;
    struct Held { double t; QList<double> values; };
    QList<Held> held;   // samples that arrived while paused
    QList<double> times; // one per append, for CSV rows
    QList<QList<double>> rows;
    // The crosshair: a vertical line and one label over the plot.
    QGraphicsLineItem *crossLine = nullptr;
    QGraphicsRectItem *crossBox = nullptr;
    QGraphicsSimpleTextItem *crossLabel = nullptr;
    double crossT = std::numeric_limits<double>::quiet_NaN();
    QPointF crossPoint;   // the pointer, in chart coordinates, while the crosshair shows
    QString crossText;

    QAbstractAxis *axisY() const { return logY ? static_cast<QAbstractAxis *>(logY) : linearY; }
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
    installTimeAxis(TimeAxis::Relative);
    d->linearY = new QValueAxis;
    d->linearY->setLabelFormat(QStringLiteral("%.4g"));
    d->linearY->setTickCount(3);
    d->linearY->setRange(0, 1);
    d->chart->addAxis(d->linearY, Qt::AlignLeft);
    d->view = new ChartView(d->chart, this);
    d->view->setMinimumSize(160, 100);
    d->view->onMenu = [this](const QPoint &at) {
        QMenu *menu = createContextMenu(this);
        menu->setAttribute(Qt::WA_DeleteOnClose);
        menu->popup(at);
    };
    d->view->viewport()->installEventFilter(this);
    // A wider or narrower plot fits more or fewer wall-clock labels.
    connect(d->chart, &QChart::plotAreaChanged, this, [this] { relabelWallClock(); });

    d->crossLine = new QGraphicsLineItem;
    d->crossBox = new QGraphicsRectItem;
    d->crossLabel = new QGraphicsSimpleTextItem(d->crossBox);
    for (QGraphicsItem *item : {static_cast<QGraphicsItem *>(d->crossLine), static_cast<QGraphicsItem *>(d->crossBox)}) {
        item->setZValue(1000);
        item->setVisible(false);
        item->setAcceptedMouseButtons(Qt::NoButton);
        d->view->scene()->addItem(item);
    }

    auto *layout = new QVBoxLayout(this);
    layout->setContentsMargins(0, 0, 0, 0);
    layout->addWidget(d->view);
    QEvent e(QEvent::PaletteChange);
    changeEvent(&e);
}

TimeSeriesChart::~TimeSeriesChart()
{
    // The view outlives d (QWidget deletes its children after this body
    // and after the members): no event may reach the filter meanwhile.
    d->view->viewport()->removeEventFilter(this);
}

int TimeSeriesChart::addSeries(const QString &name)
{
    auto *s = new QLineSeries;
    s->setName(name);
    d->chart->addSeries(s);
    s->attachAxis(d->axisX);
    s->attachAxis(d->axisY());
    d->series.append(s);
    d->samples.append(QList<QPointF>());
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
    return int(d->samples.value(series).size());
}

QList<QPointF> TimeSeriesChart::points(int series) const
{
    return d->samples.value(series);
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
        const double v = values.at(i);
        if (std::isnan(v))
            continue;
        QList<QPointF> &kept = d->samples[i];
        kept.append(QPointF(t, v));
        if (kept.size() > d->maxPoints)
            kept.remove(0, kept.size() - d->maxPoints);
        QLineSeries *s = d->series.at(i);
        if (d->drawable(v))
            s->append(t, v);
        int excess = 0;
        while (excess < s->count() && s->at(excess).x() < kept.first().x())
            ++excess;
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
    updateValueAxis(false);
}

void TimeSeriesChart::setAllPoints(const QList<QList<QPointF>> &perSeries)
{
    clear();
    double first = std::numeric_limits<double>::infinity();
    double last = -std::numeric_limits<double>::infinity();
    qsizetype largest = 0;
    struct Cell { double t; int series; double v; };
    QList<Cell> cells;
    for (int i = 0; i < d->series.size() && i < perSeries.size(); ++i) {
        const QList<QPointF> &points = perSeries.at(i);
        largest = qMax(largest, points.size());
        d->samples[i] = points;
        QList<QPointF> drawn;
        drawn.reserve(points.size());
        for (const QPointF &p : points) {
            if (d->drawable(p.y()))
                drawn.append(p);
            first = qMin(first, p.x());
            last = qMax(last, p.x());
            cells.append({p.x(), i, p.y()});
        }
        d->series.at(i)->replace(drawn);
    }
    d->maxPoints = int(qMax<qsizetype>(d->maxPoints, largest));
    std::stable_sort(cells.begin(), cells.end(), [](const Cell &a, const Cell &b) { return a.t < b.t; });
    for (const Cell &c : std::as_const(cells)) {
        if (d->times.isEmpty() || d->times.last() != c.t) {
            d->times.append(c.t);
            d->rows.append(QList<double>(d->series.size(), std::numeric_limits<double>::quiet_NaN()));
        }
        d->rows.last()[c.series] = c.v;
    }
    if (cells.isEmpty())
        return;
    d->firstT = first;
    d->lastT = last;
    setWindowSeconds(last - first);
    resetZoom();
}

void TimeSeriesChart::updateValueAxis(bool force)
{
    const double left = d->axisX->min();
    QList<double> visible;
    for (int i = 0; i < d->samples.size(); ++i) {
        if (!d->series.at(i)->isVisible())
            continue;
        for (const QPointF &p : std::as_const(d->samples.at(i))) {
            if (p.x() >= left)
                visible.append(p.y());
        }
    }
    if (d->logY) {
        const LogRange r = logRange(visible);
        if (force || r.lo != d->logY->min() || r.hi != d->logY->max())
            d->logY->setRange(r.lo, r.hi);
        return;
    }
    if (visible.isEmpty()) {
        if (force)
            d->linearY->setRange(0, 1);
        return;
    }
    const auto [lowest, highest] = std::minmax_element(visible.cbegin(), visible.cend());
    const double lo = qMin(*lowest, 0.0);
    const double hi = *highest;
    const double top = hi <= 0 ? 1.0 : niceCeil(hi * 1.1);
    if (force || hi > d->linearY->max() || top < d->linearY->max() * 0.5 || lo < d->linearY->min())
        d->linearY->setRange(lo, top);
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
    updateValueAxis(true);
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

void TimeSeriesChart::setTimeOrigin(const QDateTime &origin)
{
    if (!origin.isValid())
        return;
    d->origin = origin;
    relabelWallClock();
}

QDateTime TimeSeriesChart::timeOrigin() const
{
    return d->origin;
}

TimeSeriesChart::TimeAxis TimeSeriesChart::timeAxis() const
{
    return qobject_cast<QCategoryAxis *>(d->axisX) ? TimeAxis::WallClock : TimeAxis::Relative;
}

void TimeSeriesChart::setTimeAxis(TimeAxis axis)
{
    if (d->axisX && axis == timeAxis())
        return;
    installTimeAxis(axis);
    styleAxes();
    if (d->crossLabel->isVisible() || d->crossBox->isVisible())
        showCrosshairAt(d->crossT);
}

void TimeSeriesChart::installTimeAxis(TimeAxis axis)
{
    double lo = 0;
    double hi = qMin(10.0, d->windowSeconds);
    if (d->axisX) {
        lo = d->axisX->min();
        hi = d->axisX->max();
        for (QLineSeries *s : std::as_const(d->series))
            s->detachAxis(d->axisX);
        d->chart->removeAxis(d->axisX);
        delete d->axisX;
    }
    if (axis == TimeAxis::WallClock) {
        auto *wall = new QCategoryAxis;
        wall->setLabelsPosition(QCategoryAxis::AxisLabelsPositionOnValue);
        d->axisX = wall;
        // Zooming and panning move the range: the labels follow it.
        connect(wall, &QValueAxis::rangeChanged, this, [this] { relabelWallClock(); });
    } else {
        d->axisX = new QValueAxis;
        d->axisX->setLabelFormat(QStringLiteral("%.0f s"));
        // Grid lines anchored at whole seconds scroll with the data instead
        // of sliding under it, and their labels stay round numbers.
        d->axisX->setTickType(QValueAxis::TicksDynamic);
        d->axisX->setTickAnchor(0);
        d->axisX->setTickInterval(niceStep((hi - lo) / 5.0));
    }
    // New samples, zoom and pan move the data under a resting pointer:
    // the crosshair reads again at the pointer's place.
    connect(d->axisX, &QValueAxis::rangeChanged, this, [this] {
        if (d->crossBox && d->crossBox->isVisible() && !d->series.isEmpty())
            showCrosshairAt(d->chart->mapToValue(d->crossPoint, d->series.first()).x());
    });
    d->chart->addAxis(d->axisX, Qt::AlignBottom);
    for (QLineSeries *s : std::as_const(d->series))
        s->attachAxis(d->axisX);
    d->axisX->setRange(lo, hi);
    relabelWallClock();
}

void TimeSeriesChart::relabelWallClock()
{
    auto *wall = qobject_cast<QCategoryAxis *>(d->axisX);
    if (!wall || d->relabelling)
        return;
    d->relabelling = true;
    for (const QString &label : wall->categoriesLabels())
        wall->remove(label);
    const double lo = wall->min();
    const double hi = wall->max();
    wall->setStartValue(lo);
    // An hh:mm:ss label needs about 80 px: as many ticks as fit, on round
    // clock times (4 until the chart has been laid out).
    const double width = d->chart->plotArea().width();
    const int room = width > 0 ? qBound(1, int(width / 80.0), 8) : 4;
    // Past the human set (an hour) the step grows with the span, so a day
    // of data still gets `room` labels, not hundreds.
    const double step = std::max(niceStep((hi - lo) / room), (hi - lo) / room);
    const QList<double> ticks = wallClockTicks(d->origin, lo, hi, step);
    for (double t : ticks)
        wall->append(wallClockLabel(d->origin, t), t);
    if (ticks.isEmpty() && hi > lo)   // zoomed inside one second: say where we are
        wall->append(wallClockLabel(d->origin, lo), lo);
    d->relabelling = false;
}

QStringList TimeSeriesChart::timeAxisLabels() const
{
    auto *wall = qobject_cast<QCategoryAxis *>(d->axisX);
    return wall ? wall->categoriesLabels() : QStringList();
}

bool TimeSeriesChart::isLogScale() const
{
    const QList<QAbstractAxis *> vertical = d->chart->axes(Qt::Vertical);
    return vertical.size() == 1 && qobject_cast<QLogValueAxis *>(vertical.first());
}

void TimeSeriesChart::setLogScale(bool logarithmic)
{
    if (logarithmic == bool(d->logY))
        return;
    QAbstractAxis *old = d->axisY();
    for (QLineSeries *s : std::as_const(d->series))
        s->detachAxis(old);
    d->chart->removeAxis(old);
    delete old;
    d->linearY = nullptr;
    d->logY = nullptr;
    if (logarithmic) {
        d->logY = new QLogValueAxis;
        d->logY->setBase(10);
        d->logY->setLabelFormat(QStringLiteral("%.4g"));
        d->logY->setMinorTickCount(-1); // Qt Charts: minor ticks at 2..9 of each decade
    } else {
        d->linearY = new QValueAxis;
        d->linearY->setLabelFormat(QStringLiteral("%.4g"));
        d->linearY->setTickCount(3);
    }
    d->chart->addAxis(d->axisY(), Qt::AlignLeft);
    for (QLineSeries *s : std::as_const(d->series))
        s->attachAxis(d->axisY());
    redrawSeries();
    updateValueAxis(true);
    styleAxes();
}

void TimeSeriesChart::redrawSeries()
{
    for (int i = 0; i < d->series.size(); ++i) {
        QList<QPointF> drawn;
        drawn.reserve(d->samples.at(i).size());
        for (const QPointF &p : d->samples.at(i)) {
            if (d->drawable(p.y()))
                drawn.append(p);
        }
        d->series.at(i)->replace(drawn);
    }
}

QMenu *TimeSeriesChart::createContextMenu(QWidget *parent)
{
    auto *menu = new QMenu(parent);
    auto *relative = menu->addAction(tr("Time since start"));
    auto *wall = menu->addAction(tr("Wall-clock time"));
    auto *group = new QActionGroup(menu);
    for (QAction *a : {relative, wall}) {
        a->setCheckable(true);
        group->addAction(a);
    }
    relative->setChecked(timeAxis() == TimeAxis::Relative);
    wall->setChecked(timeAxis() == TimeAxis::WallClock);
    connect(relative, &QAction::triggered, this, [this] { setTimeAxis(TimeAxis::Relative); });
    connect(wall, &QAction::triggered, this, [this] { setTimeAxis(TimeAxis::WallClock); });
    menu->addSeparator();
    auto *log = menu->addAction(tr("Logarithmic scale"));
    log->setCheckable(true);
    log->setChecked(isLogScale());
    log->setToolTip(tr("Values of zero or less are not drawn on a logarithmic scale"));
    connect(log, &QAction::toggled, this, [this](bool on) { setLogScale(on); });
    menu->addSeparator();
    connect(menu->addAction(tr("Reset zoom")), &QAction::triggered, this, [this] { resetZoom(); });
    return menu;
}

QRectF TimeSeriesChart::plotArea() const
{
    const QRectF inScene = d->chart->mapRectToScene(d->chart->plotArea());
    const QPolygon inView = d->view->mapFromScene(inScene);
    const QRect r = inView.boundingRect();
    return QRectF(d->view->viewport()->mapTo(this, r.topLeft()), r.size());
}

bool TimeSeriesChart::isCrosshairVisible() const
{
    return d->crossLine->isVisible();
}

QString TimeSeriesChart::crosshairText() const
{
    return d->crossText;
}

QString TimeSeriesChart::timeLabel(double t) const
{
    if (timeAxis() == TimeAxis::WallClock)
        return wallClockLabel(d->origin, t);
    return QStringLiteral("%1 s").arg(t, 0, 'f', 1);
}

void TimeSeriesChart::showCrosshairAt(double t)
{
    if (std::isnan(t) || d->series.isEmpty())
        return hideCrosshair();
    d->crossT = t;
    QStringList lines{timeLabel(t)};
    const QString unit = d->unit.isEmpty() ? QString() : QStringLiteral(" ") + d->unit;
    for (int i = 0; i < d->series.size(); ++i) {
        if (!d->series.at(i)->isVisible())
            continue;
        const QList<QPointF> &kept = d->samples.at(i);
        const qsizetype at = nearestSampleIndex(kept, t);
        lines.append(at < 0 ? QStringLiteral("%1: –").arg(d->series.at(i)->name())
                            : QStringLiteral("%1: %2%3").arg(d->series.at(i)->name())
                                  .arg(kept.at(at).y(), 0, 'g', 5).arg(unit));
    }
    d->crossText = lines.join(QLatin1Char('\n'));

    const QRectF plot = d->chart->plotArea();
    // Any value will do for the time's x; a log axis has no 0.
    const QPointF at = d->chart->mapToPosition(QPointF(t, d->logY ? d->logY->min() : 0.0), d->series.first());
    const double x = qBound(plot.left(), at.x(), plot.right());
    d->crossLine->setLine(QLineF(d->chart->mapToScene(QPointF(x, plot.top())),
                                 d->chart->mapToScene(QPointF(x, plot.bottom()))));
    d->crossLabel->setText(d->crossText);
    const QRectF text = d->crossLabel->boundingRect();
    d->crossBox->setRect(QRectF(0, 0, text.width() + 8, text.height() + 6));
    d->crossLabel->setPos(4, 3);
    // Beside the line, on whichever side has room.
    double left = x + 6;
    if (left + d->crossBox->rect().width() > plot.right())
        left = x - 6 - d->crossBox->rect().width();
    d->crossBox->setPos(d->chart->mapToScene(QPointF(qMax(plot.left(), left), plot.top() + 2)));
    d->crossLine->setVisible(true);
    d->crossBox->setVisible(true);
}

void TimeSeriesChart::hideCrosshair()
{
    d->crossT = std::numeric_limits<double>::quiet_NaN();
    d->crossText.clear();
    d->crossLine->setVisible(false);
    d->crossBox->setVisible(false);
}

bool TimeSeriesChart::eventFilter(QObject *watched, QEvent *event)
{
    if (watched == d->view->viewport()) {
        if (event->type() == QEvent::MouseMove) {
            auto *e = static_cast<QMouseEvent *>(event);
            // The whole plot area answers, not only the 2 px of a line.
            const QPointF inChart = d->chart->mapFromScene(d->view->mapToScene(e->position().toPoint()));
            if (e->buttons() == Qt::NoButton && d->chart->plotArea().contains(inChart) && !d->series.isEmpty()) {
                d->crossPoint = inChart;
                showCrosshairAt(d->chart->mapToValue(inChart, d->series.first()).x());
            } else
                hideCrosshair();
        } else if (event->type() == QEvent::Leave) {
            hideCrosshair();
        }
    }
    return QWidget::eventFilter(watched, event);
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
    hideCrosshair();
    return savePngWithCaption(grab(), caption, palette(), path, error);
}

void TimeSeriesChart::clear()
{
    for (QLineSeries *s : std::as_const(d->series))
        s->clear();
    for (QList<QPointF> &kept : d->samples)
        kept.clear();
    hideCrosshair();
    d->times.clear();
    d->rows.clear();
    d->held.clear();
    d->firstT = -1;
    d->lastT = 0;
    d->axisX->setRange(0, qMin(10.0, d->windowSeconds));
    updateValueAxis(true);
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

void TimeSeriesChart::setSeriesVisible(int series, bool visible)
{
    QLineSeries *s = d->series.value(series);
    if (!s || s->isVisible() == visible)
        return;
    s->setVisible(visible);
    updateValueAxis(true);
    if (d->crossBox->isVisible())
        showCrosshairAt(d->crossT);
}

bool TimeSeriesChart::isSeriesVisible(int series) const
{
    QLineSeries *s = d->series.value(series);
    return s && s->isVisible();
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
        QFont f = font();
        f.setBold(true);
        d->chart->setTitleFont(f);
        styleAxes();
    }
    QWidget::changeEvent(event);
}

void TimeSeriesChart::styleAxes()
{
    const QPalette pal = palette();
    QFont small = font();
    small.setPointSizeF(small.pointSizeF() * 0.85);
    d->chart->legend()->setFont(small);
    for (QAbstractAxis *axis : {static_cast<QAbstractAxis *>(d->axisX), d->axisY()}) {
        axis->setLabelsColor(pal.color(QPalette::Text));
        axis->setGridLineColor(pal.color(QPalette::Mid));
        axis->setLabelsFont(small);
    }
    // The crosshair reads like a tooltip in either palette.
    d->crossLine->setPen(QPen(pal.color(QPalette::Text), 1, Qt::DashLine));
    d->crossBox->setBrush(pal.brush(QPalette::ToolTipBase));
    d->crossBox->setPen(QPen(pal.color(QPalette::Mid)));
    d->crossLabel->setBrush(pal.brush(QPalette::ToolTipText));
    d->crossLabel->setFont(small);
}

} // namespace quicpool::diag
