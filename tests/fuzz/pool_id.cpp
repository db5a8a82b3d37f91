// Fuzz target: the pool's ID handshake bytes. The server reads a hello byte
// from each new stream (helloVerdict); the client reads 4 ID bytes back and
// names the stream by their text (encodeId); applications look streams up
// by text in any case (decodeId, isValidId, normalizeId). The input is
// taken as the bytes on the stream and as ID text in Latin-1, UTF-8 and
// UTF-16; a broken round trip aborts.
#include "fuzzinput.h"

#include "pool/rules.h"

#include <QtCore/QString>
#include <cstdlib>

using namespace quicpool;
using namespace quicpool::pool;

namespace {

void check(bool ok)
{
    if (!ok)
        std::abort();
}

void checkText(const QString &text)
{
    StreamId id{0xaa, 0xbb, 0xcc, 0xdd};
    const bool valid = decodeId(text, &id);
    check(valid == isValidId(text));
    bool ok = !valid;
    const QString normal = normalizeId(text, &ok);
    check(ok == valid);
    if (!valid) {
        check(normal.isEmpty());
        check(id == (StreamId{0xaa, 0xbb, 0xcc, 0xdd}));   // untouched on failure
        return;
    }
    check(normal == text.toLower());
    check(encodeId(id) == normal);
}

} // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    fuzz::FuzzInput in(data, size);
    // The stream's bytes as the server sees them: the hello, then whatever followed.
    const uint8_t flags = in.byte();
    const QByteArray stream = in.rest();
    std::optional<uint8_t> first;
    if (!stream.isEmpty())
        first = uint8_t(stream.at(0));
    const qint64 more = stream.isEmpty() ? 0 : stream.size() - 1;
    const HelloVerdict v = helloVerdict(first, more, flags & 1, flags & 2);
    check(first ? v == HelloVerdict::Accept || v == HelloVerdict::Refuse
                : v == HelloVerdict::Wait || v == HelloVerdict::QuietClose);
    // The client's 4 ID bytes, wherever they come from, name a valid ID.
    if (stream.size() >= 4) {
        StreamId raw;
        std::memcpy(raw.data(), stream.constData(), 4);
        const QString text = encodeId(raw);
        StreamId back{};
        check(decodeId(text, &back) && back == raw);
    }
    checkText(QString::fromLatin1(stream));
    checkText(QString::fromUtf8(stream));
    checkText(QString(reinterpret_cast<const QChar *>(stream.constData()), stream.size() / 2));
    return 0;
}
