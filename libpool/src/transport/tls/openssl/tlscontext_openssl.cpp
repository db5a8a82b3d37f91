// The OpenSSL backend's credentials: the SSL_CTX both sides share the
// settings of, server certificates and keys, the client's trust store, and
// the mode-2 chain and name check.
#include "transport/tls/openssl/opensslcontext.h"

#include "common/logging.h"
#include "transport/tls/tlscommon_p.h"

#include <QtCore/QDir>
#include <openssl/crypto.h>
#include <openssl/pem.h>
#include <openssl/rand.h>
#include <ngtcp2/ngtcp2_crypto_ossl.h>
#include <climits>

namespace quicpool::transport {

using openssl::takeErrorString;
using tls::certificateError;
using tls::setError;

namespace {

// The AEADs QUIC defines, AES-128-GCM first as GnuTLS and Go prefer it (no
// CCM: QUIC forbids its 8-byte-tag variant and nobody offers the other).
constexpr char kCiphersuites[] = "TLS_AES_128_GCM_SHA256:TLS_AES_256_GCM_SHA384:"
                                 "TLS_CHACHA20_POLY1305_SHA256";
// Key exchange: the hybrid post-quantum group first, as OpenSSL 3.5 and Go
// offer it, then the elliptic curves GnuTLS allows. Clients send key shares
// for the two starred groups; servers prefer a tuple in order (the '/'
// groups) and take a predicted share within it, so a GnuTLS peer (X25519
// only) needs no HelloRetryRequest. No finite-field groups: slow, and
// nothing in QUIC uses them.
constexpr char kGroups[] = "*X25519MLKEM768/*X25519:secp256r1/secp384r1:secp521r1";

/// No exit handler for our OpenSSL. By default OpenSSL's first use
/// registers OPENSSL_cleanup() with atexit(), and that frees every thread's
/// OpenSSL state without a lock (crypto/init.c: "We assume we are
/// single-threaded"). But QThread::wait() returns before the thread's key
/// destructors have run, and one of them frees that same state: an
/// application that returns from main() just after waiting for a worker
/// that used a pool could free it twice (seen once, at the end of
/// tst_closedstreamcredit under ASan). This OpenSSL is private to the
/// library, so nobody else wants its cleanup; the exit reclaims the memory.
/// Done as the library loads, before anything can touch OpenSSL first.
[[maybe_unused]] const bool g_noExitHandler = OPENSSL_init_crypto(OPENSSL_INIT_NO_ATEXIT, nullptr) == 1;

/// OpenSSL and ngtcp2's helper, set up once per process.
void initLibrary()
{
    static const bool ready = [] {
        OPENSSL_init_ssl(OPENSSL_INIT_NO_ATEXIT, nullptr);
        ngtcp2_crypto_ossl_init(); // fetches the ciphers once instead of per packet
        ERR_clear_error();
        return true;
    }();
    Q_UNUSED(ready);
}

/// Never asks for a pass phrase: OpenSSL's default would prompt on the
/// terminal. Encrypted keys are refused instead.
int refusePassword(char *, int, int, void *)
{
    return -1;
}

/// An SSL_CTX with what both sides insist on: TLS 1.3 only, the suites and
/// groups above, no session resumption (no tickets sent, no sessions kept),
/// and the session callbacks.
openssl::SslCtxPtr newContext(bool server, Error *error)
{
    initLibrary();
    openssl::SslCtxPtr ctx(SSL_CTX_new(server ? TLS_server_method() : TLS_client_method()));
    const char *failed = nullptr;
    if (!ctx)
        failed = "SSL_CTX_new";
    else if (!SSL_CTX_set_min_proto_version(ctx.get(), TLS1_3_VERSION)
             || !SSL_CTX_set_max_proto_version(ctx.get(), TLS1_3_VERSION))
        failed = "setting TLS 1.3";
    else if (!SSL_CTX_set_ciphersuites(ctx.get(), kCiphersuites))
        failed = "SSL_CTX_set_ciphersuites";
    else if (!SSL_CTX_set1_groups_list(ctx.get(), kGroups))
        failed = "SSL_CTX_set1_groups_list";
    if (failed) {
        setError(error, certificateError(QStringLiteral("Could not set up TLS: %1 failed: %2.")
                                             .arg(QLatin1String(failed), takeErrorString())));
        return {};
    }
    SSL_CTX_set_session_cache_mode(ctx.get(), SSL_SESS_CACHE_OFF);
    if (server) {
        SSL_CTX_set_num_tickets(ctx.get(), 0);
        SSL_CTX_set_options(ctx.get(), SSL_OP_CIPHER_SERVER_PREFERENCE);
    }
    installSessionHooks(ctx.get(), server);
    return ctx;
}

/// Parses the server's PEM chain, leaf first; empty and *error on failure.
openssl::X509StackPtr parseCertificateChain(const QByteArray &pem, const QString &name, Error *error)
{
    ERR_clear_error();
    openssl::X509StackPtr chain(sk_X509_new_null());
    openssl::BioPtr bio = openssl::readBio(pem);
    if (!chain || !bio) {
        setError(error, certificateError(QStringLiteral("Out of memory reading the %1.").arg(name)));
        return {};
    }
    while (X509 *certificate = PEM_read_bio_X509(bio.get(), nullptr, refusePassword, nullptr)) {
        if (!sk_X509_push(chain.get(), certificate)) {
            X509_free(certificate);
            break;
        }
    }
    // Reading ends with "no start line" where the text ends; anything else
    // is a certificate that is broken.
    const unsigned long last = ERR_peek_last_error();
    const bool endOfText = ERR_GET_LIB(last) == ERR_LIB_PEM && ERR_GET_REASON(last) == PEM_R_NO_START_LINE;
    if (sk_X509_num(chain.get()) > 0 && (last == 0 || endOfText)) {
        ERR_clear_error();
        return chain;
    }
    QString reason;
    if (sk_X509_num(chain.get()) == 0 && endOfText) {
        ERR_clear_error();
        reason = pem.trimmed().isEmpty() ? QStringLiteral("it is empty")
                                         : QStringLiteral("it holds no certificate");
    } else {
        reason = takeErrorString();
    }
    setError(error, certificateError(QStringLiteral("The %1 holds no valid PEM certificate: %2.").arg(name, reason)));
    return {};
}

openssl::EvpPkeyPtr parsePrivateKey(const QByteArray &pem, const QString &name, Error *error)
{
    ERR_clear_error();
    openssl::BioPtr bio = openssl::readBio(pem);
    openssl::EvpPkeyPtr key(bio ? PEM_read_bio_PrivateKey(bio.get(), nullptr, refusePassword, nullptr)
                                : nullptr);
    if (!key) {
        // OpenSSL's decoders say little more than "unsupported" when there
        // is nothing to decode; the PEM labels say what is there.
        QString reason = takeErrorString();
        if (pem.contains("-----BEGIN ENCRYPTED PRIVATE KEY-----") || pem.contains("Proc-Type: 4,ENCRYPTED"))
            reason = QStringLiteral("it is encrypted");
        else if (!pem.contains("PRIVATE KEY-----"))
            reason = QStringLiteral("it holds no private key");
        setError(error, certificateError(QStringLiteral("The %1 holds no usable PEM private key "
                                                        "(encrypted keys are not supported): %2.")
                                             .arg(name, reason)));
        return {};
    }
    ERR_clear_error();
    return key;
}

/// Whether the system store SSL_CTX_set_default_verify_paths() set up holds
/// any certificate: the bundle file is read at once, the hashed directory
/// only when a lookup needs it, so look whether it holds anything.
bool systemStoreHasCertificates(SSL_CTX *ctx)
{
    if (sk_X509_OBJECT_num(X509_STORE_get0_objects(SSL_CTX_get_cert_store(ctx))) > 0)
        return true;
    QString dirs = qEnvironmentVariable(X509_get_default_cert_dir_env());
    if (dirs.isEmpty())
        dirs = QString::fromLocal8Bit(X509_get_default_cert_dir());
    const QStringList list = dirs.split(u':', Qt::SkipEmptyParts);
    for (const QString &dir : list)
        if (!QDir(dir).entryList(QDir::Files | QDir::NoDotAndDotDot).isEmpty())
            return true;
    return false;
}

/// Mode 2's trust: the system store (which honours SSL_CERT_FILE and
/// SSL_CERT_DIR) plus the extra CAs and the CA file's, in the context's
/// X509_STORE.
bool loadTrust(SSL_CTX *ctx, const TlsClientOptions &options, Error *error)
{
    QList<QSslCertificate> extraCas;
    if (!tls::extraTrustedCas(options, &extraCas, error))
        return false;
    QString systemProblem;
    if (SSL_CTX_set_default_verify_paths(ctx) != 1)
        systemProblem = takeErrorString();
    else if (!systemStoreHasCertificates(ctx))
        systemProblem = QStringLiteral("it holds no certificates");
    ERR_clear_error();

    X509_STORE *store = SSL_CTX_get_cert_store(ctx);
    for (const QSslCertificate &ca : std::as_const(extraCas)) {
        const openssl::X509Ptr certificate = openssl::fromDer(ca.toDer());
        if (!certificate || X509_STORE_add_cert(store, certificate.get()) != 1) {
            setError(error, certificateError(QStringLiteral("The extra CA certificate \"%1\" cannot be used: %2.")
                                                 .arg(ca.subjectDisplayName(),
                                                      takeErrorString("it is not a certificate"))));
            return false;
        }
    }
    if (!systemProblem.isEmpty()) {
        if (extraCas.isEmpty()) {
            setError(error, certificateError(QStringLiteral("TLS mode 2 needs trusted CAs, but the system "
                                                            "trust store could not be loaded: %1.")
                                                 .arg(systemProblem)));
            return false;
        }
        qCWarning(lcTls) << "system trust store not loaded:" << systemProblem
                         << "- trusting only the extra CA certificates";
    }
    return true;
}

/// Why X509_verify_cert() refused, for the sentence: names in the words
/// GnuTLS uses, everything else in OpenSSL's.
QString verifyFailure(int code, const QString &host)
{
    switch (code) {
    case X509_V_ERR_HOSTNAME_MISMATCH:
    case X509_V_ERR_IP_ADDRESS_MISMATCH:
        return QStringLiteral("the name in the certificate does not match the expected \"%1\"").arg(host);
    default:
        return QString::fromUtf8(X509_verify_cert_error_string(code));
    }
}

} // namespace

Error OpensslContext::verifyChainAndName(const QList<QByteArray> &chainDer) const
{
    const QString &host = clientOptions().hostname;
    openssl::X509StackPtr chain(sk_X509_new_null());
    openssl::X509StoreCtxPtr verifier(X509_STORE_CTX_new());
    if (!chain || !verifier)
        return Error(ErrorCode::TlsHandshakeFailed,
                     QStringLiteral("Out of memory while verifying the server certificate."));
    for (const QByteArray &der : chainDer) {
        openssl::X509Ptr certificate = openssl::fromDer(der);
        if (!certificate)
            return Error(ErrorCode::TlsHandshakeFailed,
                         QStringLiteral("The server certificate for \"%1\" cannot be parsed: %2.")
                             .arg(host, takeErrorString("it is not DER")));
        if (!sk_X509_push(chain.get(), certificate.get()))
            return Error(ErrorCode::TlsHandshakeFailed,
                         QStringLiteral("Out of memory while verifying the server certificate."));
        certificate.release(); // the stack owns it now
    }

    // The leaf, with the rest of what the server sent as untrusted
    // intermediates, up to the system store and the extra CAs; the purpose
    // "TLS server" (extended key usage); the name as a DNS name or an
    // IP literal (iPAddress SANs only), without partial wildcards.
    if (X509_STORE_CTX_init(verifier.get(), SSL_CTX_get_cert_store(m_ctx.get()),
                            sk_X509_value(chain.get(), 0), chain.get())
            != 1
        || X509_STORE_CTX_set_default(verifier.get(), "ssl_server") != 1)
        return Error(ErrorCode::TlsHandshakeFailed,
                     QStringLiteral("The server certificate for \"%1\" could not be verified: %2.")
                         .arg(host, takeErrorString()));
    X509_VERIFY_PARAM *param = X509_STORE_CTX_get0_param(verifier.get());
    const QByteArray ip = tls::ipAddressBytes(host);
    const QByteArray name = host.toUtf8();
    const int named = !ip.isEmpty()
                          ? X509_VERIFY_PARAM_set1_ip(param, reinterpret_cast<const unsigned char *>(ip.constData()),
                                                      size_t(ip.size()))
                          : (X509_VERIFY_PARAM_set_hostflags(param, X509_CHECK_FLAG_NO_PARTIAL_WILDCARDS),
                             X509_VERIFY_PARAM_set1_host(param, name.constData(), size_t(name.size())));
    if (named != 1)
        return Error(ErrorCode::TlsHandshakeFailed,
                     QStringLiteral("The server certificate for \"%1\" could not be verified: %2.")
                         .arg(host, takeErrorString()));

    const int verified = X509_verify_cert(verifier.get());
    const int code = X509_STORE_CTX_get_error(verifier.get());
    ERR_clear_error(); // lookups may leave errors behind, even on success
    if (verified == 1)
        return {};
    return Error(ErrorCode::TlsHandshakeFailed,
                 QStringLiteral("The server certificate for \"%1\" failed verification: The certificate "
                                "is NOT trusted: %2.")
                     .arg(host, verifyFailure(code, host)));
}

std::unique_ptr<TlsContext> TlsContext::createServer(const TlsServerOptions &options, Error *error)
{
    tls::ServerCredentials loaded;
    if (!tls::loadServerCredentials(options, &loaded, error))
        return nullptr;

    // Parse each half alone first, so the sentence can say which one is bad.
    const openssl::X509StackPtr chain = parseCertificateChain(loaded.certificatePem, loaded.certificateName, error);
    if (!chain)
        return nullptr;
    const openssl::EvpPkeyPtr key = parsePrivateKey(loaded.keyPem, loaded.keyName, error);
    if (!key)
        return nullptr;
    X509 *leaf = sk_X509_value(chain.get(), 0);
    if (X509_check_private_key(leaf, key.get()) != 1) {
        ERR_clear_error();
        setError(error, certificateError(QStringLiteral("The %1 and the %2 do not match: the key belongs to "
                                                        "another certificate.")
                                             .arg(loaded.certificateName, loaded.keyName)));
        return nullptr;
    }

    openssl::SslCtxPtr ctx = newContext(true, error);
    if (!ctx)
        return nullptr;
    bool usable = SSL_CTX_use_certificate(ctx.get(), leaf) == 1
                  && SSL_CTX_use_PrivateKey(ctx.get(), key.get()) == 1;
    for (int i = 1; usable && i < sk_X509_num(chain.get()); ++i)
        usable = SSL_CTX_add1_chain_cert(ctx.get(), sk_X509_value(chain.get(), i)) == 1;
    if (!usable) {
        setError(error, certificateError(QStringLiteral("The %1 with the %2 cannot be used: %3.")
                                             .arg(loaded.certificateName, loaded.keyName, takeErrorString())));
        return nullptr;
    }

    auto context = std::make_unique<OpensslContext>(true, std::move(ctx), TlsClientOptions(),
                                                    QSslCertificate(openssl::toDer(leaf), QSsl::Der));
    setError(error, Error());
    return context;
}

std::unique_ptr<TlsContext> TlsContext::createClient(const TlsClientOptions &options, Error *error)
{
    if (!tls::checkClientOptions(options, error))
        return nullptr;
    openssl::SslCtxPtr ctx = newContext(false, error);
    if (!ctx)
        return nullptr;
    if (options.mode == TlsMode::Verified && !loadTrust(ctx.get(), options, error))
        return nullptr;

    auto context = std::make_unique<OpensslContext>(false, std::move(ctx), options, QSslCertificate());
    setError(error, Error());
    return context;
}

void randomBytes(void *buf, size_t len)
{
    // Connection IDs and reset tokens must not be guessable; continuing with
    // predictable bytes would be worse than stopping.
    auto *out = static_cast<unsigned char *>(buf);
    while (len > 0) {
        const int chunk = len > size_t(INT_MAX) ? INT_MAX : int(len);
        if (RAND_bytes(out, chunk) != 1)
            qFatal("RAND_bytes failed: %s", qPrintable(takeErrorString()));
        out += chunk;
        len -= size_t(chunk);
    }
}

QString tlsLibraryVersion()
{
    // "3.5.7": the number alone, as QSslSocket::sslLibraryVersionString()
    // starts ("OpenSSL 3.0.19 27 Jan 2026").
    const char *number = OpenSSL_version(OPENSSL_VERSION_STRING);
    return QStringLiteral("OpenSSL %1").arg(number ? QString::fromLatin1(number) : QStringLiteral("?"));
}

} // namespace quicpool::transport
