// The library's TLS library must still work while the process exits.
//
// QThread::wait() returns once run() is over, before the thread's key
// destructors have run, and OpenSSL frees a thread's state in one of them.
// By default OpenSSL also registers OPENSSL_cleanup() with atexit(), which
// frees every thread's state without a lock. An application that returns
// from main() right after waiting for a worker that used a pool could so
// have the same state freed twice: seen once as an ASan "attempting
// double-free in thread T2" after tst_closedstreamcredit's totals. The
// race itself is too narrow to hit on purpose; what this test checks is
// that its precondition is gone: an exit handler registered before the
// library first used its TLS library (so one that runs after any handler
// the library registered) finds it still working. Without the fix the
// handler's random bytes fail (qFatal) once OPENSSL_cleanup() has run.
#include "transport/tls/tlscontext.h"

#include <QtCore/QThread>
#include <QtTest/QTest>
#include <cstdio>
#include <cstdlib>
#include <memory>

using namespace quicpool::transport;

namespace {
void useTheTlsLibraryAtExit()
{
    unsigned char bytes[16];
    randomBytes(bytes, sizeof bytes);   // qFatal (a failing exit) if it was torn down
    std::fputs("the TLS library still worked at exit\n", stdout);
    std::fflush(stdout);
}
} // namespace

class TestTlsAtExit : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void initTestCase() { QCOMPARE(std::atexit(useTheTlsLibraryAtExit), 0); }

    void aWorkerThreadUsesTheTlsLibraryJustBeforeExit()
    {
        std::unique_ptr<QThread> worker(QThread::create([] {
            unsigned char bytes[16];
            randomBytes(bytes, sizeof bytes);
        }));
        worker->start();
        QVERIFY(worker->wait(10000));
        // main() returns next: exit handlers run while the worker may still
        // be running its key destructors.
    }
};

QTEST_GUILESS_MAIN(TestTlsAtExit)
#include "tst_tlsatexit.moc"
