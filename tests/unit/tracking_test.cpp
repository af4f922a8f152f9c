// Tracker priority arithmetic and rise/fall hysteresis, against keepalived's documented
// semantics (keepalived.conf(5): track_script, track_interface, track_file).
#include "vipd/core/tracking.hpp"

#include <gtest/gtest.h>

#include <limits>
#include <vector>

namespace vipd {
namespace {

TrackerInput script(int weight, bool up, bool reverse = false) {
    return TrackerInput{.weight = weight, .reverse = reverse, .up = up};
}
TrackerInput file(int weight, std::int64_t value, bool reverse = false) {
    return TrackerInput{.weight = weight, .reverse = reverse, .value = value};
}
int prio(int base, std::vector<TrackerInput> t) {
    return tracked_priority(Priority{static_cast<std::uint8_t>(base)}, t).priority.value();
}
bool fault(int base, std::vector<TrackerInput> t) {
    return tracked_priority(Priority{static_cast<std::uint8_t>(base)}, t).fault;
}

TEST(TrackedPriority, NoTrackersKeepsTheBase) {
    EXPECT_EQ(prio(100, {}), 100);
}

TEST(TrackedPriority, PositiveWeightIsAddedWhileUp) {
    EXPECT_EQ(prio(100, {script(20, true)}), 120);
    EXPECT_EQ(prio(100, {script(20, false)}), 100);
}

TEST(TrackedPriority, NegativeWeightIsSubtractedWhileDown) {
    EXPECT_EQ(prio(100, {script(-30, false)}), 70);
    EXPECT_EQ(prio(100, {script(-30, true)}), 100);
}

TEST(TrackedPriority, WeightZeroMeansFaultWhileDown) {
    EXPECT_TRUE(fault(100, {script(0, false)}));
    EXPECT_FALSE(fault(100, {script(0, true)}));
    EXPECT_EQ(prio(100, {script(0, false)}), 100);  // priority untouched, Fault instead
}

TEST(TrackedPriority, ReverseFlipsUpAndDown) {
    EXPECT_EQ(prio(100, {script(-30, true, true)}), 70);
    EXPECT_EQ(prio(100, {script(20, false, true)}), 120);
    EXPECT_TRUE(fault(100, {script(0, true, true)}));
}

TEST(TrackedPriority, WeightsAddUp) {
    EXPECT_EQ(prio(100, {script(20, true), script(-30, false), script(-10, true)}), 90);
}

TEST(TrackedPriority, ClampedToOneAnd254) {
    EXPECT_EQ(prio(100, {script(-200, false)}), 1);
    EXPECT_EQ(prio(200, {script(100, true)}), 254);
}

TEST(TrackedPriority, OwnerIsNeverAdjustedButCanFault) {
    EXPECT_EQ(prio(255, {script(-100, false)}), 255);
    EXPECT_EQ(prio(255, {script(10, true)}), 255);
    EXPECT_TRUE(fault(255, {script(0, false)}));
}

TEST(TrackedPriority, FileValueTimesWeight) {
    EXPECT_EQ(prio(100, {file(10, 3)}), 130);
    EXPECT_EQ(prio(100, {file(-10, 3)}), 70);
    EXPECT_EQ(prio(100, {file(10, 0)}), 100);  // a missing file reads as 0
    EXPECT_EQ(prio(100, {file(10, 3, true)}), 70);
    EXPECT_EQ(prio(100, {file(1, 1'000'000'000'000)}), 254);  // no overflow
}

TEST(TrackedPriority, FileWithWeightZeroFaultsOnNonZero) {
    EXPECT_TRUE(fault(100, {file(0, 1)}));
    EXPECT_TRUE(fault(100, {file(0, -5)}));
    EXPECT_FALSE(fault(100, {file(0, 0)}));
}

// -INT64_MIN is undefined: the value is bounded before `reverse` negates it (UBSan run).
TEST(TrackedPriority, ReversedFileAtTheInt64ExtremesStaysDefined) {
    constexpr auto kMin = std::numeric_limits<std::int64_t>::min();
    constexpr auto kMax = std::numeric_limits<std::int64_t>::max();
    EXPECT_EQ(prio(100, {file(1, kMin, true)}), 254);
    EXPECT_EQ(prio(100, {file(1, kMax, true)}), 1);
    EXPECT_EQ(prio(100, {file(-1, kMin)}), 254);
    EXPECT_TRUE(fault(100, {file(0, kMin, true)}));
}

// A file that could not be read safely is a failed tracker, not a number: whatever it held
// before, and whatever `reverse` says.
TEST(TrackedPriority, UnreadableFileCountsAsFailed) {
    const auto failed = [](int weight, bool reverse = false) {
        return TrackerInput{.weight = weight, .reverse = reverse, .value = 0, .failed = true};
    };
    EXPECT_TRUE(fault(100, {failed(0)}));
    EXPECT_TRUE(fault(100, {failed(0, true)}));
    EXPECT_EQ(prio(100, {failed(-30)}), 70);
    EXPECT_EQ(prio(100, {failed(-30, true)}), 70);
    EXPECT_EQ(prio(100, {failed(20)}), 100);
    EXPECT_FALSE(fault(100, {failed(-30)}));
}

TEST(Hysteresis, FallNeedsConsecutiveFailures) {
    Hysteresis h(2, 3, true);
    EXPECT_FALSE(h.record(false));
    EXPECT_FALSE(h.record(false));
    EXPECT_TRUE(h.up());
    EXPECT_TRUE(h.record(false));  // the third in a row
    EXPECT_FALSE(h.up());
}

TEST(Hysteresis, ASuccessResetsTheFailureStreak) {
    Hysteresis h(1, 2, true);
    EXPECT_FALSE(h.record(false));
    EXPECT_FALSE(h.record(true));
    EXPECT_FALSE(h.record(false));
    EXPECT_TRUE(h.up());
    EXPECT_TRUE(h.record(false));
    EXPECT_FALSE(h.up());
}

TEST(Hysteresis, RiseNeedsConsecutiveSuccesses) {
    Hysteresis h(3, 1, false);
    EXPECT_FALSE(h.record(true));
    EXPECT_FALSE(h.record(true));
    EXPECT_FALSE(h.record(false));  // streak broken
    EXPECT_FALSE(h.record(true));
    EXPECT_FALSE(h.record(true));
    EXPECT_TRUE(h.record(true));
    EXPECT_TRUE(h.up());
}

TEST(Hysteresis, RiseAndFallOfOneFlipAtOnceAndZeroMeansOne) {
    Hysteresis h(0, 0, true);
    EXPECT_TRUE(h.record(false));
    EXPECT_TRUE(h.record(true));
    EXPECT_FALSE(h.record(true));
}

}  // namespace
}  // namespace vipd
