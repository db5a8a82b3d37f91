#include "bench_baseline.h"

#include "bench_resources.h"
#include "units.h"

#include <workload/protocol.h>

#include <quicpool/certificate.h>
#include <QtCore/QEventLoop>
#include <QtCore/QScopeGuard>
#include <QtCore/QTimer>
#include <QtCore/QtEndian>
#include <QtNetwork/QSslCipher>
#include <QtNetwork/QSslConfiguration>
#include <QtNetwork/QSslKey>
#include <QtNetwork/QSslServer>
#include <QtNetwork/QSslSocket>
#include <QtNetwork/QTcpServer>
#include <QtNetwork/QTcpSocket>

namespace quicpool::cli::bench {

namespace {

constexpr double kGiB = 1024.0 * 1024.0 * 1024.0;
constexpr qint64 kHeaderSize = 8;
/// Bytes the client keeps queued in the socket's write buffer at most.
constexpr qint64 kWriteAhead = 4 * 1024 * 1024;
/// The cipher QUIC negotiates here (both TLS backends prefer it), so both encrypt alike.
const char kTlsCipher[] = "TLS_AES_128_GCM_SHA256";

/// Server side of the framed sink on one accepted socket (worker thread).
void serveFramedSink(QTcpSocket *socket)
{
    struct State
    {
        QByteArray header;
        qint64 expected = -1;
        uint64_t total = 0;
        uint64_t mismatches = 0;
        bool replied = false;
        QByteArray buffer{int(kChunk), Qt::Uninitialized};
    };
    auto state = std::make_shared<State>();
    auto drain = [socket, state] {
        if (state->expected < 0) {
            state->header += socket->read(kHeaderSize - state->header.size());
            if (state->header.size() < kHeaderSize)
                return;
            state->expected = qint64(qFromBigEndian<quint64>(state->header.constData()));
        }
        for (;;) {
            const qint64 n = socket->read(state->buffer.data(), kChunk);
            if (n <= 0)
                break;
            state->mismatches += uint64_t(workload::countMismatches(state->buffer.constData(), n, state->total));
            state->total += uint64_t(n);
        }
        if (!state->replied && state->total >= uint64_t(state->expected)) {
            state->replied = true;
            socket->write(workload::encodeSinkReply({state->total, state->mismatches}));
        }
    };
    QObject::connect(socket, &QIODevice::readyRead, socket, drain);
    QObject::connect(socket, &QAbstractSocket::disconnected, socket, &QObject::deleteLater);
    drain();
}

QSslConfiguration tlsConfiguration()
{
    QSslConfiguration conf = QSslConfiguration::defaultConfiguration();
    conf.setProtocol(QSsl::TlsV1_3OrLater);
    conf.setPeerVerifyMode(QSslSocket::VerifyNone);
    const QSslCipher cipher(QString::fromLatin1(kTlsCipher));
    if (!cipher.isNull())
        conf.setCiphers({cipher});
    return conf;
}

} // namespace

RunOutcome runTcpSink(const WorkloadContext &context, bool tls)
{
    if (tls && !QSslSocket::supportsSsl())
        return RunOutcome::skip(QStringLiteral("Qt has no TLS backend here (%1)").arg(QSslSocket::activeBackend()));
    const qint64 size = context.sizes.bytes;

    // The server, on the worker thread.
    CertificateAndKey pair;
    if (tls) {
        Error err;
        pair = generateSelfSigned(QStringLiteral("localhost"), 1, &err);
        if (err)
            return RunOutcome::failure(QStringLiteral("cannot make a certificate: %1").arg(err.toString()));
    }
    struct Server
    {
        QTcpServer *server = nullptr;
        quint16 port = 0;
        QString error;
    };
    auto shared = std::make_shared<Server>();
    context.worker->run([shared, tls, pair] {
        QTcpServer *server = nullptr;
        if (tls) {
            auto *ssl = new QSslServer;
            QSslConfiguration conf = tlsConfiguration();
            conf.setLocalCertificate(QSslCertificate(pair.certificatePem, QSsl::Pem));
            conf.setPrivateKey(QSslKey(pair.privateKeyPem, QSsl::Ec, QSsl::Pem));
            ssl->setSslConfiguration(conf);
            server = ssl;
        } else {
            server = new QTcpServer;
        }
        if (!server->listen(QHostAddress::LocalHost, 0)) {
            shared->error = server->errorString();
            delete server;
            return;
        }
        QObject::connect(server, &QTcpServer::pendingConnectionAvailable, server, [server] {
            while (QTcpSocket *socket = server->nextPendingConnection())
                serveFramedSink(socket);
        });
        shared->server = server;
        shared->port = server->serverPort();
    });
    if (!shared->server)
        return RunOutcome::failure(QStringLiteral("the %1 server did not start: %2")
                                       .arg(tls ? QStringLiteral("TLS") : QStringLiteral("TCP"), shared->error));
    auto stopServer = qScopeGuard([&] {
        context.worker->run([shared] {
            delete shared->server;   // its accepted sockets are its children
            shared->server = nullptr;
        });
    });

    // The client, on this thread.
    std::unique_ptr<QTcpSocket> socket;
    if (tls) {
        auto ssl = std::make_unique<QSslSocket>();
        ssl->setSslConfiguration(tlsConfiguration());
        ssl->connectToHostEncrypted(QStringLiteral("127.0.0.1"), shared->port, QStringLiteral("localhost"));
        const bool up = spinUntil([&] { return ssl->isEncrypted() || ssl->state() == QAbstractSocket::UnconnectedState; }, 10s);
        if (!up || !ssl->isEncrypted())
            return RunOutcome::failure(QStringLiteral("the TLS handshake did not complete: %1").arg(ssl->errorString()));
        socket = std::move(ssl);
    } else {
        socket = std::make_unique<QTcpSocket>();
        socket->connectToHost(QHostAddress::LocalHost, shared->port);
        if (!socket->waitForConnected(10000))
            return RunOutcome::failure(QStringLiteral("cannot connect: %1").arg(socket->errorString()));
    }
    context.progress(QStringLiteral("%1: %2 over one connection")
                         .arg(tls ? QStringLiteral("tls") : QStringLiteral("tcp"), formatBytes(size)));

    QEventLoop loop;
    QObject ctx;
    qint64 written = 0;
    QByteArray reply;
    QString failure;
    int64_t endNs = 0;
    auto pump = [&] {
        while (written < size && socket->bytesToWrite() < kWriteAhead) {
            const qint64 want = std::min(size - written, kChunk);
            const qint64 n = socket->write(workload::PatternWindow::at(uint64_t(written)), want);
            if (n <= 0) {
                failure = QStringLiteral("the socket refused data: %1").arg(socket->errorString());
                loop.quit();
                return;
            }
            written += n;
        }
    };
    QObject::connect(socket.get(), &QIODevice::bytesWritten, &ctx, pump);
    QObject::connect(socket.get(), &QIODevice::readyRead, &ctx, [&] {
        reply += socket->read(workload::kSinkReplySize - reply.size());
        if (reply.size() == workload::kSinkReplySize) {
            endNs = nowNs();
            loop.quit();
        }
    });
    QObject::connect(socket.get(), &QAbstractSocket::errorOccurred, &ctx, [&] {
        failure = socket->errorString();
        loop.quit();
    });
    QTimer deadline;
    deadline.setSingleShot(true);
    QObject::connect(&deadline, &QTimer::timeout, &loop, &QEventLoop::quit);
    deadline.start(int(30000 + size / 4000));

    QByteArray header(kHeaderSize, Qt::Uninitialized);
    qToBigEndian<quint64>(quint64(size), header.data());
    const double cpuStart = processCpuSeconds();
    const int64_t startNs = nowNs();
    socket->write(header);
    pump();
    if (failure.isEmpty())
        loop.exec();
    const double cpu = processCpuSeconds() - cpuStart;
    QString cipher;
    if (auto *ssl = qobject_cast<QSslSocket *>(socket.get()))
        cipher = QStringLiteral("%1 %2").arg(ssl->sessionCipher().protocolString(), ssl->sessionCipher().name());
    QObject::disconnect(socket.get(), nullptr, &ctx, nullptr);
    socket->abort();

    if (!failure.isEmpty())
        return RunOutcome::failure(failure);
    if (!endNs)
        return RunOutcome::failure(QStringLiteral("no reply within %1 s").arg(double(deadline.interval()) / 1000.0));
    workload::SinkReply result;
    workload::decodeSinkReply(reply, &result);
    if (result.total != uint64_t(size) || result.mismatches != 0)
        return RunOutcome::failure(QStringLiteral("the server got %1 of %2 bytes, %3 of them wrong")
                                       .arg(result.total)
                                       .arg(size)
                                       .arg(result.mismatches));
    const double seconds = double(endNs - startNs) / 1e9;
    RunOutcome out;
    out.add(QStringLiteral("mb_per_s"), QStringLiteral("MB/s"), double(size) / 1e6 / seconds);
    out.add(QStringLiteral("cpu_s_per_gib"), QStringLiteral("s/GiB"), cpu / (double(size) / kGiB));
    out.add(QStringLiteral("seconds"), QStringLiteral("s"), seconds);
    out.note(QStringLiteral("%1 bytes per run after an 8-byte length; in-process, server on a second thread; "
                            "CPU counts both ends")
                 .arg(size));
    if (!cipher.isEmpty())
        out.note(QStringLiteral("%1 via Qt's %2 backend").arg(cipher, QSslSocket::activeBackend()));
    return out;
}

} // namespace quicpool::cli::bench
