// fuzz_capture OUTDIR: writes the listener_datagram seed corpus from real
// traffic. A client Connection dials a Listener on loopback through a small
// UDP forwarder that records every datagram the client sends: a handshake,
// a stream echoed both ways, the client's close. From one such run (over
// IPv4, and over IPv6 to a dual-stack listener) it writes, in the format of
// datagramrecords.h:
//   <family>-session     every datagram in order, the ones addressed to the
//                        server's connection IDs marked for routing
//   <family>-initial     the client's first datagram alone
//   <family>-vn          that datagram offering an unknown QUIC version
//   <family>-reset       a short-header datagram for no known connection
// Run again when the transport's first packets change (tests/fuzz/README in
// docs/ARCHITECTURE.md, "Fuzzing").
#include "datagramrecords.h"

#include "transport/connection.h"
#include "transport/connection_p.h"
#include "transport/listener.h"
#include "transport/tls/tlscontext.h"

#include <quicpool/stream.h>

#include <QtCore/QCoreApplication>
#include <QtCore/QDir>
#include <QtCore/QElapsedTimer>
#include <QtCore/QFile>
#include <QtCore/QLoggingCategory>
#include <QtCore/QPointer>
#include <QtNetwork/QNetworkDatagram>
#include <QtNetwork/QUdpSocket>
#include <cstdio>

using namespace quicpool;
using namespace quicpool::transport;
using quicpool::fuzz::DatagramRecord;

namespace {

bool waitFor(const std::function<bool()> &done, int ms)
{
    QElapsedTimer t;
    t.start();
    while (!done() && t.elapsed() < ms)
        QCoreApplication::processEvents(QEventLoop::AllEvents, 10);
    return done();
}

/// The destination connection ID of a QUIC datagram (short headers: our 8 bytes).
QByteArray destinationId(const QByteArray &d)
{
    if (d.isEmpty())
        return {};
    if (!(uint8_t(d.at(0)) & 0x80))
        return d.mid(1, 8);
    if (d.size() < 6)
        return {};
    return d.mid(6, uint8_t(d.at(5)));
}

bool issuedBy(Listener &listener, const QByteArray &id)
{
    for (Connection *c : listener.connections())
        for (const ngtcp2_cid &cid : ConnectionPrivate::of(c)->scids)
            if (id == QByteArray(reinterpret_cast<const char *>(cid.data), qsizetype(cid.datalen)))
                return true;
    return false;
}

/// One recorded session; empty on failure (with a message on stderr).
QList<DatagramRecord> captureSession(const QHostAddress &listenOn, const QHostAddress &loopback)
{
    Error err;
    Listener listener;
    if (!listener.listen(listenOn, 0, TlsContext::createServer(TlsServerOptions(), &err), TransportConfig(), &err)) {
        std::fprintf(stderr, "fuzz_capture: cannot listen on %s: %s\n", qPrintable(listenOn.toString()),
                     qPrintable(err.toString()));
        return {};
    }
    QObject::connect(&listener, &Listener::newConnection, &listener, [](Connection *c) {
        QObject::connect(c, &Connection::newStream, c, [](Stream *s) {
            auto echo = [s] {
                if (!s->isOpen())
                    return;   // closed by an earlier call: both signals come at the end
                s->write(s->readAll());
                if (s->isFinished() && s->atEnd())
                    s->close();
            };
            QObject::connect(s, &Stream::readyRead, s, echo);
            QObject::connect(s, &Stream::readChannelFinished, s, echo);
            echo();
        });
    });

    // The forwarder: front faces the client, back the server.
    QUdpSocket front, back;
    if (!front.bind(loopback, 0) || !back.bind(loopback, 0))
        return {};
    QList<DatagramRecord> records;
    QHostAddress clientAddress;
    quint16 clientPort = 0;
    QObject::connect(&front, &QUdpSocket::readyRead, &front, [&] {
        while (front.hasPendingDatagrams()) {
            const QNetworkDatagram d = front.receiveDatagram();
            clientAddress = d.senderAddress();
            clientPort = quint16(d.senderPort());
            DatagramRecord r;
            r.bytes = d.data();
            if (issuedBy(listener, destinationId(r.bytes)))
                r.flags |= quicpool::fuzz::kRoute;
            records.append(r);
            back.writeDatagram(d.data(), loopback, listener.port());
        }
    });
    QObject::connect(&back, &QUdpSocket::readyRead, &back, [&] {
        while (back.hasPendingDatagrams())
            front.writeDatagram(back.receiveDatagram().data(), clientAddress, clientPort);
    });

    TlsClientOptions o;
    o.mode = TlsMode::SelfSigned;
    QPointer<Connection> client = Connection::dial(loopback, front.localPort(), TlsContext::createClient(o, &err),
                                                   TransportConfig(), nullptr, &err);
    if (!client || !waitFor([&] { return client->state() == Connection::State::Connected; }, 10000)) {
        std::fprintf(stderr, "fuzz_capture: no handshake over %s\n", qPrintable(loopback.toString()));
        delete client.data();
        return {};
    }
    Stream *s = client->openStream(client, &err);
    QByteArray echo;
    QObject::connect(s, &Stream::readyRead, s, [&] { echo += s->readAll(); });
    const QByteArray payload = QByteArrayLiteral("a pooled stream's first bytes, echoed back. ").repeated(40);
    s->write(payload);
    s->closeWrite();   // FIN; the echo is still read
    const bool echoed = waitFor([&] { return echo.size() >= payload.size(); }, 10000);
    client->close(0, "capture done");
    waitFor([] { return false; }, 200);   // the close on the wire
    delete client.data();
    if (!echoed) {
        std::fprintf(stderr, "fuzz_capture: the echo did not come back\n");
        return {};
    }
    return records;
}

bool write(const QString &dir, const QString &name, uint8_t options, const QList<DatagramRecord> &records)
{
    QFile f(dir + u'/' + name);
    if (!f.open(QIODevice::WriteOnly) || f.write(quicpool::fuzz::encodeRecords(options, records)) < 0) {
        std::fprintf(stderr, "fuzz_capture: cannot write %s\n", qPrintable(f.fileName()));
        return false;
    }
    return true;
}

} // namespace

