// Connection details of a pool: TLS version, cipher, ALPN, addresses, the
// peer certificate chain (subject, issuer, validity, NodePass fingerprint).
#pragma once

#include "workertypes.h"

#include <QtCore/QList>
#include <QtCore/QPair>
#include <QtWidgets/QWidget>

class QFormLayout;
class QLabel;
class QTreeWidget;

namespace quicpool::diag {

/// The label/value rows shown for details (pure, for tests and export).
QList<QPair<QString, QString>> connectionRows(const ConnectionDetails &details);
/// Issued by itself: subject and issuer are the same name. True for the
/// certificates pools generate, which QSslCertificate::isSelfSigned() may deny.
bool isSelfIssued(const QSslCertificate &certificate);
/// One line per certificate field, for a certificate in the chain.
QList<QPair<QString, QString>> certificateRows(const QSslCertificate &certificate);

class ConnectionPanel : public QWidget
{
    Q_OBJECT
public:
    explicit ConnectionPanel(QWidget *parent = nullptr);

    void setDetails(const ConnectionDetails &details);
    QString valueOf(const QString &label) const;

Q_SIGNALS:
    void refreshRequested();

private:
    QFormLayout *m_form;
    QTreeWidget *m_chain;
    QList<QPair<QString, QString>> m_rows;
};

} // namespace quicpool::diag
