#include "batch.h"

namespace quicpool::relay {

int segmentRun(const uint32_t *sizes, const bool *sameAsPrevious, int count, int first)
{
    const uint32_t segment = sizes[first];
    if (segment == 0)
        return 1;  // an empty datagram cannot be a segment
    uint32_t bytes = segment;
    int length = 1;
    for (int i = first + 1; i < count && length < kMaxSegments; ++i) {
        if (!sameAsPrevious[i] || sizes[i] == 0 || sizes[i] > segment || bytes + sizes[i] > kMaxSegmentedBytes)
            break;
        bytes += sizes[i];
        ++length;
        if (sizes[i] < segment)
            break;  // a shorter one can only be the last
    }
    return length;
}

} // namespace quicpool::relay
