// Fuzz target: the request head the /metrics endpoint reads from anyone who
// connects (`quicpool server|client --metrics`): parsed, then answered. The
// input is what arrived on the socket; the reader itself must look at no
// more than kMaxRequestHead bytes of it (httprequest.h).
#include "httprequest.h"

#include <cstdlib>

extern "C" int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    using namespace quicpool::cli;
    const QByteArrayView received(reinterpret_cast<const char *>(data), qsizetype(size));
    const HttpParse parse = parseHttpRequest(received);
    if (parse.state == HttpParse::State::Incomplete) {
        // Waiting for more is only right while the bound is not reached.
        if (received.size() > kMaxRequestHead)
            std::abort();
        return 0;
    }
    bool asked = false;
    const QByteArray response = httpResponse(parse, [&asked] {
        asked = true;
        return QByteArrayLiteral("# EOF\n");
    });
    // Every answer is a whole HTTP/1.1 response, and only GET or HEAD
    // /metrics reaches the metrics.
    if (!response.startsWith("HTTP/1.1 ") || !response.contains("\r\n\r\n"))
        std::abort();
    const HttpRequest &r = parse.request;
    if (asked
        && !(parse.state == HttpParse::State::Complete && r.path == "/metrics"
             && (r.method == "GET" || r.method == "HEAD")))
        std::abort();
    return 0;
}
