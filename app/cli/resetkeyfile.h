// The server's stateless reset key on disk. A server that restarts with
// the same key resets the connections its previous run left behind, so
// their clients redial at once instead of waiting out the idle timeout.
// The default server generates its certificate at each start, so the key
// cannot come from the certificate: it is kept in a file of its own, one
// per user; the library mixes it with the address as bound, so every
// server of that user has a secret of its own.
#pragma once

#include <QtCore/QByteArray>
#include <QtCore/QString>

namespace quicpool::cli {

/// Where the default key lives: $XDG_STATE_HOME/quicpool/reset.key, else
/// ~/.local/state/quicpool/reset.key. (Versions up to 0.2 kept one file
/// per listen address, reset-<address>.key; they are no longer read.)
QString defaultResetKeyPath();

/// Reads a key file (32 bytes or more). False with a sentence on failure.
bool readResetKey(const QString &path, QByteArray *key, QString *error);

/// Reads the key at path, or creates it (32 random bytes, mode 0600, its
/// folder 0700) when there is none. False with a sentence on failure.
bool loadOrCreateResetKey(const QString &path, QByteArray *key, QString *error);

} // namespace quicpool::cli
