// A QUIC connection ID as the layers above ngtcp2 see it: opaque bytes that
// route datagrams, compare and hash. ngtcp2's own ngtcp2_cid stays inside the
// transport's .cpp files (see connection_p.h).
#pragma once

#include <algorithm>
#include <array>
#include <cstdint>
#include <cstring>
#include <string_view>

namespace quicpool::transport {

class ConnectionId
{
public:
    static constexpr size_t kMaxLength = 20;   // RFC 9000 17.2

    ConnectionId() = default;
    ConnectionId(const uint8_t *data, size_t length)
        : m_length(uint8_t(std::min(length, kMaxLength)))
    {
        std::memcpy(m_data.data(), data, m_length);
    }

    const uint8_t *data() const { return m_data.data(); }
    size_t length() const { return m_length; }
    bool isEmpty() const { return m_length == 0; }
    /// The bytes as a map key.
    std::string_view bytes() const { return {reinterpret_cast<const char *>(m_data.data()), m_length}; }

    friend bool operator==(const ConnectionId &a, const ConnectionId &b) { return a.bytes() == b.bytes(); }
    friend bool operator!=(const ConnectionId &a, const ConnectionId &b) { return !(a == b); }

private:
    std::array<uint8_t, kMaxLength> m_data{};
    uint8_t m_length = 0;
};

} // namespace quicpool::transport
