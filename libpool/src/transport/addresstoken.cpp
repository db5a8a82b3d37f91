#include "transport/addresstoken.h"

#include "common/hkdf.h"
#include "transport/connection_p.h"

#include <chrono>

namespace quicpool::transport {

namespace {

const QByteArray kTokenSalt = QByteArrayLiteral("quicpool address token key v1");

bool isInet(const SocketAddress &a)
{
    return (a.family() == AF_INET && a.length == sizeof(sockaddr_in))
        || (a.family() == AF_INET6 && a.length == sizeof(sockaddr_in6));
}

} // namespace

TokenKey tokenKeyFromSecret(const uint8_t *secret, size_t length)
{
    const QByteArray derived = hkdfSha256(QByteArray(reinterpret_cast<const char *>(secret), qsizetype(length)),
                                          kTokenSalt, QByteArray(), int(sizeof(TokenKey::bytes)));
    TokenKey key;
    std::memcpy(key.bytes.data(), derived.constData(), key.bytes.size());
    return key;
}

TokenKind tokenKind(const uint8_t *token, size_t length)
{
    if (length == 0)
        return TokenKind::None;
    switch (token[0]) {
    case NGTCP2_CRYPTO_TOKEN_MAGIC_RETRY2:
        return TokenKind::Retry;
    case NGTCP2_CRYPTO_TOKEN_MAGIC_REGULAR:
        return TokenKind::NewToken;
    default:
        return TokenKind::Unknown;
    }
}

uint64_t tokenClockNs()
{
    return uint64_t(std::chrono::duration_cast<std::chrono::nanoseconds>(
                        std::chrono::system_clock::now().time_since_epoch())
                        .count());
}

QByteArray makeRetryToken(const TokenKey &key, const SocketAddress &client, const ConnectionId &retryScid,
                          const ConnectionId &originalDcid, uint64_t nowNs)
{
    if (!isInet(client))
        return {};
    uint8_t token[NGTCP2_CRYPTO_MAX_RETRY_TOKENLEN2];
    const ngtcp2_cid scid = toNgtcp2Cid(retryScid);
    const ngtcp2_cid odcid = toNgtcp2Cid(originalDcid);
    const ngtcp2_ssize n = ngtcp2_crypto_generate_retry_token2(
        token, key.bytes.data(), key.bytes.size(), NGTCP2_PROTO_VER_V1, client.data(), client.length, &scid, &odcid,
        nowNs);
    return n > 0 ? QByteArray(reinterpret_cast<const char *>(token), int(n)) : QByteArray();
}

RetryTokenCheck checkRetryToken(const TokenKey &key, const uint8_t *token, size_t length, const SocketAddress &client,
                                const ConnectionId &dcid, uint64_t lifetimeNs, uint64_t nowNs)
{
    RetryTokenCheck check;
    if (!isInet(client) || tokenKind(token, length) != TokenKind::Retry)
        return check;
    const ngtcp2_cid raw = toNgtcp2Cid(dcid);
    ngtcp2_cid odcid;
    const int rv = ngtcp2_crypto_verify_retry_token2(&odcid, token, length, key.bytes.data(), key.bytes.size(),
                                                     NGTCP2_PROTO_VER_V1, client.data(), client.length, &raw,
                                                     lifetimeNs, nowNs);
    if (rv == 0) {
        check.verdict = TokenVerdict::Valid;
        check.originalDcid = toConnectionId(odcid);
    } else if (rv == NGTCP2_CRYPTO_ERR_VERIFY_TOKEN) {
        check.verdict = TokenVerdict::Refused;
    }
    return check;
}

QByteArray makeNewToken(const TokenKey &key, const SocketAddress &client, uint64_t nowNs)
{
    if (!isInet(client))
        return {};
    uint8_t token[NGTCP2_CRYPTO_MAX_REGULAR_TOKENLEN];
    const ngtcp2_ssize n = ngtcp2_crypto_generate_regular_token(token, key.bytes.data(), key.bytes.size(),
                                                                client.data(), client.length, nowNs);
    return n > 0 ? QByteArray(reinterpret_cast<const char *>(token), int(n)) : QByteArray();
}

TokenVerdict checkNewToken(const TokenKey &key, const uint8_t *token, size_t length, const SocketAddress &client,
                           uint64_t lifetimeNs, uint64_t nowNs)
{
    if (!isInet(client) || tokenKind(token, length) != TokenKind::NewToken)
        return TokenVerdict::Unreadable;
    // Ours carry no opaque data: a longer token is not one of ours.
    if (length != NGTCP2_CRYPTO_MAX_REGULAR_TOKENLEN)
        return TokenVerdict::Unreadable;
    const ngtcp2_ssize rv = ngtcp2_crypto_verify_regular_token2(nullptr, 0, token, length, key.bytes.data(),
                                                                key.bytes.size(), client.data(), client.length,
                                                                lifetimeNs, nowNs);
    if (rv >= 0)
        return TokenVerdict::Valid;
    return rv == NGTCP2_CRYPTO_ERR_VERIFY_TOKEN ? TokenVerdict::Refused : TokenVerdict::Unreadable;
}

} // namespace quicpool::transport
