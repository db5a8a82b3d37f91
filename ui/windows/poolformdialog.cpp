#include "poolformdialog.h"

#include "clientpoolform.h"
#include "serverpoolform.h"

#include <QtWidgets/QDialogButtonBox>
#include <QtWidgets/QPushButton>
#include <QtWidgets/QScrollArea>
#include <QtWidgets/QVBoxLayout>

namespace quicpool::diag {

PoolFormDialog::PoolFormDialog(PoolKind kind, QWidget *parent) : QDialog(parent), m_kind(kind)
{
    auto *layout = new QVBoxLayout(this);
    // The forms are long (path settings included): they scroll on small
    // screens rather than push the buttons off.
    auto *scroll = m_scroll = new QScrollArea(this);
    scroll->setWidgetResizable(true);
    scroll->setFrameShape(QFrame::NoFrame);
    scroll->setHorizontalScrollBarPolicy(Qt::ScrollBarAlwaysOff);
    QWidget *form = nullptr;
    if (kind == PoolKind::Client) {
        setWindowTitle(tr("New client pool"));
        m_client = new ClientPoolForm;
        form = m_client;
    } else {
        setWindowTitle(tr("New server pool"));
        m_server = new ServerPoolForm;
        form = m_server;
    }
    scroll->setWidget(form);
    scroll->setMinimumWidth(form->sizeHint().width() + 24);
    scroll->setMinimumHeight(qMin(form->sizeHint().height() + 8, 420));
    layout->addWidget(scroll, 1);
    m_buttons = new QDialogButtonBox(QDialogButtonBox::Open | QDialogButtonBox::Cancel, this);
    connect(m_buttons, &QDialogButtonBox::accepted, this, &PoolFormDialog::tryAccept);
    connect(m_buttons, &QDialogButtonBox::rejected, this, &QDialog::reject);
    layout->addWidget(m_buttons);
}

void PoolFormDialog::tryAccept()
{
    const bool ok = m_client ? m_client->validate(&m_clientConfig) : m_server->validate(&m_serverConfig);
    if (ok)
        return accept();
    // The form scrolls: a message below the fold (path or qlog settings)
    // would otherwise leave Open doing nothing visible.
    QWidget *form = m_client ? static_cast<QWidget *>(m_client) : m_server;
    form->layout()->activate();
    if (QWidget *first = m_client ? m_client->firstError() : m_server->firstError())
        m_scroll->ensureWidgetVisible(first->parentWidget() ? first->parentWidget() : first);
}

PoolSpec PoolFormDialog::spec() const
{
    PoolSpec s;
    s.kind = m_kind;
    if (m_client) {
        s.client = m_client->form();
        s.name = m_client->poolName();
    } else {
        s.server = m_server->form();
        s.name = m_server->poolName();
        s.serveEcho = m_server->serveEcho();
    }
    return s;
}

void PoolFormDialog::setSpec(const PoolSpec &s)
{
    if (m_client) {
        m_client->setForm(s.client);
        m_client->setPoolName(s.name);
    } else {
        m_server->setForm(s.server);
        m_server->setPoolName(s.name);
        m_server->setServeEcho(s.serveEcho);
    }
}

} // namespace quicpool::diag
