#include "connectionpanel.h"

#include <quicpool/certificate.h>

#include <QtWidgets/QFormLayout>
#include <QtWidgets/QHBoxLayout>
#include <QtWidgets/QHeaderView>
#include <QtWidgets/QLabel>
#include <QtWidgets/QPushButton>
#include <QtWidgets/QScrollArea>
#include <QtWidgets/QSplitter>
#include <QtWidgets/QTreeWidget>
#include <QtWidgets/QVBoxLayout>

namespace quicpool::diag {

namespace {
QString endpoint(const QHostAddress &a, quint16 port)
{
    if (a.isNull())
        return QStringLiteral("-");
    return a.protocol() == QAbstractSocket::IPv6Protocol ? QStringLiteral("[%1]:%2").arg(a.toString()).arg(port)
                                                         : QStringLiteral("%1:%2").arg(a.toString()).arg(port);
}
QString ms(qint64 us)
{
    return QStringLiteral("%1 ms").arg(double(us) / 1000.0, 0, 'f', 2);
}
} // namespace

QList<QPair<QString, QString>> connectionRows(const ConnectionDetails &d)
{
    QList<QPair<QString, QString>> rows;
    const ConnectionInfo &i = d.info;
    if (!d.error.isEmpty())
        rows.append({QStringLiteral("Status"), d.error});
    else
        rows.append({QStringLiteral("Status"), i.isValid() ? QStringLiteral("connected") : QStringLiteral("no connection")});
    if (d.connectionCount >= 0)
        rows.append({QStringLiteral("Connections"), QString::number(d.connectionCount)});
    if (!d.serverFingerprint.isEmpty())
        rows.append({QStringLiteral("Own certificate"), d.serverFingerprint});
    if (!i.isValid())
        return rows;
    rows.append({QStringLiteral("TLS version"), i.tlsVersion()});
    rows.append({QStringLiteral("Cipher"), i.cipher()});
    rows.append({QStringLiteral("ALPN"), i.alpn()});
    rows.append({QStringLiteral("Local address"), endpoint(i.localAddress(), i.localPort())});
    rows.append({QStringLiteral("Remote address"), endpoint(i.peerAddress(), i.peerPort())});
    if (!i.peerCertificates().isEmpty())
        rows.append({QStringLiteral("Peer fingerprint"), certificateFingerprint(i.peerCertificates().first())});
    else if (!i.localCertificate().isNull())
        rows.append({QStringLiteral("Certificate fingerprint"), certificateFingerprint(i.localCertificate())});
    const ConnectionStats &s = i.stats();
    rows.append({QStringLiteral("RTT (smoothed / min / latest)"),
                 QStringLiteral("%1 / %2 / %3").arg(ms(s.smoothedRttUs()), ms(s.minRttUs()), ms(s.latestRttUs()))});
    rows.append({QStringLiteral("Congestion window"), QStringLiteral("%1 bytes (%2 in flight)").arg(s.congestionWindow()).arg(s.bytesInFlight())});
    rows.append({QStringLiteral("Sent / received"), QStringLiteral("%1 / %2 bytes, %3 / %4 packets")
                                                      .arg(s.bytesSent()).arg(s.bytesReceived())
                                                      .arg(s.packetsSent()).arg(s.packetsReceived())});
    rows.append({QStringLiteral("Lost packets"), QStringLiteral("%1 (%2 bytes)").arg(s.lostPackets()).arg(s.bytesLost())});
    rows.append({QStringLiteral("Congestion events"), QString::number(s.congestionEvents())});
    return rows;
}

bool isSelfIssued(const QSslCertificate &c)
{
    if (c.isNull())
        return false;
    // QSslCertificate::isSelfSigned() also asks the backend whether the
    // certificate may sign certificates; a generated leaf (NodePass mode 1,
    // key usage: digital signature only) signs itself yet reads "no" there.
    if (c.isSelfSigned())
        return true;
    const QList<QByteArray> subject = c.subjectInfoAttributes();
    if (subject.isEmpty() || subject.size() != c.issuerInfoAttributes().size())
        return false;
    for (const QByteArray &attribute : subject) {
        if (c.subjectInfo(attribute) != c.issuerInfo(attribute))
            return false;
    }
    return true;
}

QList<QPair<QString, QString>> certificateRows(const QSslCertificate &c)
{
    return {
        {QStringLiteral("Subject"), c.subjectDisplayName().isEmpty() ? c.subjectInfo(QSslCertificate::CommonName).join(QStringLiteral(", "))
                                                                      : c.subjectDisplayName()},
        {QStringLiteral("Issuer"), c.issuerDisplayName().isEmpty() ? c.issuerInfo(QSslCertificate::CommonName).join(QStringLiteral(", "))
                                                                    : c.issuerDisplayName()},
        {QStringLiteral("Valid from"), c.effectiveDate().toString(Qt::ISODate)},
        {QStringLiteral("Valid until"), c.expiryDate().toString(Qt::ISODate)},
        {QStringLiteral("Self-signed"), isSelfIssued(c) ? QStringLiteral("yes") : QStringLiteral("no")},
        {QStringLiteral("Fingerprint"), certificateFingerprint(c)},
    };
}

ConnectionPanel::ConnectionPanel(QWidget *parent) : QWidget(parent)
{
    auto *formBox = new QWidget;
    m_form = new QFormLayout(formBox);
    m_chain = new QTreeWidget(this);
    m_chain->setHeaderLabels({tr("Certificate chain"), tr("Value")});
    m_chain->header()->setSectionResizeMode(0, QHeaderView::ResizeToContents);
    auto *refresh = new QPushButton(tr("Refresh"), this);
    connect(refresh, &QPushButton::clicked, this, &ConnectionPanel::refreshRequested);
    // The form is long: it scrolls rather than set the window's minimum height.
    auto *scroll = new QScrollArea(this);
    scroll->setWidget(formBox);
    scroll->setWidgetResizable(true);
    scroll->setFrameShape(QFrame::NoFrame);
    auto *split = new QSplitter(Qt::Horizontal, this);
    split->addWidget(scroll);
    split->addWidget(m_chain);
    // The details need room for their labels and values: never squeezed
    // to a strip, and half the width to start with.
    scroll->setMinimumWidth(320);
    m_chain->setMinimumWidth(220);
    split->setChildrenCollapsible(false);
    split->setStretchFactor(0, 3);
    split->setStretchFactor(1, 2);
    split->setSizes({600, 400});
    auto *top = new QHBoxLayout;
    top->addWidget(new QLabel(tr("Fetched on the pool's thread; refreshed every few seconds."), this), 1);
    top->addWidget(refresh);
    auto *layout = new QVBoxLayout(this);
    layout->addLayout(top);
    layout->addWidget(split, 1);
    setDetails(ConnectionDetails());
}

void ConnectionPanel::setDetails(const ConnectionDetails &details)
{
    m_rows = connectionRows(details);
    while (m_form->rowCount() > 0)
        m_form->removeRow(0);
    for (const auto &row : std::as_const(m_rows)) {
        auto *value = new QLabel(row.second);
        value->setTextInteractionFlags(Qt::TextSelectableByMouse);
        value->setWordWrap(true);
        m_form->addRow(row.first + QLatin1Char(':'), value);
    }
    m_chain->clear();
    QList<QSslCertificate> chain = details.info.peerCertificates();
    if (chain.isEmpty() && !details.info.localCertificate().isNull())
        chain.append(details.info.localCertificate());
    for (int i = 0; i < chain.size(); ++i) {
        auto *item = new QTreeWidgetItem(m_chain, {i == 0 ? tr("Leaf") : tr("Certificate %1").arg(i + 1)});
        for (const auto &row : certificateRows(chain.at(i)))
            new QTreeWidgetItem(item, {row.first, row.second});
        item->setExpanded(true);
    }
}

QString ConnectionPanel::valueOf(const QString &label) const
{
    for (const auto &row : m_rows) {
        if (row.first == label)
            return row.second;
    }
    return {};
}

} // namespace quicpool::diag
