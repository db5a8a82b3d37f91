// The qlog rows both pool forms share: a "Write qlog" check box and the
// folder the files go to, with a browse button and an inline message.
#pragma once

#include "formvalidation.h"
#include "inlineerrors.h"

#include <functional>

class QCheckBox;
class QFormLayout;
class QLineEdit;
class QToolButton;
class QWidget;

namespace quicpool::diag {

class QlogFields
{
public:
    /// Adds the rows to layout; messages go through errors (field
    /// "qlogDirectory").
    QlogFields(QFormLayout *layout, InlineErrors &errors, QWidget *parent);

    QlogForm form() const;
    void setForm(const QlogForm &form);
    /// Called whenever one of the fields changes.
    void onChanged(const std::function<void()> &callback);

    QCheckBox *enabledCheck() const { return m_enabled; }
    QLineEdit *folderEdit() const { return m_folder; }
    QToolButton *browseButton() const { return m_browse; }

private:
    void updateEnabled();

    QCheckBox *m_enabled;
    QLineEdit *m_folder;
    QToolButton *m_browse;
};

} // namespace quicpool::diag
