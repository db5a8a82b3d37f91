#include "serverpoolform.h"

#include <QtWidgets/QCheckBox>
#include <QtWidgets/QComboBox>
#include <QtWidgets/QFileDialog>
#include <QtWidgets/QFormLayout>
#include <QtWidgets/QHBoxLayout>
#include <QtWidgets/QLabel>
#include <QtWidgets/QLineEdit>
#include <QtWidgets/QSpinBox>
#include <QtWidgets/QToolButton>

namespace quicpool::diag {

ServerPoolForm::ServerPoolForm(QWidget *parent) : QWidget(parent)
{
    m_name = new QLineEdit(this);
    m_name->setPlaceholderText(tr("shown on the tab"));
    m_listen = new QLineEdit(this);
    m_listen->setPlaceholderText(QStringLiteral("0.0.0.0:10101 (port 0 picks one)"));
    m_maxCap = new QSpinBox(this);
    m_maxCap->setRange(0, 100000);
    m_clientIp = new QLineEdit(this);
    m_clientIp->setPlaceholderText(tr("any client"));
    m_selfSigned = new QCheckBox(tr("Generate a self-signed certificate"), this);
    m_selfSignedName = new QLineEdit(this);
    m_cert = new QLineEdit(this);
    m_cert->setPlaceholderText(tr("PEM certificate file"));
    m_key = new QLineEdit(this);
    m_key->setPlaceholderText(tr("PEM private key file"));
    m_keepAlive = new QSpinBox(this);
    m_keepAlive->setRange(0, 3600000);
    m_keepAlive->setSuffix(tr(" ms"));
    m_retry = new QComboBox(this);
    m_retry->addItem(tr("auto: once handshakes pile up (a flood)"), int(RetryMode::Auto));
    m_retry->addItem(tr("always"), int(RetryMode::Always));
    m_retry->addItem(tr("never"), int(RetryMode::Never));
    m_retry->setToolTip(tr("When new clients must prove their address with a Retry before any TLS work"));
    m_retryThreshold = new QSpinBox(this);
    m_retryThreshold->setRange(0, 1000000);
    m_retryThreshold->setPrefix(tr("from "));
    m_retryThreshold->setSuffix(tr(" pending handshakes"));
    m_retryThreshold->setToolTip(tr("auto: pending handshakes from which new clients get a Retry"));
    auto *retryRow = new QWidget(this);
    auto *retryLayout = new QHBoxLayout(retryRow);
    retryLayout->setContentsMargins(0, 0, 0, 0);
    retryLayout->addWidget(m_retry, 1);
    retryLayout->addWidget(m_errors.wrap(QStringLiteral("retryThreshold"), m_retryThreshold));
    m_echo = new QCheckBox(tr("Serve every stream as echo (load tests, demo)"), this);
    connect(m_selfSigned, &QCheckBox::toggled, this, &ServerPoolForm::updateEnabled);
    connect(m_retry, &QComboBox::currentIndexChanged, this, &ServerPoolForm::updateEnabled);

    auto *formError = new QLabel(this);
    m_errors.setFormLabel(formError);
    auto *layout = new QFormLayout(this);
    layout->addRow(tr("Name:"), m_name);
    layout->addRow(tr("Listen address:"), m_errors.wrap(QStringLiteral("listenAddress"), m_listen));
    layout->addRow(tr("Max capacity:"), m_errors.wrap(QStringLiteral("maxCapacity"), m_maxCap));
    layout->addRow(tr("Allowed client IP:"), m_errors.wrap(QStringLiteral("clientIp"), m_clientIp));
    layout->addRow(QString(), m_selfSigned);
    layout->addRow(tr("Certificate name:"), m_errors.wrap(QStringLiteral("selfSignedName"), m_selfSignedName));
    layout->addRow(tr("Certificate file:"),
                   m_errors.wrap(QStringLiteral("certificateFile"), withBrowse(m_cert, tr("Certificate"))));
    layout->addRow(tr("Key file:"), m_errors.wrap(QStringLiteral("privateKeyFile"), withBrowse(m_key, tr("Private key"))));
    layout->addRow(tr("Keep-alive:"), m_errors.wrap(QStringLiteral("keepAlive"), m_keepAlive));
    layout->addRow(tr("Retry:"), retryRow);
    m_path = std::make_unique<PathFields>(layout, m_errors, this);
    m_qlog = std::make_unique<QlogFields>(layout, m_errors, this);
    layout->addRow(QString(), m_echo);
    layout->addRow(formError);
    setForm(ServerForm());
    // A message goes as soon as its field is fixed, not at the next Open.
    const auto recheck = [this] { m_errors.update(validateServerForm(form())); };
    for (QLineEdit *e : {m_listen, m_clientIp, m_selfSignedName, m_cert, m_key})
        connect(e, &QLineEdit::textChanged, this, recheck);
    for (QSpinBox *sp : {m_maxCap, m_keepAlive, m_retryThreshold})
        connect(sp, &QSpinBox::valueChanged, this, recheck);
    connect(m_selfSigned, &QCheckBox::toggled, this, recheck);
    m_path->onChanged(recheck);
    m_qlog->onChanged(recheck);
}

ServerPoolForm::~ServerPoolForm() = default;

QWidget *ServerPoolForm::withBrowse(QLineEdit *edit, const QString &title)
{
    auto *box = new QWidget(this);
    auto *row = new QHBoxLayout(box);
    row->setContentsMargins(0, 0, 0, 0);
    row->addWidget(edit, 1);
    auto *browse = new QToolButton(box);
    browse->setText(QStringLiteral("…"));
    browse->setToolTip(tr("Choose a file"));
    connect(browse, &QToolButton::clicked, this, [this, edit, title] {
        const QString path = QFileDialog::getOpenFileName(this, title, edit->text(), tr("PEM files (*.pem *.crt *.key);;All files (*)"));
        if (!path.isEmpty())
            edit->setText(path);
    });
    row->addWidget(browse);
    return box;
}

void ServerPoolForm::updateEnabled()
{
    const bool generate = m_selfSigned->isChecked();
    m_selfSignedName->setEnabled(generate);
    m_cert->parentWidget()->setEnabled(!generate);
    m_key->parentWidget()->setEnabled(!generate);
    m_retryThreshold->setEnabled(RetryMode(m_retry->currentData().toInt()) == RetryMode::Auto);
}

ServerForm ServerPoolForm::form() const
{
    ServerForm f;
    f.listenAddress = m_listen->text();
    f.maxCapacity = m_maxCap->value();
    f.clientIp = m_clientIp->text();
    f.generateSelfSigned = m_selfSigned->isChecked();
    f.selfSignedName = m_selfSignedName->text();
    f.certificateFile = m_cert->text();
    f.privateKeyFile = m_key->text();
    f.keepAliveMs = m_keepAlive->value();
    f.retryMode = RetryMode(m_retry->currentData().toInt());
    f.retryThreshold = m_retryThreshold->value();
    f.path = m_path->form();
    f.qlog = m_qlog->form();
    return f;
}

void ServerPoolForm::setForm(const ServerForm &f)
{
    m_listen->setText(f.listenAddress);
    m_maxCap->setValue(f.maxCapacity);
    m_clientIp->setText(f.clientIp);
    m_selfSigned->setChecked(f.generateSelfSigned);
    m_selfSignedName->setText(f.selfSignedName);
    m_cert->setText(f.certificateFile);
    m_key->setText(f.privateKeyFile);
    m_keepAlive->setValue(f.keepAliveMs);
    m_retry->setCurrentIndex(qMax(0, m_retry->findData(int(f.retryMode))));
    m_retryThreshold->setValue(f.retryThreshold);
    m_path->setForm(f.path);
    m_qlog->setForm(f.qlog);
    updateEnabled();
    m_errors.clear();
}

QString ServerPoolForm::poolName() const { return m_name->text().trimmed(); }
void ServerPoolForm::setPoolName(const QString &name) { m_name->setText(name); }
bool ServerPoolForm::serveEcho() const { return m_echo->isChecked(); }
void ServerPoolForm::setServeEcho(bool on) { m_echo->setChecked(on); }

bool ServerPoolForm::validate(ServerPoolConfig *config)
{
    const FieldErrors errors = validateServerForm(form(), config);
    m_errors.show(errors);
    return errors.isEmpty();
}

} // namespace quicpool::diag
