// quicpool relay's options. --profile sets several options at once, where
// it stands: options after it change its values, options before it are
// replaced; --loss-up and --loss-down win over --loss whatever the order.
#include "commandlines.h"
#include "optionvalues.h"

#include <quicpool/relay/pathprofile.h>
#include <memory>

namespace quicpool::cli {

namespace {

/// What the relay's options decide between them, after all are read.
struct LossState
{
    std::optional<double> loss, lossUp, lossDown;
    bool lossUpGiven = false;    ///< on the command line after the last --profile
    bool lossDownGiven = false;
    bool queueGiven = false;
};

} // namespace

CommandLine relayCommandLine(RelayOptions &o)
{
    auto s = std::make_shared<LossState>();
    CommandLine t;
    t.command = QStringLiteral("relay");
    t.synopsis = QStringLiteral("--listen HOST:PORT --to HOST:PORT [options]");
    t.about = QStringLiteral(
        "Relays UDP datagrams between the clients that send to --listen and the\n"
        "server at --to, over an emulated network path: what tc netem does, in user\n"
        "space, without root. Each client gets its own port towards the server, as\n"
        "behind a NAT. Prints \"relaying HOST:PORT -> HOST:PORT\" and the path, then a\n"
        "line of figures a second, on stderr; SIGINT or SIGTERM prints a summary and\n"
        "exits 0.\n");
    t.groups.push_back({{}, {
        {{QStringLiteral("listen")}, QStringLiteral("HOST:PORT"),
         QStringLiteral("where clients send (required); port 0 picks a free port, \":PORT\" listens on every "
                        "address"),
         {}, listenAddress(&o.listen)},
        {{QStringLiteral("to")}, QStringLiteral("HOST:PORT"), QStringLiteral("the server (required)"), {},
         dialAddress(&o.to)},
        {{QStringLiteral("profile")}, QStringLiteral("NAME"),
         QStringLiteral("a named internet path (see Profiles below). It sets delay (half the round trip), jitter, "
                        "loss, rate, queue and mtu: those options given after --profile change its values, given "
                        "before it they are replaced"),
         {},
         [&o, s](const QString &v, const QString &as) -> QString {
             const std::optional<relay::PathProfile> p = relay::pathProfile(v);
             if (!p)
                 return QStringLiteral("%1 takes %2, not \"%3\".").arg(as, relay::pathProfileNames(), v);
             // What the profile sets comes from the profile itself, so the
             // relay command and the bench's wan workload cannot differ.
             const relay::RelayConfig c = p->applyTo(relay::RelayConfig());
             o.profile = p->name;
             o.delay = c.delay;
             o.jitter = std::chrono::duration_cast<Milliseconds>(c.jitter);
             o.rate = c.rate;
             o.queue = std::chrono::duration_cast<Milliseconds>(c.queue);
             o.mtu = c.mtu;
             s->loss.reset();
             s->lossUp = c.lossUp;
             s->lossDown = c.lossDown;
             s->lossUpGiven = s->lossDownGiven = false;
             s->queueGiven = false;
             return {};
         }},
        {{QStringLiteral("delay")}, QStringLiteral("DUR"),
         QStringLiteral("one-way delay added in EACH direction, so a round trip grows by twice as much"),
         byDefault(std::chrono::duration_cast<Milliseconds>(o.delay)),
         [&o](const QString &v, const QString &as) {
             // Read in milliseconds; the relay keeps microseconds (lan's 0.5 ms).
             Milliseconds oneWay{};
             QString error = duration(&oneWay, Milliseconds(0))(v, as);
             if (error.isEmpty())
                 o.delay = oneWay;
             return error;
         }},
        {{QStringLiteral("jitter")}, QStringLiteral("DUR"),
         QStringLiteral("plus a uniform -DUR..+DUR per datagram, never below 0 ms in total; datagrams may overtake "
                        "each other"),
         byDefault(o.jitter), duration(&o.jitter, Milliseconds(0))},
        {{QStringLiteral("loss")}, QStringLiteral("P%"), QStringLiteral("drop this share of datagrams both ways"),
         defaultPercent(0),
         after([&o, s] {
             // After --profile, --loss replaces the profile's loss both ways;
             // --loss-up / --loss-down given on the command line still win.
             if (!o.profile.isEmpty()) {
                 if (!s->lossUpGiven)
                     s->lossUp.reset();
                 if (!s->lossDownGiven)
                     s->lossDown.reset();
             }
         }, percent(&s->loss))},
        {{QStringLiteral("loss-up")}, QStringLiteral("P%"), QStringLiteral("client -> server only; wins over --loss"),
         {}, after([s] { s->lossUpGiven = true; }, percent(&s->lossUp))},
        {{QStringLiteral("loss-down")}, QStringLiteral("P%"), QStringLiteral("server -> client only; wins over --loss"),
         {}, after([s] { s->lossDownGiven = true; }, percent(&s->lossDown))},
        {{QStringLiteral("rate")}, QStringLiteral("RATE"),
         QStringLiteral("a link of this rate each way, as 400mbit or 50MB: kbit/mbit/gbit are bits, KB/MB/GB (1000) "
                        "and KiB/MiB/GiB (1024) bytes per second"),
         defaultWords(QStringLiteral("none")), rate(&o.rate)},
        {{QStringLiteral("queue")}, QStringLiteral("DUR"),
         QStringLiteral("with --rate: the queue before the link holds RATE x DUR bytes; more is dropped"),
         byDefault(o.queue), after([s] { s->queueGiven = true; }, duration(&o.queue, Milliseconds(1)))},
        {{QStringLiteral("mtu")}, QStringLiteral("BYTES"),
         QStringLiteral("drop datagrams with a larger UDP payload, as a real path would"),
         defaultWords(QStringLiteral("none, up to %1").arg(o.mtu)),
         [&o](const QString &v, const QString &as) -> QString {
             if (QString error = wholeNumber(&o.mtu, 1)(v, as); !error.isEmpty())
                 return error;
             if (o.mtu > relay::kMaxDatagramSize) {
                 return QStringLiteral("%1 must be at most %2 (the largest UDP payload), not %3.")
                     .arg(as).arg(relay::kMaxDatagramSize).arg(v);
             }
             return {};
         }},
        {{QStringLiteral("reorder")}, QStringLiteral("P%"),
         QStringLiteral("hold a datagram back until the next one of its client has passed (or 10 ms)"),
         defaultPercent(o.reorder), percent(&o.reorder)},
        {{QStringLiteral("duplicate")}, QStringLiteral("P%"), QStringLiteral("send a datagram twice"),
         defaultPercent(o.duplicate), percent(&o.duplicate)},
        {{QStringLiteral("corrupt")}, QStringLiteral("P%"), QStringLiteral("flip one random bit of a datagram"),
         defaultPercent(o.corrupt), percent(&o.corrupt)},
        {{QStringLiteral("blackhole")}, QStringLiteral("AT+FOR"),
         QStringLiteral("drop everything from AT after start for FOR, as in 10s+2s"),
         defaultWords(QStringLiteral("none")), durationWindow(&o.blackholeAt, &o.blackholeFor)},
        {{QStringLiteral("rebind-every")}, QStringLiteral("DUR"),
         QStringLiteral("move every client to a new port towards the server this often, as NAT rebinding does"),
         defaultWords(QStringLiteral("never")), duration(&o.rebindEvery, Milliseconds(1))},
        {{QStringLiteral("seed")}, QStringLiteral("N"),
         QStringLiteral("seed of the random decisions: the same seed drops, delays and reorders the same datagrams"),
         byDefault(o.seed), unsigned64(&o.seed)},
        {{QStringLiteral("J"), QStringLiteral("json")}, {},
         QStringLiteral("at exit, print one JSON object on stdout: datagrams and bytes each way, drops by cause, "
                        "duplicated, reordered, corrupted, queue delay avg/max in ms, seconds"),
         {}, flag(&o.json)},
    }});
    QString profiles;
    for (const relay::PathProfile &p : relay::pathProfiles())
        profiles += QStringLiteral("  %1  %2\n").arg(p.name.leftJustified(18), p.description);
    t.notes = QStringLiteral(
        "P% needs the % sign: 1%, 0.5%. Clients idle for 2 minutes are forgotten.\n"
        "Drop causes: loss, mtu, queue (the rate's queue was full), blackhole, failed\n"
        "(a send failed, or the client's mapping expired while the datagram waited).\n"
        "The figures each second are that second's; \"max\" queue delay is since start.\n"
        "\n"
        "Profiles (each a 400mbit link with a 100ms queue and mtu 1472):\n") + profiles;
    t.finish = [&o, s](const QSet<QString> &) -> QString {
        if (o.listen.isEmpty() || o.to.isEmpty()) {
            return QStringLiteral("quicpool relay needs --listen HOST:PORT (where clients send) and --to HOST:PORT "
                                  "(the server).");
        }
        if (s->queueGiven && o.rate == 0)
            return QStringLiteral("--queue needs --rate: without a rate limit nothing queues.");
        o.lossUp = s->lossUp.value_or(s->loss.value_or(0.0));
        o.lossDown = s->lossDown.value_or(s->loss.value_or(0.0));
        return {};
    };
    return t;
}

} // namespace quicpool::cli
