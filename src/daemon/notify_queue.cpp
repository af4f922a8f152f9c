// NotifyQueue: keepalived-compatible notify commands, strictly in order.
#include "notify_queue.hpp"

namespace vipd {

void NotifyQueue::notify(os::ScriptRunner* runner, const config::NotifyConfig& cfg,
                         const std::string& type, const std::string& name, const std::string& state,
                         int priority, const std::vector<std::string>& env) {
    if (runner == nullptr) return;
    runner_ = runner;
    const std::vector<std::string>* specific = nullptr;
    if (state == "MASTER") specific = &cfg.master;
    if (state == "BACKUP") specific = &cfg.backup;
    if (state == "FAULT") specific = &cfg.fault;
    if (state == "STOP") specific = &cfg.stop;
    std::optional<os::UserIds> user;
    if (cfg.user != "root") {
        auto ids = os::lookup_user(cfg.user);
        if (!ids) {
            log_->error("{} notify user '{}': {}", prefix_, cfg.user, ids.error());
            return;
        }
        user = ids.value();
    }
    for (const auto* argv : {specific, &cfg.any}) {
        if (argv == nullptr || argv->empty()) continue;
        os::ScriptSpec spec;
        spec.argv = *argv;
        spec.argv.insert(spec.argv.end(), {type, name, state, std::to_string(priority)});
        spec.user = user;
        spec.timeout = cfg.timeout;
        spec.env = env;
        queue_.push_back(std::move(spec));
    }
    next();
}

void NotifyQueue::next() {
    if (running_ || queue_.empty() || runner_ == nullptr) return;
    auto spec = std::move(queue_.front());
    queue_.pop_front();
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
