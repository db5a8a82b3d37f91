// Fuzz target: the request head the /metrics endpoint reads from anyone who
// connects (`quicpool server|client --metrics`): parsed, then answered. The
// input is what arrived on the socket, up to the 8 KiB a request head may
// take (metricsserver.h).
#include "metricsserver.h"

#include <cstdlib>

extern "C" int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    using namespace quicpool::cli;
    const QByteArray received(reinterpret_cast<const char *>(data),
                              qsizetype(std::min<size_t>(size, size_t(kMaxRequestHead))));
    const HttpRequestHead head = parseHttpRequestHead(received);
    bool asked = false;
    const QByteArray response = httpResponse(head, [&asked] {
        asked = true;
        return QByteArrayLiteral("# EOF\n");
    });
    // Every answer is a whole HTTP/1.1 response, and only GET or HEAD
    // /metrics reaches the metrics.
    if (!response.startsWith("HTTP/1.1 ") || !response.contains("\r\n\r\n"))
        std::abort();
    if (asked && !(head.valid && head.path == "/metrics" && (head.method == "GET" || head.method == "HEAD")))
        std::abort();
    return 0;
}
