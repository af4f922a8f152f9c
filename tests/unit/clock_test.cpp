// The time sources: simulated time fires alarms in order, each at its own time, never after
// a cancel or a destruction; real time does the same on the event loop.
#include "vipd/os/clock.hpp"

#include <gtest/gtest.h>

#include <string>
#include <vector>

namespace vipd {
namespace {

using namespace std::chrono_literals;

TEST(SimulatedTime, AlarmsFireInTimeOrderEachAtItsOwnTime) {
    os::SimulatedTime time;
    const auto t0 = time.now();
    std::vector<std::pair<std::string, Duration>> fired;
    const auto record = [&](std::string name) {
        return [&, name] { fired.emplace_back(name, time.now() - t0); };
    };
    auto a = time.make_alarm(record("a"));
    auto b = time.make_alarm(record("b"));
    auto c = time.make_alarm(record("c"));
    a->set(t0 + 30ms);
    b->set(t0 + 10ms);
    c->set(t0 + 10ms);  // same time as b, set later: after b
    EXPECT_EQ(time.pending(), 3U);
    time.advance(20ms);
    EXPECT_EQ(fired, (std::vector<std::pair<std::string, Duration>>{{"b", 10ms}, {"c", 10ms}}));
    EXPECT_EQ(time.now(), t0 + 20ms);
    time.advance(20ms);
    ASSERT_EQ(fired.size(), 3U);
    EXPECT_EQ(fired[2], (std::pair<std::string, Duration>{"a", 30ms}));
    EXPECT_EQ(time.pending(), 0U);
}

TEST(SimulatedTime, SetAgainReplacesCancelAndDestroyStopIt) {
    os::SimulatedTime time;
    const auto t0 = time.now();
    int a_fired = 0, b_fired = 0, c_fired = 0;
    auto a = time.make_alarm([&] { ++a_fired; });
    auto b = time.make_alarm([&] { ++b_fired; });
    auto c = time.make_alarm([&] { ++c_fired; });
    a->set(t0 + 5ms);
    a->set(t0 + 50ms);  // replaces: one firing, at 50 ms
    b->set(t0 + 5ms);
    b->cancel();
    c->set(t0 + 5ms);
    c.reset();
    time.advance(10ms);
    EXPECT_EQ(a_fired, 0);
    EXPECT_EQ(b_fired, 0);
    EXPECT_EQ(c_fired, 0);
    time.advance(100ms);
    EXPECT_EQ(a_fired, 1);
    EXPECT_EQ(b_fired, 0);
}

TEST(SimulatedTime, APassedTimeFiresAtOnceAndHandlersMaySetAlarms) {
    os::SimulatedTime time;
    const auto t0 = time.now();
    std::vector<Duration> ticks;
    std::unique_ptr<os::Alarm> tick;
    tick = time.make_alarm([&] {
        ticks.push_back(time.now() - t0);
        if (ticks.size() < 3) tick->set(time.now() + 10ms);
    });
    tick->set(t0 - 1s);  // already passed: fires now, not in the past
    time.advance(1s);
    EXPECT_EQ(ticks, (std::vector<Duration>{0ms, 10ms, 20ms}));
}

TEST(SimulatedTime, RunUntilStopsWhenDoneOrAtTheLimit) {
    os::SimulatedTime time;
    const auto t0 = time.now();
    int count = 0;
    std::unique_ptr<os::Alarm> tick;
    tick = time.make_alarm([&] {
        ++count;
        tick->set(time.now() + 10ms);
    });
    tick->set(t0 + 10ms);
    EXPECT_TRUE(time.run_until([&] { return count == 3; }, 1s));
    EXPECT_EQ(time.now(), t0 + 30ms);  // no further than needed
    EXPECT_FALSE(time.run_until([] { return false; }, 55ms));
    EXPECT_EQ(time.now(), t0 + 85ms);  // the limit
    EXPECT_EQ(count, 8);
}

TEST(RealTime, AlarmsFireOnTheLoopAndNotAfterCancel) {
    boost::asio::io_context io;
    os::RealTime time{io};
    int fired = 0, cancelled = 0;
    auto a = time.make_alarm([&] { ++fired; });
    auto b = time.make_alarm([&] { ++cancelled; });
    const auto start = time.now();
    a->set(start + 5ms);
    b->set(start + 5ms);
    b->cancel();
    io.run_for(200ms);
    EXPECT_EQ(fired, 1);
    EXPECT_EQ(cancelled, 0);
    EXPECT_GE(time.now() - start, 5ms);
}

TEST(RealTime, AnExpiredAlarmDestroyedBeforeItsHandlerRunsDoesNotFire) {
    boost::asio::io_context io;
    os::RealTime time{io};
    int fired = 0;
    auto a = time.make_alarm([&] { ++fired; });
    a->set(time.now());  // due at once: Asio queues the handler on the next run
    a.reset();
    io.run_for(50ms);
    EXPECT_EQ(fired, 0);
}

}  // namespace
}  // namespace vipd
