// Exact flow-control accounting: bytes a stream received and the
// application never read go back to the connection's receive window however
// the stream ends. Each way of dropping a stream with unread data is done
// 500 times on one connection (500 x 64 KiB is eight times the connection's
// initial 4 MiB window, so a leak of even 8 KiB a drop ends all traffic on
// it), then a transfer must still flow on that connection; and all ways
// together, 500 times, then 1 GiB. (Deleting without close() used to kill
// the connection after 64 such drops here, abort() the same.)
#include "loopbackpools.h"

#include <QtCore/QCoreApplication>
#include <QtCore/QDeadlineTimer>
#include <QtCore/QElapsedTimer>
#include <QtCore/QPointer>
#include <QtTest/QSignalSpy>
#include <QtTest/QTest>

using namespace quicpool;
using namespace quicpool::testing;

namespace {

constexpr qint64 kUnread = 64 * 1024;
constexpr int kDrops = 500;

enum class Drop {
    Delete,              // delete without close()
    DeleteLater,         // deleteLater() without close()
    Abort,               // abort(), then delete
    AbortKept,           // abort(); the object stays
    CloseKept,           // close(): unread data is dropped; the object stays
    CloseThenDelete,     // close(), then delete (the core lingers)
    CloseWriteThenDelete,// closeWrite(), then delete: an orphan with unread data
    PeerResetThenDelete, // the peer resets; the application deletes it unread
    PeerResetThenClose,  // the peer resets; the application closes it unread
    PoolDiscard,         // a pooled stream holding a request is reset: the pool discards it
};

constexpr Drop kAllDrops[] = {Drop::Delete, Drop::DeleteLater, Drop::Abort, Drop::AbortKept, Drop::CloseKept,
                              Drop::CloseThenDelete, Drop::CloseWriteThenDelete, Drop::PeerResetThenDelete,
                              Drop::PeerResetThenClose, Drop::PoolDiscard};

#if defined(__SANITIZE_ADDRESS__) || defined(__SANITIZE_THREAD__)
// Sanitized builds move loopback data ten or more times slower; 128 MiB
// still needs the window many times over.
constexpr qint64 kFinalTransfer = 128ll * 1024 * 1024;
#else
constexpr qint64 kFinalTransfer = 1024ll * 1024 * 1024;
#endif

} // namespace

Q_DECLARE_METATYPE(Drop)

class TestFlowCredit : public QObject
{
    Q_OBJECT

    std::unique_ptr<ServerPool> server;
    std::unique_ptr<ClientPool> client;
    QList<QPointer<Stream>> m_kept;

    bool startPools()
    {
        server = std::make_unique<ServerPool>(serverConfig(64));
        if (!server->start())
            return false;
        client = std::make_unique<ClientPool>(clientConfig(server->serverPort(), 8, 8));
        return client->start() && waitUntil([&] { return server->active() >= 8 && client->active() >= 8; }, 15000);
    }

    bool take(Stream **in, Stream **out)
    {
        if (!waitUntil([&] { return server->active() > 0; }, 10000))
            return false;
        *in = server->tryIncomingGet();
        if (!*in)
            return false;
        const QString id = (*in)->id();
        if (!waitUntil([&] { return client->readyIds().contains(id); }, 10000))
            return false;
        *out = client->tryOutgoingGet(id);
        return *out != nullptr;
    }

