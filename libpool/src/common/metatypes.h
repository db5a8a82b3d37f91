// Registration of libpool's value types with Qt's meta-type system.
#pragma once

namespace quicpool {

/// Registers quicpool::Error, quicpool::ErrorCode and quicpool::DefenceStats by name, so queued
/// connections, QVariant and string-based lookups (QMetaType::fromName)
/// know them. Idempotent and thread-safe; pools call it when constructed.
void registerMetaTypes();

} // namespace quicpool
