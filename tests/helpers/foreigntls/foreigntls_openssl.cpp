// ForeignTls with OpenSSL and ngtcp2's OpenSSL helper: a plain SSL set up
// the way another QUIC stack would, none of the library's rules applied.
#include "foreigntls.h"

#include <ngtcp2/ngtcp2_crypto.h>
#include <ngtcp2/ngtcp2_crypto_ossl.h>
#include <openssl/pem.h>
#include <openssl/ssl.h>

namespace quicpool::testing {

namespace {

class OpensslForeign final : public ForeignTls
{
public:
    ~OpensslForeign() override
    {
        if (ssl)
            SSL_set_app_data(ssl, nullptr);
        ngtcp2_crypto_ossl_ctx_del(native);
        SSL_free(ssl);
        SSL_CTX_free(ctx);
    }
    void *nativeHandle() override { return native; }

    /// A server's choice: the first of its protocols the client offers, or
    /// none at all (as GnuTLS does without a mandatory flag).
    static int select(SSL *, const unsigned char **out, unsigned char *outlen, const unsigned char *in,
                      unsigned inlen, void *arg)
    {
        const auto *me = static_cast<OpensslForeign *>(arg);
        unsigned char *selected = nullptr;
        if (SSL_select_next_proto(&selected, outlen, reinterpret_cast<const unsigned char *>(me->alpn.constData()),
                                  unsigned(me->alpn.size()), in, inlen)
            != OPENSSL_NPN_NEGOTIATED)
            return SSL_TLSEXT_ERR_NOACK;
        *out = selected;
        return SSL_TLSEXT_ERR_OK;
    }

    SSL_CTX *ctx = nullptr;
    SSL *ssl = nullptr;
    ngtcp2_crypto_ossl_ctx *native = nullptr;
    QByteArray alpn; // wire form
};

bool useCertificate(SSL_CTX *ctx, const PemPair &pair)
{
    BIO *crtBio = BIO_new_mem_buf(pair.certificatePem.constData(), int(pair.certificatePem.size()));
    BIO *keyBio = BIO_new_mem_buf(pair.privateKeyPem.constData(), int(pair.privateKeyPem.size()));
    X509 *crt = crtBio ? PEM_read_bio_X509(crtBio, nullptr, nullptr, nullptr) : nullptr;
    EVP_PKEY *key = keyBio ? PEM_read_bio_PrivateKey(keyBio, nullptr, nullptr, nullptr) : nullptr;
    const bool ok = crt && key && SSL_CTX_use_certificate(ctx, crt) == 1
                    && SSL_CTX_use_PrivateKey(ctx, key) == 1;
    X509_free(crt);
    EVP_PKEY_free(key);
    BIO_free(crtBio);
    BIO_free(keyBio);
    return ok;
}

} // namespace

std::unique_ptr<ForeignTls> ForeignTls::create(const ForeignTlsOptions &options,
                                               ngtcp2_crypto_conn_ref *connRef)
{
    auto peer = std::make_unique<OpensslForeign>();
    for (const QByteArray &protocol : options.alpn)
        peer->alpn += char(protocol.size()) + protocol;
    peer->ctx = SSL_CTX_new(options.server ? TLS_server_method() : TLS_client_method());
    if (!peer->ctx || !SSL_CTX_set_min_proto_version(peer->ctx, TLS1_3_VERSION))
        return nullptr;
    if (options.onlyUnsupportedGroup && !SSL_CTX_set1_groups_list(peer->ctx, "ffdhe2048"))
        return nullptr;
    if (options.certificate && !useCertificate(peer->ctx, *options.certificate))
        return nullptr;
    if (options.server && !peer->alpn.isEmpty())
        SSL_CTX_set_alpn_select_cb(peer->ctx, OpensslForeign::select, peer.get());

    peer->ssl = SSL_new(peer->ctx);
    if (!peer->ssl)
        return nullptr;
    SSL_set_app_data(peer->ssl, connRef);
    const int configured = options.server ? ngtcp2_crypto_ossl_configure_server_session(peer->ssl)
                                          : ngtcp2_crypto_ossl_configure_client_session(peer->ssl);
    if (configured != 0)
        return nullptr;
    if (options.server) {
        SSL_set_accept_state(peer->ssl);
    } else {
        SSL_set_connect_state(peer->ssl);
        if (!peer->alpn.isEmpty()
            && SSL_set_alpn_protos(peer->ssl, reinterpret_cast<const unsigned char *>(peer->alpn.constData()),
                                   unsigned(peer->alpn.size()))
                   != 0)
            return nullptr;
    }
    if (ngtcp2_crypto_ossl_ctx_new(&peer->native, peer->ssl) != 0)
        return nullptr;
    return peer;
}

QString serverNameSeen(void *serverNativeHandle)
{
    SSL *ssl = ngtcp2_crypto_ossl_ctx_get_ssl(static_cast<ngtcp2_crypto_ossl_ctx *>(serverNativeHandle));
    const char *name = ssl ? SSL_get_servername(ssl, TLSEXT_NAMETYPE_host_name) : nullptr;
    return name ? QString::fromUtf8(name) : QString();
}

int noApplicationProtocolAlert()
{
    return SSL_AD_NO_APPLICATION_PROTOCOL;
}

} // namespace quicpool::testing