    /// Sends `total` bytes from `from` to `to` (pattern i mod 251), FIN
    /// after them; true once `to` has read all of them and the FIN.
    static bool transfer(Stream *from, Stream *to, qint64 total, QString *why)
    {
        QByteArray chunk(256 * 1024, Qt::Uninitialized);
        for (int i = 0; i < chunk.size(); ++i)
            chunk[i] = char(i % 251);
        QByteArray in(256 * 1024, Qt::Uninitialized);
        qint64 sent = 0, received = 0;
        bool finSent = false;
        QDeadlineTimer deadline(600000);
        QDeadlineTimer stall(15000);
        while (!(to->atEnd() && finSent)) {
            bool progress = false;
            while (sent < total) {
                // The chunk holds i mod 251 from 0: starting at sent mod 251
                // continues the stream's pattern.
                const qint64 want = std::min<qint64>(total - sent, chunk.size() - 251);
                const qint64 n = from->write(chunk.constData() + sent % 251, want);
                if (n <= 0)
                    break;
                sent += n;
                progress = true;
            }
            if (sent == total && !finSent) {
                from->close();
                finSent = true;
            }
            qint64 n = 0;
            while ((n = to->read(in.data(), in.size())) > 0) {
                for (qint64 i = 0; i < n; i += 4099) {
                    if (in[i] != char((received + i) % 251)) {
                        *why = QStringLiteral("byte %1 is wrong").arg(received + i);
                        return false;
                    }
                }
                received += n;
                progress = true;
            }
            if (progress)
                stall = QDeadlineTimer(15000);
            if (deadline.hasExpired() || stall.hasExpired()) {
                *why = QStringLiteral("stalled after %1 of %2 bytes (sent %3)").arg(received).arg(total).arg(sent);
                return false;
            }
            QCoreApplication::processEvents(QEventLoop::WaitForMoreEvents, 50);
        }
        if (received != total) {
            *why = QStringLiteral("received %1 of %2 bytes").arg(received).arg(total);
            return false;
        }
        return true;
    }

    /// One drop: the receiving end holds kUnread unread bytes, then goes.
    bool dropOnce(Drop how, QString *why)
    {
        const QByteArray payload(kUnread, 'u');
        if (how == Drop::PoolDiscard) {
            // The server writes on a stream the client has pooled but not
            // taken (a request that beat the get), then resets it: the
            // client pool discards it when asked for that ID.
            Stream *in = server->tryIncomingGet();
            if (!in && waitUntil([&] { return server->active() > 0; }, 10000))
                in = server->tryIncomingGet();
            if (!in) {
                *why = QStringLiteral("no server stream");
                return false;
            }
            const QString id = in->id();
            if (!waitUntil([&] { return client->readyIds().contains(id); }, 10000)) {
                *why = QStringLiteral("the client never pooled %1").arg(id);
                return false;
            }
            in->setSendBufferSize(kUnread);
            in->write(payload);
            if (!waitUntil([&] { return in->totalBytesAcknowledged() == kUnread; }, 10000)) {
                *why = QStringLiteral("the request was not acknowledged");
                return false;
            }
            QSignalSpy finished(in, &Stream::finished);
            in->abort();
            // The client answers the reset with its own; once that is back,
            // the client has seen ours.
            if (!waitUntil([&] { return !finished.isEmpty(); }, 10000)) {
                *why = QStringLiteral("the reset was not answered");
                return false;
            }
            delete in;
            Error err;
            if (Stream *s = client->tryOutgoingGet(id, &err)) {
                *why = QStringLiteral("a reset pooled stream was handed out");
                delete s;
                return false;
            }
            return true;
        }

        Stream *in = nullptr, *out = nullptr;
        if (!take(&in, &out)) {
            *why = QStringLiteral("no stream pair");
            return false;
        }
        in->setSendBufferSize(kUnread);
        in->write(payload);
        if (!waitUntil([&] { return out->bytesAvailable() == kUnread; }, 10000)) {
            *why = QStringLiteral("only %1 of %2 bytes arrived").arg(out->bytesAvailable()).arg(kUnread);
            return false;
        }
        QPointer<Stream> guard(out);
        bool kept = false;
        switch (how) {
        case Drop::Delete:
            delete out;
            break;
        case Drop::DeleteLater:
            out->deleteLater();
            break;
        case Drop::Abort:
            out->abort();
            delete out;
            break;
        case Drop::AbortKept:
            out->abort();
            kept = true;
            break;
        case Drop::CloseKept:
            out->close();
            kept = true;
            break;
        case Drop::CloseThenDelete:
            out->close();
            delete out;
            break;
        case Drop::CloseWriteThenDelete:
            out->closeWrite();
            delete out;
            break;
        case Drop::PeerResetThenDelete:
        case Drop::PeerResetThenClose:
            in->abort();
            if (!waitUntil([&] { return out->error() == ErrorCode::StreamReset; }, 10000)) {
                *why = QStringLiteral("the reset did not arrive");
                return false;
            }
            if (how == Drop::PeerResetThenClose) {
                out->close();
                kept = true;
            } else {
                delete out;
            }
            break;
        case Drop::PoolDiscard:
            break;
        }
        in->close();
        delete in;
        if (kept) {
            m_kept.append(out);   // deleted at the end: the credit went back without that
            return true;
        }
        return waitUntil([&] { return !guard; }, 5000);
    }

private Q_SLOTS:
    void cleanup()
    {
        for (const QPointer<Stream> &s : std::as_const(m_kept))
            delete s.data();
        m_kept.clear();
        client.reset();
        server.reset();
    }

