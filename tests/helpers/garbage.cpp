#include "garbage.h"

#include <QtCore/QRandomGenerator>
#include <QtNetwork/QUdpSocket>

namespace quicpool::testing {

namespace {

// Where to bind a socket that talks to peer: the loopback of its family when
// the peer is local, so the test never listens on a real interface.
QHostAddress bindAddressFor(const QHostAddress &peer)
{
    if (peer.isLoopback()) {
        return peer.protocol() == QAbstractSocket::IPv6Protocol ? QHostAddress(QHostAddress::LocalHostIPv6)
                                                                : QHostAddress(QHostAddress::LocalHost);
    }
    return peer.protocol() == QAbstractSocket::IPv6Protocol ? QHostAddress(QHostAddress::AnyIPv6)
                                                            : QHostAddress(QHostAddress::AnyIPv4);
}

void appendRandom(QByteArray &out, qsizetype count, QRandomGenerator &rng)
{
    for (qsizetype i = 0; i < count; ++i)
        out.append(char(rng.generate() & 0xff));
}

// Pads with noise or truncates to exactly size bytes.
void fitTo(QByteArray &datagram, qsizetype size, QRandomGenerator &rng)
{
    if (datagram.size() > size)
        datagram.truncate(size);
    else
        appendRandom(datagram, size - datagram.size(), rng);
}

QByteArray makeInitialLookAlike(QRandomGenerator &rng)
{
    QByteArray d;
    // Header form 1, fixed bit 1, type 00 (Initial); reserved and packet
    // number length bits are random, as header protection makes them look.
    d.append(char(0xc0 | rng.bounded(16)));
    const quint32 version = rng.bounded(8) == 0 ? rng.generate() : 0x00000001u;
    for (int shift = 24; shift >= 0; shift -= 8)
        d.append(char((version >> shift) & 0xff));
    const int dcidLength = rng.bounded(16) == 0 ? 21 + rng.bounded(235) : rng.bounded(21);
    d.append(char(dcidLength));
    appendRandom(d, dcidLength, rng);
    const int scidLength = rng.bounded(21);
    d.append(char(scidLength));
    appendRandom(d, scidLength, rng);
    // Token length as a one-byte varint (< 64), usually empty as from a
    // fresh client.
    const int tokenLength = rng.bounded(4) == 0 ? 1 + rng.bounded(63) : 0;
    d.append(char(tokenLength));
    appendRandom(d, tokenLength, rng);
    // Length as a two-byte varint that need not match the real rest.
    const quint32 length = rng.bounded(16384);
    d.append(char(0x40 | (length >> 8)));
    d.append(char(length & 0xff));
    const int size = rng.bounded(4) != 0 ? 1200 + rng.bounded(301) : 1 + rng.bounded(1199);
    fitTo(d, size, rng);
    return d;
}

QByteArray makeShortHeaderLookAlike(QRandomGenerator &rng)
{
    QByteArray d;
    d.append(char(0x40 | rng.bounded(64))); // form 0, fixed bit 1
    fitTo(d, 1 + rng.bounded(1500), rng);
    return d;
}

QByteArray makeNoise(QRandomGenerator &rng)
{
    QByteArray d;
    fitTo(d, 1 + rng.bounded(1500), rng);
    return d;
}

} // namespace

QList<GarbageDatagram> garbageDatagrams(int count, quint32 seed)
{
    QList<GarbageDatagram> out;
    if (count <= 0)
        return out;
    out.reserve(count);
    QRandomGenerator rng(seed);
    for (int i = 0; i < count; ++i) {
        GarbageDatagram g;
        switch (rng.bounded(3)) {
        case 0:
            g.kind = GarbageKind::LongHeaderInitial;
            g.data = makeInitialLookAlike(rng);
            break;
        case 1:
            g.kind = GarbageKind::ShortHeader;
            g.data = makeShortHeaderLookAlike(rng);
            break;
        default:
            g.kind = GarbageKind::Random;
            g.data = makeNoise(rng);
            break;
        }
        out.append(std::move(g));
    }
    return out;
}

int sendGarbage(const QHostAddress &address, quint16 port, int count, quint32 seed)
{
    if (address.isNull() || port == 0 || count <= 0)
        return 0;
    QUdpSocket socket;
    if (!socket.bind(bindAddressFor(address), 0))
        return 0;
    int sent = 0;
    for (const GarbageDatagram &g : garbageDatagrams(count, seed)) {
        if (socket.writeDatagram(g.data, address, port) == g.data.size())
            ++sent;
    }
    return sent;
}

} // namespace quicpool::testing
