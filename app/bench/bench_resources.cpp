#include "bench_resources.h"

#include <quicpool/global.h>
#include <QtCore/QFile>
#include <QtCore/QRegularExpression>
#include <QtNetwork/QSslSocket>
#include <chrono>
#include <cstdlib>
#include <malloc.h>
#include <sys/resource.h>
#include <sys/utsname.h>
#include <unistd.h>

namespace quicpool::cli::bench {

int64_t nowNs()
{
    return std::chrono::duration_cast<std::chrono::nanoseconds>(
               std::chrono::steady_clock::now().time_since_epoch())
        .count();
}

double processCpuSeconds()
{
    rusage usage{};
    if (getrusage(RUSAGE_SELF, &usage) != 0)
        return 0;
    auto seconds = [](const timeval &tv) { return double(tv.tv_sec) + double(tv.tv_usec) / 1e6; };
    return seconds(usage.ru_utime) + seconds(usage.ru_stime);
}

qint64 residentBytes()
{
    // statm: size resident shared text lib data dt, in pages.
    QFile statm(QStringLiteral("/proc/self/statm"));
    if (!statm.open(QIODevice::ReadOnly))
        return -1;
    const QList<QByteArray> fields = statm.readAll().simplified().split(' ');
    if (fields.size() < 2)
        return -1;
    bool ok = false;
    const qint64 pages = fields[1].toLongLong(&ok);
    return ok ? pages * qint64(sysconf(_SC_PAGESIZE)) : -1;
}

qint64 heapInUseBytes()
{
#if defined(__SANITIZE_ADDRESS__) || defined(__SANITIZE_THREAD__)
    // The sanitizers replace malloc; glibc's arena figures then say nothing.
    return -1;
#elif defined(__GLIBC__) && (__GLIBC__ > 2 || (__GLIBC__ == 2 && __GLIBC_MINOR__ >= 33))
    const struct mallinfo2 info = mallinfo2();
    // uordblks: in-use bytes of the arenas; hblkhd: big blocks served by mmap.
    return qint64(info.uordblks + info.hblkhd);
#else
    return -1;
#endif
}

void trimHeap()
{
#if defined(__GLIBC__)
    malloc_trim(0);
#endif
}

QString cpuModelFromCpuinfo(const QByteArray &cpuinfo)
{
    for (const QByteArray &line : cpuinfo.split('\n')) {
        const qsizetype colon = line.indexOf(':');
        if (colon < 0)
            continue;
        const QByteArray key = line.left(colon).trimmed();
        // x86 says "model name"; some ARM kernels only give "Hardware" or "Processor".
        if (key == "model name" || key == "Processor" || key == "cpu model")
            return QString::fromUtf8(line.mid(colon + 1).trimmed());
    }
    return QString();
}

MachineInfo collectMachineInfo()
{
    MachineInfo m;
    QFile cpuinfo(QStringLiteral("/proc/cpuinfo"));
    if (cpuinfo.open(QIODevice::ReadOnly))
        m.cpuModel = cpuModelFromCpuinfo(cpuinfo.readAll());
    m.cores = int(sysconf(_SC_NPROCESSORS_ONLN));
    utsname u{};
    if (uname(&u) == 0)
        m.kernel = QStringLiteral("%1 %2 %3").arg(QString::fromUtf8(u.sysname), QString::fromUtf8(u.release),
                                                  QString::fromUtf8(u.machine));
    QFile osRelease(QStringLiteral("/etc/os-release"));
    if (osRelease.open(QIODevice::ReadOnly)) {
        static const QRegularExpression pretty(QStringLiteral("^PRETTY_NAME=\"?([^\"\\n]*)\"?$"),
                                               QRegularExpression::MultilineOption);
        const QRegularExpressionMatch match = pretty.match(QString::fromUtf8(osRelease.readAll()));
        if (match.hasMatch())
            m.os = match.captured(1);
    }
    m.qtVersion = QString::fromLatin1(qVersion());
    m.quicpoolVersion = quicpool::version();
    m.ngtcp2Version = quicpool::ngtcp2Version();
    m.tlsLibrary = quicpool::tlsLibraryVersionString();
    m.sslBackend = QStringLiteral("%1 (%2)").arg(QSslSocket::activeBackend(), QSslSocket::sslLibraryVersionString());
#ifdef NDEBUG
    m.optimized = true;
#endif
    if (getloadavg(m.loadAverage, 3) < 0)
        m.loadAverage[0] = m.loadAverage[1] = m.loadAverage[2] = -1;
    return m;
}

} // namespace quicpool::cli::bench
