#include <quicpool/certificate.h>


#include <QtCore/QCryptographicHash>

namespace quicpool {

namespace {

constexpr int kSha256Size = 32;

void setError(QString *error, const QString &message)
{
    if (error)
        *error = message;
}

bool isHexDigit(QChar c)
{
    return (c >= u'0' && c <= u'9') || (c >= u'a' && c <= u'f') || (c >= u'A' && c <= u'F');
}

} // namespace

QString fingerprintOfDer(const QByteArray &der)
{
    const QByteArray digest = QCryptographicHash::hash(der, QCryptographicHash::Sha256);
    return QStringLiteral("sha256:") + QString::fromLatin1(digest.toHex(':').toUpper());
}

QString certificateFingerprint(const QSslCertificate &certificate)
{
    if (certificate.isNull())
        return {};
    return fingerprintOfDer(certificate.toDer());
}

QByteArray parseFingerprint(const QString &text, QString *error)
{
    QString digits = text.trimmed();
    if (digits.isEmpty()) {
        setError(error, QStringLiteral("The certificate fingerprint is empty."));
        return {};
    }

    // An algorithm prefix is whatever precedes the first colon unless that is
    // already the first byte of a colon-separated fingerprint ("AB:CD:...").
    const qsizetype colon = digits.indexOf(u':');
    if (colon >= 0) {
        const QString head = digits.left(colon);
        const bool isFirstByte = head.size() == 2 && isHexDigit(head[0]) && isHexDigit(head[1]);
        if (!isFirstByte) {
            if (head.compare(QLatin1String("sha256"), Qt::CaseInsensitive) != 0) {
                setError(error, QStringLiteral("The certificate fingerprint \"%1\" starts with "
                                               "\"%2:\"; only sha256 fingerprints are supported.")
                                    .arg(text, head));
                return {};
            }
            digits = digits.mid(colon + 1);
        }
    }
    digits.remove(u':');

    for (const QChar c : std::as_const(digits)) {
        if (!isHexDigit(c)) {
            setError(error, QStringLiteral("The certificate fingerprint \"%1\" contains '%2', "
                                           "which is not a hexadecimal digit.")
                                .arg(text, c));
            return {};
        }
    }
    if (digits.size() != 2 * kSha256Size) {
        setError(error, QStringLiteral("The certificate fingerprint \"%1\" has %2 hexadecimal "
                                       "digits; a SHA-256 fingerprint has %3.")
                            .arg(text)
                            .arg(digits.size())
                            .arg(2 * kSha256Size));
        return {};
    }
    setError(error, QString());
    return QByteArray::fromHex(digits.toLatin1());
}

} // namespace quicpool
