// A JSON reader for files too big to hold in memory: bytes go in, in
// chunks of any size, and the handler decides, value by value, what to
// keep. A value it wants is built into a JsonRecord (bounded: a record
// past its limits is dropped, never grown); a container it wants to look
// into is streamed, its members offered one by one; the rest is skipped
// without being stored. Memory stays bounded by the limits whatever the
// input: a 1 GB file costs the same as a 1 MB one.
//
// Reads JSON text sequences (RFC 7464: each record after a 0x1E byte, the
// form of `.sqlog` files), newline-delimited JSON and one big document
// (`.qlog`) alike. In a sequence a bad record (a syntax error, too deep, a
// 0x1E inside it: the record was cut short) is reported and reading goes
// on after the next 0x1E; in a plain document there is no next record, so
// the rest is skipped. Pure: no I/O.
#pragma once

#include "jsonrecord.h"

#include <QtCore/QByteArray>
#include <QtCore/QByteArrayView>
#include <QtCore/QString>

#include <vector>

namespace quicpool::diag {

class JsonStream
{
public:
    enum class Action {
        Build,    ///< build the value into a record; the handler gets valueBuilt()
        Descend,  ///< stream a container: each member or element is offered in turn,
                  ///< then containerEnded(); a scalar offered this is skipped
        Skip,     ///< read past it, keeping nothing
    };

    class Handler
    {
    public:
        virtual ~Handler() = default;
        /// A value begins at `depth` (0: a top-level value) inside a
        /// container the handler descended into (or at the top). `key` is
        /// its member name in an object, empty otherwise; `kind` is '{',
        /// '[' or 'v' (a scalar).
        virtual Action valueStarting(int depth, QByteArrayView key, char kind) = 0;
        /// The value last answered with Build, complete.
        virtual void valueBuilt(const JsonRecord &record) = 0;
        /// The value last answered with Build grew past the record limits and
        /// was dropped (`why` says which).
        virtual void valueDropped(const QString &why) = 0;
        /// A container the handler descended into has ended.
        virtual void containerEnded(int depth) = 0;
        /// The top-level value being read cannot complete: a syntax error,
        /// nesting past the limit, or the input ended or a 0x1E came inside
        /// it. Every container the handler descended into is abandoned with
        /// it (no containerEnded() for them). `offset` is the byte it
        /// happened at.
        virtual void recordAborted(qint64 offset, const QString &why) = 0;
    };

    struct Limits
    {
        int maxDepth = 256;              ///< containers open at once, anywhere
        qsizetype maxString = 4096;      ///< longer strings and keys are cut to this
        JsonRecord::Limits record;
    };

    explicit JsonStream(Handler *handler) : JsonStream(handler, Limits()) {}
    JsonStream(Handler *handler, const Limits &limits);

    void feed(QByteArrayView bytes);
    /// The input has ended: a value still open is reported as aborted.
    void finish();
    /// Bytes fed so far.
    qint64 offset() const { return m_offset; }
    /// Whether a 0x1E (a record separator) has been seen.
    bool sawRecordSeparator() const { return m_sawSeparator; }
    /// Top-level values read to their end.
    qint64 valuesCompleted() const { return m_valuesCompleted; }

private:
    enum class State : quint8 {
        Value,        ///< a value is due (at the top: between values)
        ValueOrClose, ///< just after '['
        KeyOrClose,   ///< just after '{'
        Key,          ///< after ',' in an object
        Colon,
        CommaOrClose,
        String,
        Number,
        Literal,
        SkipToSeparator,
    };

    void step(const char *&p, const char *end);
    void startValue(char c);
    void beginContainer(char bracket);
    void endContainer(char bracket);
    void valueDone();
    void stringDone();
    void numberDone();
    void scalar(JsonRecord::Type type, double number, bool boolean, QByteArrayView text);
    void appendUtf8(uint codePoint);
    void fail(const QString &why);
    void abortRecord(qint64 at, const QString &why);
    void resetToTop();

    Handler *m_handler;
    Limits m_limits;
    State m_state = State::Value;
    std::vector<char> m_stack;          ///< open containers: '{' or '['
    std::vector<bool> m_descended;      ///< per open container: the handler streams it
    QByteArray m_key;                   ///< the member key just read
    bool m_haveKey = false;
    QByteArray m_text;                  ///< the string or number being read
    bool m_textCut = false;
    bool m_stringIsKey = false;
    int m_escape = 0;                   ///< 0, 1 after '\\', 2..5 inside \uXXXX
    uint m_unicode = 0;
    uint m_highSurrogate = 0;
    const char *m_literal = nullptr;
    int m_literalAt = 0;
    // Building: the depth the built value began at (-1: not building) and
    // the record's open containers.
    int m_buildDepth = -1;
    std::vector<int> m_buildParents;
    JsonRecord m_record;
    int m_skipDepth = -1;               ///< skipping a container that began at this depth
    qint64 m_offset = 0;
    qint64 m_valuesCompleted = 0;
    bool m_sawSeparator = false;
};

} // namespace quicpool::diag
