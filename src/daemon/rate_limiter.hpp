// Token bucket for log lines about untrusted input: a flood of bad packets must not turn
// into a flood of log lines (keepalived logs one line per bad packet). Counters are kept
// elsewhere and never limited. Lines about packets share one budget for the whole daemon
// (Instance::Env::input_log), so spoofing many VRIDs gets no more lines than one VRID and
// cannot crowd out real errors.
#pragma once

#include <algorithm>
#include <chrono>
#include <cstdint>

#include "vipd/core/types.hpp"

namespace vipd {

class RateLimiter {
public:
    // `burst` lines at once, refilled at `per_second`.
    RateLimiter(double per_second, double burst)
        : rate_(per_second), burst_(burst), tokens_(burst) {}

    // True if a line may be logged now. Lines refused since the last allowed one are
    // counted; suppressed() tells how many, so the next line can say so.
    bool allow(TimePoint now) {
        const double elapsed = std::chrono::duration<double>(now - last_).count();
        if (last_ != TimePoint{} && elapsed > 0)
            tokens_ = std::min(burst_, tokens_ + elapsed * rate_);
        last_ = now;
        if (tokens_ >= 1.0) {
            tokens_ -= 1.0;
            return true;
        }
        ++suppressed_;
        return false;
    }
    // Lines refused since the previous call; resets the count.
    std::uint64_t take_suppressed() {
        const auto n = suppressed_;
        suppressed_ = 0;
        return n;
    }

private:
    double rate_;
    double burst_;
    double tokens_;
    TimePoint last_{};
    std::uint64_t suppressed_ = 0;
};

}  // namespace vipd
