// NotifyQueue: keepalived-compatible notify commands, strictly in order.
#include "notify_queue.hpp"

#include <chrono>
#include <iterator>

namespace vipd {

void NotifyQueue::notify(os::ScriptRunner* runner, const UserTable* users,
                         const config::NotifyConfig& cfg, const std::string& type,
                         const std::string& name, const std::string& state, int priority,
                         const std::vector<std::string>& env) {
    if (runner == nullptr) return;
    runner_ = runner;
    const std::vector<std::string>* specific = nullptr;
    if (state == "MASTER") specific = &cfg.master;
    if (state == "BACKUP") specific = &cfg.backup;
    if (state == "FAULT") specific = &cfg.fault;
    if (state == "STOP") specific = &cfg.stop;
    std::optional<os::UserIds> user;
    if (cfg.user != "root") {
        const auto* ids = users != nullptr ? users->find(cfg.user) : nullptr;
        if (ids == nullptr) {
            log_->error("{} notify user '{}' was not found when the configuration was loaded",
                        prefix_, cfg.user);
            return;
        }
        user = *ids;
    }
    Transition t;
    for (const auto* argv : {specific, &cfg.any}) {
        if (argv == nullptr || argv->empty()) continue;
        os::ScriptSpec spec;
        spec.argv = *argv;
        spec.argv.insert(spec.argv.end(), {type, name, state, std::to_string(priority)});
        spec.user = user;
        spec.timeout = cfg.timeout;
        spec.env = env;
        t.push_back(std::move(spec));
    }
    if (t.empty()) return;
    // What still waits is stale once the instance stops; otherwise the oldest gives way.
    const std::size_t keep = state == "STOP" ? 0 : kMaxPendingTransitions - 1;
    std::uint64_t dropped = 0;
    while (waiting_.size() > keep) {
        waiting_.pop_front();
        ++dropped;
    }
    waiting_.push_back(std::move(t));
    if (dropped > 0) {
        dropped_ += dropped;
        if (drop_log_.allow(time_.now())) {
            (void)drop_log_.take_suppressed();
            log_->warn(
                "{} notify: commands run slower than the transitions come; {} stale "
                "transition(s) not notified ({} in all), the latest ({}) runs last",
                prefix_, dropped_ - dropped_logged_, dropped_, state);
            dropped_logged_ = dropped_;
        }
    }
    next();
}

std::size_t NotifyQueue::pending() const {
    std::size_t n = current_.size() + (running_ ? 1U : 0U);
    for (const auto& t : waiting_)
        n += t.size();
    return n;
}

void NotifyQueue::next() {
    if (running_ || runner_ == nullptr) return;
    if (current_.empty()) {
        if (waiting_.empty()) return;
        auto& t = waiting_.front();
        current_.assign(std::make_move_iterator(t.begin()), std::make_move_iterator(t.end()));
        waiting_.pop_front();
    }
    auto spec = std::move(current_.front());
    current_.pop_front();
    running_ = true;
    ++runs_;
    const auto what = spec.argv.front();
    runner_->run(spec, [this, what, alive = std::weak_ptr(alive_)](os::ScriptResult r) {
        if (alive.expired()) return;
        running_ = false;
        if (!r.success()) {
            ++failures_;
            log_->warn("{} notify {}: {}", prefix_, what, r.describe());
        }
        next();
    });
}

}  // namespace vipd
