#include "pool/resetsecret.h"

#include "common/hkdf.h"

namespace quicpool {

namespace {
// Domain separation: this key material may serve other purposes (TLS).
const QByteArray kSalt = QByteArrayLiteral("quicpool stateless reset secret v1");
} // namespace

QByteArray deriveResetSecret(const QByteArray &configuredKey, const QByteArray &privateKey,
                             const QString &boundAddress)
{
    // The address goes in as HKDF's info: one key serves every server of a
    // host, each address gets a secret of its own.
    const QByteArray &key = configuredKey.isEmpty() ? privateKey : configuredKey;
    if (key.isEmpty())
        return {};
    return hkdfSha256(key, kSalt, boundAddress.toUtf8(), kResetSecretLength);
}

} // namespace quicpool
