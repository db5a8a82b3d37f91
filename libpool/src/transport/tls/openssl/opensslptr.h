// Owning wrappers for OpenSSL objects, so every early return frees them, and
// the small conversions the backend keeps needing (memory BIOs, DER, the
// error queue as a sentence). Internal: only .cpp files that already talk
// to OpenSSL include this.
#pragma once

#include <openssl/bio.h>
#include <openssl/err.h>
#include <openssl/evp.h>
#include <openssl/ssl.h>
#include <openssl/x509.h>
#include <openssl/x509v3.h>
#include <QtCore/QByteArray>
#include <QtCore/QString>
#include <memory>

namespace quicpool::openssl {

/// A deleter calling a one-argument OpenSSL free function.
template <typename T, void (*Free)(T *)>
struct Deleter
{
    void operator()(T *object) const { Free(object); } // OpenSSL's frees accept null
};

template <typename T, void (*Free)(T *)>
using Ptr = std::unique_ptr<T, Deleter<T, Free>>;

inline void freeX509Stack(STACK_OF(X509) *stack)
{
    sk_X509_pop_free(stack, X509_free);
}

inline void freeGeneralNames(GENERAL_NAMES *names)
{
    GENERAL_NAMES_free(names);
}

using SslCtxPtr = Ptr<SSL_CTX, SSL_CTX_free>;
using SslPtr = Ptr<SSL, SSL_free>;
using X509Ptr = Ptr<X509, X509_free>;
using X509StackPtr = Ptr<STACK_OF(X509), freeX509Stack>;
using X509StoreCtxPtr = Ptr<X509_STORE_CTX, X509_STORE_CTX_free>;
using X509ExtensionPtr = Ptr<X509_EXTENSION, X509_EXTENSION_free>;
using GeneralNamesPtr = Ptr<GENERAL_NAMES, freeGeneralNames>;
using EvpPkeyPtr = Ptr<EVP_PKEY, EVP_PKEY_free>;
using BioPtr = Ptr<BIO, BIO_free_all>;
using BignumPtr = Ptr<BIGNUM, BN_free>;
using Asn1IntegerPtr = Ptr<ASN1_INTEGER, ASN1_INTEGER_free>;

/// A read-only memory BIO over bytes that must outlive it.
inline BioPtr readBio(const QByteArray &bytes)
{
    return BioPtr(BIO_new_mem_buf(bytes.constData(), int(bytes.size())));
}

/// Everything written into a memory BIO.
inline QByteArray bioContents(BIO *bio)
{
    char *data = nullptr;
    const long size = BIO_get_mem_data(bio, &data);
    return size > 0 ? QByteArray(data, qsizetype(size)) : QByteArray();
}

inline QByteArray toDer(X509 *certificate)
{
    unsigned char *der = nullptr;
    const int size = i2d_X509(certificate, &der);
    if (size <= 0)
        return {};
    QByteArray out(reinterpret_cast<const char *>(der), size);
    OPENSSL_free(der);
    return out;
}

inline X509Ptr fromDer(const QByteArray &der)
{
    const auto *data = reinterpret_cast<const unsigned char *>(der.constData());
    X509Ptr certificate(d2i_X509(nullptr, &data, long(der.size())));
    // Trailing bytes mean this was not one certificate.
    if (certificate && data != reinterpret_cast<const unsigned char *>(der.constData()) + der.size())
        certificate.reset();
    return certificate;
}

/// The reason of the newest error in this thread's queue, without a final
/// full stop so callers can embed it in their own sentence, and empties the
/// queue: ngtcp2's helper calls SSL_get_error(), which takes any error left
/// there as a failure of whatever connection asks next.
inline QString takeErrorString(const char *fallback = "unknown error")
{
    const unsigned long code = ERR_peek_last_error();
    ERR_clear_error();
    const char *reason = code ? ERR_reason_error_string(code) : nullptr;
    QString text = QString::fromUtf8(reason ? reason : fallback).trimmed();
    if (text.endsWith(u'.'))
        text.chop(1);
    return text;
}

} // namespace quicpool::openssl
