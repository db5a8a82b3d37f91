// Real TLS 1.3 handshakes between two TlsSessions, carried by two ngtcp2
// connections that hand packets to each other in memory (no sockets): ALPN,
// SNI, pin and chain checks as the transport will meet them. Foreign peers
// (other ALPN lists, other groups) come from the backend's own TLS library
// through foreigntls.h, so the test runs unchanged on either backend.
#include "foreigntls.h"
#include "testpki.h"

#include "transport/tls/tlssession.h"
#include <quicpool/certificate.h>

#include <QtCore/QTemporaryDir>
#include <QtTest/QtTest>

#include <ngtcp2/ngtcp2.h>
#include <ngtcp2/ngtcp2_crypto.h>
#include <netinet/in.h>

#include <array>
#include <chrono>

using namespace quicpool;
using namespace quicpool::transport;

namespace {

ngtcp2_tstamp now()
{
    return ngtcp2_tstamp(std::chrono::duration_cast<std::chrono::nanoseconds>(
                             std::chrono::steady_clock::now().time_since_epoch())
                             .count());
}

void randCallback(uint8_t *dest, size_t len, const ngtcp2_rand_ctx *)
{
    randomBytes(dest, len);
}

int newConnectionIdCallback(ngtcp2_conn *, ngtcp2_cid *cid, uint8_t *token, size_t cidlen, void *)
{
    randomBytes(cid->data, cidlen);
    cid->datalen = cidlen;
    randomBytes(token, NGTCP2_STATELESS_RESET_TOKENLEN);
    return 0;
}

ngtcp2_callbacks callbacks(bool server)
{
    ngtcp2_callbacks cb{};
    if (server) {
        cb.recv_client_initial = ngtcp2_crypto_recv_client_initial_cb;
    } else {
        cb.client_initial = ngtcp2_crypto_client_initial_cb;
        cb.recv_retry = ngtcp2_crypto_recv_retry_cb;
    }
    cb.recv_crypto_data = ngtcp2_crypto_recv_crypto_data_cb;
    cb.encrypt = ngtcp2_crypto_encrypt_cb;
    cb.decrypt = ngtcp2_crypto_decrypt_cb;
    cb.hp_mask = ngtcp2_crypto_hp_mask_cb;
    cb.rand = randCallback;
    cb.get_new_connection_id = newConnectionIdCallback;
    cb.update_key = ngtcp2_crypto_update_key_cb;
    cb.delete_crypto_aead_ctx = ngtcp2_crypto_delete_crypto_aead_ctx_cb;
    cb.delete_crypto_cipher_ctx = ngtcp2_crypto_delete_crypto_cipher_ctx_cb;
    cb.get_path_challenge_data = ngtcp2_crypto_get_path_challenge_data_cb;
    cb.version_negotiation = ngtcp2_crypto_version_negotiation_cb;
    return cb;
}

sockaddr_in loopback(quint16 port)
{
    sockaddr_in address{};
    address.sin_family = AF_INET;
    address.sin_port = htons(port);
    address.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    return address;
}

/// One side: a TlsSession and the ngtcp2 connection it is bound to.
struct Peer
{
    explicit Peer(bool isServer)
        : server(isServer), local(loopback(isServer ? 4433 : 50000)),
          remote(loopback(isServer ? 50000 : 4433))
    {
    }
    ~Peer()
    {
        if (conn)
            ngtcp2_conn_del(conn);
    }
    Q_DISABLE_COPY_MOVE(Peer)

    static ngtcp2_conn *getConn(ngtcp2_crypto_conn_ref *ref)
    {
        return static_cast<Peer *>(ref->user_data)->conn;
    }
    ngtcp2_path path()
    {
        return ngtcp2_path{{reinterpret_cast<ngtcp2_sockaddr *>(&local), sizeof(local)},
                           {reinterpret_cast<ngtcp2_sockaddr *>(&remote), sizeof(remote)},
                           nullptr};
    }
    bool completed() const { return conn && ngtcp2_conn_get_handshake_completed(conn); }
    void *nativeHandle() const { return tls ? tls->nativeHandle() : foreign->nativeHandle(); }

