// The input format of the listener_datagram target, shared with the capture
// tool that writes its seed corpus: one byte of options, then records, each
//   flags (1 byte) | length (2 bytes, big-endian) | that many datagram bytes
// The options byte: bit 0 set, the listener binds [::] (dual-stack) instead
// of 127.0.0.1. A record's flags:
//   bits 0-1  which of four peer addresses sent it
//   bit  2    route it: its destination connection ID is replaced by one the
//             listener issued (connections that exist now), so captured
//             packets reach a live connection although its IDs are random
//   bits 3-5  which live connection (modulo how many there are)
//   bits 6-7  its ECN codepoint
#pragma once

#include <QtCore/QByteArray>
#include <QtCore/QList>
#include <cstdint>

namespace quicpool::fuzz {

struct DatagramRecord
{
    uint8_t flags = 0;
    QByteArray bytes;
};

inline constexpr uint8_t kDualStack = 0x01;
inline constexpr uint8_t kRoute = 0x04;

inline QByteArray encodeRecords(uint8_t options, const QList<DatagramRecord> &records)
{
    QByteArray out(1, char(options));
    for (const DatagramRecord &r : records) {
        const auto len = quint16(std::min<qsizetype>(r.bytes.size(), 0xffff));
        out += char(r.flags);
        out += char(len >> 8);
        out += char(len & 0xff);
        out += r.bytes.left(len);
    }
    return out;
}

} // namespace quicpool::fuzz
