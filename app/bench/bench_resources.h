// What `quicpool bench` measures about its own process and the machine:
// CPU time (getrusage), resident memory (/proc/self/statm), heap in use
// (glibc mallinfo2), a monotonic clock, and a description of the machine.
#pragma once

#include <QtCore/QString>
#include <QtCore/QStringList>
#include <cstdint>

namespace quicpool::cli::bench {

/// Monotonic nanoseconds (steady_clock), comparable across threads.
int64_t nowNs();

/// User + system CPU seconds of the whole process (all threads) so far.
double processCpuSeconds();
/// Resident set size in bytes from /proc/self/statm; -1 where unreadable.
qint64 residentBytes();
/// Heap bytes allocated and not freed (all malloc arenas); -1 where unknown.
qint64 heapInUseBytes();
/// Returns free heap pages to the kernel so a following RSS delta counts
/// new allocations instead of reused free memory.
void trimHeap();

/// Parses the "model name" of /proc/cpuinfo text (first CPU); empty if absent.
QString cpuModelFromCpuinfo(const QByteArray &cpuinfo);

struct MachineInfo
{
    QString cpuModel;
    int cores = 0;             ///< online CPUs
    QString kernel;            ///< uname: sysname release machine
    QString os;                ///< PRETTY_NAME of /etc/os-release
    QString qtVersion;         ///< run-time Qt
    QString quicpoolVersion;
    QString ngtcp2Version;
    QString tlsLibrary;   // "GnuTLS 3.7.9", "OpenSSL 3.5.4"
    QString sslBackend;        ///< Qt's TLS backend and library, for the baseline
    bool optimized = false;    ///< built with NDEBUG (Release)
    double loadAverage[3] = {0, 0, 0};
};
MachineInfo collectMachineInfo();

} // namespace quicpool::cli::bench
