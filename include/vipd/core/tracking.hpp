// Tracker arithmetic: how health checks, tracked interfaces and tracked files move an
// instance's priority or put it in Fault. keepalived's semantics, so configurations carry
// over: weight 0 means "Fault while failed"; a positive weight is added while the tracker
// is up; a negative one is added (subtracted) while it is down; `reverse` flips up and down;
// the result is clamped to 1..254; the address owner (255) is never adjusted. Pure.
#pragma once

#include <cstdint>
#include <optional>
#include <span>

#include "vipd/core/types.hpp"

namespace vipd {

// Rise/fall hysteresis: a tracker changes state only after `rise` consecutive successes
// (down -> up) or `fall` consecutive failures (up -> down). It starts in `initial`.
class Hysteresis {
public:
    Hysteresis(int rise, int fall, bool initial_up)
        : rise_(rise < 1 ? 1 : rise), fall_(fall < 1 ? 1 : fall), up_(initial_up) {}

    // Records one result; true when the state flipped.
    bool record(bool success) {
        if (success == up_) {
            streak_ = 0;
            return false;
        }
        if (++streak_ < (up_ ? fall_ : rise_)) return false;
        up_ = success;
        streak_ = 0;
        return true;
    }
    [[nodiscard]] bool up() const { return up_; }

private:
    int rise_;
    int fall_;
    bool up_;
    int streak_ = 0;  // consecutive results against the current state
};

// One tracker's contribution as the priority math sees it.
struct TrackerInput {
    int weight = 0;
    bool reverse = false;
    bool up = true;                     // scripts and interfaces: the (hysteresis) state
    std::optional<std::int64_t> value;  // files: the number read (missing file = 0)
    bool failed = false;                // files: could not be read safely (value unused)
};

struct TrackedPriority {
    Priority priority;
    bool fault = false;  // a weight-0 tracker is down
};

// keepalived's rules, tracker by tracker:
//  - script / interface (no value): down (after `reverse`) with weight 0 = Fault; weight > 0
//    adds the weight while up; weight < 0 adds it (a decrease) while down.
//  - file (value): weight 0 = Fault while the value is non-zero; otherwise value x weight
//    is added (x -1 with `reverse`; the value bounded to +-1000 first). A file that could
//    not be read safely (`failed`) counts as a failed tracker whatever `reverse` says:
//    Fault with weight 0, the weight added if negative, nothing added if positive.
// The sum is clamped to 1..254. A base priority of 255 (address owner) is returned as is,
// though a weight-0 tracker can still put the owner in Fault.
[[nodiscard]] TrackedPriority tracked_priority(Priority base,
                                               std::span<const TrackerInput> trackers);

}  // namespace vipd
