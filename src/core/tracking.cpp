// keepalived-compatible priority arithmetic; see tracking.hpp for the rules.
#include "vipd/core/tracking.hpp"

#include <algorithm>

namespace vipd {

TrackedPriority tracked_priority(Priority base, std::span<const TrackerInput> trackers) {
    TrackedPriority out{base, false};
    std::int64_t sum = base.value();
    for (const auto& t : trackers) {
        if (t.value) {
            const std::int64_t v = t.reverse ? -*t.value : *t.value;
            if (t.weight == 0) {
                out.fault = out.fault || v != 0;
            } else {
                // Bounded so a huge number in a file cannot overflow the sum.
                sum += std::clamp<std::int64_t>(v, -1000, 1000) * t.weight;
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
