// The daemon's timer queue: deadlines in one heap behind two alarms. These run on the real
// clock (Asio timers); every time limit below only bounds a failure, no assertion depends on speed.
#include "daemon/timer_queue.hpp"

#include <gtest/gtest.h>

#include <functional>
#include <vector>

namespace vipd {
namespace {

using namespace std::chrono_literals;

struct Recorder : TimerQueue::Client {
    struct Fire {
        int tag;
        TimePoint at;
    };
    std::vector<Fire> fired;
    std::function<void(int)> then;  // runs inside the firing
    void timer_fired(int tag) override {
        fired.push_back({tag, Clock::now()});
        if (then) then(tag);
    }
};

class TimerQueueTest : public testing::Test {
protected:
    template <class F>
    bool run_until(F done, std::chrono::milliseconds limit = 2s) {
        const auto end = Clock::now() + limit;
        while (!done() && Clock::now() < end) {
            io.restart();
            io.run_for(2ms);
        }
        return done();
    }
    void run_for(std::chrono::milliseconds d) {
        io.restart();
        io.run_for(d);
    }

    boost::asio::io_context io;
    os::RealTime time{io};
    TimerQueue queue{time};
    Recorder rec;
};

TEST(OnGrid, RoundsDownToTheMillisecond) {
    const TimePoint t{std::chrono::microseconds{12'345'678}};
    EXPECT_EQ(on_grid(t), TimePoint{std::chrono::milliseconds{12'345}});
    EXPECT_EQ(on_grid(on_grid(t)), on_grid(t));
}

TEST_F(TimerQueueTest, FiresInDeadlineOrderAndNeverEarly) {
    const auto a = queue.add(rec, 1);
    const auto b = queue.add(rec, 2);
    const auto c = queue.add(rec, 3);
    const auto now = Clock::now();
    const std::array wants{now + 30ms, now + 10ms, now + 20ms + 300us};
    queue.set(a, wants[0]);
    queue.set(b, wants[1]);
    queue.set(c, wants[2]);
    ASSERT_TRUE(run_until([&] { return rec.fired.size() == 3; }));
    EXPECT_EQ(rec.fired[0].tag, 2);
    EXPECT_EQ(rec.fired[1].tag, 3);
    EXPECT_EQ(rec.fired[2].tag, 1);
    for (const auto& f : rec.fired)
        EXPECT_GE(f.at, wants[static_cast<std::size_t>(f.tag - 1)]) << "timer " << f.tag;
    EXPECT_FALSE(queue.deadline(a).has_value());  // fired: no longer running
}

TEST_F(TimerQueueTest, ADeadlineMovedLaterFiresAtTheNewOne) {
    const auto t = queue.add(rec, 1);
    queue.set(t, Clock::now() + 5ms);
    const auto later = Clock::now() + 80ms;
    queue.set(t, later);
    EXPECT_EQ(queue.deadline(t), later);
    ASSERT_TRUE(run_until([&] { return !rec.fired.empty(); }));
    ASSERT_EQ(rec.fired.size(), 1u);
    EXPECT_GE(rec.fired[0].at, later);
}

TEST_F(TimerQueueTest, ADeadlineMovedEarlierFiresAtTheNewOne) {
    const auto t = queue.add(rec, 1);
    queue.set(t, Clock::now() + 1h);
    const auto sooner = Clock::now() + 5ms;
    queue.set(t, sooner);
    ASSERT_TRUE(run_until([&] { return !rec.fired.empty(); }));
    EXPECT_GE(rec.fired[0].at, sooner);
}

TEST_F(TimerQueueTest, ACancelledTimerDoesNotFire) {
    const auto t = queue.add(rec, 1);
    queue.set(t, Clock::now() + 5ms);
    queue.cancel(t);
    EXPECT_FALSE(queue.deadline(t).has_value());
    run_for(40ms);
    EXPECT_TRUE(rec.fired.empty());
}

TEST_F(TimerQueueTest, ARemovedTimerDoesNotFireForTheSlotsNextOwner) {
    const auto t = queue.add(rec, 1);
    queue.set(t, Clock::now() + 5ms);
    queue.remove(t);
    Recorder other;
    const auto u = queue.add(other, 2);
    EXPECT_EQ(u, t);  // the slot is reused
    EXPECT_EQ(queue.size(), 1u);
    run_for(40ms);
    EXPECT_TRUE(rec.fired.empty());
    EXPECT_TRUE(other.fired.empty());  // its timer was never set
}

TEST_F(TimerQueueTest, TimersDueInTheSameMillisecondShareOneWakeup) {
    std::vector<TimerQueue::Id> ids;
    const auto at = on_grid(Clock::now()) + 20ms;
    for (int i = 0; i < 100; ++i) {
        ids.push_back(queue.add(rec, i));
        queue.set(ids.back(), at);
    }
    ASSERT_TRUE(run_until([&] { return rec.fired.size() == 100; }));
    EXPECT_EQ(queue.wakeups(), 1u);
    EXPECT_EQ(queue.fired(), 100u);
}

TEST_F(TimerQueueTest, AFiringTimerCanSetItselfAgain) {
    const auto t = queue.add(rec, 1);
    rec.then = [&](int) {
        if (rec.fired.size() < 5) queue.set(t, Clock::now() + 3ms);
    };
    queue.set(t, Clock::now() + 3ms);
    ASSERT_TRUE(run_until([&] { return rec.fired.size() == 5; }));
    for (std::size_t i = 1; i < rec.fired.size(); ++i)
        EXPECT_GE(rec.fired[i].at - rec.fired[i - 1].at, 2ms);  // ≤ 1 ms early on the grid
}

// The backup's case: every advert moves the Master_Down_Timer on. Without settle, the
// entry comes up at the old deadline and costs a wake-up that finds nothing to do.
TEST_F(TimerQueueTest, SettleSavesTheWakeupOfADeadlineThatMovedOn) {
    const auto t = queue.add(rec, 1);
    queue.set(t, Clock::now() + 5ms);
    queue.set(t, Clock::now() + 2s);  // lazily: the entry still comes up in 5 ms
    ASSERT_TRUE(run_until([&] { return queue.wakeups() == 1; }));  // the wasted wake-up
    EXPECT_TRUE(rec.fired.empty());

    const auto u = queue.add(rec, 2);
    queue.set(u, Clock::now() + 5ms);
    queue.set(u, Clock::now() + 2s);
    queue.settle();
    run_for(40ms);
    EXPECT_EQ(queue.wakeups(), 1u);  // none more
    EXPECT_TRUE(rec.fired.empty());
}

TEST_F(TimerQueueTest, SettleLeavesTimersThatDidNotMove) {
    const auto t = queue.add(rec, 1);
    const auto u = queue.add(rec, 2);
    const auto soon = on_grid(Clock::now()) + 5ms;  // on the grid: fired in one wake-up
    queue.set(t, soon);
    queue.set(u, soon + 1ms);
    queue.set(u, Clock::now() + 1s);
    queue.settle();
    ASSERT_TRUE(run_until([&] { return !rec.fired.empty(); }));
    EXPECT_EQ(rec.fired[0].tag, 1);
    EXPECT_GE(rec.fired[0].at, soon);
    run_for(40ms);
    EXPECT_EQ(queue.wakeups(), 1u);  // t's; u's old entry did not wake anything
    EXPECT_EQ(rec.fired.size(), 1u);
    EXPECT_TRUE(queue.deadline(u).has_value());
}

TEST_F(TimerQueueTest, SettleSkipsATimerRemovedAfterItMoved) {
    const auto t = queue.add(rec, 1);
    queue.set(t, Clock::now() + 5ms);
    queue.set(t, Clock::now() + 1s);  // moved: listed for settle
    queue.remove(t);
    Recorder other;
    const auto u = queue.add(other, 2);  // the same slot
    ASSERT_EQ(u, t);
    const auto later = Clock::now() + 1h;
    queue.set(u, later);
    queue.settle();
    EXPECT_EQ(queue.deadline(u), later);
    run_for(40ms);
    EXPECT_TRUE(other.fired.empty());
    EXPECT_TRUE(rec.fired.empty());
}

}  // namespace
}  // namespace vipd
