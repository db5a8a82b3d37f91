// The load test's path: no relay, one of the relay library's named
// profiles (quicpool/relay/pathprofile.h, the one list the bench and the
// CLI use too), or custom delay, loss and rate. Pure, so it is tested.
#pragma once

#include "loadtestresult.h"

#include <quicpool/relay/relayconfig.h>

#include <QtCore/QString>
#include <QtCore/QStringList>
#include <optional>

namespace quicpool::diag {

/// "custom": LoadTestConfig::path for values typed in.
QString customPathName();

/// The relay settings for config's path towards upstream, or nothing when
/// the path is empty (no relay). *error is set (and nothing returned) when
/// the path is unknown or its values are out of range.
std::optional<relay::RelayConfig> pathRelayConfig(const LoadTestConfig &config, const QHostAddress &upstream,
                                                  quint16 upstreamPort, QString *error);

/// A sentence for bad path settings (empty when they are good), without
/// an upstream: for the form's inline check.
QString checkLoadTestPath(const LoadTestConfig &config);

/// "continental: 40 ms round trip, 400 Mbit/s" for menus.
QString describePath(const LoadTestConfig &config);

} // namespace quicpool::diag
