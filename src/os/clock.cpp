// The two time sources: Asio steady timers for the daemon, a hand-moved clock for tests.
#include "vipd/os/clock.hpp"

#include <boost/asio/steady_timer.hpp>
#include <optional>

namespace vipd::os {
namespace {

class AsioAlarm final : public Alarm {
public:
    AsioAlarm(boost::asio::io_context& io, std::function<void()> fire)
        : timer_(io), fire_(std::move(fire)) {}
    ~AsioAlarm() override { timer_.cancel(); }
    AsioAlarm(const AsioAlarm&) = delete;
    AsioAlarm& operator=(const AsioAlarm&) = delete;

    void set(TimePoint at) override {
        timer_.expires_at(at);  // a wait in progress gets operation_aborted
        // A handler already queued (expired, not yet run) is not aborted by that: the
        // generation tells it apart, and the weak reference tells a destroyed alarm.
        timer_.async_wait([this, gen = ++gen_,
                           alive = std::weak_ptr(alive_)](const boost::system::error_code& ec) {
            if (ec || alive.expired() || gen != gen_) return;
            fire_();
        });
    }
    void cancel() override {
        ++gen_;
        timer_.cancel();
    }

private:
    boost::asio::steady_timer timer_;
    std::function<void()> fire_;
    std::uint64_t gen_ = 0;
    std::shared_ptr<int> alive_ = std::make_shared<int>(0);
};

}  // namespace

std::unique_ptr<Alarm> RealTime::make_alarm(std::function<void()> fire) {
    return std::make_unique<AsioAlarm>(io_, std::move(fire));
}

class SimulatedTime::SimAlarm final : public Alarm {
public:
    SimAlarm(SimulatedTime& time, std::function<void()> fire)
        : time_(time), fire_(std::move(fire)) {}
    ~SimAlarm() override { cancel(); }
    SimAlarm(const SimAlarm&) = delete;
    SimAlarm& operator=(const SimAlarm&) = delete;

    void set(TimePoint at) override {
        cancel();
        // Not before now: a time already passed fires at once, as on the real loop.
        key_ = std::pair{std::max(at, time_.now_), ++time_.seq_};
        time_.due_.emplace(*key_, this);
    }
    void cancel() override {
        if (key_) time_.due_.erase(*key_);
        key_.reset();
    }
    void fire() {
        key_.reset();
        fire_();
    }

private:
    SimulatedTime& time_;
    std::function<void()> fire_;
    std::optional<std::pair<TimePoint, std::uint64_t>> key_;
};

std::chrono::system_clock::time_point SimulatedTime::wall() const {
    constexpr std::chrono::seconds k2026{1'767'225'600};  // 2026-01-01T00:00:00Z
    return std::chrono::system_clock::time_point{k2026} +
           std::chrono::duration_cast<std::chrono::system_clock::duration>(now_ - start_ +
                                                                           wall_step_);
}

std::unique_ptr<Alarm> SimulatedTime::make_alarm(std::function<void()> fire) {
    return std::make_unique<SimAlarm>(*this, std::move(fire));
}

bool SimulatedTime::step(TimePoint until) {
    if (due_.empty() || due_.begin()->first.first > until) return false;
    const auto it = due_.begin();
    auto* alarm = it->second;
    now_ = std::max(now_, it->first.first);
    due_.erase(it);
    alarm->fire();  // may set, cancel or destroy alarms, this one included
    return true;
}

void SimulatedTime::advance(Duration d) {
    const auto until = now_ + d;
    while (step(until)) {
    }
    now_ = until;
}

bool SimulatedTime::run_until(const std::function<bool()>& done, Duration limit) {
    const auto until = now_ + limit;
    while (!done()) {
        if (!step(until)) {
            now_ = until;
            return done();
        }
    }
    return true;
}

std::size_t SimulatedTime::pending() const {
    return due_.size();
}

}  // namespace vipd::os
