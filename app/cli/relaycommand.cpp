#include "relaycommand.h"

#include "cliout.h"
#include "relayreport.h"
#include "runcheck.h"
#include "signalwatcher.h"

#include <quicpool/relay/pathprofile.h>
#include <quicpool/relay/relay.h>
#include <QtCore/QCoreApplication>
#include <QtCore/QTimer>
#include <QtNetwork/QHostInfo>
#include <csignal>

namespace quicpool::cli {

namespace {

/// The address of "HOST:PORT" (parsed before): an IP literal as it is, a
/// name looked up now (blocking is fine before the relay runs), an empty
/// host as every address. False with a sentence when the name is unknown.
bool resolve(const QString &hostPort, QHostAddress *address, quint16 *port, QString *why)
{
    QString host;
    parseHostPort(hostPort, &host, port);
    if (host.isEmpty()) {
        *address = QHostAddress(QHostAddress::Any);
        return true;
    }
    if (address->setAddress(host))
        return true;
    const QHostInfo info = QHostInfo::fromName(host);
    if (info.error() != QHostInfo::NoError || info.addresses().isEmpty()) {
        *why = QStringLiteral("cannot find the address of \"%1\": %2").arg(host, info.errorString());
        return false;
    }
    *address = info.addresses().first();
    return true;
}

/// "HOST:PORT" as bound; ":PORT" for every address.
QString describe(const QHostAddress &address, quint16 port)
{
    if (address.protocol() == QAbstractSocket::AnyIPProtocol)
        return QStringLiteral(":%1").arg(port);
    return formatHostPort(address, port);
}

} // namespace

int runRelay(const RelayOptions &options)
{
    relay::RelayConfig config = toRelayConfig(options);
    QString why;
    if (!resolve(options.listen, &config.listenAddress, &config.listenPort, &why)
        || !resolve(options.to, &config.upstreamAddress, &config.upstreamPort, &why)) {
        printLine(stderr, QStringLiteral("quicpool: %1").arg(why));
        return 1;
    }
    relay::Relay relay(config);
    if (!relay.start()) {
        printLine(stderr, QStringLiteral("quicpool: cannot start the relay: %1").arg(relay.errorString()));
        return 1;
    }
    const QString listen = describe(relay.listenAddress(), relay.listenPort());
    const QString to = formatHostPort(config.upstreamAddress, config.upstreamPort);
    printLine(stderr, QStringLiteral("relaying %1 -> %2").arg(listen, to));
    if (const auto profile = relay::pathProfile(options.profile))
        printLine(stderr, QStringLiteral("profile %1: %2").arg(profile->name, profile->description));
    printLine(stderr, relayPathLine(relay.config()));
    QObject::connect(&relay, &relay::Relay::errorOccurred, &relay,
                     [](const QString &sentence) { printLine(stderr, QStringLiteral("quicpool: %1").arg(sentence)); });

    relay::RelayStats last = relay.stats();
    QTimer ticker;
    QObject::connect(&ticker, &QTimer::timeout, &relay, [&] {
        const relay::RelayStats now = relay.stats();
        printLine(stderr, relayIntervalLine(last, now));
        last = now;
    });
    ticker.start(1000);

    SignalWatcher watcher;
    QObject::connect(&watcher, &SignalWatcher::received, &relay, [&](int number) {
        ticker.stop();
        relay.stop();
        const relay::RelayStats stats = relay.stats();
        printLine(stderr, QStringLiteral("%1: relay stopped")
                              .arg(number == SIGINT ? QStringLiteral("SIGINT") : QStringLiteral("SIGTERM")));
        for (const QString &line : relaySummaryLines(stats))
            printLine(stderr, line);
        if (options.json)
            printLine(stdout, QString::fromUtf8(relayJson(stats, listen, to, config.seed)));
        QCoreApplication::exit(0);
    });
    return QCoreApplication::exec();
}

} // namespace quicpool::cli
