#include "jsonrecord.h"

#include <charconv>
#include <cmath>

namespace quicpool::diag {

bool isJsonNumber(QByteArrayView s)
{
    qsizetype i = 0;
    const qsizetype n = s.size();
    auto digit = [&](qsizetype at) { return at < n && s[at] >= '0' && s[at] <= '9'; };
    if (i < n && s[i] == '-')
        ++i;
    if (!digit(i))
        return false;
    if (s[i] == '0')
        ++i;
    else
        while (digit(i))
            ++i;
    if (i < n && s[i] == '.') {
        ++i;
        if (!digit(i))
            return false;
        while (digit(i))
            ++i;
    }
    if (i < n && (s[i] == 'e' || s[i] == 'E')) {
        ++i;
        if (i < n && (s[i] == '+' || s[i] == '-'))
            ++i;
        if (!digit(i))
            return false;
        while (digit(i))
            ++i;
    }
    return i == n;
}

void JsonRecord::clear()
{
    m_nodes.clear();
    m_text.truncate(0);
    m_overflow = false;
}

JsonRecord::Type JsonRecord::type(int node) const
{
    return node >= 0 && node < int(m_nodes.size()) ? m_nodes[size_t(node)].type : Type::Null;
}

int JsonRecord::member(int node, QByteArrayView key) const
{
    if (type(node) != Type::Object)
        return -1;
    int found = -1;
    for (int c = m_nodes[size_t(node)].firstChild; c >= 0; c = m_nodes[size_t(c)].next) {
        if (this->key(c) == key)
            found = c;
    }
    return found;
}

int JsonRecord::firstChild(int node) const
{
    const Type t = type(node);
    return t == Type::Array || t == Type::Object ? m_nodes[size_t(node)].firstChild : -1;
}

int JsonRecord::nextSibling(int node) const
{
    return node >= 0 && node < int(m_nodes.size()) ? m_nodes[size_t(node)].next : -1;
}

int JsonRecord::childCount(int node) const
{
    int count = 0;
    for (int c = firstChild(node); c >= 0; c = nextSibling(c))
        ++count;
    return count;
}

QByteArrayView JsonRecord::key(int node) const
{
    if (node < 0 || node >= int(m_nodes.size()))
        return {};
    const Node &n = m_nodes[size_t(node)];
    return QByteArrayView(m_text.constData() + n.keyAt, n.keyLength);
}

QByteArrayView JsonRecord::string(int node) const
{
    if (type(node) != Type::String)
        return {};
    const Node &n = m_nodes[size_t(node)];
    return QByteArrayView(m_text.constData() + n.textAt, n.textLength);
}

bool JsonRecord::boolean(int node) const
{
    return type(node) == Type::Bool && m_nodes[size_t(node)].boolean;
}

std::optional<double> JsonRecord::number(int node) const
{
    double value = 0;
    switch (type(node)) {
    case Type::Number:
        value = m_nodes[size_t(node)].number;
        break;
    case Type::String: {
        const QByteArrayView text = string(node);
        if (text.isEmpty() || text.size() > 64 || !isJsonNumber(text))
            return std::nullopt;
        const auto [end, error] = std::from_chars(text.data(), text.data() + text.size(), value);
        if (error != std::errc() || end != text.data() + text.size())
            return std::nullopt;
        break;
    }
    default:
        return std::nullopt;
    }
    if (!std::isfinite(value))
        return std::nullopt;
    return value;
}

int JsonRecord::append(int parent, QByteArrayView key, Node node, QByteArrayView text)
{
    if (m_overflow)
        return -1;
    if (parent < 0 ? !m_nodes.empty() : (parent >= int(m_nodes.size())
                                         || (m_nodes[size_t(parent)].type != Type::Array
                                             && m_nodes[size_t(parent)].type != Type::Object))) {
        m_overflow = true;   // a build out of order: refuse it rather than guess
        return -1;
    }
    node.depth = parent < 0 ? 0 : m_nodes[size_t(parent)].depth + 1;
    const bool member = parent >= 0 && m_nodes[size_t(parent)].type == Type::Object;
    if (int(m_nodes.size()) >= m_limits.maxNodes || node.depth > m_limits.maxDepth
        || m_text.size() + (member ? key.size() : 0) + text.size() > m_limits.maxText) {
        m_overflow = true;
        return -1;
    }
    if (member) {
        node.keyAt = m_text.size();
        node.keyLength = key.size();
        m_text.append(key.data(), key.size());
    }
    node.textAt = m_text.size();
    node.textLength = text.size();
    m_text.append(text.data(), text.size());
    node.parent = parent;
    const int index = int(m_nodes.size());
    m_nodes.push_back(node);
    if (parent >= 0) {
        Node &p = m_nodes[size_t(parent)];
        if (p.lastChild >= 0)
            m_nodes[size_t(p.lastChild)].next = index;
        else
            p.firstChild = index;
        p.lastChild = index;
    }
    return index;
}

int JsonRecord::add(int parent, QByteArrayView key, Type type)
{
    Node n;
    n.type = type;
    return append(parent, key, n);
}

int JsonRecord::addString(int parent, QByteArrayView key, QByteArrayView text)
{
    Node n;
    n.type = Type::String;
    return append(parent, key, n, text);
}

int JsonRecord::addNumber(int parent, QByteArrayView key, double value)
{
    Node n;
    n.type = Type::Number;
    n.number = value;
    return append(parent, key, n);
}

int JsonRecord::addBool(int parent, QByteArrayView key, bool value)
{
    Node n;
    n.type = Type::Bool;
    n.boolean = value;
    return append(parent, key, n);
}

int JsonRecord::copyFrom(const JsonRecord &other, int otherNode, int parent, QByteArrayView key)
{
    const Node &src = other.m_nodes[size_t(otherNode)];
    Node n;
    n.type = src.type;
    n.boolean = src.boolean;
    n.number = src.number;
    const int copy = append(parent, key, n, other.string(otherNode));
    if (copy < 0)
        return -1;
    for (int c = src.firstChild; c >= 0; c = other.m_nodes[size_t(c)].next) {
        if (copyFrom(other, c, copy, other.key(c)) < 0)
            return -1;
    }
    return copy;
}

bool JsonRecord::graft(int parent, QByteArrayView key, const JsonRecord &other)
{
    if (m_overflow || other.isEmpty() || type(parent) != Type::Object)
        return false;
    // The copy recurses as deep as `other` is, which its own depth limit
    // bounds; the limits here bound the sum.
    const size_t nodesBefore = m_nodes.size();
    const qsizetype textBefore = m_text.size();
    const int lastChildBefore = m_nodes[size_t(parent)].lastChild;
    if (copyFrom(other, 0, parent, key) >= 0)
        return true;
    // Undo a partial copy: the record stays as it was, apart from the flag.
    m_nodes.resize(nodesBefore);
    m_text.truncate(textBefore);
    m_nodes[size_t(parent)].lastChild = lastChildBefore;
    if (lastChildBefore >= 0)
        m_nodes[size_t(lastChildBefore)].next = -1;
    else
        m_nodes[size_t(parent)].firstChild = -1;
    m_overflow = false;
    return false;
}

} // namespace quicpool::diag
