// The CLI's data protocol for load tests (echo / sink / source), as pure
// functions so the engine, the embedded server and the tests share them.
//   pattern: byte i of a stream's application data is i % 251.
//   echo:   client sends SIZE bytes then FIN; server echoes, then FIN.
//   sink:   client sends SIZE bytes then FIN; server replies 16 bytes
//           (u64 BE total received, u64 BE bytes differing from the pattern).
//   source: client sends u64 BE N then FIN; server sends N pattern bytes, FIN.
#pragma once

#include <QtCore/QByteArray>
#include <QtCore/QString>
#include <QtCore/QtGlobal>

namespace quicpool::diag {

enum class LoadMode { Echo, Sink, Source };

QString loadModeName(LoadMode mode);
/// "echo", "sink", "source" (any case); false when unknown.
bool parseLoadMode(const QString &text, LoadMode *mode);

inline char patternByte(qint64 offset) { return char(offset % 251); }
/// count pattern bytes starting at stream offset `offset`.
QByteArray patternBytes(qint64 offset, qint64 count);
/// How many of data's bytes differ from the pattern, data starting at `offset`.
qint64 patternMismatches(const QByteArray &data, qint64 offset);

QByteArray encodeU64(quint64 value);
/// Reads 8 bytes big-endian at position `at`; data must be long enough.
quint64 decodeU64(const QByteArray &data, qsizetype at = 0);

/// The sink server's 16-byte reply.
QByteArray encodeSinkReply(quint64 received, quint64 mismatches);
bool decodeSinkReply(const QByteArray &data, quint64 *received, quint64 *mismatches);

} // namespace quicpool::diag