    void unreadDataIsCredited_data()
    {
        QTest::addColumn<Drop>("how");
        QTest::newRow("delete") << Drop::Delete;
        QTest::newRow("deleteLater") << Drop::DeleteLater;
        QTest::newRow("abort, then delete") << Drop::Abort;
        QTest::newRow("abort, kept") << Drop::AbortKept;
        QTest::newRow("close, kept") << Drop::CloseKept;
        QTest::newRow("close, then delete") << Drop::CloseThenDelete;
        QTest::newRow("closeWrite, then delete") << Drop::CloseWriteThenDelete;
        QTest::newRow("peer reset, then delete") << Drop::PeerResetThenDelete;
        QTest::newRow("peer reset, then close") << Drop::PeerResetThenClose;
        QTest::newRow("pool discard") << Drop::PoolDiscard;
    }

    void unreadDataIsCredited()
    {
        QFETCH(Drop, how);
        QVERIFY(startPools());
        for (int i = 0; i < kDrops; ++i) {
            QString why;
            QVERIFY2(dropOnce(how, &why), qPrintable(QStringLiteral("drop %1 of %2: %3").arg(i + 1).arg(kDrops).arg(why)));
        }
        // 16 MiB: four times the initial window; a leak of 8 KiB a drop
        // would have left no window at all.
        Stream *in = nullptr, *out = nullptr;
        QVERIFY(take(&in, &out));
        QString why;
        QVERIFY2(transfer(in, out, 16 * 1024 * 1024, &why), qPrintable(why));
    }

    void allWaysThenAGibibyte()
    {
        // Every way, interleaved, 500 times on one connection; then a large
        // transfer on it: the window must be whole (and auto-tune freely).
        QVERIFY(startPools());
        for (int i = 0; i < kDrops; ++i) {
            const Drop how = kAllDrops[size_t(i) % std::size(kAllDrops)];
            QString why;
            QVERIFY2(dropOnce(how, &why), qPrintable(QStringLiteral("drop %1 of %2: %3").arg(i + 1).arg(kDrops).arg(why)));
        }
        Stream *in = nullptr, *out = nullptr;
        QVERIFY(take(&in, &out));
        QString why;
        QElapsedTimer t;
        t.start();
        QVERIFY2(transfer(in, out, kFinalTransfer, &why), qPrintable(why));
        qInfo("%lld MiB after %d drops: %.0f MB/s", kFinalTransfer >> 20, kDrops,
              double(kFinalTransfer) / double(std::max<qint64>(t.elapsed(), 1)) / 1000.0);
    }
};

QTEST_GUILESS_MAIN(TestFlowCredit)
#include "tst_flowcredit.moc"
