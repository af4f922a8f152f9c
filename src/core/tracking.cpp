// keepalived-compatible priority arithmetic; see tracking.hpp for the rules.
#include "vipd/core/tracking.hpp"

#include <algorithm>

namespace vipd {

TrackedPriority tracked_priority(Priority base, std::span<const TrackerInput> trackers) {
    TrackedPriority out{base, false};
    std::int64_t sum = base.value();
    for (const auto& t : trackers) {
        if (t.value && t.failed) {
            if (t.weight == 0) {
                out.fault = true;
            } else if (t.weight < 0) {
                sum += t.weight;
            }
            continue;
        }
        if (t.value) {
            // Bounded before anything else, so a huge number in a file can neither overflow
            // the sum nor be negated (-INT64_MIN).
            const std::int64_t bounded = std::clamp<std::int64_t>(*t.value, -1000, 1000);
            const std::int64_t v = t.reverse ? -bounded : bounded;
            if (t.weight == 0) {
                out.fault = out.fault || v != 0;
            } else {
                sum += v * t.weight;
            }
            continue;
        }
        const bool up = t.reverse ? !t.up : t.up;
        if (t.weight == 0) {
            out.fault = out.fault || !up;
        } else if (t.weight > 0 && up) {
            sum += t.weight;
        } else if (t.weight < 0 && !up) {
            sum += t.weight;
        }
    }
    if (is_owner(base)) return out;  // the owner's priority is never adjusted
    out.priority = Priority{static_cast<std::uint8_t>(std::clamp<std::int64_t>(sum, 1, 254))};
    return out;
}

}  // namespace vipd
