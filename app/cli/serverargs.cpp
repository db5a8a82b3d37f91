// quicpool server's options.
#include "commandlines.h"
#include "optionvalues.h"

#include <QtNetwork/QHostAddress>

namespace quicpool::cli {

CommandLine serverCommandLine(ServerOptions &o)
{
    CommandLine t;
    t.command = QStringLiteral("server");
    t.synopsis = QStringLiteral("--listen HOST:PORT [options]");
    t.about = QStringLiteral(
        "Listens for QUIC connections (ALPN np-quic), pools every stream a client\n"
        "opens under a 4-byte ID, and serves each stream it takes in the chosen mode.\n");
    t.groups.push_back({{}, {
        {{QStringLiteral("listen")}, QStringLiteral("HOST:PORT"),
         QStringLiteral("address to listen on (required); port 0 picks a free port, \":PORT\" listens on every "
                        "address, IPv6 as [::1]:PORT"),
         {}, listenAddress(&o.listen)},
        {{QStringLiteral("max-cap")}, QStringLiteral("N"), QStringLiteral("most streams pooled at once"),
         byDefault(o.maxCapacity), wholeNumber(&o.maxCapacity, 1)},
        {{QStringLiteral("client-ip")}, QStringLiteral("IP"), QStringLiteral("accept connections from this address only"),
         defaultWords(QStringLiteral("any")),
         [&o](const QString &v, const QString &as) -> QString {
             QHostAddress address;
             if (v.isEmpty() || !address.setAddress(v) || v.startsWith(u'['))
                 return QStringLiteral("%1 expects an IP address, not \"%2\".").arg(as, v);
             o.clientIp = v;
             return {};
         }},
        {{QStringLiteral("cert")}, QStringLiteral("PEM"), QStringLiteral("certificate file, together with --key"),
         defaultWords(QStringLiteral("a self-signed certificate generated at start")),
         nonEmpty(&o.certificateFile, QStringLiteral("a PEM file name"))},
        {{QStringLiteral("key")}, QStringLiteral("PEM"), QStringLiteral("private key file of --cert"), {},
         nonEmpty(&o.privateKeyFile, QStringLiteral("a PEM file name"))},
        {{QStringLiteral("reset-key")}, QStringLiteral("FILE"),
         QStringLiteral("stateless reset key (32 bytes or more): a restarted server with the same key ends its "
                        "previous run's connections at once, so clients redial"),
         defaultWords(QStringLiteral("from --key and the address, or for a generated certificate a key kept in "
                                     "$XDG_STATE_HOME/quicpool/, made once")),
         nonEmpty(&o.resetKeyFile, QStringLiteral("a file name"))},
        {{QStringLiteral("keep-alive")}, QStringLiteral("DUR"),
         QStringLiteral("ping an idle connection this often; it is dropped after three times as long without a "
                        "sign of life"),
         byDefault(o.keepAlive), duration(&o.keepAlive, Milliseconds(1))},
        {{QStringLiteral("mode")}, QStringLiteral("MODE"), QStringLiteral("echo, sink, source or hold (below)"),
         defaultText(workload::modeName(o.mode)),
         [&o](const QString &v, const QString &as) -> QString {
             if (!workload::parseMode(v, &o.mode))
                 return QStringLiteral("%1 takes echo, sink, source or hold, not \"%2\".").arg(as, v);
             return {};
         }},
        {{QStringLiteral("verbose")}, {},
         QStringLiteral("report every connection and stream, refused sources and the start and end of a handshake "
                        "flood"),
         {}, flag(&o.verbose)},
        metricsOption(&o.metrics),
    }});
    t.groups.push_back({QStringLiteral("New clients (what an exposed server does under a handshake flood)"), {
        {{QStringLiteral("retry")}, QStringLiteral("MODE"),
         QStringLiteral("auto, always or never: when a client must prove its address with a Retry before the server "
                        "spends a handshake on it; auto once --retry-threshold handshakes are pending"),
         defaultText(retryModeName(o.retry)),
         [&o](const QString &v, const QString &as) -> QString {
             if (!parseRetryMode(v, &o.retry))
                 return QStringLiteral("%1 takes auto, always or never, not \"%2\".").arg(as, v);
             return {};
         }},
        {{QStringLiteral("retry-threshold")}, QStringLiteral("N"),
         QStringLiteral("pending handshakes from which auto asks for a Retry"), byDefault(o.retryThreshold),
         wholeNumber(&o.retryThreshold, 0)},
        {{QStringLiteral("max-handshakes")}, QStringLiteral("N"),
         QStringLiteral("most handshakes pending at once; past it new clients get a Retry, or with --retry never are "
                        "dropped"),
         byDefault(o.maxHandshakes), wholeNumber(&o.maxHandshakes, 1)},
        {{QStringLiteral("max-handshakes-per-ip")}, QStringLiteral("N"),
         QStringLiteral("most handshakes pending from one address"), byDefault(o.maxHandshakesPerIp),
         wholeNumber(&o.maxHandshakesPerIp, 1)},
    }});
    t.groups.push_back(pathOptions(o.path));
    t.notes = QStringLiteral(
        "Modes:\n"
        "  echo     write back every byte received, end when the client ends\n"
        "  sink     read to the end, check the test pattern, answer with 16 bytes:\n"
        "           bytes received and bytes wrong (both 64-bit big-endian)\n"
        "  source   read an 8-byte big-endian count, send that many pattern bytes\n"
        "  hold     take no stream at all: the pool fills up to --max-cap and stays\n"
        "           full, so clients see a server pool that has run out of room\n");
    t.finish = [&o](const QSet<QString> &) -> QString {
        if (o.listen.isEmpty())
            return QStringLiteral("quicpool server needs --listen HOST:PORT (port 0 picks a free one).");
        if (o.certificateFile.isEmpty() != o.privateKeyFile.isEmpty()) {
            return o.privateKeyFile.isEmpty()
                       ? QStringLiteral("--cert needs --key: give the certificate's private key file too.")
                       : QStringLiteral("--key needs --cert: give the key's certificate file too.");
        }
        return configRefusal(toServerPoolConfig(o).validate());
    };
    return t;
}

} // namespace quicpool::cli
