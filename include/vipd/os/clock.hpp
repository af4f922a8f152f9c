// Time as the daemon sees it: what time it is, and alarms that call back at a time point.
// RealTime runs on the event loop (Boost.Asio steady timers); SimulatedTime is moved on by
// hand, so whatever takes a TimeSource is unit-tested without a real wait (Envoy's
// SimulatedTimeSystem is the model).
#pragma once

#include <boost/asio/io_context.hpp>
#include <chrono>
#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <utility>

#include "vipd/core/types.hpp"

namespace vipd::os {

// Calls its handler once at a time point; set again, it replaces the earlier setting.
// Destroying it cancels it: its handler never runs after that.
class Alarm {
public:
    virtual ~Alarm() = default;
    // Fires at `at`, or as soon as possible if that has passed.
    virtual void set(TimePoint at) = 0;
    virtual void cancel() = 0;
};

class TimeSource {
public:
    virtual ~TimeSource() = default;
    [[nodiscard]] virtual TimePoint now() const = 0;
    // The time of day (UTC), for what peers compare across hosts (auth_hmac's sequence).
    // It may step; nothing is timed by it.
    [[nodiscard]] virtual std::chrono::system_clock::time_point wall() const = 0;
    // An alarm whose handler is `fire` (run from the event loop, never from set()).
    [[nodiscard]] virtual std::unique_ptr<Alarm> make_alarm(std::function<void()> fire) = 0;
};

class RealTime final : public TimeSource {
public:
    explicit RealTime(boost::asio::io_context& io) : io_(io) {}
    [[nodiscard]] TimePoint now() const override { return Clock::now(); }
    [[nodiscard]] std::chrono::system_clock::time_point wall() const override {
        return std::chrono::system_clock::now();
    }
    [[nodiscard]] std::unique_ptr<Alarm> make_alarm(std::function<void()> fire) override;

private:
    boost::asio::io_context& io_;
};

// Time that stands still until advanced: alarms fire in time order (those set for the same
// time in the order they were set), each with now() at its own time.
class SimulatedTime final : public TimeSource {
public:
    explicit SimulatedTime(TimePoint start = TimePoint{std::chrono::hours{1}})
        : now_(start), start_(start) {}
    SimulatedTime(const SimulatedTime&) = delete;
    SimulatedTime& operator=(const SimulatedTime&) = delete;

    [[nodiscard]] TimePoint now() const override { return now_; }
    // Starts at 2026-01-01 00:00:00 UTC and moves with now(), plus any step_wall().
    [[nodiscard]] std::chrono::system_clock::time_point wall() const override;
    [[nodiscard]] std::unique_ptr<Alarm> make_alarm(std::function<void()> fire) override;
    // The time of day jumps by `d` (an NTP step); now() does not move.
    void step_wall(Duration d) { wall_step_ += d; }

    // Moves time on by `d`, firing every alarm due on the way.
    void advance(Duration d);
    // Fires alarms in time order until `done()` holds or `limit` has passed (then time
    // stands at the limit); whether `done()` held.
    bool run_until(const std::function<bool()>& done, Duration limit);
    // Alarms set and not yet fired or cancelled.
    [[nodiscard]] std::size_t pending() const;

private:
    class SimAlarm;
    // Fires the earliest alarm due at or before `until`; false if there is none.
    bool step(TimePoint until);

    TimePoint now_;
    TimePoint start_;
    Duration wall_step_{};
    std::uint64_t seq_ = 0;
    // (when, order set) -> the alarm; an entry whose alarm was set again, cancelled or
    // destroyed is gone from the map.
    std::map<std::pair<TimePoint, std::uint64_t>, SimAlarm*> due_;
};

}  // namespace vipd::os
