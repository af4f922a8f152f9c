// Health-check scheduling on simulated time with a fake process runner: runs at once and
// then every interval from the previous start, never two at once, rise/fall, what a reload
// keeps and what it starts over, stopping, and the counters.
#include "daemon/health_checks.hpp"

#include "daemon/printable.hpp"
#include "fake_script_runner.hpp"

#include <gtest/gtest.h>
#include <spdlog/sinks/null_sink.h>
#include <spdlog/sinks/ostream_sink.h>

#include <sstream>

#include <cerrno>
#include <deque>

namespace vipd {
namespace {

using namespace std::chrono_literals;

config::ScriptConfig script(const char* name, int rise = 1, int fall = 1) {
    config::ScriptConfig c;
    c.name = name;
    c.argv = {"/bin/true"};
    c.interval = 100ms;
    c.timeout = 50ms;
    c.rise = rise;
    c.fall = fall;
    c.user = "root";  // no user lookup in a unit test
    return c;
}

class HealthChecksTest : public testing::Test {
protected:
    os::SimulatedTime time;
    FakeScriptRunner runner{time};
    UserTable users;
    int changes = 0;
    HealthChecks checks{
        time,
        std::make_shared<spdlog::logger>("test", std::make_shared<spdlog::sinks::null_sink_mt>()),
        [this] { ++changes; }};
};

TEST_F(HealthChecksTest, RunsAtOnceThenEveryIntervalFromThePreviousStart) {
    const auto t0 = time.now();
    checks.sync({script("chk")}, {"chk"}, &runner, users);
    EXPECT_EQ(runner.started, 0);  // from the event loop, not from sync()
    time.advance(0ms);
    ASSERT_EQ(runner.started, 1);
    EXPECT_EQ(runner.runs.front().spec.env, (std::vector<std::string>{"VIPD_SCRIPT=chk"}));
    time.advance(30ms);
    runner.finish(0);  // took 30 ms: the next starts 100 ms after this one started
    time.advance(69ms);
    EXPECT_EQ(runner.started, 1);
    time.advance(1ms);
    ASSERT_EQ(runner.started, 2);
    EXPECT_EQ(runner.runs.front().at, t0 + 100ms);
}

TEST_F(HealthChecksTest, NeverTwoRunsAtOnceASlowRunDelaysTheNext) {
    checks.sync({script("chk")}, {"chk"}, &runner, users);
    time.advance(1s);  // the first run never finishes in that time
    EXPECT_EQ(runner.started, 1);
    runner.finish(0);  // finished 1 s late: the next starts at once, not ten at once
    time.advance(0ms);
    EXPECT_EQ(runner.started, 2);
}

TEST_F(HealthChecksTest, FallAndRiseAreConsecutiveResults) {
    checks.sync({script("chk", 2, 3)}, {"chk"}, &runner, users);
    EXPECT_TRUE(checks.up("chk"));  // starts up
    for (int i = 0; i < 2; ++i) {
        time.advance(100ms);
        runner.finish(1);
    }
    EXPECT_TRUE(checks.up("chk"));  // two failures of three
    time.advance(100ms);
    runner.finish(0);  // the streak ends
    for (int i = 0; i < 3; ++i) {
        time.advance(100ms);
        runner.finish(1);
    }
    EXPECT_FALSE(checks.up("chk"));
    EXPECT_EQ(changes, 1);
    time.advance(100ms);
    runner.finish(0);
    EXPECT_FALSE(checks.up("chk"));  // rise is 2
    time.advance(100ms);
    runner.finish(0);
    EXPECT_TRUE(checks.up("chk"));
    EXPECT_EQ(changes, 2);
    const auto st = checks.status();
    ASSERT_EQ(st.size(), 1U);
    EXPECT_EQ(st[0].runs, 8U);
    EXPECT_EQ(st[0].failures, 5U);
    EXPECT_EQ(st[0].last_result, "exit 0");
}

TEST_F(HealthChecksTest, AReloadKeepsAnUnchangedScriptAndRestartsAChangedOne) {
    checks.sync({script("chk"), script("other")}, {"chk", "other"}, &runner, users);
    time.advance(0ms);
    runner.finish(1);
    runner.finish(1);
    EXPECT_FALSE(checks.up("chk"));
    EXPECT_FALSE(checks.up("other"));
    auto changed = script("other");
    changed.interval = 200ms;
    checks.sync({script("chk"), changed}, {"chk", "other"}, &runner, users);
    EXPECT_FALSE(checks.up("chk"));   // same runs: its state carries over
    EXPECT_TRUE(checks.up("other"));  // changed: starts over, up
    checks.sync({script("chk"), changed}, {"chk"}, &runner, users);  // no longer tracked
    EXPECT_FALSE(checks.up("other"));
    EXPECT_EQ(checks.status().size(), 1U);
}

// Issue 13: a reload that changed a script left the old run going beside the new one.
TEST_F(HealthChecksTest, AChangedOrRemovedScriptsRunIsCancelled) {
    checks.sync({script("chk"), script("other")}, {"chk", "other"}, &runner, users);
    time.advance(0ms);
    ASSERT_EQ(runner.runs.size(), 2U);
    auto changed = script("chk");
    changed.argv = {"/bin/false"};
    checks.sync({changed, script("other")}, {"chk", "other"}, &runner, users);
    EXPECT_EQ(runner.cancelled, std::vector<os::RunId>{1});  // chk's old run, not other's
    checks.sync({changed}, {"chk"}, &runner, users);
    EXPECT_EQ(runner.cancelled, (std::vector<os::RunId>{1, 2}));
    time.advance(0ms);  // the new chk starts
    checks.stop();
    EXPECT_EQ(runner.cancelled.size(), 3U);  // the new chk's run, started meanwhile
}

TEST_F(HealthChecksTest, AResultAfterTheScriptWasStoppedIsIgnored) {
    checks.sync({script("chk")}, {"chk"}, &runner, users);
    time.advance(0ms);
    auto late = runner.runs.front().done;  // a result already on its way when it is removed
    checks.sync({}, {}, &runner, users);   // removed (and its run cancelled)
    os::ScriptResult r;
    r.outcome = os::ScriptResult::Outcome::Exited;
    r.exit_code = 1;
    late(r);  // must not touch what is gone
    EXPECT_TRUE(checks.status().empty());
}

TEST_F(HealthChecksTest, StopEndsEveryRun) {
    checks.sync({script("chk")}, {"chk"}, &runner, users);
    time.advance(0ms);
    runner.finish(0);
    checks.stop();
    time.advance(1s);
    EXPECT_EQ(runner.started, 1);
}

TEST_F(HealthChecksTest, StatsCountSinceTheLastClear) {
    checks.sync({script("chk")}, {"chk"}, &runner, users);
    time.advance(0ms);
    runner.finish(1);
    time.advance(100ms);
    runner.finish(0);
    checks.clear_stats();
    time.advance(100ms);
    runner.finish(1);
    const auto s = checks.stats();
    ASSERT_EQ(s.size(), 1U);
    EXPECT_EQ(s[0].runs, 1U);
    EXPECT_EQ(s[0].failures, 1U);
    EXPECT_EQ(checks.status()[0].runs, 3U);  // the totals go on
}

// Out of descriptors (a flood of control connections), processes or memory: vipd's problem,
// not the service's. The check keeps its state and a failover cannot be forced that way.
TEST_F(HealthChecksTest, VipdsOwnFailureToStartARunIsNoResult) {
    checks.sync({script("chk")}, {"chk"}, &runner, users);
    time.advance(0ms);
    runner.finish(0);
    for (const int error : {EMFILE, ENFILE, EAGAIN, ENOMEM}) {
        time.advance(100ms);
        runner.fail_to_start(error);
    }
    EXPECT_TRUE(checks.up("chk"));
    EXPECT_EQ(changes, 0);
    auto st = checks.status();
    ASSERT_EQ(st.size(), 1U);
    EXPECT_EQ(st[0].start_failures, 4U);
    EXPECT_EQ(st[0].runs, 1U);
    EXPECT_EQ(st[0].failures, 0U);
    EXPECT_EQ(st[0].last_result, "exit 0");
    time.advance(100ms);  // and the runs go on
    EXPECT_EQ(runner.started, 6);
}

// Users are looked up with the configuration, never per run (issue 13: an LDAP outage
// must not stall the loop). One that was not found is vipd's problem: no result.
TEST_F(HealthChecksTest, AUserIsLookedUpWithTheConfigurationNotPerRun) {
    auto as_nobody = script("chk");
    as_nobody.user = "nobody";
    checks.sync({as_nobody}, {"chk"}, &runner, users);  // not in the table
    time.advance(0ms);
    EXPECT_EQ(runner.started, 0);
    EXPECT_EQ(checks.status()[0].start_failures, 1U);
    EXPECT_TRUE(checks.up("chk"));

    config::Config c;
    c.scripts = {as_nobody};
    std::vector<std::string> problems;
    const auto found = UserTable::resolve(c, problems);
    ASSERT_TRUE(problems.empty()) << problems.front();
    ASSERT_NE(found.find("nobody"), nullptr);
    checks.sync({as_nobody}, {"chk"}, &runner, found);  // a reload: same run, now with ids
    time.advance(100ms);
    ASSERT_EQ(runner.started, 1);
    ASSERT_TRUE(runner.runs.front().spec.user);
    EXPECT_EQ(runner.runs.front().spec.user->uid, found.find("nobody")->uid);

    c.scripts[0].user = "vipd-no-such-user";
    const auto missing = UserTable::resolve(c, problems);
    EXPECT_EQ(missing.find("vipd-no-such-user"), nullptr);
    EXPECT_EQ(problems, std::vector<std::string>{"user vipd-no-such-user does not exist"});
}

// Issue 13: a script's output went into the log as it was, so a newline in it could forge a
// log line ("... vipd: reload done"). It is escaped onto the one line now.
TEST(HealthCheckOutput, CannotForgeALogLine) {
    std::ostringstream text;
    auto log = std::make_shared<spdlog::logger>(
        "test", std::make_shared<spdlog::sinks::ostream_sink_st>(text));
    log->set_pattern("%v");
    os::SimulatedTime time;
    FakeScriptRunner runner{time};
    HealthChecks checks{time, log, [] {}};
    checks.sync({script("chk")}, {"chk"}, &runner, UserTable{});
    time.advance(0ms);
    auto r = std::move(runner.runs.front());
    runner.runs.pop_front();
    os::ScriptResult result;
    result.outcome = os::ScriptResult::Outcome::Exited;
    result.exit_code = 1;
    result.output = "disk full\ninfo vipd: reload done\r\x1b[2J\\";
    r.done(result);
    EXPECT_EQ(
        text.str(),
        "script chk is now DOWN (exit 1: disk full\\ninfo vipd: reload done\\r\\x1b[2J\\\\)\n");
    EXPECT_EQ(printable(std::string(300, 'a')), std::string(200, 'a') + "...");
}

// A program that cannot be executed is the check failing, not vipd.
TEST_F(HealthChecksTest, AProgramThatCannotBeExecutedFailsTheCheck) {
    checks.sync({script("chk")}, {"chk"}, &runner, users);
    time.advance(0ms);
    runner.fail_to_start(ENOENT);
    EXPECT_FALSE(checks.up("chk"));
    EXPECT_EQ(checks.status()[0].failures, 1U);
    EXPECT_EQ(checks.status()[0].start_failures, 0U);
}

}  // namespace
}  // namespace vipd
