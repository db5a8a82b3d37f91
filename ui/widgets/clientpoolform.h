// The client pool form: address, capacities, intervals, keep-alive, TLS
// mode, hostname and pin, path settings and qlog, each with its inline
// validation message.
#pragma once

#include "formvalidation.h"
#include "inlineerrors.h"
#include "pathfields.h"
#include "qlogfields.h"

#include <memory>

#include <QtWidgets/QWidget>

class QComboBox;
class QLineEdit;
class QSpinBox;

namespace quicpool::diag {

class ClientPoolForm : public QWidget
{
    Q_OBJECT
public:
    explicit ClientPoolForm(QWidget *parent = nullptr);
    ~ClientPoolForm() override;

    ClientForm form() const;
    void setForm(const ClientForm &form);
    QString poolName() const;
    void setPoolName(const QString &name);
    /// Validates, shows the messages inline; true and *config set when good.
    bool validate(ClientPoolConfig *config = nullptr);
    QString errorMessage(const QString &field) const { return m_errors.message(field); }
    /// The first message shown (null when none), for the dialog to scroll to.
    QWidget *firstError() const { return m_errors.topmostShown(); }

    QLineEdit *addressEdit() const { return m_address; }
    QSpinBox *minCapacitySpin() const { return m_minCap; }
    QSpinBox *maxCapacitySpin() const { return m_maxCap; }
    QSpinBox *minIntervalSpin() const { return m_minInterval; }
    QSpinBox *maxIntervalSpin() const { return m_maxInterval; }
    QLineEdit *pinEdit() const { return m_pin; }
    QLineEdit *hostnameEdit() const { return m_hostname; }
    QLineEdit *caFileEdit() const { return m_caFile; }
    QSpinBox *maxBackoffSpin() const { return m_maxBackoff; }
    QComboBox *tlsCombo() const { return m_tls; }
    PathFields *pathFields() const { return m_path.get(); }
    QlogFields *qlogFields() const { return m_qlog.get(); }

private:
    InlineErrors m_errors;
    QLineEdit *m_name;
    QLineEdit *m_address;
    QSpinBox *m_minCap;
    QSpinBox *m_maxCap;
    QSpinBox *m_minInterval;
    QSpinBox *m_maxInterval;
    QSpinBox *m_keepAlive;
    QComboBox *m_tls;
    QLineEdit *m_hostname;
    QLineEdit *m_pin;
    QLineEdit *m_caFile;
    QSpinBox *m_maxBackoff;
    std::unique_ptr<PathFields> m_path;
    std::unique_ptr<QlogFields> m_qlog;
};

} // namespace quicpool::diag
