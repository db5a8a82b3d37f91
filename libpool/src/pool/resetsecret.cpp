#include "pool/resetsecret.h"

#include "common/hkdf.h"

namespace quicpool {

namespace {
// Domain separation: this key material may serve other purposes (TLS).
const QByteArray kSalt = QByteArrayLiteral("quicpool stateless reset secret v1");
} // namespace

QByteArray deriveResetSecret(const QByteArray &configuredKey, const QByteArray &privateKey,
                             const QString &listenAddress)
{
    if (!configuredKey.isEmpty())
        return hkdfSha256(configuredKey, kSalt, QByteArray(), kResetSecretLength);
    if (!privateKey.isEmpty())
        return hkdfSha256(privateKey, kSalt, listenAddress.toUtf8(), kResetSecretLength);
    return {};
}

} // namespace quicpool
