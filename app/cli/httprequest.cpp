#include "httprequest.h"

#include <algorithm>

namespace quicpool::cli {

namespace {

/// RFC 9110 token characters.
bool isTokenChar(char c)
{
    if ((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9'))
        return true;
    switch (c) {
    case '!': case '#': case '$': case '%': case '&': case '\'': case '*': case '+':
    case '-': case '.': case '^': case '_': case '`': case '|': case '~':
        return true;
    default:
        return false;
    }
}

bool isToken(QByteArrayView text)
{
    if (text.isEmpty())
        return false;
    for (char c : text) {
        if (!isTokenChar(c))
            return false;
    }
    return true;
}

bool isControl(uchar c)
{
    return c < 0x20 || c == 0x7f;
}

bool isFieldValueChar(uchar c)
{
    return c == '\t' || !isControl(c);   // SP, VCHAR and obs-text
}

QByteArrayView trimmedSpace(QByteArrayView v)
{
    while (!v.isEmpty() && (v.front() == ' ' || v.front() == '\t'))
        v = v.sliced(1);
    while (!v.isEmpty() && (v.back() == ' ' || v.back() == '\t'))
        v.chop(1);
    return v;
}

bool equalsIgnoringCase(QByteArrayView a, const char *b)
{
    return a.compare(QByteArrayView(b), Qt::CaseInsensitive) == 0;
}

HttpParse invalid(int status, const char *reason)
{
    HttpParse p;
    p.state = HttpParse::State::Invalid;
    p.status = status;
    p.reason = reason;
    return p;
}

const char kBadRequestLine[] = "The request line is not \"GET /metrics HTTP/1.1\".";

/// The request line without its CRLF.
HttpParse readRequestLine(QByteArrayView line, HttpRequest *out)
{
    const qsizetype firstSpace = line.indexOf(' ');
    if (firstSpace <= 0)
        return invalid(400, kBadRequestLine);
    const QByteArrayView method = line.first(firstSpace);
    const QByteArrayView rest = line.sliced(firstSpace + 1);
    const qsizetype secondSpace = rest.indexOf(' ');
    if (!isToken(method) || secondSpace <= 0)
        return invalid(400, kBadRequestLine);
    const QByteArrayView target = rest.first(secondSpace);
    const QByteArrayView version = rest.sliced(secondSpace + 1);
    if (target.front() != '/')
        return invalid(400, "The request target must be a path, as /metrics.");
    for (char c : target) {
        if (c <= ' ' || c == '#' || uchar(c) >= 0x7f)
            return invalid(400, "The request target holds a character it may not.");
    }
    const bool versionShape = version.size() == 8 && version.startsWith("HTTP/") && version.at(6) == '.'
                              && version.at(5) >= '0' && version.at(5) <= '9' && version.at(7) >= '0'
                              && version.at(7) <= '9';
    if (!versionShape)
        return invalid(400, kBadRequestLine);
    if (version.at(5) != '1' || version.at(7) > '1')
        return invalid(505, "Only HTTP/1.0 and HTTP/1.1 are served here.");
    out->method = method.toByteArray();
    const qsizetype query = target.indexOf('?');
    out->path = (query < 0 ? target : target.first(query)).toByteArray();
    out->minorVersion = version.at(7) - '0';
    return {};
}

/// An unfinished request line: could it still become one? Refuses at once
/// what never can (a TLS ClientHello, binary).
bool requestLineMayContinue(QByteArrayView tail)
{
    const qsizetype space = tail.indexOf(' ');
    for (qsizetype i = 0; i < tail.size(); ++i) {
        const uchar c = uchar(tail.at(i));
        if (c == '\r' && i == tail.size() - 1)
            continue;   // the CR of a CRLF still to come
        if (isControl(c) || c >= 0x80)
            return false;
        if ((space < 0 || i < space) && !isTokenChar(char(c)))
            return false;
    }
    return true;
}

const char *statusText(int status)
{
    switch (status) {
    case 200: return "OK";
    case 400: return "Bad Request";
    case 404: return "Not Found";
    case 405: return "Method Not Allowed";
    case 408: return "Request Timeout";
    case 431: return "Request Header Fields Too Large";
    case 503: return "Service Unavailable";
    case 505: return "HTTP Version Not Supported";
    default: return "Error";
    }
}

} // namespace

HttpParse parseHttpRequest(QByteArrayView received)
{
    const QByteArrayView head = received.first(std::min(received.size(), kMaxRequestHead));
    HttpRequest request;
    bool requestLineRead = false;
    int fields = 0;
    int hosts = 0;
    bool transferEncoding = false;
    QByteArrayView contentLength;
    qsizetype pos = 0;
    for (;;) {
        const qsizetype lf = head.indexOf('\n', pos);
        if (lf < 0)
            break;
        if (lf == pos || head.at(lf - 1) != '\r')
            return invalid(400, "Every line of the request must end in CRLF.");
        const QByteArrayView line = head.sliced(pos, lf - 1 - pos);
        pos = lf + 1;
        if (line.contains('\r'))
            return invalid(400, "The request holds a CR outside a CRLF.");
        if (!requestLineRead) {
            if (HttpParse error = readRequestLine(line, &request); error.state == HttpParse::State::Invalid)
                return error;
            requestLineRead = true;
            continue;
        }
        if (line.isEmpty()) {
            const bool bodyless = request.method == "GET" || request.method == "HEAD";
            const bool hasBody = transferEncoding || (!contentLength.isEmpty() && contentLength != "0");
            if (bodyless && hasBody)
                return invalid(400, "A GET or HEAD request to this endpoint carries no body.");
            HttpParse done;
            done.state = HttpParse::State::Complete;
            done.request = request;
            return done;
        }
        if (++fields > kMaxHeaderFields)
            return invalid(431, "The request has more than 64 header fields.");
        if (line.front() == ' ' || line.front() == '\t')
            return invalid(400, "Folded header lines are not accepted.");
        const qsizetype colon = line.indexOf(':');
        if (colon <= 0 || !isToken(line.first(colon)))
            return invalid(400, "A header field is not \"name: value\".");
        const QByteArrayView name = line.first(colon);
        const QByteArrayView value = trimmedSpace(line.sliced(colon + 1));
        for (char c : value) {
            if (!isFieldValueChar(uchar(c)))
                return invalid(400, "A header field holds a control character.");
        }
        if (equalsIgnoringCase(name, "content-length")) {
            const bool digits = !value.isEmpty() && std::all_of(value.begin(), value.end(), [](char c) {
                return c >= '0' && c <= '9';
            });
            if (!digits || (!contentLength.isEmpty() && contentLength != value))
                return invalid(400, "The Content-Length is not one number.");
            contentLength = value;
        } else if (equalsIgnoringCase(name, "transfer-encoding")) {
            transferEncoding = true;
        } else if (equalsIgnoringCase(name, "host") && ++hosts > 1) {
            return invalid(400, "The request has more than one Host.");
        }
    }
    if (!requestLineRead && !requestLineMayContinue(head.sliced(pos)))
        return invalid(400, kBadRequestLine);
    if (received.size() > kMaxRequestHead)
        return invalid(431, "The request head is over 8 KiB.");
    return {};
}

QByteArray httpErrorResponse(int status, const QByteArray &sentence, bool withBody)
{
    const QByteArray body = sentence + '\n';
    QByteArray out = "HTTP/1.1 " + QByteArray::number(status) + ' ' + statusText(status)
                     + "\r\nContent-Type: text/plain; charset=utf-8\r\nContent-Length: "
                     + QByteArray::number(body.size()) + "\r\nConnection: close\r\n";
    if (status == 405)
        out += "Allow: GET, HEAD\r\n";
    out += "\r\n";
    if (withBody)
        out += body;
    return out;
}

QByteArray httpResponse(const HttpParse &parse, const std::function<QByteArray()> &metricsBody)
{
    switch (parse.state) {
    case HttpParse::State::Incomplete:
        return httpErrorResponse(400, "The request is incomplete.");
    case HttpParse::State::Invalid:
        return httpErrorResponse(parse.status, parse.reason);
    case HttpParse::State::Complete:
        break;
    }
    const HttpRequest &r = parse.request;
    const bool headOnly = r.method == "HEAD";
    if (r.method != "GET" && !headOnly)
        return httpErrorResponse(405, "Only GET and HEAD are served here.");
    if (r.path != "/metrics")
        return httpErrorResponse(404, "Not found: metrics are at /metrics.", !headOnly);
    const QByteArray body = metricsBody();
    QByteArray out = QByteArray("HTTP/1.1 200 OK\r\nContent-Type: ") + kOpenMetricsContentType
                     + "\r\nContent-Length: " + QByteArray::number(body.size()) + "\r\nConnection: close\r\n\r\n";
    if (!headOnly)
        out += body;
    return out;
}

} // namespace quicpool::cli
