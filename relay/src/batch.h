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
    uint32_t slots[kBatchSize]{};
    /// kBatchSize x kMaxDatagramSize, never initialised: pages are only
    /// touched by the kernel when an oversized datagram lands in them.
    std::unique_ptr<char[]> overflow = std::make_unique_for_overwrite<char[]>(size_t(kBatchSize) * kMaxDatagramSize);
};

struct SendBatch
{
    int fd = -1;
    Direction direction = Direction::Up;
    int count = 0;
    mmsghdr messages[kBatchSize]{};
    iovec vectors[kBatchSize]{};
    sockaddr_storage names[kBatchSize]{};
    uint32_t slots[kBatchSize]{};
};

} // namespace quicpool::relay
