// sd_notify states, the throttled STATUS= line and the watchdog, on alarms.
#include "service.hpp"

#include <fmt/format.h>

#include "vipd/daemon/log.hpp"
#include "vipd/os/systemd.hpp"

namespace vipd {

ServiceNotifier::ServiceNotifier(os::TimeSource& time, std::shared_ptr<spdlog::logger> log,
                                 std::function<std::string()> status_line)
    : time_(time),
      log_(std::move(log)),
      status_line_(std::move(status_line)),
      update_(time_.make_alarm([this] {
          update_pending_ = false;
          if (!stopping_) os::sd_notify_state("STATUS=" + status_line_());
      })),
      watchdog_(time_.make_alarm([this] {
          if (stopping_) return;
          os::sd_notify_state("WATCHDOG=1");
          watchdog_->set(time_.now() + watchdog_interval_);
      })) {}

void ServiceNotifier::ready() {
    os::sd_notify_state("READY=1");
    status_changed();
}

void ServiceNotifier::reloading() {
    const auto monotonic_us = std::chrono::duration_cast<std::chrono::microseconds>(
                                  std::chrono::steady_clock::now().time_since_epoch())
                                  .count();
    os::sd_notify_state(fmt::format("RELOADING=1\nMONOTONIC_USEC={}", monotonic_us));
}

void ServiceNotifier::stopping() {
    if (said_stopping_) return;
    said_stopping_ = true;
    os::sd_notify_state("STOPPING=1");
}

void ServiceNotifier::stop_updates() {
    stopping();
    stopping_ = true;
    update_->cancel();
    watchdog_->cancel();
}

void ServiceNotifier::status_changed() {
    if (update_pending_ || stopping_) return;
    update_pending_ = true;
    update_->set(time_.now() + std::chrono::milliseconds{100});
}

void ServiceNotifier::start_watchdog() {
    const auto timeout = os::watchdog_timeout();
    if (!timeout) return;
    // Half the unit's WatchdogSec: a ping proves the event loop itself is turning.
    watchdog_interval_ = *timeout / 2;
    logs::info(*log_, "systemd watchdog: pinging every {} ms",
               std::chrono::duration_cast<std::chrono::milliseconds>(watchdog_interval_).count());
    os::sd_notify_state("WATCHDOG=1");
    watchdog_->set(time_.now() + watchdog_interval_);
}

}  // namespace vipd
