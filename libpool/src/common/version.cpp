// libpool's own version, from the build. The versions of the libraries
// QUIC runs on are the transport's (transport/versions.cpp).
#include <quicpool/global.h>

#include "buildinfo.h"

namespace quicpool {

QString version()
{
    return QStringLiteral(QUICPOOL_VERSION_STRING);
}

} // namespace quicpool
