// Prometheus text exposition (format 0.0.4) of a daemon's status: states, priorities,
// counters, drops by reason, trackers and health-check scripts. Pure: rendered from the
// same typed status as the control socket's status reply, so both views always agree.
#pragma once

#include <chrono>
#include <functional>
#include <string>

#include "vipd/daemon/status.hpp"
#include "vipd/os/clock.hpp"

namespace vipd {

[[nodiscard]] std::string render_metrics(const DaemonStatus& status);

// The exposition rendered at most once per `max_age`, whatever the scrape rate: 16 parallel
// scrapers (or a loop of vipctl metrics) cost one render a second on the event loop, not
// one each. Prometheus scrapes every 15 s or so; a second-old sample is what it gets anyway.
// A transition or a reload makes the next one fresh, so it is never staler than that.
class MetricsCache {
public:
    MetricsCache(os::TimeSource& time, std::function<std::string()> render,
                 Duration max_age = std::chrono::seconds(1))
        : time_(time), render_(std::move(render)), max_age_(max_age) {}

    // The next text() renders afresh (a transition or a reload happened: what a scraper or
    // vipctl asks right after it must show it).
    void invalidate() { rendered_ = false; }

    [[nodiscard]] const std::string& text() {
        const auto now = time_.now();
        if (!rendered_ || now - at_ >= max_age_) {
            text_ = render_();
            at_ = now;
            rendered_ = true;
        }
        return text_;
    }

private:
    os::TimeSource& time_;
    std::function<std::string()> render_;
    Duration max_age_;
    std::string text_;
    TimePoint at_{};
    bool rendered_ = false;
};

}  // namespace vipd