    bool server;
    sockaddr_in local, remote;
    ngtcp2_crypto_conn_ref ref{&Peer::getConn, this};
    ngtcp2_conn *conn = nullptr;
    std::unique_ptr<TlsSession> tls;                  // ours...
    std::unique_ptr<testing::ForeignTls> foreign;     // ...or a plain one set up by the test
    int error = 0; // first ngtcp2 error on this side
};

/// Creates the connection for a peer whose TlsSession exists; the server
/// needs the client's first packet.
bool createConnection(Peer &peer, const uint8_t *firstPacket = nullptr, size_t length = 0)
{
    ngtcp2_settings settings;
    ngtcp2_settings_default(&settings);
    settings.initial_ts = now();
    ngtcp2_transport_params params;
    ngtcp2_transport_params_default(&params);
    params.initial_max_streams_bidi = 4;
    params.initial_max_data = 1 << 20;
    params.initial_max_stream_data_bidi_local = 1 << 18;
    params.initial_max_stream_data_bidi_remote = 1 << 18;
    const ngtcp2_callbacks cb = callbacks(peer.server);
    const ngtcp2_path path = peer.path();

    ngtcp2_cid scid;
    scid.datalen = 8;
    randomBytes(scid.data, scid.datalen);
    int rv = 0;
    if (peer.server) {
        ngtcp2_pkt_hd hd;
        if (ngtcp2_accept(&hd, firstPacket, length) != 0)
            return false;
        params.original_dcid = hd.dcid;
        params.original_dcid_present = 1;
        rv = ngtcp2_conn_server_new(&peer.conn, &hd.scid, &scid, &path, hd.version, &cb,
                                    &settings, &params, nullptr, &peer);
    } else {
        ngtcp2_cid dcid;
        dcid.datalen = 18;
        randomBytes(dcid.data, dcid.datalen);
        rv = ngtcp2_conn_client_new(&peer.conn, &dcid, &scid, &path, NGTCP2_PROTO_VER_V1, &cb,
                                    &settings, &params, nullptr, &peer);
    }
    if (rv != 0)
        return false;
    ngtcp2_conn_set_tls_native_handle(peer.conn, peer.nativeHandle());
    return true;
}

/// Moves every packet `from` wants to send into `to`. True if any moved.
bool pump(Peer &from, Peer &to)
{
    bool moved = false;
    for (int i = 0; i < 64 && !from.error && !to.error; ++i) {
        std::array<uint8_t, 1500> buffer{};
        ngtcp2_path_storage storage;
        ngtcp2_path_storage_zero(&storage);
        ngtcp2_pkt_info info{};
        const ngtcp2_ssize written = ngtcp2_conn_write_pkt(from.conn, &storage.path, &info,
                                                           buffer.data(), buffer.size(), now());
        if (written < 0) {
            from.error = int(written);
            break;
        }
        if (written == 0)
            break;
        moved = true;
        if (!to.conn && !createConnection(to, buffer.data(), size_t(written))) {
            to.error = NGTCP2_ERR_INTERNAL;
            break;
        }
        const ngtcp2_path path = to.path();
        ngtcp2_pkt_info received{};
        if (const int rv = ngtcp2_conn_read_pkt(to.conn, &path, &received, buffer.data(),
                                                size_t(written), now());
            rv != 0)
            to.error = rv;
    }
    return moved;
}

/// Runs the handshake until both sides finish, one fails, or nothing moves.
void handshake(Peer &client, Peer &server)
{
    for (int round = 0; round < 20 && !client.error && !server.error; ++round) {
        const bool sent = pump(client, server);
        const bool answered = server.conn && pump(server, client);
        if (client.completed() && server.completed())
            return;
        if (!sent && !answered)
            return;
    }
}

} // namespace

class TestTlsHandshake : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void initTestCase();
    void succeeds_data();
    void succeeds();
    void clientRejects_data();
    void clientRejects();
    void serverRejectsClientWithoutAlpn_data();
    void serverRejectsClientWithoutAlpn();
    void clientRejectsServerWithoutAlpn_data();
    void clientRejectsServerWithoutAlpn();
    void serverExplainsAlert();

