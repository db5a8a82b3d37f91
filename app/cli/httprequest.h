// The HTTP/1.x the /metrics endpoint understands: a strict, bounded reader
// of request heads and the responses it gives. Pure functions (bytes in,
// a request or an error out), so tests and fuzzers reach them without a
// socket. Why not Qt HttpServer: docs/ARCHITECTURE.md, "The metrics
// endpoint".
#pragma once

#include <QtCore/QByteArray>
#include <QtCore/QByteArrayView>
#include <functional>

namespace quicpool::cli {

/// The most a request head may take, request line and header fields
/// together; more is refused (431) before it is buffered.
inline constexpr qsizetype kMaxRequestHead = 8192;
/// The most header fields a request may have.
inline constexpr int kMaxHeaderFields = 64;
inline constexpr char kOpenMetricsContentType[] = "application/openmetrics-text; version=1.0.0; charset=utf-8";

/// What a request asks for.
struct HttpRequest
{
    QByteArray method;      ///< "GET", "HEAD", "POST", ... (a token, case as sent)
    QByteArray path;        ///< the origin-form target without its query: "/metrics"
    int minorVersion = 1;   ///< HTTP/1.0 or HTTP/1.1
};

/// What the bytes received so far come to.
struct HttpParse
{
    enum class State {
        Incomplete,   ///< no error yet, and the empty line after the fields has not come
        Complete,     ///< request holds the request
        Invalid,      ///< status and reason say why; answer and close
    };
    State state = State::Incomplete;
    HttpRequest request;
    int status = 0;         ///< when Invalid: 400, 431 or 505
    QByteArray reason;      ///< when Invalid: a sentence for the response body
};

/// Reads a request head as RFC 9112 writes it, strictly: the request line
/// "METHOD SP /target SP HTTP/1.0|1.1 CRLF" (a token, one space each, an
/// origin-form target of visible ASCII), header fields "name: value CRLF"
/// (a token, no space before the colon, no folded lines, no control
/// characters), then CRLF; every line ends in CRLF. It looks at no more than
/// kMaxRequestHead bytes and kMaxHeaderFields fields: beyond them, 431. A
/// GET or HEAD with a body (Content-Length other than 0, or any
/// Transfer-Encoding) is refused (400): the endpoint reads no bodies. What
/// can never start a request (a TLS ClientHello) is refused at once.
HttpParse parseHttpRequest(QByteArrayView received);

/// The whole response (status line, headers, body; "Connection: close")
/// to a Complete or Invalid parse: GET or HEAD /metrics 200 with the
/// OpenMetrics text (HEAD without it), another path 404, another method 405
/// with "Allow: GET, HEAD", an Invalid parse its status. metricsBody is
/// called only for a 200.
QByteArray httpResponse(const HttpParse &parse, const std::function<QByteArray()> &metricsBody);

/// A plain-text response of the given status (400, 404, 405, 408, 431, 503,
/// 505) with the sentence as its body.
QByteArray httpErrorResponse(int status, const QByteArray &sentence, bool withBody = true);

} // namespace quicpool::cli
