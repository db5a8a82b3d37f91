#include "formvalidation.h"

#include <quicpool/certificate.h>
#include <QtCore/QDir>
#include <QtCore/QFile>
#include <QtCore/QFileInfo>
#include <QtCore/QRegularExpression>
#include <QtNetwork/QHostAddress>
#include <QtNetwork/QSslCertificate>

namespace quicpool::diag {

namespace {

// The port is checked here before parseHostPort so the user reads the exact
// reason ("out of range") rather than a generic parse failure.
QString checkPortPart(const QString &text, bool allowPortZero)
{
    const int colon = text.lastIndexOf(QLatin1Char(':'));
    if (colon < 0)
        return QStringLiteral("Expected HOST:PORT, e.g. 127.0.0.1:10101.");
    const QString portText = text.mid(colon + 1);
    if (portText.isEmpty())
        return QStringLiteral("The port is missing after ':'.");
    bool ok = false;
    const qlonglong port = portText.toLongLong(&ok);
    if (!ok || portText.startsWith(QLatin1Char('+')) || portText.startsWith(QLatin1Char('-')))
        return QStringLiteral("The port '%1' is not a number.").arg(portText);
    const qlonglong lowest = allowPortZero ? 0 : 1;
    if (port < lowest || port > 65535)
        return QStringLiteral("Port %1 is out of range (%2-65535).").arg(port).arg(lowest);
    return {};
}

QString readAll(const QString &path, QByteArray *data)
{
    if (path.trimmed().isEmpty())
        return QStringLiteral("Choose a file.");
    QFileInfo info(path);
    if (!info.exists())
        return QStringLiteral("%1 does not exist.").arg(path);
    if (!info.isFile())
        return QStringLiteral("%1 is not a file.").arg(path);
    QFile file(path);
    if (!file.open(QIODevice::ReadOnly))
        return QStringLiteral("Cannot read %1: %2.").arg(path, file.errorString());
    *data = file.readAll();
    return {};
}

} // namespace

QString checkAddress(const QString &text, bool allowPortZero)
{
    const QString trimmed = text.trimmed();
    if (trimmed.isEmpty())
        return QStringLiteral("Enter an address as HOST:PORT.");
    if (trimmed.contains(QLatin1Char(' ')))
        return QStringLiteral("An address has no spaces.");
    if (QString portError = checkPortPart(trimmed, allowPortZero); !portError.isEmpty())
        return portError;
    QString host;
    quint16 port = 0;
    QString error;
    if (!parseHostPort(trimmed, &host, &port, &error))
        return error.isEmpty() ? QStringLiteral("'%1' is not a HOST:PORT address.").arg(trimmed) : error;
    // parseHostPort accepts any host text; reject the characters no host name
    // or IP literal can hold so typos are caught here and not at dial time.
    static const QRegularExpression hostChars(QStringLiteral("^[A-Za-z0-9.\\-_:%]*$"));
    if (!hostChars.match(host).hasMatch())
        return QStringLiteral("'%1' is not a valid host name or IP address.").arg(host);
    return {};
}

QString checkIpAddress(const QString &text)
{
    const QString trimmed = text.trimmed();
    if (trimmed.isEmpty())
        return {};
    QHostAddress address;
    if (!address.setAddress(trimmed))
        return QStringLiteral("'%1' is not an IP address.").arg(trimmed);
    return {};
}

QString checkStreamId(const QString &text)
{
    static const QRegularExpression id(QStringLiteral("^[0-9A-Fa-f]{8}$"));
    const QString trimmed = text.trimmed();
    if (trimmed.isEmpty())
        return QStringLiteral("Enter a stream ID (8 hex characters).");
    if (!id.match(trimmed).hasMatch())
        return QStringLiteral("'%1' is not a stream ID: it must be 8 hex characters.").arg(trimmed);
    return {};
}

QString checkHex(const QString &text, QByteArray *bytes)
{
    QString digits;
    digits.reserve(text.size());
    for (qsizetype i = 0; i < text.size(); ++i) {
        const QChar c = text.at(i);
        if (c.isSpace() || c == QLatin1Char(':') || c == QLatin1Char('-'))
            continue;
        const char16_t u = c.unicode();
        const bool hex = (u >= u'0' && u <= u'9') || (u >= u'a' && u <= u'f') || (u >= u'A' && u <= u'F');
        if (!hex)
            return QStringLiteral("'%1' at position %2 is not a hex digit.").arg(c).arg(i + 1);
        digits.append(c);
    }
    if (digits.size() % 2 != 0)
        return QStringLiteral("Hex needs an even number of digits (%1 given).").arg(digits.size());
    if (bytes)
        *bytes = QByteArray::fromHex(digits.toLatin1());
    return {};
}

QString checkCertificateFile(const QString &path)
{
    QByteArray data;
    if (QString error = readAll(path, &data); !error.isEmpty())
        return error;
    if (QSslCertificate::fromData(data, QSsl::Pem).isEmpty())
        return QStringLiteral("%1 holds no PEM certificate.").arg(path);
    return {};
}

QString checkPrivateKeyFile(const QString &path)
{
    QByteArray data;
    if (QString error = readAll(path, &data); !error.isEmpty())
        return error;
    if (!data.contains("PRIVATE KEY-----"))
        return QStringLiteral("%1 holds no PEM private key.").arg(path);
    return {};
}

QString checkPin(const QString &text, QByteArray *pin)
{
    if (text.trimmed().isEmpty()) {
        if (pin)
            pin->clear();
        return {};
    }
    QString error;
    const QByteArray raw = parseFingerprint(text.trimmed(), &error);
    if (raw.size() != 32)
        return error.isEmpty() ? QStringLiteral("Not a SHA-256 fingerprint (sha256:AA:BB:... or 64 hex digits).")
                               : error;
    if (pin)
        *pin = raw;
    return {};
}

FieldErrors checkPathForm(const PathForm &form)
{
    FieldErrors errors;
    CongestionControl cc;
    if (!parseCongestionControl(form.congestionControl, &cc))
        errors.insert(QStringLiteral("congestionControl"),
                      QStringLiteral("Choose cubic, reno or bbr, not '%1'.").arg(form.congestionControl));
    constexpr int kMinKiB = 64;
    constexpr int kMaxKiB = 1024 * 1024;
    const auto inRange = [](int kib) { return kib >= kMinKiB && kib <= kMaxKiB; };
    if (!inRange(form.streamWindowKiB))
        errors.insert(QStringLiteral("streamWindow"), QStringLiteral("A stream's receive window is 64 KiB to 1 GiB."));
    if (!inRange(form.connectionWindowKiB))
        errors.insert(QStringLiteral("connectionWindow"),
                      QStringLiteral("The connection's receive window is 64 KiB to 1 GiB."));
    else if (inRange(form.streamWindowKiB) && form.connectionWindowKiB < form.streamWindowKiB)
        errors.insert(QStringLiteral("connectionWindow"),
                      QStringLiteral("The connection's window (%1 KiB) is below a stream's (%2 KiB).")
                          .arg(form.connectionWindowKiB).arg(form.streamWindowKiB));
    if (!inRange(form.sendBufferKiB))
        errors.insert(QStringLiteral("sendBuffer"), QStringLiteral("The send buffer limit is 64 KiB to 1 GiB."));
    if (form.busyPollUs < 0 || form.busyPollUs > 1000)
        errors.insert(QStringLiteral("busyPoll"), QStringLiteral("Busy-polling is 0 (off) to 1000 µs."));
    return errors;
}

QString checkQlogFolder(const QString &path)
{
    const QString folder = path.trimmed();
    if (folder.isEmpty())
        return QStringLiteral("Choose the folder the qlog files go to.");
    // "~/qlog" or "qlog" would land below wherever the app was started
    // (no shell expands the ~ here): ask for the full path instead.
    if (QDir::isRelativePath(folder))
        return QStringLiteral("Give the qlog folder as a full path, such as %1/qlog.").arg(QDir::homePath());
    // The rest is the library's rule, the one ClientPool/ServerPool::start()
    // and quicpool --qlog apply: a writable folder, or one that can be made.
    return checkQlogDirectory(QDir::cleanPath(folder)).message();
}

FieldErrors checkQlogForm(const QlogForm &form)
{
    FieldErrors errors;
    if (!form.enabled)
        return errors;
    if (QString e = checkQlogFolder(form.directory); !e.isEmpty())
        errors.insert(QStringLiteral("qlogDirectory"), e);
    return errors;
}

QString prepareQlogFolder(const QString &directory)
{
    if (directory.isEmpty() || QFileInfo(directory).isDir())
        return {};
    if (!QDir().mkpath(directory))
        return QStringLiteral("Cannot make the qlog folder %1; no qlog is written.").arg(directory);
    return {};
}

namespace {
template <typename Config>
void applyQlogForm(const QlogForm &form, Config *c)
{
    // Off is an empty folder, as the library reads it.
    c->setQlogDirectory(form.enabled ? QDir::cleanPath(form.directory.trimmed()) : QString());
}

template <typename Config>
void applyPathForm(const PathForm &form, Config *c)
{
    CongestionControl cc = CongestionControl::Bbr;
    parseCongestionControl(form.congestionControl, &cc);
    c->setCongestionControl(cc);
    c->setMaxStreamReceiveWindow(qint64(form.streamWindowKiB) * 1024);
    c->setMaxConnectionReceiveWindow(qint64(form.connectionWindowKiB) * 1024);
    c->setSendBufferLimit(qint64(form.sendBufferKiB) * 1024);
    c->setBusyPoll(std::chrono::microseconds(form.busyPollUs));
}
} // namespace

FieldErrors validateClientForm(const ClientForm &form, ClientPoolConfig *config)
{
    FieldErrors errors = checkPathForm(form.path);
    errors.insert(checkQlogForm(form.qlog));
    if (QString e = checkAddress(form.address, false); !e.isEmpty())
        errors.insert(QStringLiteral("address"), e);
    if (form.minCapacity < 1)
        errors.insert(QStringLiteral("minCapacity"), QStringLiteral("The minimum capacity must be at least 1."));
    if (form.maxCapacity < 1)
        errors.insert(QStringLiteral("maxCapacity"), QStringLiteral("The maximum capacity must be at least 1."));
    else if (form.minCapacity > form.maxCapacity)
        errors.insert(QStringLiteral("maxCapacity"),
                      QStringLiteral("The maximum capacity (%1) is below the minimum (%2).")
                          .arg(form.maxCapacity).arg(form.minCapacity));
    if (form.minIntervalMs < 1)
        errors.insert(QStringLiteral("minInterval"), QStringLiteral("The minimum interval must be at least 1 ms."));
    if (form.maxIntervalMs < 1)
        errors.insert(QStringLiteral("maxInterval"), QStringLiteral("The maximum interval must be at least 1 ms."));
    else if (form.minIntervalMs > form.maxIntervalMs)
        errors.insert(QStringLiteral("maxInterval"),
                      QStringLiteral("The maximum interval (%1 ms) is below the minimum (%2 ms).")
                          .arg(form.maxIntervalMs).arg(form.minIntervalMs));
    if (form.keepAliveMs < 100)
        errors.insert(QStringLiteral("keepAlive"), QStringLiteral("Keep-alive must be at least 100 ms."));
    if (form.tlsMode < 0 || form.tlsMode > 2)
        errors.insert(QStringLiteral("tlsMode"), QStringLiteral("TLS mode must be 0, 1 or 2."));
    if (!form.hostname.trimmed().isEmpty()) {
        static const QRegularExpression name(QStringLiteral("^[A-Za-z0-9.\\-_:]+$"));
        if (!name.match(form.hostname.trimmed()).hasMatch())
            errors.insert(QStringLiteral("hostname"),
                          QStringLiteral("'%1' is not a host name.").arg(form.hostname.trimmed()));
    }
    QByteArray pin;
    if (QString e = checkPin(form.pin, &pin); !e.isEmpty())
        errors.insert(QStringLiteral("pin"), e);
    if (form.maxBackoffMs < 50)
        errors.insert(QStringLiteral("maxBackoff"),
                      QStringLiteral("The longest wait between dials must be at least 50 ms (the first wait)."));
    if (!form.caFile.trimmed().isEmpty()) {
        if (form.tlsMode != 2)
            errors.insert(QStringLiteral("caFile"), QStringLiteral("A CA file is used in TLS mode 2 only."));
        else if (QString e = checkCertificateFile(form.caFile.trimmed()); !e.isEmpty())
            errors.insert(QStringLiteral("caFile"), e);
    }
    if (!errors.isEmpty())
        return errors;

    ClientPoolConfig c;
    c.setAddress(form.address.trimmed());
    c.setMinCapacity(form.minCapacity);
    c.setMaxCapacity(form.maxCapacity);
    c.setMinInterval(Milliseconds(form.minIntervalMs));
    c.setMaxInterval(Milliseconds(form.maxIntervalMs));
    c.setKeepAlive(Milliseconds(form.keepAliveMs));
    c.setTlsMode(static_cast<TlsMode>(form.tlsMode));
    c.setHostname(form.hostname.trimmed());
    c.setPinSha256(pin);
    c.setMaxBackoff(Milliseconds(form.maxBackoffMs));
    if (form.tlsMode == 2)
        c.setCaFile(form.caFile.trimmed());
    applyPathForm(form.path, &c);
    applyQlogForm(form.qlog, &c);
    // The library's own check catches what this form does not know about.
    if (const Error e = c.validate(); e.isError()) {
        errors.insert(QString(), e.toString());
        return errors;
    }
    if (config)
        *config = c;
    return errors;
}

FieldErrors validateServerForm(const ServerForm &form, ServerPoolConfig *config)
{
    FieldErrors errors = checkPathForm(form.path);
    errors.insert(checkQlogForm(form.qlog));
    if (QString e = checkAddress(form.listenAddress, true); !e.isEmpty()) {
        errors.insert(QStringLiteral("listenAddress"), e);
    } else {
        // A listen address must be a local IP literal, not a name to resolve.
        QString host;
        quint16 port = 0;
        parseHostPort(form.listenAddress.trimmed(), &host, &port);
        if (!host.isEmpty() && QHostAddress(host).isNull())
            errors.insert(QStringLiteral("listenAddress"),
                          QStringLiteral("Listen on an IP address (e.g. 0.0.0.0 or ::), not '%1'.").arg(host));
    }
    if (form.maxCapacity < 1)
        errors.insert(QStringLiteral("maxCapacity"), QStringLiteral("The maximum capacity must be at least 1."));
    if (QString e = checkIpAddress(form.clientIp); !e.isEmpty())
        errors.insert(QStringLiteral("clientIp"), e);
    if (form.generateSelfSigned) {
        if (form.selfSignedName.trimmed().isEmpty())
            errors.insert(QStringLiteral("selfSignedName"),
                          QStringLiteral("Enter the name the generated certificate is for."));
    } else {
        if (QString e = checkCertificateFile(form.certificateFile); !e.isEmpty())
            errors.insert(QStringLiteral("certificateFile"), e);
        if (QString e = checkPrivateKeyFile(form.privateKeyFile); !e.isEmpty())
            errors.insert(QStringLiteral("privateKeyFile"), e);
    }
    if (form.keepAliveMs < 100)
        errors.insert(QStringLiteral("keepAlive"), QStringLiteral("Keep-alive must be at least 100 ms."));
    if (form.retryThreshold < 1)
        errors.insert(QStringLiteral("retryThreshold"), QStringLiteral("The Retry threshold must be at least 1 pending handshake."));
    if (!errors.isEmpty())
        return errors;

    ServerPoolConfig c;
    c.setRetryMode(form.retryMode);
    c.setRetryThreshold(form.retryThreshold);
    c.setListenAddress(form.listenAddress.trimmed());
    c.setMaxCapacity(form.maxCapacity);
    c.setClientIp(form.clientIp.trimmed());
    c.setKeepAlive(Milliseconds(form.keepAliveMs));
    applyPathForm(form.path, &c);
    applyQlogForm(form.qlog, &c);
    if (form.generateSelfSigned) {
        c.setSelfSignedName(form.selfSignedName.trimmed());
    } else {
        c.setCertificateFile(form.certificateFile);
        c.setPrivateKeyFile(form.privateKeyFile);
    }
    if (const Error e = c.validate(); e.isError()) {
        errors.insert(QString(), e.toString());
        return errors;
    }
    if (config)
        *config = c;
    return errors;
}

} // namespace quicpool::diag
