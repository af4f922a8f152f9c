// What vipctl's commands do: status, stats, metrics and reload answered from the daemon's
// view; handover, set-priority and maintenance carried out on the instances (a sync group
// moves as one), replying once every member has its outcome.
#pragma once

#include <spdlog/logger.h>

#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "control.hpp"
#include "instance.hpp"
#include "rate_limiter.hpp"
#include "vipd/daemon/status.hpp"
#include "vipd/os/clock.hpp"

namespace vipd {

struct ReloadResult {
    bool applied = false;
    std::vector<config::Diagnostic> diagnostics;
};

class ControlHandlers final : public ControlApi {
public:
    // What the handlers need of the daemon.
    struct Daemon {
        std::function<DaemonStatus()> status;
        std::function<std::string()> metrics;  // the exposition (cached: MetricsCache)
        // The counts since the last clear; with `clear`, read and reset in one step.
        std::function<StatsReport(bool clear)> stats;
        // Loads the file beside the loop, applies it if valid, then calls `done` (on the
        // loop; later, or at once if it cannot start).
        std::function<void(std::function<void(ReloadResult)> done)> reload;
        std::function<Instance*(const std::string& name)> find;
        // The instance and the other members of its sync group.
        std::function<std::vector<Instance*>(Instance&)> with_group;
        // Stopping (or handing over before stopping): no new handover or maintenance.
        std::function<bool()> stopping;
    };
    ControlHandlers(Daemon daemon, os::TimeSource& time, std::shared_ptr<spdlog::logger> log);

    void status(ControlReply reply) override;
    void reload(ControlReply reply) override;
    void stats(bool clear, ControlReply reply) override;
    void metrics(ControlReply reply) override;
    void handover(const std::string& instance, std::optional<IpAddress> to,
                  ControlReply reply) override;
    void set_priority(const std::string& instance, std::optional<Priority> priority,
                      ControlReply reply) override;
    void maintenance(const std::string& instance, bool on, ControlReply reply) override;
    void log_level(std::optional<config::LogLevel> level,
                   std::optional<config::DebugCategory> category, ControlReply reply) override;
    void audit(const ControlCaller& caller, const std::string& request, bool allowed) override;

private:
    void keep_group_together(const std::string& name);

    Daemon daemon_;
    os::TimeSource& time_;
    std::shared_ptr<spdlog::logger> log_;
    RateLimiter refused_log_{1.0, 5};  // refused requests: 5 lines, then one a second
};

}  // namespace vipd
