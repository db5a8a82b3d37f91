// The server's stateless reset key on disk. A server that restarts with
// the same key resets the connections its previous run left behind, so
// their clients redial at once instead of waiting out the idle timeout.
// The default server generates its certificate at each start, so the key
// cannot come from the certificate: it is kept in a file of its own.
#pragma once

#include <QtCore/QByteArray>
#include <QtCore/QString>

namespace quicpool::cli {

/// Where the default key for a listen address lives:
/// $XDG_STATE_HOME/quicpool/reset-<address>.key, else
/// ~/.local/state/quicpool/reset-<address>.key; characters a file name
/// should not hold become '_'.
QString defaultResetKeyPath(const QString &listen);

/// Reads a key file (32 bytes or more). False with a sentence on failure.
bool readResetKey(const QString &path, QByteArray *key, QString *error);

/// Reads the key at path, or creates it (32 random bytes, mode 0600, its
/// folder 0700) when there is none. False with a sentence on failure.
bool loadOrCreateResetKey(const QString &path, QByteArray *key, QString *error);

} // namespace quicpool::cli
