// A ScriptRunner that says when any command it ran has finished (after that command's own
// callback), so that the daemon waits for notifications to run without polling.
#pragma once

#include <functional>
#include <utility>

#include "vipd/os/process.hpp"

namespace vipd {

class ObservedRunner final : public os::ScriptRunner {
public:
    ObservedRunner(os::ScriptRunner& inner, std::function<void()> finished)
        : inner_(inner), finished_(std::move(finished)) {}

    os::RunId run(const os::ScriptSpec& spec, std::function<void(os::ScriptResult)> done) override {
        return inner_.run(spec, [this, done = std::move(done)](os::ScriptResult r) {
            done(std::move(r));
            finished_();
        });
    }
    void cancel(os::RunId id) override { inner_.cancel(id); }

private:
    os::ScriptRunner& inner_;
    std::function<void()> finished_;
};

}  // namespace vipd
