// The server pool form: listen address, capacity, allowed client IP,
// certificate and key files or a generated self-signed certificate,
// keep-alive, path settings and qlog; each field with its inline
// validation message.
#pragma once

#include "formvalidation.h"
#include "inlineerrors.h"
#include "pathfields.h"
#include "qlogfields.h"

#include <memory>

#include <QtWidgets/QWidget>

class QCheckBox;
class QComboBox;
class QLineEdit;
class QSpinBox;

namespace quicpool::diag {

class ServerPoolForm : public QWidget
{
    Q_OBJECT
public:
    explicit ServerPoolForm(QWidget *parent = nullptr);
    ~ServerPoolForm() override;

    ServerForm form() const;
    void setForm(const ServerForm &form);
    QString poolName() const;
    void setPoolName(const QString &name);
    bool serveEcho() const;
    void setServeEcho(bool on);
    bool validate(ServerPoolConfig *config = nullptr);
    QString errorMessage(const QString &field) const { return m_errors.message(field); }
    /// The first message shown (null when none), for the dialog to scroll to.
    QWidget *firstError() const { return m_errors.topmostShown(); }

    QLineEdit *listenEdit() const { return m_listen; }
    QLineEdit *clientIpEdit() const { return m_clientIp; }
    QCheckBox *selfSignedCheck() const { return m_selfSigned; }
    QLineEdit *certificateEdit() const { return m_cert; }
    QLineEdit *keyEdit() const { return m_key; }
    QSpinBox *maxCapacitySpin() const { return m_maxCap; }
    QComboBox *retryCombo() const { return m_retry; }
    QSpinBox *retryThresholdSpin() const { return m_retryThreshold; }
    PathFields *pathFields() const { return m_path.get(); }
    QlogFields *qlogFields() const { return m_qlog.get(); }

private:
    void updateEnabled();
    QWidget *withBrowse(QLineEdit *edit, const QString &title);

    InlineErrors m_errors;
    QLineEdit *m_name;
    QLineEdit *m_listen;
    QSpinBox *m_maxCap;
    QLineEdit *m_clientIp;
    QCheckBox *m_selfSigned;
    QLineEdit *m_selfSignedName;
    QLineEdit *m_cert;
    QLineEdit *m_key;
    QSpinBox *m_keepAlive;
    QComboBox *m_retry;
    QSpinBox *m_retryThreshold;
    QCheckBox *m_echo;
    std::unique_ptr<PathFields> m_path;
    std::unique_ptr<QlogFields> m_qlog;
};

} // namespace quicpool::diag
