// quicpool bench's and quicpool demo's options.
#include "commandlines.h"
#include "optionvalues.h"

#include <quicpool/relay/pathprofile.h>

namespace quicpool::cli {

CommandLine demoCommandLine(DemoOptions &o)
{
    CommandLine t;
    t.command = QStringLiteral("demo");
    t.synopsis = QStringLiteral("[--seconds S]");
    t.about = QStringLiteral(
        "Runs a server pool and a client pool in this process over loopback and\n"
        "prints their counters (active, capacity, interval, errors) as they change.\n");
    t.groups.push_back({{}, {
        {{QStringLiteral("seconds")}, QStringLiteral("S"),
         QStringLiteral("how long to run, in whole seconds; 0 runs until interrupted"), byDefault(o.seconds),
         wholeNumber(&o.seconds, 0)},
    }});
    return t;
}

CommandLine benchCommandLine(BenchOptions &o)
{
    CommandLine t;
    t.command = QStringLiteral("bench");
    t.synopsis = QStringLiteral("[options]");
    t.about = QStringLiteral(
        "Measures stream set-up and throughput over loopback, against an in-process\n"
        "server unless --connect names one.\n");
    const QString byWorkload = defaultWords(QStringLiteral("set by the workload"));
    t.groups.push_back({{}, {
        {{QStringLiteral("quick")}, {}, QStringLiteral("short runs, for CI"), {}, flag(&o.quick)},
        {{QStringLiteral("J"), QStringLiteral("json")}, {}, QStringLiteral("print the results as JSON"), {},
         flag(&o.json)},
        {{QStringLiteral("repeat")}, QStringLiteral("N"), QStringLiteral("runs per workload"), byWorkload,
         wholeNumber(&o.repeat, 1)},
        {{QStringLiteral("workload")}, QStringLiteral("NAME"), QStringLiteral("run this workload only"),
         defaultWords(QStringLiteral("all but relay, which measures the impairment relay, and wan, which takes "
                                     "minutes: they run when named")),
         nonEmpty(&o.workload, QStringLiteral("a workload name"))},
        {{QStringLiteral("bytes")}, QStringLiteral("SIZE"), QStringLiteral("payload per stream"), byWorkload,
         size(&o.bytes)},
        {{QStringLiteral("c"), QStringLiteral("connect")}, QStringLiteral("HOST:PORT"),
         QStringLiteral("use this server instead of an in-process one"), {}, dialAddress(&o.connect)},
        {{QStringLiteral("cc")}, QStringLiteral("NAME"),
         QStringLiteral("congestion control of the QUIC workloads: cubic, reno or bbr; with --workload wan also "
                        "all, which runs every path with each of the three"),
         defaultText(congestionControlName(ClientPoolConfig().congestionControl())),
         [&o](const QString &v, const QString &as) -> QString {
             CongestionControl cc{};
             if (v == u"all")
                 o.congestionControl = v;
             else if (parseCongestionControl(v, &cc))
                 o.congestionControl = congestionControlName(cc);
             else
                 return QStringLiteral("%1 takes cubic, reno, bbr or all, not \"%2\".").arg(as, v);
             return {};
         }},
        busyPollOption(&o.busyPollUs,
                       QStringLiteral("busy-poll both ends of the echo workload for US microseconds of quiet "
                                      "(ClientPoolConfig::setBusyPoll); the udp ping-pong baseline still sleeps "
                                      "in poll()")),
        {{QStringLiteral("profile")}, QStringLiteral("NAME[,NAME]"),
         QStringLiteral("the wan workload's paths: %1").arg(keepTogether(relay::pathProfileNames())),
         defaultWords(QStringLiteral("all of them")),
         [&o](const QString &v, const QString &as) -> QString {
             o.profiles.clear();
             for (const QString &name : v.split(u',')) {
                 const std::optional<relay::PathProfile> p = relay::pathProfile(name.trimmed());
                 if (!p) {
                     return QStringLiteral("%1 takes %2 (or several, comma-separated), not \"%3\".")
                         .arg(as, relay::pathProfileNames(), name.trimmed());
                 }
                 if (!o.profiles.contains(p->name))
                     o.profiles.append(p->name);
             }
             return {};
         }},
    }});
    t.notes = QStringLiteral(
        "The wan workload (run when named) sends one stream to an in-process sink\n"
        "server through an in-process relay emulating each named path (the profiles\n"
        "of \"quicpool relay --help\": 400 Mbit/s = 50 MB/s, mtu 1472, 100 ms queue).\n"
        "Bytes per path unless --bytes: 128MiB on a path without loss, 16MiB on a\n"
        "lossy one, 8MiB on a lossy one of 300 ms or more (--quick: 8MiB, 2MiB,\n"
        "1MiB); a path that does not finish within 30 s plus 25 s per MiB (at most\n"
        "10 minutes) fails, saying how much was written. Each path and controller\n"
        "is a workload \"wan.PATH.CC\" in the table and the JSON, with \"profile\",\n"
        "\"cc\", \"round_trip_ms\", \"loss_percent\", \"link_mb_per_s\" and \"bytes\" beside\n"
        "the figures: mb_per_s, link_fraction (mb_per_s / link_mb_per_s),\n"
        "peak_cwnd_bytes and peak_in_flight_bytes (the client's largest congestion\n"
        "window and flight), lost_packets (the client's, as ngtcp2 declared them),\n"
        "min_rtt_ms, seconds, relay_queue_drops and relay_loss_drops (datagrams the\n"
        "relay dropped from a full queue and at random); a summary table per path\n"
        "follows the main one.\n");
    return t;
}

} // namespace quicpool::cli
