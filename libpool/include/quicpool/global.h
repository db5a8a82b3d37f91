// Export macro and version queries of libpool.
#pragma once

#include <QtCore/qglobal.h>
#include <QtCore/QString>

#if defined(QUICPOOL_BUILDING_LIBRARY)
#  define QUICPOOL_EXPORT Q_DECL_EXPORT
#else
#  define QUICPOOL_EXPORT Q_DECL_IMPORT
#endif

namespace quicpool {

/// libpool's own version, e.g. "0.2.0".
QUICPOOL_EXPORT QString version();
/// The ngtcp2 library version in use at run time.
QUICPOOL_EXPORT QString ngtcp2Version();
/// The TLS library QUIC runs on, with its run-time version, in the manner
/// of QSslSocket::sslLibraryVersionString(): "GnuTLS 3.7.9", "OpenSSL 3.5.4".
QUICPOOL_EXPORT QString tlsLibraryVersionString();

} // namespace quicpool
