// What systemd hears from vipd (Type=notify): READY=1, RELOADING=1, STOPPING=1, a STATUS=
// line with the instance counts (at most every 100 ms: a mass failover is one update, not a
// thousand), and the watchdog ping at half WatchdogSec while the loop turns.
#pragma once

#include <spdlog/logger.h>

#include <functional>
#include <memory>
#include <string>

#include "vipd/os/clock.hpp"

namespace vipd {

class ServiceNotifier {
public:
    // `status_line` renders the STATUS= text when an update is due.
    ServiceNotifier(os::TimeSource& time, std::shared_ptr<spdlog::logger> log,
                    std::function<std::string()> status_line);

    void ready();
    void reloading();
    // STOPPING=1, once (a master may still hand over before the updates end).
    void stopping();
    // No more status updates or watchdog pings.
    void stop_updates();
    // Something in the status changed: one update within 100 ms.
    void status_changed();
    // Pings the watchdog from now on, if the unit has one.
    void start_watchdog();

private:
    os::TimeSource& time_;
    std::shared_ptr<spdlog::logger> log_;
    std::function<std::string()> status_line_;
    bool said_stopping_ = false;
    bool stopping_ = false;  // no more updates
    bool update_pending_ = false;
    std::unique_ptr<os::Alarm> update_;
    std::unique_ptr<os::Alarm> watchdog_;
    Duration watchdog_interval_{};
};

}  // namespace vipd
