// The qlog viewer: one tab per file (File > Open qlog…). Reads the file on
// a thread (QlogLoader), then draws the connection's congestion window and
// bytes in flight, RTTs, packets sent / received / lost and stream data
// over time on the live tabs' charts (TimeSeriesChart: crosshair, zoom,
// pan, log scale, wall-clock axis), with a line of totals above them and
// the file's problems in a banner. Exports: the charts as a captioned PNG,
// the series as CSV.
#pragma once

#include "qlogreader.h"

#include <QtWidgets/QWidget>

class QLabel;
class QProgressBar;
class QPushButton;

namespace quicpool::diag {

class QlogLoader;
class TimeSeriesChart;

class QlogView : public QWidget
{
    Q_OBJECT
public:
    explicit QlogView(QWidget *parent = nullptr);
    ~QlogView() override;

    /// Starts reading `path` (on a thread); loaded() follows.
    void open(const QString &path);
    /// Shows a result read elsewhere (the loader's, or a test's).
    void showResult(const QString &path, const QlogParseResult &result);

    QString path() const { return m_path; }
    /// The file's name, for the tab.
    QString fileName() const;
    bool isLoading() const;
    bool hasResult() const { return m_hasResult; }
    const QlogParseResult &result() const { return m_result; }
    /// "ngtcp2 client · JSON-SEQ qlog 0.3 · 12.3 s · 40,112 packets sent …"
    QString summaryText() const;
    /// The error sentence, or the warnings, one a line: the banner's text.
    QString bannerText() const;
    bool bannerIsError() const { return m_bannerIsError; }

    QList<TimeSeriesChart *> charts() const { return m_charts; }
    TimeSeriesChart *congestionChart() const { return m_charts.value(0); }
    TimeSeriesChart *rttChart() const { return m_charts.value(1); }
    TimeSeriesChart *packetChart() const { return m_charts.value(2); }
    TimeSeriesChart *streamChart() const { return m_charts.value(3); }

    /// "file · producer vantage · started … · duration".
    QString exportCaption() const;
    bool exportPng(const QString &path, QString *error = nullptr);
    bool exportCsv(const QString &path, QString *error = nullptr) const;

public Q_SLOTS:
    void cancel();
    void resetZoom();

Q_SIGNALS:
    /// The file was read (ok) or could not be (the banner says why).
    void loaded(bool ok);
    void statusMessage(const QString &text, bool isError);

private:
    void setBanner(const QString &text, bool isError);
    void fillCharts(const QlogTrace &trace);

    QlogLoader *m_loader;
    QString m_path;
    QlogParseResult m_result;
    bool m_hasResult = false;
    bool m_bannerIsError = false;
    QLabel *m_title;
    QLabel *m_summary;
    QWidget *m_bannerBox;
    QLabel *m_bannerIcon;
    QLabel *m_banner;
    QProgressBar *m_progress;
    QPushButton *m_cancel;
    QPushButton *m_png;
    QPushButton *m_csv;
    QWidget *m_chartBox;
    QList<TimeSeriesChart *> m_charts;
};

} // namespace quicpool::diag
