// Runs the notify commands of one instance or sync group: one at a time, in the order the
// transitions happened, beside the event loop (a slow or hung command delays only the
// notifications behind it, never the protocol), each bounded by the notify timeout.
#pragma once

#include <spdlog/logger.h>

#include <cstdint>
#include <deque>
#include <memory>
#include <string>
#include <vector>

#include "vipd/config/config.hpp"
#include "vipd/os/process.hpp"

namespace vipd {

class NotifyQueue {
public:
    NotifyQueue(std::shared_ptr<spdlog::logger> log, std::string prefix)
        : log_(std::move(log)), prefix_(std::move(prefix)) {}

    // Queues `state`'s command and then `any`, as `command... TYPE NAME STATE PRIORITY`
    // (keepalived's arguments) with `env` added. Nothing runs without a runner.
    void notify(os::ScriptRunner* runner, const config::NotifyConfig& cfg, const std::string& type,
                const std::string& name, const std::string& state, int priority,
                const std::vector<std::string>& env);

    [[nodiscard]] std::size_t pending() const { return queue_.size() + (running_ ? 1U : 0U); }
    [[nodiscard]] std::uint64_t runs() const { return runs_; }
    [[nodiscard]] std::uint64_t failures() const { return failures_; }

private:
    void next();

    std::shared_ptr<spdlog::logger> log_;
    std::string prefix_;
    os::ScriptRunner* runner_ = nullptr;
    std::deque<os::ScriptSpec> queue_;
    bool running_ = false;
    std::uint64_t runs_ = 0;
    std::uint64_t failures_ = 0;
    std::shared_ptr<int> alive_ = std::make_shared<int>(0);
};

}  // namespace vipd
