// Where a server's stateless reset secret comes from. A secret that
// survives a restart lets the restarted server reset the connections its
// previous run left behind (RFC 9000 10.3), so their clients redial at
// once instead of waiting out the idle timeout.
#pragma once

#include <QtCore/QByteArray>
#include <QtCore/QString>

namespace quicpool {

inline constexpr int kResetSecretLength = 32;

/// The 32-byte secret, in order of preference: from the configured key;
/// else from the private key's bytes and the listen address (another
/// address is another secret); else empty, for a random one (a generated
/// certificate's key dies with the process anyway).
QByteArray deriveResetSecret(const QByteArray &configuredKey, const QByteArray &privateKey,
                             const QString &listenAddress);

} // namespace quicpool