int main(int argc, char **argv)
{
    QCoreApplication app(argc, argv);
    QLoggingCategory::setFilterRules(QStringLiteral("quicpool.*.debug=false\nquicpool.*.info=false"));
    if (argc != 2) {
        std::fprintf(stderr, "usage: fuzz_capture OUTDIR\n");
        return 2;
    }
    const QString dir = QString::fromLocal8Bit(argv[1]) + QStringLiteral("/listener_datagram");
    if (!QDir().mkpath(dir))
        return 1;
    struct Family
    {
        const char *name;
        QHostAddress listenOn, loopback;
        uint8_t options;
    };
    const Family families[] = {
        {"ipv4", QHostAddress(QHostAddress::LocalHost), QHostAddress(QHostAddress::LocalHost), 0},
        {"ipv6", QHostAddress(QHostAddress::AnyIPv6), QHostAddress(QHostAddress::LocalHostIPv6), quicpool::fuzz::kDualStack},
    };
    for (const Family &f : families) {
        const QList<DatagramRecord> session = captureSession(f.listenOn, f.loopback);
        if (session.size() < 4)
            return 1;
        const QString family = QString::fromLatin1(f.name);
        DatagramRecord vn = session.first();
        vn.bytes[1] = 0x1a;   // bytes 1-4: the version; 0x?a?a?a?a is reserved (RFC 9000 15)
        vn.bytes[2] = 0x2a;
        vn.bytes[3] = 0x3a;
        vn.bytes[4] = 0x4a;
        DatagramRecord reset;   // the shortest short-header datagram (an ACK, most likely)
        for (const DatagramRecord &r : session) {
            if (!(uint8_t(r.bytes.at(0)) & 0x80) && (reset.bytes.isEmpty() || r.bytes.size() < reset.bytes.size())) {
                reset = r;
                reset.flags &= ~quicpool::fuzz::kRoute;
            }
        }
        if (reset.bytes.isEmpty())
            return 1;
        if (!write(dir, family + QStringLiteral("-session"), f.options, session)
            || !write(dir, family + QStringLiteral("-initial"), f.options, {session.first()})
            || !write(dir, family + QStringLiteral("-vn"), f.options, {vn})
            || !write(dir, family + QStringLiteral("-reset"), f.options, {reset}))
            return 1;
        std::printf("%s: %lld datagrams captured\n", f.name, qint64(session.size()));
    }
    return 0;
}
