// The versions of the libraries QUIC runs on, as loaded at run time (which
// may be newer than the headers we compiled against).
#include <quicpool/global.h>

#include "transport/tls/tlscontext.h"

#include <ngtcp2/ngtcp2.h>

namespace quicpool {

QString ngtcp2Version()
{
    const ngtcp2_info *info = ngtcp2_version(0);
    return info && info->version_str ? QString::fromLatin1(info->version_str) : QString();
}

QString tlsLibraryVersionString()
{
    return transport::tlsLibraryVersion();
}

} // namespace quicpool
