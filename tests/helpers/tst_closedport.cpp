// The closed-port helper: a free port no process binding port 0 can be given.
#include "closedport.h"

#include <QtNetwork/QUdpSocket>
#include <QtTest/QTest>

using namespace quicpool::testing;

class TestClosedPort : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void freeAndOutsideTheEphemeralRange()
    {
        for (int i = 0; i < 20; ++i) {
            const quint16 port = closedUdpPort();
            QVERIFY(port > 1024);
            QVERIFY2(port < ephemeralPortsStart(), qPrintable(QString::number(port)));
            QUdpSocket again;
            QVERIFY2(again.bind(QHostAddress::LocalHost, port), qPrintable(again.errorString()));
        }
    }
};

QTEST_MAIN(TestClosedPort)
#include "tst_closedport.moc"
