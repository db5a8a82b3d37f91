// One JSON value held flat and bounded: every node in one array, every key
// and string in one text buffer, so building a record costs no allocation
// once the buffers have grown, and a record can refuse to grow past its
// limits. JsonStream (jsonstream.h) builds them from a byte stream; the
// qlog reader reads events out of them. Pure.
#pragma once

#include <QtCore/QByteArray>
#include <QtCore/QByteArrayView>

#include <optional>
#include <vector>

namespace quicpool::diag {

/// Whether `text` is a JSON number, by the grammar's letter:
/// -?(0|[1-9][0-9]*)(.[0-9]+)?([eE][+-]?[0-9]+)?
bool isJsonNumber(QByteArrayView text);

class JsonRecord
{
public:
    enum class Type : quint8 { Null, Bool, Number, String, Array, Object };

    /// How big a record may grow; past any of these it is dropped whole.
    struct Limits
    {
        int maxNodes = 20000;
        qsizetype maxText = 1 << 20;   ///< keys and strings together, bytes
        int maxDepth = 48;
    };

    void clear();
    bool isEmpty() const { return m_nodes.empty(); }
    int nodeCount() const { return int(m_nodes.size()); }
    qsizetype textSize() const { return m_text.size(); }
    /// The root node (0), or -1 for an empty record.
    int root() const { return m_nodes.empty() ? -1 : 0; }

    /// -1 (no node) reads as Null everywhere below.
    Type type(int node) const;
    bool isObject(int node) const { return type(node) == Type::Object; }
    bool isArray(int node) const { return type(node) == Type::Array; }
    /// The member `key` of an object (the last one when a key repeats), or -1.
    int member(int node, QByteArrayView key) const;
    /// Children of an array or object, in order: first, then next, until -1.
    int firstChild(int node) const;
    int nextSibling(int node) const;
    int childCount(int node) const;
    /// The key under which an object's member sits (empty for others).
    QByteArrayView key(int node) const;
    /// A String node's text (empty for other types).
    QByteArrayView string(int node) const;
    bool boolean(int node) const;
    /// A finite number: a Number node, or a String node that holds exactly
    /// one (older qlog drafts write numbers as strings). Nothing otherwise:
    /// a wrong type, NaN, infinity, text.
    std::optional<double> number(int node) const;
    /// member(node, key) as a number.
    std::optional<double> number(int node, QByteArrayView key) const { return number(member(node, key)); }
    /// member(node, key) as text, when it is a string.
    QByteArrayView string(int node, QByteArrayView key) const { return string(member(node, key)); }

    // Building, in document order (JsonStream does this). Each returns the
    // new node, or -1 when the limits refuse it; `parent` -1 starts the root.
    int add(int parent, QByteArrayView key, Type type);
    int addString(int parent, QByteArrayView key, QByteArrayView text);
    int addNumber(int parent, QByteArrayView key, double value);
    int addBool(int parent, QByteArrayView key, bool value);
    /// Copies `other` whole as a member `key` of object `parent`; false when
    /// the limits refuse it (nothing is added then).
    bool graft(int parent, QByteArrayView key, const JsonRecord &other);
    void setLimits(const Limits &limits) { m_limits = limits; }
    const Limits &limits() const { return m_limits; }
    /// Whether a build step was refused since clear().
    bool overflowed() const { return m_overflow; }

private:
    struct Node
    {
        Type type = Type::Null;
        bool boolean = false;
        int depth = 0;
        int parent = -1;
        int firstChild = -1;
        int lastChild = -1;
        int next = -1;
        qsizetype keyAt = 0;
        qsizetype keyLength = 0;
        qsizetype textAt = 0;
        qsizetype textLength = 0;
        double number = 0;
    };
    int append(int parent, QByteArrayView key, Node node, QByteArrayView text = {});
    int copyFrom(const JsonRecord &other, int otherNode, int parent, QByteArrayView key);

    std::vector<Node> m_nodes;
    QByteArray m_text;
    Limits m_limits;
    bool m_overflow = false;
};

} // namespace quicpool::diag
