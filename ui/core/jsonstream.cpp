#include "jsonstream.h"

#include <charconv>
#include <cmath>
#include <cstring>
#include <limits>

namespace quicpool::diag {

namespace {

constexpr char kRecordSeparator = '\x1e';
constexpr qsizetype kMaxNumberText = 64;

bool isWhitespace(char c)
{
    return c == ' ' || c == '\t' || c == '\n' || c == '\r';
}

bool isNumberChar(char c)
{
    return (c >= '0' && c <= '9') || c == '-' || c == '+' || c == '.' || c == 'e' || c == 'E';
}

int hexValue(char c)
{
    if (c >= '0' && c <= '9')
        return c - '0';
    if (c >= 'a' && c <= 'f')
        return c - 'a' + 10;
    if (c >= 'A' && c <= 'F')
        return c - 'A' + 10;
    return -1;
}

QString describe(char c)
{
    const auto u = uchar(c);
    if (u >= 0x21 && u < 0x7f)
        return QStringLiteral("'%1'").arg(QLatin1Char(c));
    return QStringLiteral("0x%1").arg(uint(u), 2, 16, QLatin1Char('0'));
}

} // namespace

JsonStream::JsonStream(Handler *handler, const Limits &limits) : m_handler(handler), m_limits(limits)
{
    m_record.setLimits(limits.record);
}

void JsonStream::feed(QByteArrayView bytes)
{
    const char *p = bytes.data();
    const char *end = p + bytes.size();
    while (p < end)
        step(p, end);
}

void JsonStream::finish()
{
    if (m_state == State::Number && m_stack.empty())
        numberDone();
    if (m_state != State::SkipToSeparator && !(m_state == State::Value && m_stack.empty()))
        abortRecord(m_offset, QStringLiteral("the input ends inside a value (cut short?)"));
    resetToTop();
}

void JsonStream::resetToTop()
{
    m_stack.clear();
    m_descended.clear();
    m_buildDepth = -1;
    m_buildParents.clear();
    m_skipDepth = -1;
    m_haveKey = false;
    m_escape = 0;
    m_highSurrogate = 0;
    m_literal = nullptr;
    m_state = State::Value;
}

void JsonStream::abortRecord(qint64 at, const QString &why)
{
    m_handler->recordAborted(at, why);
    resetToTop();
    m_state = State::SkipToSeparator;
}

void JsonStream::fail(const QString &why)
{
    // Every caller has just consumed the byte at fault.
    abortRecord(m_offset - 1, why);
}

void JsonStream::step(const char *&p, const char *end)
{
    const char c = *p;
    if (c == kRecordSeparator) {
        m_sawSeparator = true;
        if (m_state == State::Number && m_stack.empty())
            numberDone();
        if (m_state != State::SkipToSeparator && !(m_state == State::Value && m_stack.empty()))
            abortRecord(m_offset, QStringLiteral("a record ends before its value is complete"));
        resetToTop();
        ++p;
        ++m_offset;
        return;
    }
    switch (m_state) {
    case State::SkipToSeparator: {
        const void *rs = std::memchr(p, kRecordSeparator, size_t(end - p));
        const char *stop = rs ? static_cast<const char *>(rs) : end;
        m_offset += stop - p;
        p = stop;
        return;
    }
    case State::String: {
        if (m_escape == 0) {
            const char *q = p;
            while (q < end && *q != '"' && *q != '\\' && uchar(*q) >= 0x20)
                ++q;
            if (q > p) {
                if (m_highSurrogate) {
                    m_highSurrogate = 0;
                    appendUtf8(0xFFFD);
                }
                const qsizetype room = m_limits.maxString - m_text.size();
                const qsizetype n = q - p;
                if (n > room)
                    m_textCut = true;
                if (room > 0)
                    m_text.append(p, std::min(n, room));
                m_offset += n;
                p = q;
                return;
            }
            ++p;
            ++m_offset;
            if (c == '"')
                return stringDone();
            if (c == '\\') {
                m_escape = 1;
                return;
            }
            return fail(QStringLiteral("%1 inside a string").arg(describe(c)));
        }
        ++p;
        ++m_offset;
        if (m_escape == 1) {
            char plain = 0;
            switch (c) {
            case '"': plain = '"'; break;
            case '\\': plain = '\\'; break;
            case '/': plain = '/'; break;
            case 'b': plain = '\b'; break;
            case 'f': plain = '\f'; break;
            case 'n': plain = '\n'; break;
            case 'r': plain = '\r'; break;
            case 't': plain = '\t'; break;
            case 'u':
                m_escape = 2;
                m_unicode = 0;
                return;
            default:
                return fail(QStringLiteral("\\%1 is not an escape").arg(describe(c)));
            }
            m_escape = 0;
            appendUtf8(uchar(plain));
            return;
        }
        const int v = hexValue(c);
        if (v < 0)
            return fail(QStringLiteral("%1 in a \\u escape").arg(describe(c)));
        m_unicode = m_unicode * 16 + uint(v);
        if (++m_escape < 6)
            return;
        m_escape = 0;
        appendUtf8(m_unicode);
        return;
    }
    case State::Number: {
        const char *q = p;
        while (q < end && isNumberChar(*q))
            ++q;
        if (q > p) {
            const qsizetype room = kMaxNumberText - m_text.size();
            if (q - p > room)
                m_textCut = true;
            if (room > 0)
                m_text.append(p, std::min<qsizetype>(q - p, room));
            m_offset += q - p;
            p = q;
            return;
        }
        return numberDone();   // c is read again in the state that follows
    }
    case State::Literal:
        ++p;
        ++m_offset;
        if (c != m_literal[m_literalAt])
            return fail(QStringLiteral("%1 where \"%2\" was going on").arg(describe(c))
                            .arg(QLatin1String(m_literal)));
        if (m_literal[++m_literalAt] == 0) {
            const bool isTrue = m_literal[0] == 't';
            const bool isNull = m_literal[0] == 'n';
            m_literal = nullptr;
            scalar(isNull ? JsonRecord::Type::Null : JsonRecord::Type::Bool, 0, isTrue, {});
        }
        return;
    default:
        break;
    }
    // A UTF-8 byte order mark at the very start is not JSON, but editors
    // write it: read it as whitespace, however the chunks fall.
    if (m_offset < 3 && m_state == State::Value && m_stack.empty() && c == "\xEF\xBB\xBF"[m_offset]) {
        ++p;
        ++m_offset;
        return;
    }
    ++p;
    ++m_offset;
    if (isWhitespace(c))
        return;
    switch (m_state) {
    case State::Value:
        return startValue(c);
    case State::ValueOrClose:
        if (c == ']')
            return endContainer(c);
        return startValue(c);
    case State::KeyOrClose:
        if (c == '}')
            return endContainer(c);
        [[fallthrough]];
    case State::Key:
        if (c != '"')
            return fail(QStringLiteral("%1 where a member name was due").arg(describe(c)));
        m_text.truncate(0);   // keeps the buffer: no allocation per token
        m_textCut = false;
        m_stringIsKey = true;
        m_state = State::String;
        return;
    case State::Colon:
        if (c != ':')
            return fail(QStringLiteral("%1 where ':' was due").arg(describe(c)));
        m_state = State::Value;
        return;
    case State::CommaOrClose:
        if (c == ',') {
            m_state = m_stack.back() == '{' ? State::Key : State::Value;
            return;
        }
        if (c == '}' || c == ']')
            return endContainer(c);
        return fail(QStringLiteral("%1 where ',' or the end of a %2 was due").arg(describe(c))
                        .arg(m_stack.back() == '{' ? QStringLiteral("object") : QStringLiteral("list")));
    default:
        return;
    }
}

void JsonStream::startValue(char c)
{
    const bool container = c == '{' || c == '[';
    const bool scalarStart = c == '"' || c == '-' || (c >= '0' && c <= '9') || c == 't' || c == 'f' || c == 'n';
    if (!container && !scalarStart)
        return fail(QStringLiteral("%1 where a value was due").arg(describe(c)));
    bool descend = false;
    if (m_buildDepth < 0 && m_skipDepth < 0 && (m_stack.empty() || m_descended.back())) {
        const QByteArrayView key = m_haveKey ? QByteArrayView(m_key) : QByteArrayView();
        const int depth = int(m_stack.size());
        switch (m_handler->valueStarting(depth, key, container ? c : 'v')) {
        case Action::Build:
            m_buildDepth = depth;
            m_record.clear();
            m_buildParents.clear();
            break;
        case Action::Descend:
            descend = container;
            break;
        case Action::Skip:
            if (container)
                m_skipDepth = depth;
            break;
        }
    }
    if (container) {
        beginContainer(c);
        if (descend && m_state != State::SkipToSeparator)
            m_descended.back() = true;
        return;
    }
    m_text.truncate(0);
    m_textCut = false;
    if (c == '"') {
        m_stringIsKey = false;
        m_state = State::String;
    } else if (c == 't' || c == 'f' || c == 'n') {
        m_literal = c == 't' ? "true" : c == 'f' ? "false" : "null";
        m_literalAt = 1;
        m_state = State::Literal;
    } else {
        m_text.append(c);
        m_state = State::Number;
    }
}

void JsonStream::beginContainer(char bracket)
{
    if (int(m_stack.size()) >= m_limits.maxDepth)
        return fail(QStringLiteral("nested deeper than %1 levels").arg(m_limits.maxDepth));
    if (m_buildDepth >= 0) {
        const int parent = m_buildParents.empty() ? -1 : m_buildParents.back();
        const QByteArrayView key = !m_stack.empty() && m_stack.back() == '{' ? QByteArrayView(m_key) : QByteArrayView();
        m_buildParents.push_back(
            m_record.add(parent, key, bracket == '{' ? JsonRecord::Type::Object : JsonRecord::Type::Array));
    }
    m_stack.push_back(bracket);
    m_descended.push_back(false);
    m_haveKey = false;
    m_state = bracket == '{' ? State::KeyOrClose : State::ValueOrClose;
}

void JsonStream::endContainer(char bracket)
{
    const char open = bracket == '}' ? '{' : '[';
    if (m_stack.empty() || m_stack.back() != open)
        return fail(QStringLiteral("'%1' closes nothing open").arg(QLatin1Char(bracket)));
    const bool descended = m_descended.back();
    m_stack.pop_back();
    m_descended.pop_back();
    const int depth = int(m_stack.size());
    if (m_buildDepth >= 0) {
        m_buildParents.pop_back();
        if (depth == m_buildDepth) {
            m_buildDepth = -1;
            if (m_record.overflowed())
                m_handler->valueDropped(QStringLiteral("a value larger than %1 nodes, %2 bytes of text or %3 levels")
                                            .arg(m_limits.record.maxNodes).arg(m_limits.record.maxText)
                                            .arg(m_limits.record.maxDepth));
            else
                m_handler->valueBuilt(m_record);
        }
    } else if (m_skipDepth >= 0) {
        if (depth == m_skipDepth)
            m_skipDepth = -1;
    } else if (descended) {
        m_handler->containerEnded(depth);
    }
    valueDone();
}

void JsonStream::valueDone()
{
    m_haveKey = false;
    if (m_stack.empty()) {
        ++m_valuesCompleted;
        m_state = State::Value;
    } else {
        m_state = State::CommaOrClose;
    }
}

void JsonStream::stringDone()
{
    if (m_highSurrogate) {
        m_highSurrogate = 0;
        appendUtf8(0xFFFD);
    }
    if (m_stringIsKey) {
        m_key.truncate(0);   // a copy into the key's own buffer, not a shared one
        m_key.append(m_text);
        m_haveKey = true;
        m_state = State::Colon;
        return;
    }
    scalar(JsonRecord::Type::String, 0, false, m_text);
}

void JsonStream::numberDone()
{
    if (m_textCut || !isJsonNumber(m_text))
        return abortRecord(m_offset - m_text.size(), QStringLiteral("\"%1%2\" is not a number")
                               .arg(QString::fromLatin1(m_text.left(24)), m_textCut ? QStringLiteral("…") : QString()));
    // Locale-free, and out of range said as such: past the largest double
    // it is infinite (no figure: JsonRecord::number() refuses it), below
    // the smallest it is as good as zero.
    double value = 0;
    const char *first = m_text.constData();
    const char *last = first + m_text.size();
    const auto [end, error] = std::from_chars(first, last, value);
    if (error == std::errc::result_out_of_range) {
        const qsizetype e = std::max(m_text.indexOf('e'), m_text.indexOf('E'));
        const bool tiny = e >= 0 && e + 1 < m_text.size() && m_text.at(e + 1) == '-';
        value = tiny ? 0.0 : (m_text.startsWith('-') ? -1 : 1) * std::numeric_limits<double>::infinity();
    } else if (error != std::errc() || end != last) {
        return abortRecord(m_offset - m_text.size(), QStringLiteral("\"%1\" is not a number")
                                                         .arg(QString::fromLatin1(m_text.left(24))));
    }
    scalar(JsonRecord::Type::Number, value, false, {});
}

void JsonStream::scalar(JsonRecord::Type type, double number, bool boolean, QByteArrayView text)
{
    if (m_buildDepth >= 0) {
        const int parent = m_buildParents.empty() ? -1 : m_buildParents.back();
        const QByteArrayView key = !m_stack.empty() && m_stack.back() == '{' ? QByteArrayView(m_key) : QByteArrayView();
        switch (type) {
        case JsonRecord::Type::String: m_record.addString(parent, key, text); break;
        case JsonRecord::Type::Number: m_record.addNumber(parent, key, number); break;
        case JsonRecord::Type::Bool: m_record.addBool(parent, key, boolean); break;
        default: m_record.add(parent, key, type); break;
        }
        if (int(m_stack.size()) == m_buildDepth) {
            m_buildDepth = -1;
            if (m_record.overflowed())
                m_handler->valueDropped(QStringLiteral("a value larger than the record limits"));
            else
                m_handler->valueBuilt(m_record);
        }
    }
    valueDone();
}

void JsonStream::appendUtf8(uint cp)
{
    // Surrogates arrive one \u escape at a time: pair them, and write a
    // replacement character for one without its partner.
    if (cp >= 0xD800 && cp <= 0xDBFF) {
        if (m_highSurrogate)
            appendUtf8(0xFFFD);
        m_highSurrogate = cp;
        return;
    }
    if (cp >= 0xDC00 && cp <= 0xDFFF) {
        if (!m_highSurrogate) {
            cp = 0xFFFD;
        } else {
            cp = 0x10000 + ((m_highSurrogate - 0xD800) << 10) + (cp - 0xDC00);
            m_highSurrogate = 0;
        }
    } else if (m_highSurrogate) {
        m_highSurrogate = 0;
        appendUtf8(0xFFFD);
    }
    char buf[4];
    int n = 0;
    if (cp < 0x80) {
        buf[n++] = char(cp);
    } else if (cp < 0x800) {
        buf[n++] = char(0xC0 | (cp >> 6));
        buf[n++] = char(0x80 | (cp & 0x3F));
    } else if (cp < 0x10000) {
        buf[n++] = char(0xE0 | (cp >> 12));
        buf[n++] = char(0x80 | ((cp >> 6) & 0x3F));
        buf[n++] = char(0x80 | (cp & 0x3F));
    } else {
        buf[n++] = char(0xF0 | (cp >> 18));
        buf[n++] = char(0x80 | ((cp >> 12) & 0x3F));
        buf[n++] = char(0x80 | ((cp >> 6) & 0x3F));
        buf[n++] = char(0x80 | (cp & 0x3F));
    }
    if (m_text.size() + n > m_limits.maxString) {
        m_textCut = true;
        return;
    }
    m_text.append(buf, n);
}

} // namespace quicpool::diag
