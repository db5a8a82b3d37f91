// A flood of garbage short-header datagrams (tests/helpers/garbage.h) at a
// listener: what comes back is rationed. Every unknown short-header packet
// of 22 bytes or more asks for a stateless reset; the answers must stay
// within the endpoint's and the source's rate and under a quarter of the
// bytes sent, so a forged source cannot aim the server at a third party.
#include "garbage.h"
#include "transport/listener.h"
#include "transport/tls/tlscontext.h"
#include "transport/transportconfig.h"

#include <QtCore/QElapsedTimer>
#include <QtNetwork/QUdpSocket>
#include <QtTest/QTest>

using namespace quicpool;
using namespace quicpool::transport;
using namespace quicpool::testing;

class TestResetFlood : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void garbageFloodGetsFewSmallResets()
    {
        Error err;
        std::shared_ptr<TlsContext> tls = TlsContext::createServer(TlsServerOptions(), &err);
        QVERIFY2(tls, qPrintable(err.toString()));
        Listener listener;
        QVERIFY2(listener.listen(QHostAddress::LocalHost, 0, tls, TransportConfig(), &err), qPrintable(err.toString()));
        QUdpSocket attacker;   // the forged source: it receives whatever the server sends
        QVERIFY(attacker.bind(QHostAddress::LocalHost, 0));
        attacker.setSocketOption(QAbstractSocket::ReceiveBufferSizeSocketOption, 4 * 1024 * 1024);

        QList<QByteArray> flood;
        for (const GarbageDatagram &g : garbageDatagrams(20000, 11))
            if (g.kind == GarbageKind::ShortHeader && g.data.size() >= 22)
                flood.append(g.data);
        QVERIFY2(flood.size() > 1000, qPrintable(QString::number(flood.size())));

        qint64 bytesIn = 0, bytesOut = 0;
        int resets = 0;
        auto drain = [&] {
            while (attacker.hasPendingDatagrams()) {
                bytesOut += attacker.pendingDatagramSize();
                QByteArray d(int(attacker.pendingDatagramSize()), Qt::Uninitialized);
                attacker.readDatagram(d.data(), d.size());
                ++resets;
            }
        };
        QElapsedTimer clock;
        clock.start();
        for (int i = 0; i < flood.size(); ++i) {
            attacker.writeDatagram(flood[i], QHostAddress::LocalHost, listener.port());
            bytesIn += flood[i].size();
            if (i % 50 == 49) {   // let the listener read; a bounded rate, no kernel drops
                QTest::qWait(1);
                drain();
            }
        }
        QTest::qWait(300);
        drain();
        const double seconds = clock.elapsed() / 1000.0;
        qInfo("%d garbage short-header datagrams (%lld bytes) in %.2f s: %d resets back (%lld bytes), "
              "%llu refused by the limits", int(flood.size()), bytesIn, seconds, resets, bytesOut,
              listener.statelessResetsLimited());
        QVERIFY2(resets > 0, "a flood from one source should still get its first few resets");
        QCOMPARE(quint64(resets), listener.statelessResetsSent());
        // One source: its burst of 10 and 10 per second after that.
        QVERIFY2(resets <= 10 + int(10 * seconds) + 1, qPrintable(QString::number(resets)));
        QVERIFY2(bytesOut * 4 <= bytesIn, qPrintable(QStringLiteral("%1 out, %2 in").arg(bytesOut).arg(bytesIn)));
        QVERIFY(listener.statelessResetsLimited() > 0);
        QCOMPARE(listener.statelessResetBytesSent(), quint64(bytesOut));
    }
};

QTEST_GUILESS_MAIN(TestResetFlood)
#include "tst_resetflood.moc"
