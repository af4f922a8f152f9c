// Runs the notify commands of one instance or sync group: one at a time, in the order the
// transitions happened, beside the event loop (a slow or hung command delays only the
// notifications behind it, never the protocol), each bounded by the notify timeout.
// The backlog is bounded: while commands run slower than transitions come (flapping), at
// most kMaxPendingTransitions wait, the oldest waiting one giving way to a new one, and a
// STOP replaces everything still waiting. The latest state is always the last to run;
// what was dropped is counted and logged. So memory stays flat, and a shutdown waits for
// at most the running command and STOP.
#pragma once

#include <spdlog/logger.h>

#include <cstdint>
#include <deque>
#include <memory>
#include <string>
#include <vector>

#include "rate_limiter.hpp"
#include "users.hpp"
#include "vipd/config/config.hpp"
#include "vipd/os/clock.hpp"
#include "vipd/os/process.hpp"

namespace vipd {

class NotifyQueue {
public:
    // `time` paces the log line about dropped transitions.
    NotifyQueue(os::TimeSource& time, std::shared_ptr<spdlog::logger> log, std::string prefix)
        : time_(time), log_(std::move(log)), prefix_(std::move(prefix)) {}

    // Queues `state`'s command and then `any`, as `command... TYPE NAME STATE PRIORITY`
    // (keepalived's arguments) with `env` added. Nothing runs without a runner.
    // The user comes from `users` (looked up with the configuration); an unknown one runs
    // nothing (logged).
    void notify(os::ScriptRunner* runner, const UserTable* users, const config::NotifyConfig& cfg,
                const std::string& type, const std::string& name, const std::string& state,
                int priority, const std::vector<std::string>& env);

    static constexpr std::size_t kMaxPendingTransitions = 4;

    // Commands waiting or running.
    [[nodiscard]] std::size_t pending() const;
    [[nodiscard]] std::uint64_t runs() const { return runs_; }
    [[nodiscard]] std::uint64_t failures() const { return failures_; }
    // Transitions whose commands never ran: superseded while waiting.
    [[nodiscard]] std::uint64_t dropped() const { return dropped_; }

private:
    using Transition = std::vector<os::ScriptSpec>;  // the state's command, then `any`
    void next();

    os::TimeSource& time_;
    std::shared_ptr<spdlog::logger> log_;
    std::string prefix_;
    os::ScriptRunner* runner_ = nullptr;
    std::deque<Transition> waiting_;
    std::deque<os::ScriptSpec> current_;  // the rest of the transition being notified
    bool running_ = false;
    std::uint64_t runs_ = 0;
    std::uint64_t failures_ = 0;
    std::uint64_t dropped_ = 0;
    std::uint64_t dropped_logged_ = 0;  // dropped_ as of the last log line
    RateLimiter drop_log_{0.1, 1};      // one line per 10 s
    std::shared_ptr<int> alive_ = std::make_shared<int>(0);
};

}  // namespace vipd
