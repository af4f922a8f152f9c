// When a master announces its VIPs, on simulated time: the burst (the first round at once,
// the rest `interval` apart), the refreshes after it, and what stops them.
#include "daemon/announce_schedule.hpp"

#include <gtest/gtest.h>

#include <vector>

namespace vipd {
namespace {

using namespace std::chrono_literals;

class AnnounceScheduleTest : public testing::Test, public AnnounceSchedule::Owner {
protected:
    [[nodiscard]] bool announcing() const override { return master; }
    void announce_round() override { rounds.push_back(time.now() - start); }

    os::SimulatedTime time;
    TimePoint start = time.now();
    config::AnnounceConfig config{.count = 3, .interval = 200ms, .refresh = Duration::zero()};
    bool master = true;
    std::vector<Duration> rounds;
    AnnounceSchedule schedule{time, config, *this};
};

TEST_F(AnnounceScheduleTest, ABurstIsCountRoundsIntervalApartTheFirstAtOnce) {
    schedule.burst();
    EXPECT_EQ(rounds, (std::vector<Duration>{0ms}));
    time.advance(10s);
    EXPECT_EQ(rounds, (std::vector<Duration>{0ms, 200ms, 400ms}));
}

TEST_F(AnnounceScheduleTest, RefreshesFollowTheBurstWhileMaster) {
    config.count = 2;
    config.refresh = 1s;
    schedule.burst();
    time.advance(3300ms);
    EXPECT_EQ(rounds, (std::vector<Duration>{0ms, 200ms, 1200ms, 2200ms, 3200ms}));
    master = false;  // left master without stop(): the next step sees it and ends
    time.advance(10s);
    EXPECT_EQ(rounds.size(), 5U);
}

TEST_F(AnnounceScheduleTest, StopEndsTheBurstAndTheRefreshes) {
    config.refresh = 1s;
    schedule.burst();
    time.advance(250ms);
    schedule.stop();
    time.advance(10s);
    EXPECT_EQ(rounds, (std::vector<Duration>{0ms, 200ms}));
}

TEST_F(AnnounceScheduleTest, ACountOfOneGoesStraightToTheRefreshes) {
    config.count = 1;
    config.refresh = 500ms;
    schedule.burst();
    time.advance(1200ms);
    EXPECT_EQ(rounds, (std::vector<Duration>{0ms, 500ms, 1000ms}));
}

TEST_F(AnnounceScheduleTest, ANewBurstRestartsAndANewRefreshPeriodApplies) {
    config.refresh = 1s;
    schedule.burst();
    time.advance(300ms);  // rounds at 0 and 200
    schedule.burst();     // VIPs added: a round now and a fresh burst
    time.advance(500ms);  // 300 (now), 500, 700
    config.refresh = 2s;  // a reload
    schedule.refresh();   // at 800: the next refresh 2 s from now
    time.advance(2100ms);
    EXPECT_EQ(rounds, (std::vector<Duration>{0ms, 200ms, 300ms, 500ms, 700ms, 2800ms}));
}

}  // namespace
}  // namespace vipd
