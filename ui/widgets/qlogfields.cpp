#include "qlogfields.h"

#include <QtCore/QDir>
#include <QtWidgets/QCheckBox>
#include <QtWidgets/QFileDialog>
#include <QtWidgets/QFormLayout>
#include <QtWidgets/QHBoxLayout>
#include <QtWidgets/QLineEdit>
#include <QtWidgets/QToolButton>

namespace quicpool::diag {

QlogFields::QlogFields(QFormLayout *layout, InlineErrors &errors, QWidget *parent)
{
    m_enabled = new QCheckBox(QObject::tr("Write qlog"), parent);
    m_enabled->setToolTip(QObject::tr("One qlog file (.sqlog, JSON-SEQ) per connection, for qvis or your own tools"));
    m_folder = new QLineEdit(parent);
    m_folder->setPlaceholderText(QObject::tr("folder for the .sqlog files (made if missing)"));
    auto *box = new QWidget(parent);
    auto *row = new QHBoxLayout(box);
    row->setContentsMargins(0, 0, 0, 0);
    row->addWidget(m_folder, 1);
    m_browse = new QToolButton(box);
    m_browse->setText(QStringLiteral("…"));
    m_browse->setToolTip(QObject::tr("Choose the qlog folder"));
    QObject::connect(m_browse, &QToolButton::clicked, m_folder, [this, parent] {
        const QString start = m_folder->text().trimmed().isEmpty() ? QDir::homePath() : m_folder->text().trimmed();
        const QString dir = QFileDialog::getExistingDirectory(parent, QObject::tr("qlog folder"), start);
        if (!dir.isEmpty())
            m_folder->setText(dir);
    });
    row->addWidget(m_browse);
    layout->addRow(QString(), m_enabled);
    layout->addRow(QObject::tr("qlog folder:"), errors.wrap(QStringLiteral("qlogDirectory"), box));
    QObject::connect(m_enabled, &QCheckBox::toggled, m_enabled, [this] { updateEnabled(); });
    setForm(QlogForm());
}

QlogForm QlogFields::form() const
{
    QlogForm f;
    f.enabled = m_enabled->isChecked();
    f.directory = m_folder->text();
    return f;
}

void QlogFields::setForm(const QlogForm &f)
{
    m_enabled->setChecked(f.enabled);
    m_folder->setText(f.directory);
    updateEnabled();
}

void QlogFields::updateEnabled()
{
    // The folder stays as typed while qlog is off, ready for the next time.
    m_folder->setEnabled(m_enabled->isChecked());
    m_browse->setEnabled(m_enabled->isChecked());
}

void QlogFields::onChanged(const std::function<void()> &callback)
{
    QObject::connect(m_enabled, &QCheckBox::toggled, m_enabled, [callback] { callback(); });
    QObject::connect(m_folder, &QLineEdit::textChanged, m_folder, [callback] { callback(); });
}

} // namespace quicpool::diag
