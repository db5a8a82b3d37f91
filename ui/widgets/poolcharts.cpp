#include "poolcharts.h"

#include "timeserieschart.h"

#include <QtWidgets/QGridLayout>

#include <limits>

namespace quicpool::diag {

PoolCharts::PoolCharts(bool server, QWidget *parent) : QWidget(parent)
{
    m_pool = new TimeSeriesChart(tr("Pool"), QString(), this);
    m_pool->addSeries(tr("active"));
    m_pool->addSeries(tr("capacity"));
    m_pool->addSeries(tr("errors"));
    if (server) {
        m_defence = new TimeSeriesChart(tr("Handshakes"), QString(), this);
        m_defence->addSeries(tr("pending"));
        m_defence->addSeries(tr("Retries/s"));
        m_defence->addSeries(tr("refused/s"));
        m_defence->addSeries(tr("dropped/s"));
        // A flood's Retries run in the hundreds per second while the
        // pending handshakes stay at the Retry threshold (64 by default, 8
        // in the screenshots): on a linear axis the second is a line on
        // the floor. Zeros are not drawn on it; the crosshair reads them.
        m_defence->setLogScale(true);
    } else {
        m_interval = new TimeSeriesChart(tr("Refill interval"), tr("ms"), this);
        m_interval->addSeries(tr("interval"));
    }
    m_rtt = new TimeSeriesChart(tr("RTT"), tr("ms"), this);
    m_rtt->addSeries(tr("smoothed"));
    m_rtt->addSeries(tr("latest"));
    m_cwnd = new TimeSeriesChart(tr("Congestion window"), tr("KiB"), this);
    m_cwnd->addSeries(tr("cwnd"));
    m_cwnd->addSeries(tr("in flight"));
    m_throughput = new TimeSeriesChart(tr("Throughput"), tr("KiB/s"), this);
    m_throughput->addSeries(tr("in"));
    m_throughput->addSeries(tr("out"));
    // On echo loads in and out coincide: dashed "out" keeps "in" visible.
    m_throughput->setSeriesDashed(1, true);
    m_loss = new TimeSeriesChart(tr("Loss"), QString(), this);
    m_loss->addSeries(tr("lost packets"));
    m_loss->addSeries(tr("congestion events"));
    m_charts = {m_pool, server ? m_defence : m_interval, m_throughput, m_rtt, m_cwnd, m_loss};

    auto *grid = new QGridLayout(this);
    grid->setContentsMargins(0, 0, 0, 0);
    grid->setSpacing(4);
    for (int i = 0; i < m_charts.size(); ++i) {
        // Below this a chart turns into a strip with "…" for ticks; the
        // pool tab scrolls the charts instead (see minimumChartSize()).
        m_charts.at(i)->setMinimumSize(minimumChartSize());
        grid->addWidget(m_charts.at(i), i / 3, i % 3);
    }
}

void PoolCharts::addSample(const PoolSample &s)
{
    m_pool->append(s.t, {double(s.active), double(s.capacity), double(s.errors)});
    if (m_interval)
        m_interval->append(s.t, {double(s.intervalMs)});
    if (m_defence && s.hasDefence)
        m_defence->append(s.t, {double(s.defence.pendingHandshakes()), s.defenceRates.retriesPerSecond,
                                s.defenceRates.refusalsPerSecond, s.defenceRates.dropsPerSecond});
    if (!hasConnectionFigures(s)) {
        // No handshake completed: the library reports no figures, and
        // ngtcp2's initial guesses (333 ms RTT, 12 KiB window) or zeros
        // would read as measurements. The connection charts get no point.
        return;
    }
    m_rtt->append(s.t, {double(s.stats.smoothedRttUs()) / 1000.0, double(s.stats.latestRttUs()) / 1000.0});
    m_cwnd->append(s.t, {double(s.stats.congestionWindow()) / 1024.0, double(s.stats.bytesInFlight()) / 1024.0});
    m_throughput->append(s.t, {s.rxKiBps, s.txKiBps});
    m_loss->append(s.t, {double(s.stats.lostPackets()), double(s.stats.congestionEvents())});
}

QSize PoolCharts::minimumChartSize()
{
    return {220, 150};
}

void PoolCharts::setPaused(bool paused)
{
    m_paused = paused;
    for (TimeSeriesChart *c : std::as_const(m_charts))
        c->setPaused(paused);
}

void PoolCharts::resetZoom()
{
    for (TimeSeriesChart *c : std::as_const(m_charts))
        c->resetZoom();
}

void PoolCharts::setTimeOrigin(const QDateTime &origin)
{
    for (TimeSeriesChart *c : std::as_const(m_charts))
        c->setTimeOrigin(origin);
}

bool PoolCharts::exportPng(const QString &path, QString *error, const QString &caption)
{
    for (TimeSeriesChart *c : std::as_const(m_charts))
        c->hideCrosshair();
    return savePngWithCaption(grab(), caption, palette(), path, error);
}

} // namespace quicpool::diag
