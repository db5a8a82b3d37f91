// The qlog folder a pool writes into: checkQlogDirectory() (public, in
// config.h) looks; makeQlogDirectory() makes it at start.
#pragma once

#include <quicpool/error.h>
#include <QtCore/QString>

namespace quicpool {

/// Makes a missing qlog folder (and its missing parents) and proves it
/// writable by creating and removing a file in it. NoError for an empty
/// path; ErrorCode::QlogError and the sentence otherwise.
Error makeQlogDirectory(const QString &directory);

} // namespace quicpool
