// Sends a payload (text, hex, a file, N random or pattern bytes) on the
// selected taken stream, shows what comes back as hex and text, checks the
// echo (byte counts and time) and closes (FIN) or aborts (reset) the stream.
#pragma once

#include "inlineerrors.h"
#include "payload.h"

#include <QtCore/QElapsedTimer>
#include <QtCore/QHash>
#include <QtWidgets/QWidget>

class QComboBox;
class QLabel;
class QLineEdit;
class QPlainTextEdit;
class QPushButton;
class QSpinBox;

namespace quicpool::diag {

class PayloadPanel : public QWidget
{
    Q_OBJECT
public:
    explicit PayloadPanel(QWidget *parent = nullptr);

    /// The stream the buttons act on; -1 for none.
    void setStream(int key, const QString &label);
    int stream() const { return m_key; }
    void forgetStream(int key);

    void setKind(PayloadKind kind);
    void setInput(const QString &text);
    void setCount(int count);
    /// Builds the payload and asks for it to be sent; false (message shown
    /// inline) on bad input or without a stream.
    bool send(bool finAfter = false);

    /// Bytes that arrived on a stream (any stream; shown if it is the current).
    void addReceived(int key, const QByteArray &bytes);
    QByteArray received(int key) const { return m_received.value(key); }
    EchoCheck echoCheck(int key) const;
    QString echoText() const;
    QString inputError() const { return m_errors.message(QStringLiteral("payload")); }

Q_SIGNALS:
    void sendRequested(int key, const QByteArray &bytes, bool finAfter);
    void closeRequested(int key);
    void abortRequested(int key);
    void releaseRequested(int key);

private:
    void refreshViews();
    void updateInputs();

    InlineErrors m_errors;
    int m_key = -1;
    QLabel *m_streamLabel;
    QComboBox *m_kind;
    QLineEdit *m_input;
    QSpinBox *m_count;
    QPushButton *m_browse;
    QPushButton *m_send;
    QPushButton *m_sendFin;
    QPushButton *m_close;
    QPushButton *m_abort;
    QPushButton *m_release;
    QPlainTextEdit *m_hex;
    QPlainTextEdit *m_text;
    QLabel *m_echo;
    QHash<int, QByteArray> m_sent;
    QHash<int, QByteArray> m_received;
    QHash<int, QElapsedTimer> m_sentAt;
    QHash<int, qint64> m_lastArrivalMs;
};

} // namespace quicpool::diag
