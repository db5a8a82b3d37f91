#include "poolstatus.h"

namespace quicpool::diag {

QString poolStateName(Pool::State state)
{
    switch (state) {
    case Pool::State::Idle: return QStringLiteral("Idle");
    case Pool::State::Connecting: return QStringLiteral("Connecting");
    case Pool::State::Connected: return QStringLiteral("Connected");
    case Pool::State::Listening: return QStringLiteral("Listening");
    case Pool::State::BackingOff: return QStringLiteral("Backing off");
    case Pool::State::Closed: return QStringLiteral("Closed");
    }
    return {};
}

QString errorClause(const Error &error)
{
    QString s = error.toString().trimmed();
    while (s.endsWith(QLatin1Char('.')))
        s.chop(1);
    // "The server …" becomes "the server …"; "TLS …", "127.0.0.1:…" and
    // "QUIC …" keep their case: only a capital followed by a lower-case
    // letter is the start of an ordinary sentence.
    if (s.size() >= 2 && s.at(0).isUpper() && s.at(1).isLower())
        s[0] = s.at(0).toLower();
    return s;
}

PoolStatus describePoolStatus(PoolKind kind, PoolPhase phase, Pool::State state, const Error &error,
                              const QString &where)
{
    PoolStatus st;
    switch (phase) {
    case PoolPhase::Starting:
        st.level = StatusLevel::Working;
        st.state = QStringLiteral("Starting");
        st.text = QStringLiteral("Starting…");
        return st;
    case PoolPhase::Stopped:
        st.level = StatusLevel::Neutral;
        st.state = QStringLiteral("Stopped");
        st.text = QStringLiteral("Stopped");
        return st;
    case PoolPhase::StartFailed:
        st.level = StatusLevel::Failed;
        st.state = QStringLiteral("Failed");
        st.text = error.isError() ? QStringLiteral("Failed: %1").arg(errorClause(error))
                                  : QStringLiteral("Failed to start");
        return st;
    case PoolPhase::Running:
        break;
    }
    st.state = poolStateName(state);
    const bool hasError = error.isError();
    switch (state) {
    case Pool::State::Connected:
        st.level = StatusLevel::Good;
        st.text = kind == PoolKind::Client && !where.isEmpty() ? QStringLiteral("Connected to %1").arg(where)
                                                               : QStringLiteral("Connected");
        return st;
    case Pool::State::Listening:
        st.level = StatusLevel::Good;
        st.text = where.isEmpty() ? QStringLiteral("Listening, no client connected")
                                  : QStringLiteral("Listening on %1, no client connected").arg(where);
        return st;
    case Pool::State::Connecting:
    case Pool::State::BackingOff:
        if (hasError) {
            st.level = StatusLevel::Trouble;
            st.text = QStringLiteral("Not connected: %1").arg(errorClause(error));
            return st;
        }
        st.level = StatusLevel::Working;
        st.text = where.isEmpty() ? QStringLiteral("Connecting…") : QStringLiteral("Connecting to %1…").arg(where);
        return st;
    case Pool::State::Closed:
        st.level = hasError ? StatusLevel::Failed : StatusLevel::Neutral;
        st.text = hasError ? QStringLiteral("Closed: %1").arg(errorClause(error)) : QStringLiteral("Closed");
        return st;
    case Pool::State::Idle:
        st.level = hasError ? StatusLevel::Failed : StatusLevel::Neutral;
        st.text = hasError ? QStringLiteral("Failed: %1").arg(errorClause(error)) : QStringLiteral("Idle");
        return st;
    }
    return st;
}

} // namespace quicpool::diag
