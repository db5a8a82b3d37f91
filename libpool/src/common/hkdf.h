// HKDF with HMAC-SHA-256 (RFC 5869) on Qt's own hash and HMAC, so the
// secrets the library derives are the same whichever TLS backend is built.
#pragma once

#include <QtCore/QByteArray>

namespace quicpool {

/// RFC 5869 section 2.2: the pseudorandom key from input keying material.
QByteArray hkdfExtractSha256(const QByteArray &salt, const QByteArray &ikm);
/// RFC 5869 section 2.3: length bytes (at most 255 * 32) from a pseudorandom key.
QByteArray hkdfExpandSha256(const QByteArray &prk, const QByteArray &info, int length);
/// Extract then expand.
QByteArray hkdfSha256(const QByteArray &ikm, const QByteArray &salt, const QByteArray &info, int length);

} // namespace quicpool
