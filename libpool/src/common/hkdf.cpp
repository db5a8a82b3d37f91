#include "common/hkdf.h"

#include <QtCore/QCryptographicHash>
#include <QtCore/QMessageAuthenticationCode>

namespace quicpool {

namespace {
constexpr int kHashLength = 32;
}

QByteArray hkdfExtractSha256(const QByteArray &salt, const QByteArray &ikm)
{
    // An absent salt is HashLen zero bytes (RFC 5869 2.2).
    const QByteArray key = salt.isEmpty() ? QByteArray(kHashLength, '\0') : salt;
    return QMessageAuthenticationCode::hash(ikm, key, QCryptographicHash::Sha256);
}

QByteArray hkdfExpandSha256(const QByteArray &prk, const QByteArray &info, int length)
{
    if (length <= 0 || length > 255 * kHashLength)
        return {};
    QByteArray out;
    QByteArray block;
    for (int i = 1; out.size() < length; ++i) {
        QMessageAuthenticationCode mac(QCryptographicHash::Sha256, prk);
        mac.addData(block);
        mac.addData(info);
        const char counter = char(i);
        mac.addData(&counter, 1);
        block = mac.result();
        out += block;
    }
    out.truncate(length);
    return out;
}

QByteArray hkdfSha256(const QByteArray &ikm, const QByteArray &salt, const QByteArray &info, int length)
{
    return hkdfExpandSha256(hkdfExtractSha256(salt, ikm), info, length);
}

} // namespace quicpool
