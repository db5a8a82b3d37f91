// Inline validation messages: each form field gets a hidden label under it
// that shows its sentence in the palette's error colour when input is bad.
#pragma once

#include "formvalidation.h"

#include <QtCore/QHash>
#include <QtGui/QPalette>

class QLabel;
class QWidget;

namespace quicpool::diag {

/// A red that reads on the current palette (lighter on dark themes).
QColor errorColor(const QPalette &palette);

class InlineErrors
{
public:
    /// Returns a container holding editor with its (hidden) message label under it.
    QWidget *wrap(const QString &field, QWidget *editor);
    /// A label for errors of the whole form (field "").
    void setFormLabel(QLabel *label);
    /// Shows the given messages and hides every other one.
    void show(const FieldErrors &errors);
    void clear() { show({}); }
    /// Re-checks as the user types: a message already shown is replaced by
    /// its field's new one, or hidden once the field is fixed; no new
    /// message appears (those wait for the next show()).
    void update(const FieldErrors &errors);
    /// The message shown for a field now ("" when hidden).
    QString message(const QString &field) const;
    QLabel *label(const QString &field) const { return m_labels.value(field); }
    /// The shown message highest in its form (null when none is shown),
    /// for a long form to scroll to.
    QWidget *topmostShown() const;

private:
    QHash<QString, QLabel *> m_labels;
};

} // namespace quicpool::diag
