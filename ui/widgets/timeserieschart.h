// A live line chart of a few named series over time: append-only with a
// bounded window, axes that scroll, pause, zoom/pan, a hover crosshair that
// reads every series at the pointer's time, a time axis in seconds since
// the start or in wall-clock time, a linear or logarithmic value axis, and
// export.
// Qt Charts stays behind this class (it is deprecated from Qt 6.10), so the
// rest of the app never names a Qt Charts type and the backend can change.
#pragma once

#include <QtCore/QDateTime>
#include <QtCore/QList>
#include <QtCore/QString>
#include <QtGui/QPalette>
#include <QtGui/QPixmap>
#include <QtWidgets/QWidget>
#include <memory>

class QMenu;

namespace quicpool::diag {

/// `pixmap` with a band on top holding `caption` in the palette's colours
/// (an empty caption returns the pixmap as it is).
QPixmap withCaption(const QPixmap &pixmap, const QString &caption, const QPalette &palette);
/// Saves withCaption(...) as PNG; false with a sentence on failure.
bool savePngWithCaption(const QPixmap &pixmap, const QString &caption, const QPalette &palette,
                        const QString &path, QString *error);

class TimeSeriesChart : public QWidget
{
    Q_OBJECT
public:
    enum class TimeAxis {
        Relative,  ///< seconds since the chart's time origin: "12 s"
        WallClock, ///< the clock time of each sample: "14:03:20"
    };
    explicit TimeSeriesChart(const QString &title, const QString &unit = {}, QWidget *parent = nullptr);
    ~TimeSeriesChart() override;

    /// Returns the new series' index.
    int addSeries(const QString &name);
    int seriesCount() const;
    QString seriesName(int index) const;
    QString title() const;

    /// One value per series at time t (seconds); NaN leaves a series alone.
    void append(double t, const QList<double> &values);
    /// Replaces every series' points at once, for data read whole (a qlog
    /// file) rather than fed live: one redraw, the time axis spanning all of
    /// it, maxPoints() raised to fit, CSV rows one per distinct time.
    /// Points of a series must be in time order.
    void setAllPoints(const QList<QList<QPointF>> &perSeries);
    /// Points currently held by a series (at most maxPoints()).
    int pointCount(int series) const;
    /// The points of a series, oldest first.
    QList<QPointF> points(int series) const;

    int maxPoints() const;
    void setMaxPoints(int points);
    /// The visible time span while following the newest data.
    double windowSeconds() const;
    void setWindowSeconds(double seconds);

    /// Paused charts keep the samples aside and draw them on resume.
    void setPaused(bool paused);
    bool isPaused() const;
    /// Back to following the newest data at the normal scale.
    void resetZoom();
    bool isFollowing() const;
    void zoomBy(double factor);
    void panBy(double dxPixels, double dyPixels);

    /// Time plus one column per series, one row per append.
    QByteArray toCsv() const;
    bool exportCsv(const QString &path, QString *error = nullptr) const;
    /// The chart as shown, with `caption` (what, where, when) on a band above it.
    bool exportPng(const QString &path, QString *error = nullptr, const QString &caption = {});

    /// Drops every point (a new run starts on an empty chart).
    void clear();
    /// Draws a series dashed, so two lines that coincide stay told apart.
    void setSeriesDashed(int series, bool dashed);
    bool isSeriesDashed(int series) const;
    /// Hides or shows a series: its line and legend entry, its place in the
    /// value axis' range and in the crosshair's label. Its samples are kept
    /// (and exported) either way.
    void setSeriesVisible(int series, bool visible);
    bool isSeriesVisible(int series) const;

    /// The wall-clock moment of t = 0 (the times given to append() count
    /// from it); by default when the chart was made.
    void setTimeOrigin(const QDateTime &origin);
    QDateTime timeOrigin() const;
    void setTimeAxis(TimeAxis axis);
    /// What the time axis shown really is.
    TimeAxis timeAxis() const;
    /// The labels on a wall-clock time axis, left to right (empty on a
    /// relative one, whose labels Qt Charts computes).
    QStringList timeAxisLabels() const;
    /// A logarithmic value axis: samples <= 0 have no place on it and are
    /// not drawn (the crosshair still reads them).
    void setLogScale(bool logarithmic);
    /// Whether the value axis shown really is logarithmic.
    bool isLogScale() const;
    /// The menu a right click (without dragging) opens: time axis, scale,
    /// reset zoom. The caller owns it.
    QMenu *createContextMenu(QWidget *parent);

    /// The plot area in this widget's coordinates.
    QRectF plotArea() const;
    /// The hover crosshair: shown while the pointer is over the plot area.
    bool isCrosshairVisible() const;
    /// What the crosshair's label reads: the time, then one line per
    /// series with its sample nearest that time ("name: value unit").
    QString crosshairText() const;
    /// Shows the crosshair at chart time t (what a pointer at that time
    /// shows), or hides it for NaN.
    void showCrosshairAt(double t);
    /// Hides the crosshair (exports do, so a pointer left over the chart
    /// does not end up in the picture).
    void hideCrosshair();

Q_SIGNALS:
    void followingChanged(bool following);

protected:
    void changeEvent(QEvent *event) override;
    bool eventFilter(QObject *watched, QEvent *event) override;

private:
    double visibleSpan() const;
    double followRight() const;
    void updateValueAxis(bool force);
    void installTimeAxis(TimeAxis axis);
    void relabelWallClock();
    void redrawSeries();
    void styleAxes();
    QString timeLabel(double t) const;

    class Private;
    std::unique_ptr<Private> d;
};

} // namespace quicpool::diag