private:
    /// Sets up both peers; the test runs the handshake.
    bool setUp(const TlsClientOptions &clientOptions, const TlsServerOptions &serverOptions);
    /// Our server against a foreign client.
    bool setUpForeignClient(const QList<QByteArray> &alpn, bool onlyUnsupportedGroup = false);
    /// Our client (mode 0) against a foreign server with the test leaf.
    bool setUpForeignServer(const QList<QByteArray> &alpn);

    QTemporaryDir m_dir;
    testing::TestPki m_pki;
    std::unique_ptr<TlsContext> m_clientContext, m_serverContext;
    std::unique_ptr<Peer> m_client, m_server;
};

void TestTlsHandshake::initTestCase()
{
    QVERIFY(m_dir.isValid());
    QString error;
    m_pki = testing::TestPki::create(m_dir.path(), QStringLiteral("server.test"),
                                     {QStringLiteral("127.0.0.1")}, QStringLiteral("pki"), &error);
    QVERIFY2(m_pki.isValid(), qPrintable(error));
}

bool TestTlsHandshake::setUp(const TlsClientOptions &clientOptions,
                             const TlsServerOptions &serverOptions)
{
    m_client.reset();
    m_server.reset();
    Error error;
    m_clientContext = TlsContext::createClient(clientOptions, &error);
    if (!m_clientContext) {
        qWarning() << error.toString();
        return false;
    }
    m_serverContext = TlsContext::createServer(serverOptions, &error);
    if (!m_serverContext) {
        qWarning() << error.toString();
        return false;
    }
    m_client = std::make_unique<Peer>(false);
    m_server = std::make_unique<Peer>(true);
    m_client->tls = TlsSession::create(*m_clientContext, &m_client->ref, &error);
    m_server->tls = TlsSession::create(*m_serverContext, &m_server->ref, &error);
    return m_client->tls && m_server->tls && createConnection(*m_client);
}

bool TestTlsHandshake::setUpForeignClient(const QList<QByteArray> &alpn, bool onlyUnsupportedGroup)
{
    m_client.reset();
    m_server.reset();
    Error error;
    m_serverContext = TlsContext::createServer({}, &error);
    m_client = std::make_unique<Peer>(false);
    m_server = std::make_unique<Peer>(true);
    return m_serverContext
           && (m_server->tls = TlsSession::create(*m_serverContext, &m_server->ref, &error))
           && (m_client->foreign = testing::ForeignTls::create(
                   {false, alpn, onlyUnsupportedGroup, nullptr}, &m_client->ref))
           && createConnection(*m_client);
}

bool TestTlsHandshake::setUpForeignServer(const QList<QByteArray> &alpn)
{
    m_client.reset();
    m_server.reset();
    Error error;
    m_clientContext = TlsContext::createClient({}, &error);
    m_client = std::make_unique<Peer>(false);
    m_server = std::make_unique<Peer>(true);
    return m_clientContext
           && (m_client->tls = TlsSession::create(*m_clientContext, &m_client->ref, &error))
           && (m_server->foreign = testing::ForeignTls::create({true, alpn, false, &m_pki.leaf},
                                                               &m_server->ref))
           && createConnection(*m_client);
}

void TestTlsHandshake::succeeds_data()
{
    QTest::addColumn<int>("mode");
    QTest::addColumn<QString>("hostname");
    QTest::addColumn<bool>("pinned");
    QTest::addColumn<bool>("generated"); // server generates its certificate
    QTest::addColumn<QString>("expectedSni");

    QTest::newRow("mode 0, IP, generated") << 0 << "127.0.0.1" << false << true << QString();
    QTest::newRow("mode 0, no hostname") << 0 << QString() << false << true << QString();
    QTest::newRow("mode 1, DNS, pinned") << 1 << "server.test" << true << false << "server.test";
    QTest::newRow("mode 2, DNS") << 2 << "server.test" << false << false << "server.test";
    QTest::newRow("mode 2, IP, pinned") << 2 << "127.0.0.1" << true << false << QString();
}

