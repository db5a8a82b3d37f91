// Deterministic garbage datagrams for robustness tests: what a server must
// survive on its UDP port without harm.
#pragma once

#include <QtCore/QByteArray>
#include <QtCore/QList>
#include <QtNetwork/QHostAddress>

namespace quicpool::testing {

// Kinds of datagram the garbage generator makes.
enum class GarbageKind { Random, LongHeaderInitial, ShortHeader };

struct GarbageDatagram
{
    GarbageKind kind = GarbageKind::Random;
    QByteArray data;
};

// Deterministic garbage for robustness tests: count datagrams of 1..1500
// bytes, a mix of pure noise (any first byte), QUIC long-header Initial
// look-alikes and short-header look-alikes. An Initial look-alike has the
// long-header form and fixed bits with packet type Initial, version 1 (one
// in eight carries a random version instead, to reach version negotiation),
// connection ID lengths that are mostly legal (sometimes > 20), a token and
// length field, random rest; three in four are 1200..1500 bytes like real
// Initials, the others truncated. A short-header look-alike has form bit 0
// and fixed bit 1, then random bytes.
QList<GarbageDatagram> garbageDatagrams(int count, quint32 seed);
// Sends garbageDatagrams(count, seed) to address:port from a temporary
// socket; returns how many were written (0 for a bad address or port).
int sendGarbage(const QHostAddress &address, quint16 port, int count, quint32 seed);

} // namespace quicpool::testing
