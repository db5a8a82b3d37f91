#include "clientpoolform.h"

#include <QtWidgets/QComboBox>
#include <QtWidgets/QFileDialog>
#include <QtWidgets/QHBoxLayout>
#include <QtWidgets/QToolButton>
#include <QtWidgets/QFormLayout>
#include <QtWidgets/QLabel>
#include <QtWidgets/QLineEdit>
#include <QtWidgets/QSpinBox>

namespace quicpool::diag {

namespace {
QSpinBox *spin(int min, int max, const QString &suffix, QWidget *parent)
{
    auto *s = new QSpinBox(parent);
    s->setRange(min, max);
    s->setSuffix(suffix);
    s->setAccelerated(true);
    return s;
}
} // namespace

ClientPoolForm::ClientPoolForm(QWidget *parent) : QWidget(parent)
{
    m_name = new QLineEdit(this);
    m_name->setPlaceholderText(tr("shown on the tab"));
    m_address = new QLineEdit(this);
    m_address->setPlaceholderText(QStringLiteral("host:port"));
    // Spin boxes reach 0 on purpose: the form explains why 0 is refused
    // instead of silently clamping as the library would.
    m_minCap = spin(0, 100000, QString(), this);
    m_maxCap = spin(0, 100000, QString(), this);
    m_minInterval = spin(0, 3600000, tr(" ms"), this);
    m_maxInterval = spin(0, 3600000, tr(" ms"), this);
    m_keepAlive = spin(0, 3600000, tr(" ms"), this);
    m_tls = new QComboBox(this);
    m_tls->addItem(tr("0: encrypt, do not verify"), 0);
    m_tls->addItem(tr("1: self-signed server (not verified)"), 1);
    m_tls->addItem(tr("2: verify chain and hostname"), 2);
    m_hostname = new QLineEdit(this);
    m_hostname->setPlaceholderText(tr("SNI / name to verify (optional)"));
    m_pin = new QLineEdit(this);
    m_pin->setPlaceholderText(QStringLiteral("sha256:AA:BB:… (optional)"));
    m_caFile = new QLineEdit(this);
    m_caFile->setPlaceholderText(tr("PEM file of CA certificates (mode 2, optional)"));
    auto *caBox = new QWidget(this);
    auto *caRow = new QHBoxLayout(caBox);
    caRow->setContentsMargins(0, 0, 0, 0);
    caRow->addWidget(m_caFile, 1);
    auto *browse = new QToolButton(caBox);
    browse->setText(QStringLiteral("…"));
    browse->setToolTip(tr("Choose a CA file"));
    connect(browse, &QToolButton::clicked, this, [this] {
        const QString path = QFileDialog::getOpenFileName(this, tr("CA certificates"), m_caFile->text(),
                                                          tr("PEM files (*.pem *.crt);;All files (*)"));
        if (!path.isEmpty())
            m_caFile->setText(path);
    });
    caRow->addWidget(browse);
    m_maxBackoff = spin(0, 3600000, tr(" ms"), this);
    m_maxBackoff->setToolTip(tr("Failed dials wait from 50 ms, doubling, up to this; pin and certificate failures "
                                "wait this long at once"));

    auto *formError = new QLabel(this);
    m_errors.setFormLabel(formError);
    auto *layout = new QFormLayout(this);
    layout->addRow(tr("Name:"), m_name);
    layout->addRow(tr("Server address:"), m_errors.wrap(QStringLiteral("address"), m_address));
    layout->addRow(tr("Min capacity:"), m_errors.wrap(QStringLiteral("minCapacity"), m_minCap));
    layout->addRow(tr("Max capacity:"), m_errors.wrap(QStringLiteral("maxCapacity"), m_maxCap));
    layout->addRow(tr("Min interval:"), m_errors.wrap(QStringLiteral("minInterval"), m_minInterval));
    layout->addRow(tr("Max interval:"), m_errors.wrap(QStringLiteral("maxInterval"), m_maxInterval));
    layout->addRow(tr("Keep-alive:"), m_errors.wrap(QStringLiteral("keepAlive"), m_keepAlive));
    layout->addRow(tr("TLS mode:"), m_errors.wrap(QStringLiteral("tlsMode"), m_tls));
    layout->addRow(tr("Hostname:"), m_errors.wrap(QStringLiteral("hostname"), m_hostname));
    layout->addRow(tr("Certificate pin:"), m_errors.wrap(QStringLiteral("pin"), m_pin));
    layout->addRow(tr("CA file:"), m_errors.wrap(QStringLiteral("caFile"), caBox));
    layout->addRow(tr("Max back-off:"), m_errors.wrap(QStringLiteral("maxBackoff"), m_maxBackoff));
    m_path = std::make_unique<PathFields>(layout, m_errors, this);
    m_qlog = std::make_unique<QlogFields>(layout, m_errors, this);
    layout->addRow(formError);
    setForm(ClientForm());
    connect(m_tls, &QComboBox::currentIndexChanged, this, [this] { m_caFile->parentWidget()->setEnabled(m_tls->currentData().toInt() == 2); });
    // A message goes as soon as its field is fixed, not at the next Open.
    const auto recheck = [this] { m_errors.update(validateClientForm(form())); };
    for (QLineEdit *e : {m_address, m_hostname, m_pin, m_caFile})
        connect(e, &QLineEdit::textChanged, this, recheck);
    for (QSpinBox *sp : {m_minCap, m_maxCap, m_minInterval, m_maxInterval, m_keepAlive, m_maxBackoff})
        connect(sp, &QSpinBox::valueChanged, this, recheck);
    connect(m_tls, &QComboBox::currentIndexChanged, this, recheck);
    m_path->onChanged(recheck);
    m_qlog->onChanged(recheck);
}

ClientPoolForm::~ClientPoolForm() = default;

ClientForm ClientPoolForm::form() const
{
    ClientForm f;
    f.address = m_address->text();
    f.minCapacity = m_minCap->value();
    f.maxCapacity = m_maxCap->value();
    f.minIntervalMs = m_minInterval->value();
    f.maxIntervalMs = m_maxInterval->value();
    f.keepAliveMs = m_keepAlive->value();
    f.tlsMode = m_tls->currentData().toInt();
    f.hostname = m_hostname->text();
    f.pin = m_pin->text();
    f.caFile = m_caFile->text();
    f.maxBackoffMs = m_maxBackoff->value();
    f.path = m_path->form();
    f.qlog = m_qlog->form();
    return f;
}

void ClientPoolForm::setForm(const ClientForm &f)
{
    m_address->setText(f.address);
    m_minCap->setValue(f.minCapacity);
    m_maxCap->setValue(f.maxCapacity);
    m_minInterval->setValue(f.minIntervalMs);
    m_maxInterval->setValue(f.maxIntervalMs);
    m_keepAlive->setValue(f.keepAliveMs);
    m_tls->setCurrentIndex(qBound(0, f.tlsMode, 2));
    m_hostname->setText(f.hostname);
    m_pin->setText(f.pin);
    m_caFile->setText(f.caFile);
    m_caFile->parentWidget()->setEnabled(f.tlsMode == 2);
    m_maxBackoff->setValue(f.maxBackoffMs);
    m_path->setForm(f.path);
    m_qlog->setForm(f.qlog);
    m_errors.clear();
}

QString ClientPoolForm::poolName() const
{
    return m_name->text().trimmed();
}

void ClientPoolForm::setPoolName(const QString &name)
{
    m_name->setText(name);
}

bool ClientPoolForm::validate(ClientPoolConfig *config)
{
    const FieldErrors errors = validateClientForm(form(), config);
    m_errors.show(errors);
    return errors.isEmpty();
}

} // namespace quicpool::diag
