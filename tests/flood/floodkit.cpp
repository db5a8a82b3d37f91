#include "floodkit.h"

#include "transport/clock.h"
#include "transport/tls/tlssession.h"

#include <QtCore/QDir>
#include <QtCore/QFile>
#include <chrono>
#include <fcntl.h>
#include <malloc.h>
#include <sys/socket.h>
#include <unistd.h>

#include <ngtcp2/ngtcp2.h>
#include <ngtcp2/ngtcp2_crypto.h>

#if defined(__SANITIZE_ADDRESS__) || defined(__SANITIZE_THREAD__)
// From the sanitizer runtime (<sanitizer/allocator_interface.h>, which
// GCC does not install).
extern "C" size_t __sanitizer_get_current_allocated_bytes(void);
#define QUICPOOL_SANITIZER_ALLOCATOR 1
#endif

namespace quicpool::flood {

using transport::SocketAddress;

namespace {

/// Just enough of a client connection to write its first flight.
struct Sketch
{
    ngtcp2_conn *conn = nullptr;
    ngtcp2_crypto_conn_ref ref{};
};

ngtcp2_conn *connOf(ngtcp2_crypto_conn_ref *ref) { return static_cast<Sketch *>(ref->user_data)->conn; }

void randomFill(uint8_t *dest, size_t len, const ngtcp2_rand_ctx *) { transport::randomBytes(dest, len); }

int newConnectionId(ngtcp2_conn *, ngtcp2_cid *cid, uint8_t *token, size_t len, void *)
{
    cid->datalen = len;
    transport::randomBytes(cid->data, len);
    transport::randomBytes(token, NGTCP2_STATELESS_RESET_TOKENLEN);
    return 0;
}

const ngtcp2_callbacks &callbacks()
{
    static const ngtcp2_callbacks cb = [] {
        ngtcp2_callbacks c{};
        c.client_initial = ngtcp2_crypto_client_initial_cb;
        c.recv_crypto_data = ngtcp2_crypto_recv_crypto_data_cb;
        c.encrypt = ngtcp2_crypto_encrypt_cb;
        c.decrypt = ngtcp2_crypto_decrypt_cb;
        c.hp_mask = ngtcp2_crypto_hp_mask_cb;
        c.recv_retry = ngtcp2_crypto_recv_retry_cb;
        c.update_key = ngtcp2_crypto_update_key_cb;
        c.delete_crypto_aead_ctx = ngtcp2_crypto_delete_crypto_aead_ctx_cb;
        c.delete_crypto_cipher_ctx = ngtcp2_crypto_delete_crypto_cipher_ctx_cb;
        c.get_path_challenge_data = ngtcp2_crypto_get_path_challenge_data_cb;
        c.version_negotiation = ngtcp2_crypto_version_negotiation_cb;
        c.rand = randomFill;
        c.get_new_connection_id = newConnectionId;
        return c;
    }();
    return cb;
}

quint32 readU32(const QByteArray &b, qsizetype at)
{
    return (quint32(quint8(b[at])) << 24) | (quint32(quint8(b[at + 1])) << 16) | (quint32(quint8(b[at + 2])) << 8)
        | quint32(quint8(b[at + 3]));
}

/// A QUIC variable-length integer at *at; false when it runs off the end.
bool readVarint(const QByteArray &b, qsizetype *at, quint64 *value)
{
    if (*at >= b.size())
        return false;
    const int len = 1 << (quint8(b[*at]) >> 6);
    if (*at + len > b.size())
        return false;
    quint64 v = quint8(b[*at]) & 0x3f;
    for (int i = 1; i < len; ++i)
        v = (v << 8) | quint8(b[*at + i]);
    *at += len;
    *value = v;
    return true;
}

} // namespace

QList<QByteArray> clientInitials(transport::TlsContext &clientTls, const SocketAddress &from, const SocketAddress &to,
                                 const QByteArray &token, const QByteArray &dcidBytes)
{
    Sketch sketch;
    ngtcp2_cid dcid, scid;
    if (dcidBytes.isEmpty()) {
        dcid.datalen = 18;
        transport::randomBytes(dcid.data, dcid.datalen);
    } else {
        ngtcp2_cid_init(&dcid, reinterpret_cast<const uint8_t *>(dcidBytes.constData()), size_t(dcidBytes.size()));
    }
    scid.datalen = 8;
    transport::randomBytes(scid.data, scid.datalen);
    ngtcp2_settings settings;
    ngtcp2_settings_default(&settings);
    settings.initial_ts = transport::nowNs();
    if (!token.isEmpty()) {
        settings.token = reinterpret_cast<const uint8_t *>(token.constData());
        settings.tokenlen = size_t(token.size());
    }
    ngtcp2_transport_params params;
    ngtcp2_transport_params_default(&params);
    params.initial_max_streams_bidi = 16;
    params.initial_max_data = 1 << 20;
    params.initial_max_stream_data_bidi_local = 1 << 18;
    SocketAddress local = from, remote = to;
    ngtcp2_path path{{local.data(), local.length}, {remote.data(), remote.length}, nullptr};
    if (ngtcp2_conn_client_new(&sketch.conn, &dcid, &scid, &path, NGTCP2_PROTO_VER_V1, &callbacks(), &settings,
                               &params, nullptr, &sketch) != 0)
        return {};
    sketch.ref.get_conn = connOf;
    sketch.ref.user_data = &sketch;
    Error err;
    std::unique_ptr<transport::TlsSession> tls = transport::TlsSession::create(clientTls, &sketch.ref, &err);
    QList<QByteArray> out;
    if (tls) {
        ngtcp2_conn_set_tls_native_handle(sketch.conn, tls->nativeHandle());
        uint8_t buf[1500];
        for (int i = 0; i < 8; ++i) {
            ngtcp2_path_storage ps;
            ngtcp2_path_storage_zero(&ps);
            ngtcp2_pkt_info pi;
            const ngtcp2_ssize n = ngtcp2_conn_write_pkt(sketch.conn, &ps.path, &pi, buf, sizeof buf,
                                                         transport::nowNs());
            if (n <= 0)
                break;
            out.append(QByteArray(reinterpret_cast<const char *>(buf), int(n)));
        }
    }
    ngtcp2_conn_del(sketch.conn);
    return out;
}

LongHeader parseLongHeader(const QByteArray &d)
{
    LongHeader h;
    if (d.size() < 7 || !(quint8(d[0]) & 0x80))
        return h;
    h.type = (quint8(d[0]) >> 4) & 0x03;
    h.version = readU32(d, 1);
    qsizetype at = 5;
    const int dlen = quint8(d[at++]);
    if (at + dlen >= d.size())
        return h;
    h.dcid = d.mid(at, dlen);
    at += dlen;
    const int slen = quint8(d[at++]);
    if (at + slen > d.size())
        return h;
    h.scid = d.mid(at, slen);
    at += slen;
    if (h.version == 1 && h.type == 3) {
        // Retry: the token runs to the 16-byte integrity tag.
        if (d.size() - at < 16)
            return h;
        h.token = d.mid(at, d.size() - at - 16);
    } else if (h.version == 1 && h.type == 0) {
        quint64 tokenLength = 0;
        if (!readVarint(d, &at, &tokenLength) || at + qsizetype(tokenLength) > d.size())
            return h;
        h.token = d.mid(at, qsizetype(tokenLength));
    }
    h.valid = true;
    return h;
}

bool makeFloodPlan(FloodPlan *plan, transport::TlsContext &clientTls, const QHostAddress &host, int ports,
                   const SocketAddress &target, int count, QString *why)
{
    plan->target = target;
    std::vector<SocketAddress> locals;
    for (int i = 0; i < ports; ++i) {
        const int fd = ::socket(target.family(), SOCK_DGRAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
        SocketAddress bindTo = SocketAddress::fromQt(host, 0);
        if (fd < 0 || ::bind(fd, bindTo.data(), bindTo.length) != 0) {
            *why = QStringLiteral("cannot bind a flood socket: %1").arg(QString::fromLocal8Bit(strerror(errno)));
            if (fd >= 0)
                ::close(fd);
            return false;
        }
        SocketAddress local;
        local.length = sizeof local.storage;
        ::getsockname(fd, local.data(), &local.length);
        plan->sockets.push_back(fd);
        locals.push_back(local);
    }
    plan->flights.reserve(size_t(count));
    for (int i = 0; i < count; ++i) {
        QList<QByteArray> flight = clientInitials(clientTls, locals[size_t(i % ports)], target);
        if (flight.isEmpty()) {
            *why = QStringLiteral("cannot make a client's Initial packets");
            return false;
        }
        plan->flights.push_back(std::move(flight));
    }
    return true;
}

void closeFloodPlan(FloodPlan *plan)
{
    for (int fd : plan->sockets)
        ::close(fd);
    plan->sockets.clear();
    plan->flights.clear();
}

Flooder::Flooder(const FloodPlan &plan, double perSecond) : m_plan(plan), m_rate(perSecond) {}

Flooder::~Flooder() { stop(); }

void Flooder::start()
{
    m_thread = std::thread([this] { run(); });
}

void Flooder::stop()
{
    m_stop = true;
    if (m_thread.joinable())
        m_thread.join();
}

void Flooder::run()
{
    using Clock = std::chrono::steady_clock;
    const auto begin = Clock::now();
    const size_t total = m_plan.flights.size();
    size_t next = 0;
    while (next < total && !m_stop) {
        // Everything due by now goes out; then a short sleep. Steady on
        // average even when a sleep runs long.
        const double elapsed = std::chrono::duration<double>(Clock::now() - begin).count();
        const size_t due = std::min(total, size_t(elapsed * m_rate) + 1);
        for (; next < due; ++next) {
            const int fd = m_plan.sockets[next % m_plan.sockets.size()];
            for (const QByteArray &d : m_plan.flights[next]) {
                // A full socket buffer drops it, as a congested path would.
                if (::sendto(fd, d.constData(), size_t(d.size()), 0, m_plan.target.data(), m_plan.target.length) > 0)
                    m_bytes += d.size();
            }
            ++m_sent;
        }
        std::this_thread::sleep_for(std::chrono::microseconds(500));
    }
    m_done = true;
}

qint64 residentBytes(qint64 pid)
{
    QFile f(pid ? QStringLiteral("/proc/%1/statm").arg(pid) : QStringLiteral("/proc/self/statm"));
    if (!f.open(QIODevice::ReadOnly))
        return -1;
    const QList<QByteArray> fields = f.readAll().split(' ');
    if (fields.size() < 2)
        return -1;
    return fields.at(1).toLongLong() * sysconf(_SC_PAGESIZE);
}

int openDescriptors(qint64 pid)
{
    const QDir dir(pid ? QStringLiteral("/proc/%1/fd").arg(pid) : QStringLiteral("/proc/self/fd"));
    if (!dir.exists())
        return -1;
    return int(dir.entryList(QDir::AllEntries | QDir::System | QDir::NoDotAndDotDot).size());
}

} // namespace quicpool::flood

namespace quicpool::flood {

qint64 heapInUse()
{
#ifdef QUICPOOL_SANITIZER_ALLOCATOR
    return qint64(__sanitizer_get_current_allocated_bytes());
#else
    const struct mallinfo2 m = mallinfo2();
    return qint64(m.uordblks + m.hblkhd);
#endif
}

void drainSocket(int fd, int *datagrams, qint64 *bytes)
{
    char buf[65536];
    for (;;) {
        const ssize_t n = ::recv(fd, buf, sizeof buf, MSG_DONTWAIT);
        if (n < 0)
            return;
        ++*datagrams;
        *bytes += n;
    }
}

void sendFlight(int fd, const QList<QByteArray> &flight, const SocketAddress &to)
{
    for (const QByteArray &d : flight)
        ::sendto(fd, d.constData(), size_t(d.size()), 0, to.data(), to.length);
}

} // namespace quicpool::flood
