// Folds a failure that repeats attempt after attempt into one report. A
// pool that cannot reach its server fails the same way every back-off
// period; its log and its errorOccurred signal say so once, when the cause
// appears, and once more (with the count) when the cause changes or clears.
#pragma once

#include <quicpool/error.h>

namespace quicpool::pool {

class RepeatedCause
{
public:
    struct Outcome
    {
        bool isNew = false;   ///< a cause not seen just before: report it
        Error ended;          ///< the cause this one replaced or cleared, if it repeated
        int endedRepeats = 0; ///< how often `ended` happened (2 or more, else 0)
    };

    /// One failed attempt. Causes are the same when code and sentence are,
    /// except refusals, whose sentence carries counts that move by the cycle.
    Outcome record(const Error &error)
    {
        Outcome out;
        if (m_count > 0 && sameCause(m_current, error)) {
            ++m_count;
            m_current = error;   // the latest sentence (counts) is the one to show
            return out;
        }
        out = close();
        m_current = error;
        m_count = 1;
        out.isNew = true;
        return out;
    }

    /// The attempts succeed again.
    Outcome clear()
    {
        Outcome out = close();
        m_current = Error();
        m_count = 0;
        return out;
    }

    const Error &current() const { return m_current; }
    int count() const { return m_count; }

    /// The log line for a cause that repeated: "… (repeated 243 times)".
    static QString foldedText(const Error &error, int repeats)
    {
        return QStringLiteral("%1 (repeated %2 times)").arg(error.toString()).arg(repeats);
    }

private:
    static bool sameCause(const Error &a, const Error &b)
    {
        if (a.code() != b.code())
            return false;
        return a.code() == ErrorCode::StreamRefused || a.message() == b.message();
    }

    Outcome close() const
    {
        Outcome out;
        if (m_count >= 2) {
            out.ended = m_current;
            out.endedRepeats = m_count;
        }
        return out;
    }

    Error m_current;
    int m_count = 0;
};

} // namespace quicpool::pool
