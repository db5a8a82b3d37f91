// quicpool client's options, with iperf3's short options where they mean
// what they mean in iperf3: -c, -t, -b, -i, -P, -R, -J.
#include "commandlines.h"
#include "optionvalues.h"

#include <QtCore/QFileInfo>
#include <quicpool/certificate.h>
#include <algorithm>

namespace quicpool::cli {

CommandLine clientCommandLine(ClientOptions &o)
{
    CommandLine t;
    t.command = QStringLiteral("client");
    t.synopsis = QStringLiteral("--connect HOST:PORT [options]");
    t.about = QStringLiteral(
        "Connects to a server pool, keeps streams ready, and runs --streams streams\n"
        "(or streams for --time) in the chosen mode, --parallel at a time, each\n"
        "carrying --bytes of test pattern. Prints a summary line; a failed stream\n"
        "prints \"stream <id> bytes=N ms=X fail: <why>\" (with --verbose every stream\n"
        "does, \"... ok\"); exits 1 if any stream failed.\n");
    t.groups.push_back({{}, {
        {{QStringLiteral("c"), QStringLiteral("connect")}, QStringLiteral("HOST:PORT"),
         QStringLiteral("server to connect to (required); IPv6 as [::1]:PORT"), {}, dialAddress(&o.connect)},
        {{QStringLiteral("min-cap")}, QStringLiteral("N"), QStringLiteral("fewest streams kept ready"),
         byDefault(o.minCapacity), wholeNumber(&o.minCapacity, 1)},
        {{QStringLiteral("max-cap")}, QStringLiteral("N"), QStringLiteral("most streams kept ready"),
         byDefault(o.maxCapacity) + QStringLiteral(", or more when --parallel or --min-cap ask for more"),
         wholeNumber(&o.maxCapacity, 1)},
        {{QStringLiteral("min-interval")}, QStringLiteral("DUR"), QStringLiteral("shortest refill interval"),
         byDefault(o.minInterval), duration(&o.minInterval, Milliseconds(1))},
        {{QStringLiteral("max-interval")}, QStringLiteral("DUR"), QStringLiteral("longest refill interval"),
         byDefault(o.maxInterval), duration(&o.maxInterval, Milliseconds(1))},
        {{QStringLiteral("keep-alive")}, QStringLiteral("DUR"), QStringLiteral("ping an idle connection this often"),
         byDefault(o.keepAlive), duration(&o.keepAlive, Milliseconds(1))},
        {{QStringLiteral("tls")}, QStringLiteral("0|1|2"),
         QStringLiteral("0: encrypt without verifying the server; 1: the server has a self-signed certificate, "
                        "not verified; 2: verify the chain and the host name"),
         defaultText(QString::number(int(o.tlsMode))),
         [&o](const QString &v, const QString &as) -> QString {
             if (v == u"0")
                 o.tlsMode = TlsMode::Insecure;
             else if (v == u"1")
                 o.tlsMode = TlsMode::SelfSigned;
             else if (v == u"2")
                 o.tlsMode = TlsMode::Verified;
             else
                 return QStringLiteral("%1 takes 0, 1 or 2, not \"%2\".").arg(as, v);
             return {};
         }},
        {{QStringLiteral("hostname")}, QStringLiteral("NAME"), QStringLiteral("TLS server name"),
         defaultWords(QStringLiteral("the host of --connect")), nonEmpty(&o.hostname, QStringLiteral("a host name"))},
        {{QStringLiteral("pin")}, QStringLiteral("sha256:HEX"),
         QStringLiteral("accept only a server certificate with this SHA-256 fingerprint, in every TLS mode"), {},
         [&o](const QString &v, const QString &as) -> QString {
             QString why;
             const QByteArray pin = parseFingerprint(v, &why);
             if (pin.size() != 32) {
                 if (!why.isEmpty())
                     return QStringLiteral("%1: %2").arg(as, why);
                 return QStringLiteral("%1 \"%2\" is not a SHA-256 fingerprint; write sha256:AA:BB:... or 64 hex "
                                       "digits.").arg(as, v);
             }
             o.pinSha256 = pin;
             return {};
         }},
        {{QStringLiteral("ca-file")}, QStringLiteral("PEM"),
         QStringLiteral("with --tls 2, trust the CA certificates in this file besides the system store "
                        "(SSL_CERT_FILE, SSL_CERT_DIR)"),
         {},
         [&o](const QString &v, const QString &as) -> QString {
             if (!QFileInfo(v).isReadable())
                 return QStringLiteral("%1 \"%2\" cannot be read.").arg(as, v);
             o.caFile = v;
             return {};
         }},
        {{QStringLiteral("mode")}, QStringLiteral("MODE"),
         QStringLiteral("echo, sink or source; see \"quicpool server --help\""), defaultText(workload::modeName(o.mode)),
         [&o](const QString &v, const QString &as) -> QString {
             workload::Mode mode = workload::Mode::Echo;
             if (!workload::parseMode(v, &mode) || mode == workload::Mode::Hold) {
                 return QStringLiteral("%1 takes echo, sink or source, not \"%2\"%3.")
                     .arg(as, v, mode == workload::Mode::Hold ? QStringLiteral(" (hold is a server mode)") : QString());
             }
             o.mode = mode;
             return {};
         }},
        {{QStringLiteral("streams")}, QStringLiteral("N"), QStringLiteral("streams to run"), byDefault(o.streams),
         wholeNumber(&o.streams, 1)},
        {{QStringLiteral("t"), QStringLiteral("time")}, QStringLiteral("DUR"),
         QStringLiteral("instead of --streams: start streams one after another for DUR from the first stream on; "
                        "those running then finish their --bytes. -t reads a bare number as seconds, as iperf3 "
                        "does (-t 10)"),
         {}, duration(&o.duration, Milliseconds(1), BareNumber::Seconds)},
        {{QStringLiteral("P"), QStringLiteral("parallel")}, QStringLiteral("P"), QStringLiteral("streams running at once"),
         byDefault(o.parallel), wholeNumber(&o.parallel, 1)},
        {{QStringLiteral("bytes")}, QStringLiteral("SIZE"), QStringLiteral("payload per stream"), defaultSize(o.bytes),
         size(&o.bytes)},
        {{QStringLiteral("b"), QStringLiteral("rate")}, QStringLiteral("RATE"),
         QStringLiteral("hold the payload of all streams together to RATE, as 400mbit or 50MB: kbit/mbit/gbit are "
                        "bits, KB/MB/GB (1000) and KiB/MiB/GiB (1024) bytes per second. Echo and sink writes are "
                        "paced; --reverse spaces the streams' requests, so keep --bytes small next to RATE. -b reads "
                        "iperf3's bits per second too (-b 100M is 100 Mbit/s), but for all streams, where iperf3's "
                        "is per stream"),
         defaultWords(QStringLiteral("none")), rate(&o.rate, BareNumber::BitsPerSecond)},
        {{QStringLiteral("i"), QStringLiteral("interval")}, QStringLiteral("DUR"),
         QStringLiteral("print a line per DUR (at least 100ms): \"interval START-END sent=N sent_mbps=X received=N "
                        "received_mbps=Y\", payload bytes each way. -i reads a bare number as seconds, as iperf3 "
                        "does (-i 1)"),
         {}, duration(&o.interval, Milliseconds(100), BareNumber::Seconds)},
        {{QStringLiteral("R"), QStringLiteral("reverse")}, {},
         QStringLiteral("the server sends (mode source), as iperf3 -R"), {},
         [](const QString &, const QString &) { return QString(); }},
        {{QStringLiteral("J"), QStringLiteral("json")}, {},
         QStringLiteral("print one JSON object instead: streams, ok, failed, bytes, seconds, mbps "
                        "(bytes/seconds/10^6); with --interval also sent_bytes, received_bytes and \"intervals\": "
                        "[{start, end, sent_bytes, sent_mbps, received_bytes, received_mbps}]"),
         {}, flag(&o.json)},
        {{QStringLiteral("timeout")}, QStringLiteral("DUR"),
         QStringLiteral("give up when no stream is ready this long after start (dials that fail meanwhile are "
                        "retried, backing off), and fail a stream that moves no byte for this long"),
         byDefault(o.timeout), duration(&o.timeout, Milliseconds(1))},
        {{QStringLiteral("handshake-timeout")}, QStringLiteral("DUR"),
         QStringLiteral("how long one QUIC handshake may take before the dial is retried"),
         byDefault(o.handshakeTimeout), duration(&o.handshakeTimeout, Milliseconds(1))},
        {{QStringLiteral("verbose")}, {}, QStringLiteral("print a line for every stream, not only failed ones"), {},
         flag(&o.verbose)},
        metricsOption(&o.metrics),
    }});
    t.groups.push_back(pathOptions(o.path));
    t.notes = QStringLiteral(
        "iperf3's -t, -b, -i, -P, -R, -J and -c are these options' short names; -t and\n"
        "-i read a bare number as seconds and -b as bits per second, as iperf3 does,\n"
        "where the long names want a unit (--time 10s, --rate 100mbit).\n");
    t.finish = [&o](const QSet<QString> &given) -> QString {
        if (o.connect.isEmpty())
            return QStringLiteral("quicpool client needs --connect HOST:PORT.");
        if (given.contains(QStringLiteral("streams")) && given.contains(QStringLiteral("time"))) {
            return QStringLiteral("--streams and --time both say when to stop: give one of them (--time starts "
                                  "streams until it is up).");
        }
        if (given.contains(QStringLiteral("reverse"))) {
            if (given.contains(QStringLiteral("mode")) && o.mode != workload::Mode::Source) {
                return QStringLiteral("--reverse makes the server send (mode source); it cannot go with --mode %1.")
                    .arg(workload::modeName(o.mode));
            }
            o.mode = workload::Mode::Source;
        }
        // Explicit contradictions are errors; a default that is in the way
        // of an explicit value moves aside.
        const bool minCapGiven = given.contains(QStringLiteral("min-cap"));
        const bool maxCapGiven = given.contains(QStringLiteral("max-cap"));
        if (minCapGiven && maxCapGiven && o.minCapacity > o.maxCapacity)
            return QStringLiteral("--min-cap (%1) is above --max-cap (%2).").arg(o.minCapacity).arg(o.maxCapacity);
        if (!maxCapGiven)
            o.maxCapacity = std::max({o.maxCapacity, o.parallel, o.minCapacity});
        const bool minIntervalGiven = given.contains(QStringLiteral("min-interval"));
        if (minIntervalGiven && given.contains(QStringLiteral("max-interval")) && o.minInterval > o.maxInterval) {
            return QStringLiteral("--min-interval (%1) is above --max-interval (%2).")
                .arg(formatDuration(o.minInterval), formatDuration(o.maxInterval));
        }
        if (o.minInterval > o.maxInterval) {
            if (minIntervalGiven)
                o.maxInterval = o.minInterval;
            else
                o.minInterval = o.maxInterval;
        }
        return configRefusal(toClientPoolConfig(o).validate());
    };
    return t;
}

} // namespace quicpool::cli
