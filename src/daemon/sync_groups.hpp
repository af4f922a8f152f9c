// Drives the sync groups: hands each member's own transition to the rules (core/sync_group)
// and applies the events they send back, one after another; transitions those events cause
// are echoes and are not followed. Runs each group's notify commands.
#pragma once

#include <spdlog/logger.h>

#include <functional>
#include <map>
#include <memory>
#include <string>
#include <vector>

#include "instance.hpp"
#include "notify_queue.hpp"
#include "vipd/config/config.hpp"
#include "vipd/core/sync_group.hpp"

namespace vipd {

class SyncGroupDriver {
public:
    // How the driver reaches the daemon's instances.
    struct Members {
        std::function<Instance*(const std::string& name)> find;
        std::function<std::vector<std::string>()> names;  // every instance
        // A line for the notify FIFO (Instance::Env::notify_line); may be empty.
        std::function<void(const std::string& line)> notify_line;
    };
    // `time` for the groups' notification queues.
    SyncGroupDriver(os::TimeSource& time, std::shared_ptr<spdlog::logger> log, Members members);

    // The groups of a (new) configuration. Groups keep their state and pending
    // notifications by name; a removed group's pending notifications still run.
    // `users` (who notify commands run as) must outlive the next configure().
    void configure(const std::vector<config::SyncGroupConfig>& groups, os::ScriptRunner* runner,
                   const UserTable* users);
    // A member's transition (Instance::Env::on_transition).
    void on_transition(Instance& inst, const action::Notify& n);
    // The fault holds, after a member's own faults may have changed.
    void reconcile();

    // While the daemon changes instances itself (applying a configuration), their
    // transitions are not followed; it reconciles once when done.
    class Hold {
    public:
        explicit Hold(SyncGroupDriver& d) : d_(d) { ++d_.applying_; }
        ~Hold() { --d_.applying_; }
        Hold(const Hold&) = delete;
        Hold& operator=(const Hold&) = delete;

    private:
        SyncGroupDriver& d_;
    };
    // Shutting down: every member stops on its own; only the groups' STOP is notified.
    void stop() { stopping_ = true; }

    // The instance and the other members of its group (a group moves as one).
    [[nodiscard]] std::vector<Instance*> with_group(Instance& inst) const;
    // Group notifications queued or running, and the longest they may still take.
    [[nodiscard]] std::size_t pending_notifications() const;
    [[nodiscard]] Duration longest_pending() const;
    // Drops the queues of removed groups that have finished; false once none is left.
    bool reap();

private:
    os::TimeSource& time_;
    [[nodiscard]] SyncGroups::View view() const;
    void apply(const std::vector<SyncGroups::Command>& commands);

    std::shared_ptr<spdlog::logger> log_;
    Members members_;
    os::ScriptRunner* runner_ = nullptr;
    const UserTable* users_ = nullptr;
    SyncGroups rules_;
    int applying_ = 0;
    bool stopping_ = false;
    struct Group {
        config::SyncGroupConfig config;
        std::unique_ptr<NotifyQueue> notify;
    };
    std::map<std::string, Group> groups_;
    std::vector<std::unique_ptr<NotifyQueue>> retired_;  // removed, still running
};

}  // namespace vipd
