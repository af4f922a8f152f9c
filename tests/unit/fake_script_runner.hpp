// A script runner that starts nothing: it records each run, and the test finishes them
// when and how it likes. Shared by the health-check and notify-queue tests.
#pragma once

#include <gtest/gtest.h>

#include <deque>
#include <functional>
#include <vector>

#include "vipd/os/clock.hpp"
#include "vipd/os/process.hpp"

namespace vipd {

// Records each run; the test finishes them when it likes.
class FakeScriptRunner : public os::ScriptRunner {
public:
    struct Run {
        os::ScriptSpec spec;
        std::function<void(os::ScriptResult)> done;
        TimePoint at;
        os::RunId id = 0;
    };
    explicit FakeScriptRunner(os::TimeSource& time) : time_(time) {}
    os::RunId run(const os::ScriptSpec& spec, std::function<void(os::ScriptResult)> done) override {
        ++started;
        runs.push_back({spec, std::move(done), time_.now(), static_cast<os::RunId>(started)});
        return static_cast<os::RunId>(started);
    }
    void cancel(os::RunId id) override {
        cancelled.push_back(id);
        std::erase_if(runs, [&](const Run& r) { return r.id == id; });
    }
    std::vector<os::RunId> cancelled;
    // Completes the oldest run as one that could not be started (errno `error`).
    void fail_to_start(int error) {
        os::ScriptResult result;
        result.outcome = os::ScriptResult::Outcome::SpawnFailed;
        result.error = {error, std::system_category()};
        complete(result);
    }
    // Completes the oldest run still going with exit code `code`.
    void finish(int code) {
        os::ScriptResult result;
        result.outcome = os::ScriptResult::Outcome::Exited;
        result.exit_code = code;
        complete(result);
    }
    // Completes the oldest run still going with `result`.
    void complete(const os::ScriptResult& result) {
        ASSERT_FALSE(runs.empty());
        auto r = std::move(runs.front());
        runs.pop_front();
        r.done(result);
    }
    std::deque<Run> runs;  // going
    int started = 0;

private:
    os::TimeSource& time_;
};

}  // namespace vipd
