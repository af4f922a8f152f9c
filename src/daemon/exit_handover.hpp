// SIGTERM with graceful_handover: every master that can hands over to its best backup before
// vipd stops (keepalived makes the peers wait Master_Down_Interval instead); then `done`.
#pragma once

#include <functional>
#include <memory>

#include <spdlog/logger.h>

#include "reconciler.hpp"
#include "vipd/os/clock.hpp"

namespace vipd {

class ExitHandover {
public:
    ExitHandover(os::TimeSource& time, std::shared_ptr<spdlog::logger> log, InstanceMap& instances,
                 std::function<void()> done);

    // Starts a handover on every master that does not own its addresses and waits for those
    // a vipctl handover already began. False when there is nothing to wait for: stop now.
    bool start();
    // Under way: a second TERM stops at once, reloads and new handovers are refused.
    [[nodiscard]] bool active() const { return active_; }
    void cancel() { active_ = false; }
    // An instance's handover just ended (Instance::Env::handover_over): look again, from the
    // event loop (never from inside the instance that said so).
    void poke();

private:
    void check();

    os::TimeSource& time_;
    std::shared_ptr<spdlog::logger> log_;
    InstanceMap& instances_;
    std::function<void()> done_;
    bool active_ = false;
    TimePoint deadline_{};
    // Set for now when poked, else for the backstop deadline: no polling.
    std::unique_ptr<os::Alarm> recheck_;
};

}  // namespace vipd
