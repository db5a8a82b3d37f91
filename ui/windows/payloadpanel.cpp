#include "payloadpanel.h"

#include <QtGui/QFontDatabase>
#include <QtWidgets/QComboBox>
#include <QtWidgets/QFileDialog>
#include <QtWidgets/QGridLayout>
#include <QtWidgets/QHBoxLayout>
#include <QtWidgets/QLabel>
#include <QtWidgets/QLineEdit>
#include <QtWidgets/QPlainTextEdit>
#include <QtWidgets/QPushButton>
#include <QtWidgets/QSpinBox>
#include <QtGui/QFontMetrics>
#include <QtWidgets/QSplitter>
#include <QtWidgets/QVBoxLayout>

namespace quicpool::diag {

PayloadPanel::PayloadPanel(QWidget *parent) : QWidget(parent)
{
    m_streamLabel = new QLabel(tr("No stream taken: fetch one by ID or take the next."), this);
    m_kind = new QComboBox(this);
    m_kind->addItem(tr("Text"), int(PayloadKind::Text));
    m_kind->addItem(tr("Hex"), int(PayloadKind::Hex));
    m_kind->addItem(tr("File"), int(PayloadKind::File));
    m_kind->addItem(tr("Random bytes"), int(PayloadKind::Random));
    m_kind->addItem(tr("Pattern bytes (i % 251)"), int(PayloadKind::Pattern));
    m_input = new QLineEdit(this);
    m_input->setText(QStringLiteral("hello, pool"));
    m_count = new QSpinBox(this);
    m_count->setRange(1, int(maxGeneratedBytes));
    m_count->setValue(4096);
    m_count->setSuffix(tr(" bytes"));
    m_browse = new QPushButton(tr("Browse…"), this);
    connect(m_browse, &QPushButton::clicked, this, [this] {
        const QString path = QFileDialog::getOpenFileName(this, tr("File to send"));
        if (!path.isEmpty())
            m_input->setText(path);
    });
    connect(m_kind, &QComboBox::currentIndexChanged, this, &PayloadPanel::updateInputs);
    connect(m_input, &QLineEdit::returnPressed, this, [this] { send(false); });

    m_send = new QPushButton(tr("Send"), this);
    m_sendFin = new QPushButton(tr("Send + FIN"), this);
    m_sendFin->setToolTip(tr("Send, then close our side (the echo server answers and closes)"));
    m_close = new QPushButton(tr("Close (FIN)"), this);
    m_abort = new QPushButton(tr("Abort (reset)"), this);
    m_release = new QPushButton(tr("Release"), this);
    m_release->setToolTip(tr("Forget the stream (aborting it if still open)"));
    connect(m_send, &QPushButton::clicked, this, [this] { send(false); });
    connect(m_sendFin, &QPushButton::clicked, this, [this] { send(true); });
    connect(m_close, &QPushButton::clicked, this, [this] { if (m_key >= 0) Q_EMIT closeRequested(m_key); });
    connect(m_abort, &QPushButton::clicked, this, [this] { if (m_key >= 0) Q_EMIT abortRequested(m_key); });
    connect(m_release, &QPushButton::clicked, this, [this] { if (m_key >= 0) Q_EMIT releaseRequested(m_key); });

    const QFont mono = QFontDatabase::systemFont(QFontDatabase::FixedFont);
    m_hex = new QPlainTextEdit(this);
    m_hex->setReadOnly(true);
    m_hex->setFont(mono);
    m_hex->setLineWrapMode(QPlainTextEdit::NoWrap);
    m_hex->setPlaceholderText(tr("Received bytes (hex)"));
    m_text = new QPlainTextEdit(this);
    m_text->setReadOnly(true);
    m_text->setFont(mono);
    m_text->setPlaceholderText(tr("Received bytes (text)"));
    // Five lines at least, so a reply reads as a reply; the pool tab's
    // splitter gives more (the window must still fit 1024x700).
    const int lines = QFontMetrics(mono).lineSpacing() * 5 + 12;
    m_hex->setMinimumHeight(lines);
    m_text->setMinimumHeight(lines);
    m_echo = new QLabel(this);
    m_echo->setTextInteractionFlags(Qt::TextSelectableByMouse);

    auto *inputRow = new QHBoxLayout;
    inputRow->addWidget(m_kind);
    inputRow->addWidget(m_input, 1);
    inputRow->addWidget(m_count);
    inputRow->addWidget(m_browse);
    auto *inputBox = new QWidget(this);
    inputBox->setLayout(inputRow);
    inputRow->setContentsMargins(0, 0, 0, 0);

    auto *buttons = new QHBoxLayout;
    for (QPushButton *b : {m_send, m_sendFin, m_close, m_abort, m_release})
        buttons->addWidget(b);
    buttons->addStretch(1);

    auto *views = new QSplitter(Qt::Horizontal, this);
    views->addWidget(m_hex);
    views->addWidget(m_text);
    views->setStretchFactor(0, 3);
    views->setStretchFactor(1, 2);

    auto *layout = new QVBoxLayout(this);
    layout->addWidget(m_streamLabel);
    layout->addWidget(m_errors.wrap(QStringLiteral("payload"), inputBox));
    layout->addLayout(buttons);
    layout->addWidget(m_echo);
    layout->addWidget(views, 1);
    updateInputs();
    setStream(-1, {});
}

void PayloadPanel::updateInputs()
{
    const auto kind = PayloadKind(m_kind->currentData().toInt());
    const bool generated = kind == PayloadKind::Random || kind == PayloadKind::Pattern;
    m_input->setVisible(!generated);
    m_count->setVisible(generated);
    m_browse->setVisible(kind == PayloadKind::File);
    m_input->setPlaceholderText(kind == PayloadKind::Hex ? tr("e.g. 48 65 6c 6c 6f") :
                                kind == PayloadKind::File ? tr("path of the file to send") : tr("text to send"));
    m_errors.clear();
}

void PayloadPanel::setStream(int key, const QString &label)
{
    m_key = key;
    const bool have = key >= 0;
    m_streamLabel->setText(have ? tr("Stream %1").arg(label)
                                : tr("No stream selected: fetch one by ID, take the next, or select a taken stream."));
    for (QPushButton *b : {m_send, m_sendFin, m_close, m_abort, m_release})
        b->setEnabled(have);
    refreshViews();
}

void PayloadPanel::forgetStream(int key)
{
    m_sent.remove(key);
    m_received.remove(key);
    m_sentAt.remove(key);
    m_lastArrivalMs.remove(key);
    if (key == m_key)
        setStream(-1, {});
}

void PayloadPanel::setKind(PayloadKind kind)
{
    m_kind->setCurrentIndex(m_kind->findData(int(kind)));
}

void PayloadPanel::setInput(const QString &text)
{
    m_input->setText(text);
}

void PayloadPanel::setCount(int count)
{
    m_count->setValue(count);
}

bool PayloadPanel::send(bool finAfter)
{
    if (m_key < 0) {
        m_errors.show({{QStringLiteral("payload"), tr("Take a stream first.")}});
        return false;
    }
    const auto kind = PayloadKind(m_kind->currentData().toInt());
    const PayloadResult r = buildPayload(kind, m_input->text(), m_count->value());
    if (!r.error.isEmpty()) {
        m_errors.show({{QStringLiteral("payload"), r.error}});
        return false;
    }
    m_errors.clear();
    // The echo check compares everything sent with everything received on
    // this stream since the first send.
    if (!m_sentAt.contains(m_key)) {
        QElapsedTimer t;
        t.start();
        m_sentAt.insert(m_key, t);
    }
    m_sent[m_key] += r.bytes;
    Q_EMIT sendRequested(m_key, r.bytes, finAfter);
    refreshViews();
    return true;
}

void PayloadPanel::addReceived(int key, const QByteArray &bytes)
{
    m_received[key] += bytes;
    if (m_sentAt.contains(key))
        m_lastArrivalMs[key] = m_sentAt[key].elapsed();
    if (key == m_key)
        refreshViews();
}

EchoCheck PayloadPanel::echoCheck(int key) const
{
    return compareEcho(m_sent.value(key), m_received.value(key));
}

QString PayloadPanel::echoText() const
{
    return m_echo->text();
}

void PayloadPanel::refreshViews()
{
    const QByteArray got = m_received.value(m_key);
    m_hex->setPlainText(hexDump(got));
    m_text->setPlainText(printableText(got));
    if (m_key < 0 || m_sent.value(m_key).isEmpty()) {
        m_echo->setText(got.isEmpty() ? QString() : tr("%1 bytes received").arg(got.size()));
        return;
    }
    const EchoCheck c = echoCheck(m_key);
    m_echo->setText(c.summary(m_lastArrivalMs.value(m_key, m_sentAt.value(m_key).elapsed())));
}

} // namespace quicpool::diag
