// Fuzz target: the relay's named paths and the settings on top of them, as
// `quicpool relay --profile NAME[,NAME] --delay ...` and the app's load test
// build them: a profile looked up by name (any case), applied to a config
// whose other fields come from the input, clamped, turned into one
// direction's impairments and judged against a run of datagrams. Checks
// that clamping holds what relayconfig.h promises.
#include "fuzzinput.h"

#include "link.h"
#include "verdict.h"

#include <quicpool/relay/pathprofile.h>
#include <quicpool/relay/relayconfig.h>

#include <QtCore/QString>
#include <cmath>
#include <cstdlib>

using namespace quicpool;
using namespace quicpool::relay;

namespace {

void check(bool ok)
{
    if (!ok)
        std::abort();
}

bool isProbability(double p) { return p >= 0.0 && p <= 1.0; }

} // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    fuzz::FuzzInput in(data, size);
    // First line: profile names, comma-separated, as --profile takes them.
    const QString names = QString::fromUtf8(in.line());
    std::optional<PathProfile> profile;
    for (const QString &name : names.split(u',')) {
        if (std::optional<PathProfile> p = pathProfile(name.trimmed())) {
            check(p->name.compare(name.trimmed(), Qt::CaseInsensitive) == 0);
            profile = p;
        }
    }
    RelayConfig config;
    using D = RelayConfig::Duration;
    config.lossUp = in.real();
    config.lossDown = in.real();
    config.reorder = in.real();
    config.duplicate = in.real();
    config.corrupt = in.real();
    config.delay = D(in.integral<int64_t>());
    config.jitter = D(in.integral<int64_t>());
    config.rate = in.integral<int64_t>();
    config.queue = D(in.integral<int64_t>());
    config.mtu = in.integral<int32_t>();
    config.blackholeAt = D(in.integral<int64_t>());
    config.blackholeFor = D(in.integral<int64_t>());
    config.dropFirst = in.integral<int32_t>();
    if (profile)
        config = profile->applyTo(config);
    const RelayConfig c = config.clamped();
    check(isProbability(c.lossUp) && isProbability(c.lossDown) && isProbability(c.reorder)
          && isProbability(c.duplicate) && isProbability(c.corrupt));
    check(c.delay >= D::zero() && c.jitter >= D::zero() && c.queue >= D::zero() && c.rate >= 0);
    check(c.mtu >= 0 && c.mtu <= kMaxDatagramSize && c.dropFirst >= 0);
    check(c.blackholeAt >= D::zero() && c.blackholeFor >= D::zero());

    const Direction direction = in.byte() & 1 ? Direction::Down : Direction::Up;
    const Impairments imp = Impairments::from(c, direction);
    Link link;
    link.configure(c.rate, std::chrono::duration_cast<std::chrono::nanoseconds>(c.queue).count());
    int64_t now = 0;
    uint64_t arrival = 0;
    while (!in.atEnd()) {
        now += in.integral<uint32_t>();
        Draws draws;
        draws.loss = double(in.byte()) / 256.0;
        draws.duplicate = double(in.byte()) / 256.0;
        draws.corrupt = double(in.byte()) / 256.0;
        draws.reorder = double(in.byte()) / 256.0;
        draws.jitter = double(int(in.byte()) - 128) / 128.0;
        draws.copyJitter = double(int(in.byte()) - 128) / 128.0;
        draws.bit = in.integral<uint16_t>();
        const int64_t bytes = 1 + in.integral<uint16_t>();
        const Verdict v = judge(imp, draws, now, now, bytes, false, link, ++arrival);
        if (v.drop == DropCause::None) {
            check(v.releaseNs >= now);
            check(!v.corrupt || v.corruptBit < uint64_t(bytes) * 8);
        }
    }
    return 0;
}
