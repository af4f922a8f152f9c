// SIGTERM with graceful_handover: masters hand over before vipd stops.
#include "exit_handover.hpp"
#include "vipd/daemon/log.hpp"

#include <algorithm>

namespace vipd {

ExitHandover::ExitHandover(os::TimeSource& time, std::shared_ptr<spdlog::logger> log,
                           InstanceMap& instances, std::function<void()> done)
    : time_(time),
      log_(std::move(log)),
      instances_(instances),
      done_(std::move(done)),
      recheck_(time_.make_alarm([this] { check(); })) {}

bool ExitHandover::start() {
    std::size_t started = 0;
    for (auto& [key, inst] : instances_) {
        if (inst->handing_over()) {
            ++started;  // a vipctl handover already under way: wait for it too
            continue;
        }
        if (inst->state() != State::Master || inst->is_owner()) continue;
        auto error = inst->handover(std::nullopt, [log = log_, name = key.name](const auto& r) {
            if (r.ok) {
                logs::notice(*log, "[{}] handed over before exit: {}", name, r.message);
            } else {
                log->warn("[{}] no handover before exit: {}", name, r.message);
            }
        });
        if (!error) ++started;
    }
    if (started == 0) return false;
    active_ = true;
    logs::notice(*log_,
                 "handing {} master instance(s) over before exit (TERM again to stop at once)",
                 started);
    // Each instance gives up after its handover_timeout(); this bound is only a backstop.
    Duration longest{};
    for (const auto& [key, inst] : instances_)
        longest = std::max(longest, inst->machine().handover_timeout());
    deadline_ = time_.now() + longest + std::chrono::seconds{1};
    check();
    return true;
}

void ExitHandover::check() {
    if (!active_) return;
    const bool busy = std::any_of(instances_.begin(), instances_.end(),
                                  [](const auto& kv) { return kv.second->handing_over(); });
    if (!busy || time_.now() >= deadline_) {
        active_ = false;
        done_();
        return;
    }
    recheck_->set(deadline_);
}

void ExitHandover::poke() {
    if (active_) recheck_->set(time_.now());
}

}  // namespace vipd
