// echo-client: opens a QuicPool client pool against a server pool, takes the
// first stream that becomes ready, sends a payload, reads the echo back and
// prints it. Exit status 0 when the echo matches, 1 otherwise.
//
// Run it against the echo mode of the quicpool tool:
//   quicpool server --listen 127.0.0.1:4433 --mode echo
//   echo-client 127.0.0.1:4433 "hello, pool"
#include <quicpool/quicpool.h>

#include <QtCore/QCoreApplication>
#include <QtCore/QTextStream>
#include <QtCore/QTimer>

#include <chrono>
#include <memory>

using namespace std::chrono_literals;

namespace {

void fail(const QString &why)
{
    QTextStream(stderr) << "echo-client: " << why << Qt::endl;
    QCoreApplication::exit(1);
}

// Sends the payload on a taken stream, closes our side (FIN) and compares
// what comes back. The echo server returns every byte, then FIN.
void runEcho(quicpool::Stream *stream, const QByteArray &payload)
{
    // Owned by the connections below, so it goes when the stream does.
    struct EchoState
    {
        QByteArray received;
        bool done = false;
    };
    auto state = std::make_shared<EchoState>();
    auto check = [stream, state, payload](bool atEnd) {
        if (state->done)
            return;
        state->received.append(stream->readAll());
        if (state->received.size() < payload.size() && !atEnd)
            return; // more to come
        state->done = true;
        if (state->received == payload) {
            QTextStream(stdout) << "echo from stream " << stream->id() << ": "
                                << QString::fromUtf8(state->received) << Qt::endl;
            QCoreApplication::exit(0);
        } else {
            fail(QStringLiteral("echo differs: sent %1 bytes, got %2 back")
                     .arg(payload.size()).arg(state->received.size()));
        }
        stream->deleteLater();
    };
    QObject::connect(stream, &QIODevice::readyRead, stream, [check] { check(false); });
    QObject::connect(stream, &QIODevice::readChannelFinished, stream, [check] { check(true); });
    QObject::connect(stream, &quicpool::Stream::errorOccurred, stream, [stream, state](const quicpool::Error &) {
        if (!state->done)
            fail(QStringLiteral("stream failed: ") + stream->errorString());
    });

    // The send buffer takes a small payload whole; a large one would be fed
    // from bytesAcknowledged() as the peer acknowledges data.
    if (stream->write(payload) != payload.size()) {
        fail(QStringLiteral("the stream's send buffer did not take the payload"));
        return;
    }
    stream->closeWrite();   // FIN; the echo is still to be read
}

} // namespace

int main(int argc, char *argv[])
{
    QCoreApplication app(argc, argv);
    const QStringList args = app.arguments();
    const QString address = args.size() > 1 ? args.at(1) : QStringLiteral("127.0.0.1:4433");
    const QByteArray payload = args.size() > 2 ? args.at(2).toUtf8()
                                               : QByteArrayLiteral("hello from a pooled QUIC stream");

    quicpool::ClientPoolConfig config;
    config.setAddress(address);
    config.setTlsMode(quicpool::TlsMode::SelfSigned); // quicpool server makes its own certificate
    config.setMinCapacity(1);
    config.setMaxCapacity(4);
    if (const quicpool::Error error = config.validate()) {
        QTextStream(stderr) << "echo-client: " << error.toString() << Qt::endl;
        return 1;
    }

    quicpool::ClientPool pool(config);
    // The pool announces every stream it has made ready, with the ID the
    // server gave it; take the first one and echo through it.
    bool taken = false;
    QObject::connect(&pool, &quicpool::Pool::streamPooled, &app, [&](const QString &id) {
        if (taken)
            return;
        taken = true;
        pool.outgoingGetAsync(id, 5s, &app, [payload](quicpool::Stream *stream, const quicpool::Error &error) {
            if (!stream) {
                fail(QStringLiteral("could not take a stream: ") + error.toString());
                return;
            }
            runEcho(stream, payload);
        });
    });
    QObject::connect(&pool, &quicpool::Pool::errorOccurred, &app, [](const quicpool::Error &error) {
        QTextStream(stderr) << "echo-client: pool: " << error.toString() << Qt::endl;
    });

    if (!pool.start()) {
        QTextStream(stderr) << "echo-client: " << pool.lastError().toString() << Qt::endl;
        return 1;
    }
    QTimer::singleShot(20s, &app, [] { fail(QStringLiteral("no echo within 20 seconds")); });

    const int status = app.exec();
    pool.close();
    return status;
}
