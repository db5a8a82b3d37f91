#include "pathfields.h"

#include <QtWidgets/QComboBox>
#include <QtWidgets/QFormLayout>
#include <QtWidgets/QSpinBox>

namespace quicpool::diag {

namespace {
QSpinBox *kibSpin(QWidget *parent, const QString &tip)
{
    auto *s = new QSpinBox(parent);
    // From 0 on purpose: the form says why a value is refused.
    s->setRange(0, 4 * 1024 * 1024);
    s->setSuffix(QObject::tr(" KiB"));
    s->setSingleStep(1024);
    s->setAccelerated(true);
    s->setToolTip(tip);
    return s;
}
} // namespace

PathFields::PathFields(QFormLayout *layout, InlineErrors &errors, QWidget *parent)
{
    m_cc = new QComboBox(parent);
    for (CongestionControl cc : {CongestionControl::Bbr, CongestionControl::Cubic, CongestionControl::Reno})
        m_cc->addItem(congestionControlName(cc), congestionControlName(cc));
    m_cc->setToolTip(QObject::tr("BBR keeps a lossy long path full; CUBIC and Reno read random loss as congestion"));
    m_stream = kibSpin(parent, QObject::tr("How far one stream's receive window may grow (credit, not memory)"));
    m_connection = kibSpin(parent, QObject::tr("How far the connection's receive window may grow"));
    m_send = kibSpin(parent, QObject::tr("The most unacknowledged data one connection buffers"));
    layout->addRow(QObject::tr("Congestion control:"), errors.wrap(QStringLiteral("congestionControl"), m_cc));
    layout->addRow(QObject::tr("Stream window up to:"), errors.wrap(QStringLiteral("streamWindow"), m_stream));
    layout->addRow(QObject::tr("Connection window up to:"), errors.wrap(QStringLiteral("connectionWindow"), m_connection));
    m_busyPoll = new QSpinBox(parent);
    m_busyPoll->setRange(0, 1000);
    m_busyPoll->setSuffix(QObject::tr(" µs"));
    m_busyPoll->setSingleStep(10);
    m_busyPoll->setSpecialValueText(QObject::tr("off"));
    m_busyPoll->setToolTip(QObject::tr("Keep reading the socket this long after the last datagram instead of "
                                       "sleeping: lower round-trip latency, a busy core while traffic flows. "
                                       "Set it above the round trip (100 µs on loopback)."));
    layout->addRow(QObject::tr("Send buffer limit:"), errors.wrap(QStringLiteral("sendBuffer"), m_send));
    layout->addRow(QObject::tr("Busy-poll:"), errors.wrap(QStringLiteral("busyPoll"), m_busyPoll));
    setForm(PathForm());
}

PathForm PathFields::form() const
{
    PathForm f;
    f.congestionControl = m_cc->currentData().toString();
    f.streamWindowKiB = m_stream->value();
    f.connectionWindowKiB = m_connection->value();
    f.sendBufferKiB = m_send->value();
    f.busyPollUs = m_busyPoll->value();
    return f;
}

void PathFields::setForm(const PathForm &f)
{
    const int i = m_cc->findData(f.congestionControl);
    m_cc->setCurrentIndex(i >= 0 ? i : 0);
    m_stream->setValue(f.streamWindowKiB);
    m_connection->setValue(f.connectionWindowKiB);
    m_send->setValue(f.sendBufferKiB);
    m_busyPoll->setValue(f.busyPollUs);
}

void PathFields::onChanged(const std::function<void()> &callback)
{
    QObject::connect(m_cc, &QComboBox::currentIndexChanged, m_cc, [callback] { callback(); });
    for (QSpinBox *s : {m_stream, m_connection, m_send, m_busyPoll})
        QObject::connect(s, &QSpinBox::valueChanged, s, [callback] { callback(); });
}

} // namespace quicpool::diag
