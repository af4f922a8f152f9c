// SIGTERM with graceful_handover on simulated time: which masters hand over, when the daemon
// is told to stop (last successor heard and lingering done, or the backstop), and what
// cancels it.
#include "daemon/exit_handover.hpp"

#include "daemon_fixture.hpp"

namespace vipd {
namespace {

using namespace std::chrono_literals;

class ExitHandoverTest : public DaemonFixture {
protected:
    ExitHandoverTest() {
        handover_over = [this] { exit.poke(); };
    }
    int done = 0;
    ExitHandover exit{time, log, instances, [this] { ++done; }};

    // A successor advertising for `inst` until the exit handover is over.
    bool successor_until_done(Instance& inst, Duration limit) {
        return time.run_until(
            [&] {
                advert(inst, 100);
                return done > 0;
            },
            limit);
    }
};

TEST_F(ExitHandoverTest, NoMasterMeansNothingToWaitFor) {
    auto& web = add("web", 51);
    advert(web, 200);  // a higher master: web stays backup
    EXPECT_FALSE(exit.start());
    EXPECT_FALSE(exit.active());
    EXPECT_EQ(done, 0);  // the daemon stops at once itself
}

TEST_F(ExitHandoverTest, TheAddressOwnerDoesNotHandOver) {
    add("gw", 53, 255);
    all_master();
    EXPECT_FALSE(exit.start());
    EXPECT_FALSE(instances.begin()->second->handing_over());
}

TEST_F(ExitHandoverTest, MastersHandOverAndTheDaemonStopsOnceTheLastIsDone) {
    auto& web = add("web", 51);
    auto& db = add("db", 52);
    all_master();
    ASSERT_TRUE(exit.start());
    EXPECT_TRUE(exit.active());
    EXPECT_TRUE(web.handing_over());
    EXPECT_TRUE(db.handing_over());
    // web's successor speaks; db's not yet: still waiting.
    time.advance(5ms);
    advert(web, 100);
    time.advance(5ms);
    EXPECT_EQ(done, 0);
    EXPECT_TRUE(exit.active());
    // db's successor too; the daemon is told once both are over (lingering included).
    ASSERT_TRUE(time.run_until(
        [&] {
            advert(web, 100);
            advert(db, 100);
            return done > 0;
        },
        2s));
    EXPECT_EQ(done, 1);
    EXPECT_FALSE(exit.active());
    EXPECT_FALSE(web.handing_over());
    EXPECT_FALSE(db.handing_over());
    time.advance(1s);
    EXPECT_EQ(done, 1);  // once
}

TEST_F(ExitHandoverTest, AHandoverNobodyTakesEndsAtItsTimeout) {
    auto& web = add("web", 51);
    all_master();
    const auto timeout = web.machine().handover_timeout();
    const auto started = time.now();
    ASSERT_TRUE(exit.start());
    ASSERT_TRUE(time.run_until([&] { return done > 0; }, timeout + 2s));
    const auto waited = time.now() - started;
    EXPECT_GE(waited, timeout - 1ms);   // the timer queue's slots are under 1 ms
    EXPECT_LE(waited, timeout + 20ms);  // the instance's own timeout, not the backstop (+1 s)
}

// Told by the instance, not found by polling: the daemon learns in the same instant the last
// lingering VIP went.
TEST_F(ExitHandoverTest, TheDaemonIsToldTheMomentTheLastHandoverEnds) {
    auto& web = add("web", 51);
    all_master();
    ASSERT_TRUE(exit.start());
    ASSERT_TRUE(time.run_until(
        [&] {
            if (web.handing_over()) advert(web, 100);
            return !web.handing_over();
        },
        2s));
    EXPECT_EQ(done, 0);  // not from inside the instance
    time.advance(0ms);
    EXPECT_EQ(done, 1);
}

TEST_F(ExitHandoverTest, AVipctlHandoverUnderWayIsWaitedFor) {
    auto& web = add("web", 51);
    all_master();
    std::optional<Instance::HandoverResult> vipctl;
    ASSERT_EQ(web.handover(std::nullopt, [&](const auto& r) { vipctl = r; }), std::nullopt);
    ASSERT_TRUE(exit.start());
    EXPECT_TRUE(successor_until_done(web, 2s));
    ASSERT_TRUE(vipctl.has_value());
    EXPECT_TRUE(vipctl->ok);  // its own reply still came
}

TEST_F(ExitHandoverTest, CancelledItNeverTellsTheDaemon) {
    auto& web = add("web", 51);
    all_master();
    ASSERT_TRUE(exit.start());
    exit.cancel();  // a second TERM: the daemon stops at once itself
    EXPECT_FALSE(exit.active());
    EXPECT_FALSE(successor_until_done(web, 2s));
    EXPECT_EQ(done, 0);
}

}  // namespace
}  // namespace vipd
