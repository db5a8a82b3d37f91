// Reads a fuzz input as a sequence of fields: bytes, integers, lengths,
// lines. Past the end every read gives zeros or nothing, so a target never
// reads out of bounds and every input, however short, is a valid one.
#pragma once

#include <QtCore/QByteArray>
#include <algorithm>
#include <cstddef>
#include <cstdint>
#include <cstring>
#include <type_traits>

namespace quicpool::fuzz {

class FuzzInput
{
public:
    FuzzInput(const uint8_t *data, size_t size) : m_data(data), m_size(size) {}

    bool atEnd() const { return m_pos >= m_size; }
    size_t remaining() const { return m_size - m_pos; }

    uint8_t byte() { return atEnd() ? 0 : m_data[m_pos++]; }

    /// An integer from the next sizeof(T) bytes, little-endian.
    template<typename T>
    T integral()
    {
        static_assert(std::is_integral_v<T>);
        std::make_unsigned_t<T> v = 0;
        for (size_t i = 0; i < sizeof(T); ++i)
            v |= std::make_unsigned_t<T>(byte()) << (8 * i);
        return T(v);
    }

    /// A double from the next 8 bytes: any bit pattern, NaN and infinities included.
    double real()
    {
        const uint64_t bits = integral<uint64_t>();
        double d;
        std::memcpy(&d, &bits, sizeof d);
        return d;
    }

    /// The next n bytes (fewer at the end).
    QByteArray bytes(size_t n)
    {
        n = std::min(n, remaining());
        QByteArray out(reinterpret_cast<const char *>(m_data + m_pos), qsizetype(n));
        m_pos += n;
        return out;
    }

    /// Up to the next '\n' (not included), or to the end.
    QByteArray line()
    {
        const uint8_t *start = m_data + m_pos;
        const void *nl = std::memchr(start, '\n', remaining());
        const size_t n = nl ? size_t(static_cast<const uint8_t *>(nl) - start) : remaining();
        QByteArray out = bytes(n);
        if (nl)
            ++m_pos;
        return out;
    }

    QByteArray rest() { return bytes(remaining()); }

private:
    const uint8_t *m_data;
    size_t m_size;
    size_t m_pos = 0;
};

} // namespace quicpool::fuzz
