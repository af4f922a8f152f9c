// Notify commands under flapping (issue 13, item 5): one at a time and in order, but the
// backlog is bounded: the oldest waiting transition gives way, STOP replaces what waits,
// the latest state always runs last, and what was dropped is counted.
#include "daemon/notify_queue.hpp"

#include <gtest/gtest.h>
#include <spdlog/sinks/null_sink.h>

#include <boost/asio/io_context.hpp>
#include <chrono>
#include <fstream>
#include <string>
#include <vector>

#include "fake_script_runner.hpp"
#include "temp_dir.hpp"

namespace vipd {
namespace {

using namespace std::chrono_literals;

std::shared_ptr<spdlog::logger> quiet() {
    return std::make_shared<spdlog::logger>("test",
                                            std::make_shared<spdlog::sinks::null_sink_mt>());
}

config::NotifyConfig both(std::vector<std::string> argv) {
    config::NotifyConfig cfg;
    cfg.master = argv;
    cfg.any = std::move(argv);
    cfg.user = "root";  // no user lookup in a unit test
    return cfg;
}

config::NotifyConfig any_only() {
    config::NotifyConfig cfg;
    cfg.any = {"/bin/true"};
    cfg.user = "root";
    return cfg;
}

// Finishes every run, those it starts too; the STATE argument of each, in order.
std::vector<std::string> run_all(FakeScriptRunner& runner) {
    std::vector<std::string> out;
    while (!runner.runs.empty()) {
        const auto& argv = runner.runs.front().spec.argv;
        out.push_back(argv.at(argv.size() - 2));
        runner.finish(0);
    }
    return out;
}

const char* state_at(int i) {
    return i % 2 == 0 ? "MASTER" : "BACKUP";
}

TEST(NotifyQueue, FlappingKeepsTheBacklogBoundedAndTheLatestStateLast) {
    os::SimulatedTime time;
    FakeScriptRunner runner{time};
    NotifyQueue q(time, quiet(), "[web]");
    const auto cfg = both({"/bin/true"});
    std::size_t most = 0;
    for (int i = 0; i < 10'000; ++i) {
        q.notify(&runner, nullptr, cfg, "INSTANCE", "web", state_at(i), 100, {});
        most = std::max(most, q.pending());
    }
    // The first transition's command is running; at most 4 transitions (2 commands each:
    // the state's and `any`) wait behind it.
    EXPECT_LE(most, 1 + 1 + 2 * NotifyQueue::kMaxPendingTransitions);
    EXPECT_EQ(q.dropped(), 10'000U - 1 - NotifyQueue::kMaxPendingTransitions);
    const auto started = run_all(runner);
    // MASTER (the first, already running: its state's command and `any`), then the last
    // four transitions, in order: 9996 (MASTER) .. 9999 (BACKUP, which has only `any`).
    const std::vector<std::string> expected{"MASTER", "MASTER", "MASTER", "MASTER",
                                            "BACKUP", "MASTER", "MASTER", "BACKUP"};
    EXPECT_EQ(started, expected);
    EXPECT_EQ(q.pending(), 0U);
    EXPECT_EQ(q.runs(), started.size());
}

TEST(NotifyQueue, StopReplacesEverythingStillWaiting) {
    os::SimulatedTime time;
    FakeScriptRunner runner{time};
    NotifyQueue q(time, quiet(), "[web]");
    const auto cfg = any_only();
    for (const char* s : {"MASTER", "BACKUP", "MASTER", "BACKUP"})
        q.notify(&runner, nullptr, cfg, "INSTANCE", "web", s, 100, {});
    q.notify(&runner, nullptr, cfg, "INSTANCE", "web", "STOP", 100, {});
    EXPECT_EQ(q.dropped(), 3U);
    EXPECT_EQ(run_all(runner), (std::vector<std::string>{"MASTER", "STOP"}));
}

TEST(NotifyQueue, UnderTheBoundNothingIsDropped) {
    os::SimulatedTime time;
    FakeScriptRunner runner{time};
    NotifyQueue q(time, quiet(), "[web]");
    const auto cfg = any_only();
    for (int i = 0; i < 5; ++i)  // one running, four waiting
        q.notify(&runner, nullptr, cfg, "INSTANCE", "web", state_at(i), 100, {});
    EXPECT_EQ(q.dropped(), 0U);
    EXPECT_EQ(q.pending(), 5U);
}

// The scenario with real processes: 10,000 transitions against a slow notify
// script. What the script saw last is the last state, and the whole backlog ran in a few
// script run times, not 10,000.
TEST(NotifyQueue, RealScriptsSeeTheLatestStateLast) {
    TempDir dir;
    const auto out = dir.path() + "/states";
    boost::asio::io_context io;
    os::ProcessRunner runner(io);
    os::RealTime time(io);
    NotifyQueue q(time, quiet(), "[web]");
    config::NotifyConfig cfg;
    cfg.any = {"/bin/sh", "-c", "sleep 0.1; echo \"$3\" >>" + out, "sh"};
    cfg.user = "root";
    cfg.timeout = 5s;
    for (int i = 0; i < 10'000; ++i)
        q.notify(&runner, nullptr, cfg, "INSTANCE", "web", state_at(i), 100, {});
    EXPECT_LE(q.pending(), 1 + NotifyQueue::kMaxPendingTransitions);
    const auto deadline = std::chrono::steady_clock::now() + 30s;
    while (q.pending() > 0 && std::chrono::steady_clock::now() < deadline)
        io.run_for(10ms);
    ASSERT_EQ(q.pending(), 0U);
    std::ifstream in(out);
    std::vector<std::string> seen;
    for (std::string line; std::getline(in, line);)
        seen.push_back(line);
    EXPECT_EQ(seen, (std::vector<std::string>{"MASTER", "MASTER", "BACKUP", "MASTER", "BACKUP"}));
    EXPECT_EQ(q.failures(), 0U);
}

}  // namespace
}  // namespace vipd
