// The "new client pool" / "new server pool" dialog: a form plus Open and
// Cancel. Open validates; bad input keeps the dialog open with the messages
// shown inline, and nothing is opened.
#pragma once

#include "profiles.h"

#include <QtWidgets/QDialog>

class QDialogButtonBox;
class QScrollArea;

namespace quicpool::diag {

class ClientPoolForm;
class ServerPoolForm;

class PoolFormDialog : public QDialog
{
    Q_OBJECT
public:
    PoolFormDialog(PoolKind kind, QWidget *parent = nullptr);

    PoolKind kind() const { return m_kind; }
    ClientPoolForm *clientForm() const { return m_client; }
    ServerPoolForm *serverForm() const { return m_server; }
    /// What was accepted, with the validated config.
    PoolSpec spec() const;
    void setSpec(const PoolSpec &spec);
    ClientPoolConfig clientConfig() const { return m_clientConfig; }
    ServerPoolConfig serverConfig() const { return m_serverConfig; }
    /// Same as pressing Open.
    void tryAccept();

private:
    PoolKind m_kind;
    ClientPoolForm *m_client = nullptr;
    ServerPoolForm *m_server = nullptr;
    QScrollArea *m_scroll = nullptr;
    QDialogButtonBox *m_buttons = nullptr;
    ClientPoolConfig m_clientConfig;
    ServerPoolConfig m_serverConfig;
};

} // namespace quicpool::diag
