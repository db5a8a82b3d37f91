#include "inlineerrors.h"

#include <QtWidgets/QLabel>
#include <QtWidgets/QVBoxLayout>
#include <QtWidgets/QWidget>

namespace quicpool::diag {

QColor errorColor(const QPalette &palette)
{
    const bool dark = palette.color(QPalette::Window).lightness() < 128;
    return QColor::fromHsl(0, 200, dark ? 170 : 90);
}

namespace {
QLabel *makeLabel(QWidget *parent)
{
    auto *label = new QLabel(parent);
    label->setWordWrap(true);
    label->setVisible(false);
    label->setObjectName(QStringLiteral("inlineError"));
    QPalette pal = label->palette();
    pal.setColor(QPalette::WindowText, errorColor(pal));
    label->setPalette(pal);
    QFont f = label->font();
    f.setPointSizeF(f.pointSizeF() * 0.9);
    label->setFont(f);
    return label;
}
} // namespace

QWidget *InlineErrors::wrap(const QString &field, QWidget *editor)
{
    auto *box = new QWidget;
    auto *layout = new QVBoxLayout(box);
    layout->setContentsMargins(0, 0, 0, 0);
    layout->setSpacing(1);
    layout->addWidget(editor);
    QLabel *label = makeLabel(box);
    label->setObjectName(QStringLiteral("inlineError_") + field);
    layout->addWidget(label);
    m_labels.insert(field, label);
    return box;
}

void InlineErrors::setFormLabel(QLabel *label)
{
    QLabel *styled = label;
    styled->setWordWrap(true);
    styled->setVisible(false);
    QPalette pal = styled->palette();
    pal.setColor(QPalette::WindowText, errorColor(pal));
    styled->setPalette(pal);
    m_labels.insert(QString(), styled);
}

QWidget *InlineErrors::topmostShown() const
{
    QLabel *top = nullptr;
    int topY = 0;
    for (QLabel *label : m_labels) {
        if (label->isHidden() || !label->window())
            continue;
        const int y = label->mapTo(label->window(), QPoint(0, 0)).y();
        if (!top || y < topY) {
            top = label;
            topY = y;
        }
    }
    return top;
}

void InlineErrors::show(const FieldErrors &errors)
{
    for (auto it = m_labels.cbegin(); it != m_labels.cend(); ++it) {
        const QString text = errors.value(it.key());
        it.value()->setText(text);
        it.value()->setVisible(!text.isEmpty());
    }
    // A message for a field this form does not show must not vanish.
    QStringList orphans;
    for (auto it = errors.cbegin(); it != errors.cend(); ++it) {
        if (!m_labels.contains(it.key()))
            orphans.append(it.value());
    }
    if (!orphans.isEmpty()) {
        if (QLabel *formLabel = m_labels.value(QString())) {
            if (!formLabel->text().isEmpty())
                orphans.prepend(formLabel->text());
            formLabel->setText(orphans.join(QLatin1Char('\n')));
            formLabel->setVisible(true);
        }
    }
}

void InlineErrors::update(const FieldErrors &errors)
{
    FieldErrors still;
    for (auto it = m_labels.cbegin(); it != m_labels.cend(); ++it) {
        if (!message(it.key()).isEmpty() && errors.contains(it.key()))
            still.insert(it.key(), errors.value(it.key()));
    }
    show(still);
}

QString InlineErrors::message(const QString &field) const
{
    const QLabel *label = m_labels.value(field);
    return label && label->isVisibleTo(label->parentWidget()) ? label->text() : QString();
}

} // namespace quicpool::diag
