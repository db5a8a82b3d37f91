// The live charts of one pool, fed with PoolSamples: pool counters,
// interval (client pools) or handshakes and defences (server pools), RTT,
// congestion window, throughput and loss.
#pragma once

#include "poolsample.h"

#include <QtCore/QDateTime>
#include <QtWidgets/QWidget>

namespace quicpool::diag {

class TimeSeriesChart;

class PoolCharts : public QWidget
{
    Q_OBJECT
public:
    /// A server pool has no refill interval; its second chart is the
    /// defences' (defenceChart()).
    explicit PoolCharts(bool server = false, QWidget *parent = nullptr);

    void addSample(const PoolSample &sample);
    /// The smallest a chart gets: labels and ticks still readable.
    static QSize minimumChartSize();
    QList<TimeSeriesChart *> charts() const { return m_charts; }
    TimeSeriesChart *poolChart() const { return m_pool; }
    TimeSeriesChart *throughputChart() const { return m_throughput; }
    TimeSeriesChart *rttChart() const { return m_rtt; }
    TimeSeriesChart *congestionChart() const { return m_cwnd; }
    /// Server pools: pending handshakes, Retries, allow-list refusals and
    /// drops at the bounds per second; nullptr for client pools.
    TimeSeriesChart *defenceChart() const { return m_defence; }
    enum DefenceSeries { PendingSeries, RetriesSeries, RefusalsSeries, DropsSeries };

    void setPaused(bool paused);
    bool isPaused() const { return m_paused; }
    void resetZoom();
    /// The wall-clock moment the samples' time counts from, for the
    /// charts' wall-clock time axis.
    void setTimeOrigin(const QDateTime &origin);
    /// The charts with `caption` (pool name, address, time range) above them.
    bool exportPng(const QString &path, QString *error = nullptr, const QString &caption = {});

private:
    QList<TimeSeriesChart *> m_charts;
    TimeSeriesChart *m_pool;
    TimeSeriesChart *m_interval = nullptr;
    TimeSeriesChart *m_defence = nullptr;
    TimeSeriesChart *m_rtt;
    TimeSeriesChart *m_cwnd;
    TimeSeriesChart *m_throughput;
    TimeSeriesChart *m_loss;
    bool m_paused = false;
};

} // namespace quicpool::diag
