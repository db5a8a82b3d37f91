// The path settings rows both pool forms share: congestion control and the
// receive-window and send-buffer ceilings and busy-polling (PathForm), with
// inline messages.
#pragma once

#include "formvalidation.h"
#include "inlineerrors.h"

#include <functional>

class QComboBox;
class QFormLayout;
class QSpinBox;
class QWidget;

namespace quicpool::diag {

class PathFields
{
public:
    /// Adds the rows to layout; messages go through errors.
    PathFields(QFormLayout *layout, InlineErrors &errors, QWidget *parent);

    PathForm form() const;
    void setForm(const PathForm &form);
    /// Called whenever one of the fields changes.
    void onChanged(const std::function<void()> &callback);

    QComboBox *congestionCombo() const { return m_cc; }
    QSpinBox *streamWindowSpin() const { return m_stream; }
    QSpinBox *connectionWindowSpin() const { return m_connection; }
    QSpinBox *sendBufferSpin() const { return m_send; }
    QSpinBox *busyPollSpin() const { return m_busyPoll; }

private:
    QComboBox *m_cc;
    QSpinBox *m_stream;
    QSpinBox *m_connection;
    QSpinBox *m_send;
    QSpinBox *m_busyPoll;
};

} // namespace quicpool::diag
