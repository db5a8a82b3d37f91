// The message arrays of one recvmmsg or sendmmsg call, made once and
// refilled for every batch, so moving a datagram costs no allocation.
#pragma once

#include <quicpool/relay/relayconfig.h>

#include <cstdint>
#include <memory>
#include <sys/socket.h>
#include <sys/uio.h>

namespace quicpool::relay {

/// 64 datagrams per system call: enough that the call's fixed cost stops
/// mattering, few enough that a batch stays in the cache.
inline constexpr int kBatchSize = 64;

struct ReceiveBatch
{
    mmsghdr messages[kBatchSize]{};
    /// [0]: the arena slot; [1]: this message's share of `overflow`, for
    /// the rare datagram larger than its slot.
    iovec vectors[kBatchSize][2]{};
    sockaddr_storage names[kBatchSize]{};
    uint32_t arenaSlots[kBatchSize]{};
    /// kBatchSize x kMaxDatagramSize, never initialised: pages are only
    /// touched by the kernel when an oversized datagram lands in them.
    std::unique_ptr<char[]> overflow = std::make_unique_for_overwrite<char[]>(size_t(kBatchSize) * kMaxDatagramSize);
};

/// Most datagrams one UDP_SEGMENT send may carry (the kernel's limit), and
/// most bytes: an IPv4 packet's length field, less headers, with room to spare.
inline constexpr int kMaxSegments = 64;
inline constexpr uint32_t kMaxSegmentedBytes = 65000;

/// How many datagrams from `first` on go out as one UDP GSO send: they
/// share a destination (sameAsPrevious[i]: datagram i goes where i - 1
/// goes), all have the size of the first but the last, which may be
/// smaller, and stay within kMaxSegments and kMaxSegmentedBytes. The kernel
/// cuts such a send at every `size of the first` bytes, so the receiver
/// gets exactly these datagrams. At least 1.
int segmentRun(const uint32_t *sizes, const bool *sameAsPrevious, int count, int first);

/// Datagrams gathered for one socket, sent with as few system calls as
/// possible: runs of segmentRun() become one message each, with UDP_SEGMENT.
struct SendBatch
{
    int fd = -1;
    Direction direction = Direction::Up;
    int count = 0;
    iovec vectors[kBatchSize]{};
    sockaddr_storage names[kBatchSize]{};
    socklen_t nameLengths[kBatchSize]{};
    uint32_t sizes[kBatchSize]{};
    bool sameAsPrevious[kBatchSize]{};
    uint32_t arenaSlots[kBatchSize]{};

    // Filled when sending: one message per run.
    mmsghdr messages[kBatchSize]{};
    int runFirst[kBatchSize]{};
    int runLength[kBatchSize]{};
    alignas(cmsghdr) char control[kBatchSize][CMSG_SPACE(sizeof(uint16_t))]{};
};

} // namespace quicpool::relay
