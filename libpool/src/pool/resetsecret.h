// Where a server's stateless reset secret comes from. A secret that
// survives a restart lets the restarted server reset the connections its
// previous run left behind (RFC 9000 10.3), so their clients redial at
// once instead of waiting out the idle timeout.
#pragma once

#include <QtCore/QByteArray>
#include <QtCore/QString>

namespace quicpool {

inline constexpr int kResetSecretLength = 32;

/// The 32-byte secret from a key and the address as bound (HOST:PORT, a
/// port 0 resolved: so a server started on port 0 and restarted on the port
/// it got finds the same secret; another address is another secret). The
/// key, in order of preference: the configured one (one per user or host
/// serves all its servers); else the private key's bytes; else none, and
/// the result is empty, for a random secret (a generated certificate's key
/// dies with the process anyway).
QByteArray deriveResetSecret(const QByteArray &configuredKey, const QByteArray &privateKey,
                             const QString &boundAddress);

} // namespace quicpool