void TestTlsHandshake::succeeds()
{
    QFETCH(int, mode);
    QFETCH(QString, hostname);
    QFETCH(bool, pinned);
    QFETCH(bool, generated);
    QFETCH(QString, expectedSni);

    TlsServerOptions serverOptions;
    if (!generated) {
        serverOptions.certificateFile = m_pki.leaf.certificateFile;
        serverOptions.privateKeyFile = m_pki.leaf.privateKeyFile;
    }
    TlsClientOptions clientOptions;
    clientOptions.mode = TlsMode(mode);
    clientOptions.hostname = hostname;
    clientOptions.extraCaCertificates = {m_pki.ca.certificate};
    if (pinned)
        clientOptions.pinSha256 = m_pki.leaf.certificate.digest(QCryptographicHash::Sha256);
    QVERIFY(setUp(clientOptions, serverOptions));

    handshake(*m_client, *m_server);
    QVERIFY2(m_client->completed() && m_server->completed(),
             qPrintable(QStringLiteral("client %1 (%2), server %3 (%4)")
                            .arg(ngtcp2_strerror(m_client->error), m_client->tls->failure().message(),
                                 ngtcp2_strerror(m_server->error),
                                 m_server->tls->failure().message())));
    QVERIFY(!m_client->tls->failure());
    QVERIFY(!m_server->tls->failure());

    const TlsDetails client = m_client->tls->details();
    const TlsDetails server = m_server->tls->details();
    for (const TlsDetails *d : {&client, &server}) {
        QCOMPARE(d->version, QStringLiteral("TLS1.3"));
        QCOMPARE(d->cipher, QStringLiteral("TLS_AES_128_GCM_SHA256"));
        QCOMPARE(d->alpn, QStringLiteral("np-quic"));
    }
    QVERIFY(!client.peerCertificates.isEmpty());
    QCOMPARE(client.peerCertificates.first(), m_serverContext->localCertificate());
    QVERIFY(server.peerCertificates.isEmpty()); // no client certificates

    // SNI only for names, never for IP literals (as Go).
    QCOMPARE(testing::serverNameSeen(m_server->nativeHandle()), expectedSni);
}

void TestTlsHandshake::clientRejects_data()
{
    QTest::addColumn<int>("mode");
    QTest::addColumn<QString>("hostname");
    QTest::addColumn<bool>("wrongPin");
    QTest::addColumn<bool>("generated");
    QTest::addColumn<int>("expectedCode");
    QTest::addColumn<QString>("expectedWords");

    const int pin = int(ErrorCode::PinMismatch);
    const int failed = int(ErrorCode::TlsHandshakeFailed);
    QTest::newRow("mode 0, wrong pin") << 0 << "127.0.0.1" << true << true << pin << "does not match the pin";
    QTest::newRow("mode 1, wrong pin") << 1 << "server.test" << true << false << pin << "does not match the pin";
    QTest::newRow("mode 2, wrong pin") << 2 << "server.test" << true << false << pin << "does not match the pin";
    QTest::newRow("mode 2, self-signed") << 2 << "server.test" << false << true << failed << "NOT trusted";
    QTest::newRow("mode 2, wrong name") << 2 << "other.test" << false << false << failed << "does not match the expected";
}

