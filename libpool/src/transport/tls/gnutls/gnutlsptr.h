// Owning wrappers for GnuTLS handles, so every early return frees them.
// Internal: only .cpp files that already talk to GnuTLS include this.
#pragma once

#include <gnutls/gnutls.h>
#include <gnutls/x509.h>
#include <QtCore/QByteArray>
#include <QtCore/QString>
#include <memory>
#include <type_traits>

namespace quicpool::gnutls {

/// A deleter calling a one-argument GnuTLS deinit function.
template <typename Handle, void (*Deinit)(Handle)>
struct Deleter
{
    void operator()(Handle handle) const
    {
        if (handle)
            Deinit(handle);
    }
};

/// unique_ptr over a GnuTLS handle type (which is itself a pointer).
template <typename Handle, void (*Deinit)(Handle)>
using Ptr = std::unique_ptr<std::remove_pointer_t<Handle>, Deleter<Handle, Deinit>>;

inline void deinitTrustList(gnutls_x509_trust_list_t list)
{
    gnutls_x509_trust_list_deinit(list, 1); // 1: also free the certificates it owns
}

using SessionPtr = Ptr<gnutls_session_t, gnutls_deinit>;
using CredentialsPtr = Ptr<gnutls_certificate_credentials_t, gnutls_certificate_free_credentials>;
using CrtPtr = Ptr<gnutls_x509_crt_t, gnutls_x509_crt_deinit>;
using PrivKeyPtr = Ptr<gnutls_x509_privkey_t, gnutls_x509_privkey_deinit>;
using TrustListPtr = Ptr<gnutls_x509_trust_list_t, deinitTrustList>;

/// A gnutls_datum_t whose data GnuTLS allocated (exports, prints).
class Datum
{
public:
    Datum() = default;
    ~Datum() { gnutls_free(m_datum.data); }
    Datum(const Datum &) = delete;
    Datum &operator=(const Datum &) = delete;

    gnutls_datum_t *get() { return &m_datum; }
    QByteArray toByteArray() const
    {
        return QByteArray(reinterpret_cast<const char *>(m_datum.data), int(m_datum.size));
    }
    QString toString() const { return QString::fromUtf8(toByteArray()); }

private:
    gnutls_datum_t m_datum{nullptr, 0};
};

/// A non-owning view of bytes as GnuTLS wants them.
inline gnutls_datum_t view(const QByteArray &bytes)
{
    return gnutls_datum_t{reinterpret_cast<unsigned char *>(const_cast<char *>(bytes.constData())),
                          unsigned(bytes.size())};
}

/// gnutls_strerror as a QString without its final full stop, so callers can
/// embed it in their own sentence.
inline QString errorString(int code)
{
    QString text = QString::fromUtf8(gnutls_strerror(code)).trimmed();
    if (text.endsWith(u'.'))
        text.chop(1);
    return text;
}

} // namespace quicpool::gnutls
