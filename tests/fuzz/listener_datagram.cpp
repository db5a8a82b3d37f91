// Fuzz target: the listener's datagram input, everything a stranger on the
// internet can send a server's UDP port. A real Listener (real socket, real
// TLS context) is fed datagrams exactly as its socket delivers them
// (UdpSocket::injectDatagram): header parsing, version negotiation, the
// decision to accept a first packet, routing by connection ID into live
// connections (ngtcp2 then reads the packet), stateless reset triggers.
// Input format: datagramrecords.h. The seed corpus is captured from real
// loopback handshakes (fuzz_capture).
#include "datagramrecords.h"
#include "fuzzinput.h"

#include "transport/connection_p.h"
#include "transport/listener.h"
#include "transport/tls/tlscontext.h"
#include "transport/udpsocket.h"

#include <QtCore/QCoreApplication>
#include <QtCore/QLoggingCategory>
#include <array>
#include <memory>

using namespace quicpool;
using namespace quicpool::transport;

namespace {

std::shared_ptr<TlsContext> g_tls;

/// Four senders: two IPv4, one IPv6, one IPv4 as a dual-stack socket sees it.
std::array<SocketAddress, 4> peersFor(bool dualStack)
{
    if (!dualStack)
        return {SocketAddress::fromQt(QHostAddress(QStringLiteral("127.0.0.1")), 40001),
                SocketAddress::fromQt(QHostAddress(QStringLiteral("127.0.0.1")), 40002),
                SocketAddress::fromQt(QHostAddress(QStringLiteral("127.0.0.2")), 40003),
                SocketAddress::fromQt(QHostAddress(QStringLiteral("127.0.0.3")), 40004)};
    return {SocketAddress::fromQt(QHostAddress(QStringLiteral("::ffff:127.0.0.1")), 40001),
            SocketAddress::fromQt(QHostAddress(QStringLiteral("::1")), 40002),
            SocketAddress::fromQt(QHostAddress(QStringLiteral("::ffff:127.0.0.2")), 40003),
            SocketAddress::fromQt(QHostAddress(QStringLiteral("::1")), 40004)};
}

/// The destination address each sender dialled (the listener's port is added).
QHostAddress dialledFor(bool dualStack, int peer)
{
    if (!dualStack)
        return QHostAddress(peer == 2 ? QStringLiteral("127.0.0.2") : QStringLiteral("127.0.0.1"));
    return QHostAddress(peer % 2 ? QStringLiteral("::1") : QStringLiteral("::ffff:127.0.0.1"));
}

/// Points a datagram at a live connection: its destination connection ID
/// becomes one of the IDs the listener issued to that connection.
void route(QByteArray &datagram, Listener &listener, int which)
{
    const QList<Connection *> live = listener.connections();
    if (live.isEmpty() || datagram.isEmpty())
        return;
    const ConnectionPrivate *d = ConnectionPrivate::of(live.at(which % live.size()));
    if (d->scids.empty())
        return;
    const ngtcp2_cid &cid = d->scids.front();
    const bool longHeader = uint8_t(datagram.at(0)) & 0x80;
    const qsizetype at = longHeader ? 6 : 1;
    if (longHeader && (datagram.size() < 6 || size_t(uint8_t(datagram.at(5))) != cid.datalen))
        return;
    if (datagram.size() < at + qsizetype(cid.datalen))
        return;
    std::memcpy(datagram.data() + at, cid.data, cid.datalen);
}

} // namespace

extern "C" int LLVMFuzzerInitialize(int *argc, char ***argv)
{
    static QCoreApplication app(*argc, *argv);
    QLoggingCategory::setFilterRules(QStringLiteral("*.debug=false\nquicpool.*=false"));
    Error error;
    g_tls = TlsContext::createServer(TlsServerOptions(), &error);
    if (!g_tls)
        qFatal("fuzz: no TLS context: %s", qPrintable(error.toString()));
    return 0;
}

extern "C" int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    fuzz::FuzzInput in(data, size);
    const bool dualStack = in.byte() & fuzz::kDualStack;
    Listener listener;
    TransportConfig config;
    Error error;
    if (!listener.listen(dualStack ? QHostAddress(QHostAddress::AnyIPv6) : QHostAddress(QHostAddress::LocalHost), 0,
                         g_tls, config, &error))
        return 0;   // no IPv6 here
    const std::array<SocketAddress, 4> peers = peersFor(dualStack);
    UdpSocket *socket = listener.hostSocket();
    while (!in.atEnd()) {
        const uint8_t flags = in.byte();
        const size_t len = size_t(in.byte()) << 8 | in.byte();
        QByteArray datagram = in.bytes(len);
        const int peer = flags & 0x3;
        if (flags & fuzz::kRoute)
            route(datagram, listener, (flags >> 3) & 0x7);
        UdpPath path;
        path.peer = peers[size_t(peer)];
        path.local = SocketAddress::fromQt(dialledFor(dualStack, peer), listener.port());
        path.ecn = flags >> 6;
        socket->injectDatagram(reinterpret_cast<const uint8_t *>(datagram.constData()), size_t(datagram.size()), path);
        // The flushes the connections queued for this loop turn.
        QCoreApplication::sendPostedEvents();
    }
    return 0;
}
