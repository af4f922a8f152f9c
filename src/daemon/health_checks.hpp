// Health-check scripts: each runs every interval while an instance tracks it, never twice
// at once (a slow run delays the next), killed at its timeout, with rise/fall hysteresis.
// A change of a script's state is reported through `changed` (the trackers are recomputed).
// A run vipd itself could not start (no descriptors, processes or memory; the user database
// unreachable) is no result at all: counted and logged, the last result stands.
#pragma once

#include <spdlog/logger.h>

#include <functional>
#include <map>
#include <memory>
#include <set>
#include <string>
#include <vector>

#include "users.hpp"
#include "vipd/config/config.hpp"
#include "vipd/core/tracking.hpp"
#include "vipd/daemon/status.hpp"
#include "vipd/os/clock.hpp"
#include "vipd/os/process.hpp"

namespace vipd {

class HealthChecks {
public:
    HealthChecks(os::TimeSource& time, std::shared_ptr<spdlog::logger> log,
                 std::function<void()> changed);
    ~HealthChecks();
    HealthChecks(const HealthChecks&) = delete;
    HealthChecks& operator=(const HealthChecks&) = delete;

    // Runs exactly the scripts named in `wanted` (defined in `scripts`) with `runner`: a new
    // one starts at once; one whose runs a reload changed starts over; one no longer wanted
    // stops. One whose runs are the same (command, timing, rise/fall, user) keeps its state.
    // `users` holds the ids of the users they run as (looked up with the configuration).
    void sync(const std::vector<config::ScriptConfig>& scripts, const std::set<std::string>& wanted,
              os::ScriptRunner* runner, const UserTable& users);
    // No more runs (shutting down).
    void stop();

    // The script's state after rise/fall; false for one not running.
    [[nodiscard]] bool up(const std::string& name) const;
    [[nodiscard]] std::vector<ScriptStatus> status() const;
    // Counts since the last clear_stats().
    [[nodiscard]] std::vector<StatsReport::Script> stats() const;
    void clear_stats();

private:
    struct Script;
    void run(Script& s);
    void finished(Script& s, TimePoint start, const os::ScriptResult& r);
    void not_started(Script& s, const std::string& why);
    void cancel(Script& s);

    os::TimeSource& time_;
    std::shared_ptr<spdlog::logger> log_;
    std::function<void()> changed_;
    os::ScriptRunner* runner_ = nullptr;
    bool stopped_ = false;
    std::map<std::string, std::unique_ptr<Script>> scripts_;
};

}  // namespace vipd
