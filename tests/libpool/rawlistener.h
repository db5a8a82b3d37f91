// A bare QUIC listener for tests that play a server by hand (answering a
// pool's streams however the test needs): 127.0.0.1, a port of its own, a
// generated self-signed certificate, 100 streams per connection.
#pragma once

#include "transport/listener.h"
#include "transport/tls/tlscontext.h"

namespace quicpool::testing {

inline bool listenRaw(transport::Listener &listener, Error *error)
{
    std::shared_ptr<transport::TlsContext> tls =
        transport::TlsContext::createServer(transport::TlsServerOptions(), error);
    if (!tls)
        return false;
    transport::TransportConfig tc;
    tc.maxIncomingBidiStreams = 100;
    return listener.listen(QHostAddress::LocalHost, 0, std::move(tls), tc, error);
}

} // namespace quicpool::testing