void TestTlsHandshake::clientRejects()
{
    QFETCH(int, mode);
    QFETCH(QString, hostname);
    QFETCH(bool, wrongPin);
    QFETCH(bool, generated);
    QFETCH(int, expectedCode);
    QFETCH(QString, expectedWords);

    TlsServerOptions serverOptions;
    serverOptions.selfSignedName = QStringLiteral("server.test");
    if (!generated) {
        serverOptions.certificatePem = m_pki.leaf.certificatePem;
        serverOptions.privateKeyPem = m_pki.leaf.privateKeyPem;
    }
    TlsClientOptions clientOptions;
    clientOptions.mode = TlsMode(mode);
    clientOptions.hostname = hostname;
    clientOptions.extraCaCertificates = {m_pki.ca.certificate};
    if (wrongPin)
        clientOptions.pinSha256 = m_pki.ca.certificate.digest(QCryptographicHash::Sha256);
    QVERIFY(setUp(clientOptions, serverOptions));

    handshake(*m_client, *m_server);
    QVERIFY(!m_client->completed());
    QVERIFY(m_client->error != 0);
    const Error failure = m_client->tls->failure();
    QCOMPARE(int(failure.code()), expectedCode);
    QVERIFY2(failure.message().contains(expectedWords), qPrintable(failure.message()));
    // The alert reaches ngtcp2, so the transport can close with it.
    QVERIFY(ngtcp2_conn_get_tls_alert(m_client->conn) != 0);
    QVERIFY(m_client->tls->details().version.isEmpty());
    QVERIFY(!m_server->tls->failure());
}

void TestTlsHandshake::serverRejectsClientWithoutAlpn_data()
{
    QTest::addColumn<QList<QByteArray>>("alpn");
    QTest::newRow("other protocol") << QList<QByteArray>{"h3"};
    QTest::newRow("several others") << QList<QByteArray>{"h3", "hq-interop"};
    QTest::newRow("no ALPN") << QList<QByteArray>{};
}

void TestTlsHandshake::serverRejectsClientWithoutAlpn()
{
    QFETCH(QList<QByteArray>, alpn);
    QVERIFY(setUpForeignClient(alpn));
    handshake(*m_client, *m_server);
    QVERIFY(!m_server->completed());
    QVERIFY(m_server->error != 0);
    const Error failure = m_server->tls->failure();
    QCOMPARE(failure.code(), ErrorCode::TlsHandshakeFailed);
    QCOMPARE(failure.message(), QStringLiteral("The client did not offer the ALPN protocol \"np-quic\"."));
    // The transport closes with CRYPTO_ERROR | no_application_protocol.
    QCOMPARE(int(ngtcp2_conn_get_tls_alert(m_server->conn)), testing::noApplicationProtocolAlert());
    QVERIFY(m_server->tls->details().alpn.isEmpty());
}

void TestTlsHandshake::clientRejectsServerWithoutAlpn_data()
{
    QTest::addColumn<QList<QByteArray>>("alpn");
    QTest::newRow("no ALPN") << QList<QByteArray>{};
    QTest::newRow("other protocol") << QList<QByteArray>{"h3"};
}

void TestTlsHandshake::clientRejectsServerWithoutAlpn()
{
    QFETCH(QList<QByteArray>, alpn);
    QVERIFY(setUpForeignServer(alpn));
    handshake(*m_client, *m_server);
    QVERIFY(!m_client->completed());
    QVERIFY(m_client->error != 0);
    const Error failure = m_client->tls->failure();
    QCOMPARE(failure.code(), ErrorCode::TlsHandshakeFailed);
    QCOMPARE(failure.message(), QStringLiteral("The server did not agree on the ALPN protocol \"np-quic\"."));
    QCOMPARE(int(ngtcp2_conn_get_tls_alert(m_client->conn)), testing::noApplicationProtocolAlert());
}

void TestTlsHandshake::serverExplainsAlert()
{
    // A client whose only key-exchange group the server does not allow: the
    // TLS library itself fails, and failure() still has a sentence, from the alert.
    QVERIFY(setUpForeignClient({"np-quic"}, true));
    handshake(*m_client, *m_server);
    QVERIFY(!m_server->completed());
    QVERIFY(m_server->error != 0);
    const Error failure = m_server->tls->failure();
    QCOMPARE(failure.code(), ErrorCode::TlsHandshakeFailed);
    QVERIFY2(failure.message().startsWith(QStringLiteral("The TLS handshake failed: ")),
             qPrintable(failure.message()));
    QVERIFY2(failure.message().contains(
                 QStringLiteral("(TLS alert %1)").arg(ngtcp2_conn_get_tls_alert(m_server->conn))),
             qPrintable(failure.message()));
}

QTEST_GUILESS_MAIN(TestTlsHandshake)
#include "tst_tlshandshake.moc"
