// Version queries: ours from the build, the others from the loaded libraries
// (which may be newer than the headers we compiled against).
#include <quicpool/global.h>

#include "buildinfo.h"

#include <gnutls/gnutls.h>
#include <ngtcp2/ngtcp2.h>

namespace quicpool {

QString version()
{
    return QStringLiteral(QUICPOOL_VERSION_STRING);
}

QString ngtcp2Version()
{
    const ngtcp2_info *info = ngtcp2_version(0);
    return info && info->version_str ? QString::fromLatin1(info->version_str) : QString();
}

QString tlsLibraryVersionString()
{
    const char *text = gnutls_check_version(nullptr);
    return QStringLiteral("GnuTLS %1").arg(text ? QString::fromLatin1(text) : QStringLiteral("?"));
}

} // namespace quicpool
