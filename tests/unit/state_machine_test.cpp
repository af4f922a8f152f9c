// The RFC 9568 §6 state machine, rule by rule, with a fake clock. Test names carry the RFC
// section; tests/rfc-ledger.md maps every requirement to its test.
#include "vipd/core/state_machine.hpp"

#include <gtest/gtest.h>

#include <chrono>
#include <vector>

namespace vipd {
namespace {

using namespace std::chrono_literals;

const TimePoint kT0 = TimePoint{} + 1h;  // any fixed instant; the core never reads a clock

IpAddress ip(const char* s) {
    return *IpAddress::parse(s);
}

InstanceParams params(int priority = 100, Centiseconds interval = Centiseconds{100}) {
    return InstanceParams{.version = Version::V3,
                          .vrid = Vrid{51},
                          .priority = Priority{static_cast<std::uint8_t>(priority)},
                          .advert_interval = interval,
                          .preempt = true,
                          .preempt_delay = 0s,
                          .accept = true,
                          .primary_address = ip("192.0.2.11"),
                          .addresses = {ip("192.0.2.1")}};
}

template <class A>
std::vector<A> all(const Actions& actions) {
    std::vector<A> out;
    for (const auto& a : actions) {
        if (const auto* x = std::get_if<A>(&a)) out.push_back(*x);
    }
    return out;
}

template <class A>
std::optional<A> first(const Actions& actions) {
    auto v = all<A>(actions);
    if (v.empty()) return std::nullopt;
    return v.front();
}

template <class A>
std::ptrdiff_t index_of(const Actions& actions) {
    for (std::size_t i = 0; i < actions.size(); ++i) {
        if (std::holds_alternative<A>(actions[i])) return static_cast<std::ptrdiff_t>(i);
    }
    return -1;
}

std::optional<TimePoint> armed(const Actions& actions, TimerId timer) {
    for (const auto& a : all<action::ArmTimer>(actions)) {
        if (a.timer == timer) return a.deadline;
    }
    return std::nullopt;
}

bool cancelled(const Actions& actions, TimerId timer) {
    for (const auto& a : all<action::CancelTimer>(actions)) {
        if (a.timer == timer) return true;
    }
    return false;
}

event::AdvertReceived advert(const char* src, int priority,
                             Centiseconds interval = Centiseconds{100}) {
    return {ip(src), Priority{static_cast<std::uint8_t>(priority)}, interval};
}

// Drives a machine to Backup at kT0 (or Master for the owner).
StateMachine started(InstanceParams p) {
    StateMachine sm(std::move(p));
    (void)sm.handle(event::Startup{}, kT0);
    return sm;
}

// Drives a machine to Master by letting the Master_Down_Timer run out.
StateMachine master(InstanceParams p) {
    StateMachine sm = started(std::move(p));
    const auto at = *sm.master_down_deadline();
    (void)sm.handle(event::MasterDownTimerExpired{}, at);
    EXPECT_EQ(sm.state(), State::Master);
    return sm;
}

// --- §6.1 timing parameters ----------------------------------------------------------------

TEST(Timing, Rfc9568_6_1_SkewTimeAndMasterDownInterval) {
    StateMachine sm(params(100, Centiseconds{100}));
    // (256 - 100) * 1 s / 256 = 609.375 ms; MDI = 3 s + skew.
    EXPECT_EQ(sm.skew_time(), 609375us);
    EXPECT_EQ(sm.master_down_interval(), 3609375us);

    StateMachine fast(params(254, Centiseconds{10}));
    // (256 - 254) * 100 ms / 256 = 781.25 us; MDI = 300.78125 ms.
    EXPECT_EQ(fast.skew_time(), 781250ns);
    EXPECT_EQ(fast.master_down_interval(), 300781250ns);
}

TEST(Timing, Rfc9568_6_1_HigherPriorityHasShorterSkew) {
    EXPECT_LT(StateMachine(params(200)).skew_time(), StateMachine(params(100)).skew_time());
    EXPECT_LT(StateMachine(params(200)).master_down_interval(),
              StateMachine(params(100)).master_down_interval());
}

TEST(Timing, Rfc3768_6_1_V2SkewDoesNotScaleWithInterval) {
    auto p = params(100, Centiseconds{300});
    p.version = Version::V2;
    StateMachine sm(p);
    EXPECT_EQ(sm.skew_time(), 609375us);              // (256 - 100) / 256 s
    EXPECT_EQ(sm.master_down_interval(), 9609375us);  // 3 * 3 s + skew
}

// --- §6.4.1 Initialize ---------------------------------------------------------------------

TEST(Initialize, Rfc9568_6_4_1_StartupGoesToBackupAndArmsMasterDownTimer) {
    StateMachine sm(params(100));
    const auto out = sm.handle(event::Startup{}, kT0);
    EXPECT_EQ(sm.state(), State::Backup);
    EXPECT_EQ(armed(out, TimerId::MasterDown), kT0 + 3609375us);
    EXPECT_EQ(sm.master_adver_interval(), Centiseconds{100});  // (11)
    EXPECT_TRUE(all<action::SendAdvert>(out).empty());
    EXPECT_TRUE(all<action::AddAddresses>(out).empty());
    const auto n = first<action::Notify>(out);
    ASSERT_TRUE(n);
    EXPECT_EQ(n->from, State::Initialize);
    EXPECT_EQ(n->to, State::Backup);
    EXPECT_EQ(n->reason.kind, ReasonKind::Startup);
}

TEST(Initialize, Rfc9568_6_4_1_AddressOwnerGoesStraightToMaster) {
    auto p = params(255);
    p.accept = false;  // the owner accepts its own addresses regardless
    StateMachine sm(p);
    const auto out = sm.handle(event::Startup{}, kT0);
    EXPECT_EQ(sm.state(), State::Master);
    const auto send = first<action::SendAdvert>(out);
    ASSERT_TRUE(send);
    EXPECT_EQ(send->priority, kPriorityOwner);
    EXPECT_EQ(send->addresses.size(), 1U);
    ASSERT_TRUE(first<action::AddAddresses>(out));
    EXPECT_TRUE(first<action::AddAddresses>(out)->accept);
    EXPECT_TRUE(first<action::AnnounceAddresses>(out));
    EXPECT_EQ(armed(out, TimerId::Adver), kT0 + 1s);
    EXPECT_FALSE(armed(out, TimerId::MasterDown));
    EXPECT_EQ(first<action::Notify>(out)->reason.kind, ReasonKind::AddressOwner);
    // Addresses are in place before the advert and the announcements go out.
    EXPECT_LT(index_of<action::AddAddresses>(out), index_of<action::SendAdvert>(out));
    EXPECT_LT(index_of<action::SendAdvert>(out), index_of<action::AnnounceAddresses>(out));
}

TEST(Initialize, Rfc9568_6_4_1_NonOwnerDoesNotClaimAddressesAtStartup) {
    StateMachine sm(params(254));
    const auto out = sm.handle(event::Startup{}, kT0);
    EXPECT_EQ(sm.state(), State::Backup);
    EXPECT_FALSE(first<action::AnnounceAddresses>(out));
}

TEST(Initialize, EventsBeforeStartupAreIgnored) {
    StateMachine sm(params(100));
    EXPECT_TRUE(sm.handle(advert("192.0.2.12", 200), kT0).empty());
    EXPECT_TRUE(sm.handle(event::MasterDownTimerExpired{}, kT0).empty());
    EXPECT_TRUE(sm.handle(event::AdverTimerExpired{}, kT0).empty());
    EXPECT_TRUE(sm.handle(event::Shutdown{}, kT0).empty());
    EXPECT_EQ(sm.state(), State::Initialize);
}

TEST(Initialize, SecondStartupIsIgnored) {
    StateMachine sm = started(params(100));
    EXPECT_TRUE(sm.handle(event::Startup{}, kT0 + 1s).empty());
    EXPECT_EQ(sm.state(), State::Backup);
}

// --- §6.4.2 Backup -------------------------------------------------------------------------

TEST(Backup, Rfc9568_6_4_2_MasterDownTimerMakesBackupMaster) {
    StateMachine sm = started(params(100));
    const auto deadline = *sm.master_down_deadline();
    const auto out = sm.handle(event::MasterDownTimerExpired{}, deadline);
    EXPECT_EQ(sm.state(), State::Master);
    EXPECT_EQ(first<action::SendAdvert>(out)->priority, Priority{100});  // (13)
    EXPECT_TRUE(first<action::AnnounceAddresses>(out));                  // (14)-(18)
    EXPECT_EQ(armed(out, TimerId::Adver), deadline + 1s);                // (19)
    EXPECT_EQ(sm.master_address(), ip("192.0.2.11"));
    const auto n = first<action::Notify>(out);
    EXPECT_EQ(n->reason.kind, ReasonKind::MasterDown);
    EXPECT_EQ(n->reason.elapsed, 3609375us);
    EXPECT_EQ(describe(n->reason), "master down: no advert for 3609 ms");
}

TEST(Backup, TimerFiringExactlyAtTheDeadlineCounts) {
    StateMachine sm = started(params(100));
    (void)sm.handle(event::MasterDownTimerExpired{}, kT0 + 3609375us);
    EXPECT_EQ(sm.state(), State::Master);
}

TEST(Backup, TimerFiringBeforeTheDeadlineIsStaleAndIgnored) {
    StateMachine sm = started(params(100));
    EXPECT_TRUE(sm.handle(event::MasterDownTimerExpired{}, kT0 + 3609375us - 1ns).empty());
    EXPECT_EQ(sm.state(), State::Backup);
}

TEST(Backup, Rfc9568_6_4_2_AdvertResetsMasterDownTimer) {
    StateMachine sm = started(params(100));
    const auto old_deadline = *sm.master_down_deadline();
    const auto t = kT0 + 2s;
    const auto out = sm.handle(advert("192.0.2.12", 200), t);
    EXPECT_EQ(armed(out, TimerId::MasterDown), t + 3609375us);  // (29)
    EXPECT_EQ(sm.master_address(), ip("192.0.2.12"));
    // The expiry queued for the old deadline is now stale.
    EXPECT_TRUE(sm.handle(event::MasterDownTimerExpired{}, old_deadline).empty());
    EXPECT_EQ(sm.state(), State::Backup);
}

TEST(Backup, Rfc9568_6_4_2_LearnsMasterAdverInterval) {
    StateMachine sm = started(params(100));
    const auto out = sm.handle(advert("192.0.2.12", 200, Centiseconds{50}), kT0);
    EXPECT_EQ(sm.master_adver_interval(), Centiseconds{50});  // (26)
    // (27)-(28): skew 156 * 500 ms / 256 = 304.6875 ms; MDI = 1.5 s + skew.
    EXPECT_EQ(sm.skew_time(), 304687500ns);
    EXPECT_EQ(armed(out, TimerId::MasterDown), kT0 + 1804687500ns);
    // v3 logs a differing interval once per new value, and does not drop the advert.
    const auto warn = first<action::Warn>(out);
    ASSERT_TRUE(warn);
    EXPECT_EQ(warn->kind, WarnKind::IntervalMismatch);
    EXPECT_EQ(warn->interval, Centiseconds{50});
    EXPECT_FALSE(first<action::Warn>(sm.handle(advert("192.0.2.12", 200, Centiseconds{50}), kT0)));
}

TEST(Backup, LearnedIntervalChangeMovesTheDeadline) {
    StateMachine sm = started(params(100));
    (void)sm.handle(advert("192.0.2.12", 200, Centiseconds{100}), kT0);
    const auto out = sm.handle(advert("192.0.2.12", 200, Centiseconds{20}), kT0 + 1s);
    // 3 * 200 ms + 156 * 200 ms / 256 = 600 ms + 121.875 ms
    EXPECT_EQ(armed(out, TimerId::MasterDown), kT0 + 1s + 721875us);
}

TEST(Backup, Rfc9568_6_4_2_PriorityZeroSetsTimerToSkewTime) {
    StateMachine sm = started(params(100));
    (void)sm.handle(advert("192.0.2.12", 200), kT0);
    const auto t = kT0 + 500ms;
    const auto out = sm.handle(advert("192.0.2.12", 0), t);
    EXPECT_EQ(armed(out, TimerId::MasterDown), t + 609375us);  // (23)
    const auto take = sm.handle(event::MasterDownTimerExpired{}, t + 609375us);
    EXPECT_EQ(sm.state(), State::Master);
    const auto n = first<action::Notify>(take);
    EXPECT_EQ(n->reason.kind, ReasonKind::MasterResigned);
    EXPECT_EQ(n->reason.peer, ip("192.0.2.12"));
}

TEST(Backup, Rfc9568_6_4_2_PreemptDiscardsLowerPriorityAdvert) {
    StateMachine sm = started(params(150));
    const auto deadline = *sm.master_down_deadline();
    const auto out = sm.handle(advert("192.0.2.12", 100), kT0 + 1s);
    EXPECT_TRUE(out.empty());  // (31): discarded, the timer keeps running
    EXPECT_EQ(sm.master_down_deadline(), deadline);
    const auto take = sm.handle(event::MasterDownTimerExpired{}, deadline);
    EXPECT_EQ(sm.state(), State::Master);
    const auto n = first<action::Notify>(take);
    EXPECT_EQ(n->reason.kind, ReasonKind::Preempt);
    EXPECT_EQ(describe(n->reason), "preempting 192.0.2.12 with lower priority 100");
}

TEST(Backup, Rfc9568_6_4_2_NoPreemptAcceptsLowerPriorityAdvert) {
    auto p = params(150);
    p.preempt = false;
    StateMachine sm = started(p);
    const auto out = sm.handle(advert("192.0.2.12", 100), kT0 + 1s);
    EXPECT_EQ(armed(out, TimerId::MasterDown), kT0 + 1s + sm.master_down_interval());  // (25)
}

TEST(Backup, Rfc9568_6_4_2_EqualPriorityIsAcceptedWhateverTheAddress) {
    // Ties are broken by address only in Master (§6.4.3 (22)); a backup accepts.
    StateMachine sm = started(params(100));
    const auto out = sm.handle(advert("192.0.2.10", 100), kT0 + 1s);
    EXPECT_TRUE(armed(out, TimerId::MasterDown));
    EXPECT_EQ(sm.state(), State::Backup);
}

TEST(Backup, PreemptDelayAcceptsLowerPriorityMasterUntilItRunsOut) {
    auto p = params(150);
    p.preempt_delay = 5s;
    StateMachine sm = started(p);
    // Seen first at kT0 + 1s: accepted until kT0 + 6s.
    EXPECT_TRUE(armed(sm.handle(advert("192.0.2.12", 100), kT0 + 1s), TimerId::MasterDown));
    const auto last = kT0 + 6s - 1ms;
    EXPECT_TRUE(armed(sm.handle(advert("192.0.2.12", 100), last), TimerId::MasterDown));
    // From then on discarded, so the timer armed by the last accepted one runs out.
    EXPECT_TRUE(sm.handle(advert("192.0.2.12", 100), kT0 + 6s).empty());
    const auto take = sm.handle(event::MasterDownTimerExpired{}, last + sm.master_down_interval());
    EXPECT_EQ(sm.state(), State::Master);
    EXPECT_EQ(first<action::Notify>(take)->reason.kind, ReasonKind::Preempt);
}

TEST(Backup, PreemptDelayRestartsAfterAHigherPriorityMaster) {
    auto p = params(150);
    p.preempt_delay = 5s;
    StateMachine sm = started(p);
    (void)sm.handle(advert("192.0.2.12", 100), kT0);
    (void)sm.handle(advert("192.0.2.13", 200), kT0 + 4s);  // a better master appears
    EXPECT_TRUE(armed(sm.handle(advert("192.0.2.12", 100), kT0 + 7s), TimerId::MasterDown));
}

TEST(Backup, Rfc9568_6_4_2_ShutdownCancelsTimerAndGoesToInitialize) {
    StateMachine sm = started(params(100));
    const auto out = sm.handle(event::Shutdown{}, kT0 + 1s);
    EXPECT_TRUE(cancelled(out, TimerId::MasterDown));  // (10)
    EXPECT_EQ(sm.state(), State::Initialize);          // (11)
    EXPECT_TRUE(all<action::SendAdvert>(out).empty());
    EXPECT_TRUE(all<action::RemoveAddresses>(out).empty());
    EXPECT_EQ(first<action::Notify>(out)->reason.kind, ReasonKind::Shutdown);
}

// --- §6.4.3 Master -------------------------------------------------------------------------

TEST(Master, Rfc9568_6_4_3_AdverTimerSendsAndRearmsWithoutDrift) {
    StateMachine sm = master(params(100));
    const auto due = *sm.adver_deadline();
    // Woken 30 ms late: the next deadline still counts from the scheduled one.
    const auto out = sm.handle(event::AdverTimerExpired{}, due + 30ms);
    EXPECT_EQ(first<action::SendAdvert>(out)->priority, Priority{100});  // (15)
    EXPECT_EQ(armed(out, TimerId::Adver), due + 1s);                     // (16)
}

TEST(Master, AdverTimerFarBehindRearmsFromNow) {
    StateMachine sm = master(params(100));
    const auto due = *sm.adver_deadline();
    const auto out = sm.handle(event::AdverTimerExpired{}, due + 2500ms);
    EXPECT_EQ(armed(out, TimerId::Adver), due + 2500ms + 1s);
}

TEST(Master, StaleAdverTimerIsIgnored) {
    StateMachine sm = master(params(100));
    EXPECT_TRUE(sm.handle(event::AdverTimerExpired{}, *sm.adver_deadline() - 1ns).empty());
}

TEST(Master, Rfc9568_6_4_3_HigherPriorityAdvertMakesMasterBackup) {
    StateMachine sm = master(params(100));
    const auto t = *sm.adver_deadline() - 10ms;
    const auto out = sm.handle(advert("192.0.2.12", 200, Centiseconds{50}), t);
    EXPECT_EQ(sm.state(), State::Backup);                          // (28)
    EXPECT_TRUE(cancelled(out, TimerId::Adver));                   // (23)
    EXPECT_EQ(sm.master_adver_interval(), Centiseconds{50});       // (24)
    EXPECT_EQ(armed(out, TimerId::MasterDown), t + 1804687500ns);  // (25)-(27)
    EXPECT_TRUE(first<action::RemoveAddresses>(out));
    EXPECT_TRUE(all<action::SendAdvert>(out).empty());
    const auto n = first<action::Notify>(out);
    EXPECT_EQ(n->reason.kind, ReasonKind::HigherPriority);
    EXPECT_EQ(n->reason.peer_priority, Priority{200});
}

TEST(Master, Rfc9568_6_4_3_EqualPriorityHigherAddressWins) {
    StateMachine sm = master(params(100));  // primary 192.0.2.11
    const auto out = sm.handle(advert("192.0.2.12", 100), kT0 + 4s);
    EXPECT_EQ(sm.state(), State::Backup);
    EXPECT_EQ(first<action::Notify>(out)->reason.kind, ReasonKind::TieBreak);
}

TEST(Master, Rfc9568_6_4_3_EqualPriorityLowerAddressLoses) {
    StateMachine sm = master(params(100));
    const auto out = sm.handle(advert("192.0.2.10", 100), kT0 + 4s);
    EXPECT_EQ(sm.state(), State::Master);
    EXPECT_TRUE(first<action::SendAdvert>(out));
}

TEST(Master, Rfc9568_6_4_3_TieBreakComparesAddressesUnsigned) {
    // 192.0.2.128 > 192.0.2.127 as unsigned bytes; a signed-char comparison would invert it.
    auto p = params(100);
    p.primary_address = ip("192.0.2.127");
    StateMachine sm = master(p);
    (void)sm.handle(advert("192.0.2.128", 100), kT0 + 4s);
    EXPECT_EQ(sm.state(), State::Backup);

    auto q = params(100);
    q.primary_address = ip("192.0.2.128");
    StateMachine other = master(q);
    (void)other.handle(advert("192.0.2.127", 100), kT0 + 4s);
    EXPECT_EQ(other.state(), State::Master);
}

TEST(Master, Rfc9568_6_4_3_TieBreakIpv6) {
    auto p = params(100);
    p.primary_address = ip("fe80::1");
    p.addresses = {ip("2001:db8::1")};
    StateMachine sm = master(p);
    (void)sm.handle(advert("fe80::2", 100), kT0 + 4s);
    EXPECT_EQ(sm.state(), State::Backup);
}

TEST(Master, Rfc9568_6_4_3_LowerPriorityAdvertIsAnsweredAtOnce) {
    StateMachine sm = master(params(150));
    const auto due = *sm.adver_deadline();
    const auto out = sm.handle(advert("192.0.2.12", 100), due - 500ms);
    EXPECT_EQ(sm.state(), State::Master);
    const auto send = first<action::SendAdvert>(out);
    ASSERT_TRUE(send);  // RFC 9568 changed "discard" into "send at once"
    EXPECT_EQ(send->priority, Priority{150});
    // The other side believed it was master: re-announce so clients relearn our MAC.
    EXPECT_TRUE(first<action::AnnounceAddresses>(out));
    EXPECT_EQ(first<action::Warn>(out)->kind, WarnKind::LowerPriorityMaster);
    EXPECT_FALSE(first<action::Notify>(out));
    EXPECT_FALSE(first<action::RemoveAddresses>(out));
}

TEST(Master, ReannouncementToALowerMasterIsRateLimited) {
    StateMachine sm = master(params(150));
    const auto t = *sm.adver_deadline();
    EXPECT_TRUE(first<action::AnnounceAddresses>(sm.handle(advert("192.0.2.12", 100), t)));
    // The announcement once per Master_Down_Interval, the answer once per interval (1 s).
    const auto again = sm.handle(advert("192.0.2.12", 100), t + 100ms);
    EXPECT_FALSE(first<action::SendAdvert>(again));
    EXPECT_FALSE(first<action::AnnounceAddresses>(again));
    EXPECT_TRUE(first<action::SendAdvert>(sm.handle(advert("192.0.2.12", 100), t + 1s)));
    EXPECT_TRUE(first<action::AnnounceAddresses>(
        sm.handle(advert("192.0.2.12", 100), t + sm.master_down_interval())));
}

// Issue 13: every lower-priority (or priority 0) advert was answered at once, so a stream of
// small spoofed adverts was reflected as full ones (up to 255 addresses each). One answer per
// advertisement interval, whatever the rate.
TEST(Master, AnswersToAStreamOfAdvertsAreOnePerInterval) {
    StateMachine sm = master(params(150));  // 1 s interval
    const auto t = *sm.adver_deadline() - 900ms;
    int answers = 0;
    for (int i = 0; i < 1000; ++i) {  // 1,000 a second, half of them priority 0
        const auto out =
            sm.handle(advert("192.0.2.66", i % 2 == 0 ? 100 : 0), t + std::chrono::milliseconds(i));
        answers += first<action::SendAdvert>(out) ? 1 : 0;
    }
    EXPECT_EQ(answers, 1);
    EXPECT_EQ(sm.state(), State::Master);
}

TEST(Master, Rfc9568_6_4_3_PriorityZeroAdvertIsAnsweredAtOnce) {
    StateMachine sm = master(params(100));
    const auto t = *sm.adver_deadline() - 700ms;
    const auto out = sm.handle(advert("192.0.2.12", 0), t);
    EXPECT_EQ(sm.state(), State::Master);
    EXPECT_EQ(first<action::SendAdvert>(out)->priority, Priority{100});  // (19)
    EXPECT_EQ(armed(out, TimerId::Adver), t + 1s);                       // (20)
}

TEST(Master, Rfc9568_6_4_3_ShutdownSendsPriorityZeroAndReleases) {
    StateMachine sm = master(params(100));
    const auto out = sm.handle(event::Shutdown{}, kT0 + 5s);
    EXPECT_TRUE(cancelled(out, TimerId::Adver));                         // (11)
    EXPECT_EQ(first<action::SendAdvert>(out)->priority, kPriorityStop);  // (12)
    EXPECT_TRUE(first<action::RemoveAddresses>(out));
    EXPECT_EQ(sm.state(), State::Initialize);  // (13)
    EXPECT_LT(index_of<action::SendAdvert>(out), index_of<action::RemoveAddresses>(out));
}

TEST(Master, OwnAdvertLoopedBackIsIgnored) {
    StateMachine sm = master(params(100));
    EXPECT_TRUE(sm.handle(advert("192.0.2.11", 100), kT0 + 4s).empty());
    EXPECT_EQ(sm.state(), State::Master);
}

TEST(Master, Rfc9568_6_1_AcceptModeIsPassedToTheDriver) {
    auto p = params(100);
    p.accept = false;
    StateMachine sm = started(p);
    const auto out = sm.handle(event::MasterDownTimerExpired{}, *sm.master_down_deadline());
    ASSERT_TRUE(first<action::AddAddresses>(out));
    EXPECT_FALSE(first<action::AddAddresses>(out)->accept);
    StateMachine yes = started(params(100));
    EXPECT_TRUE(first<action::AddAddresses>(
                    yes.handle(event::MasterDownTimerExpired{}, *yes.master_down_deadline()))
                    ->accept);
}

// --- Same-instant races: the driver's order decides, and both orders are consistent. ------

TEST(Races, AdvertHandledBeforeExpiryInTheSameInstantKeepsBackup) {
    StateMachine sm = started(params(100));
    const auto deadline = *sm.master_down_deadline();
    (void)sm.handle(advert("192.0.2.12", 200), deadline);
    EXPECT_TRUE(sm.handle(event::MasterDownTimerExpired{}, deadline).empty());
    EXPECT_EQ(sm.state(), State::Backup);
}

TEST(Races, ExpiryHandledBeforeAdvertInTheSameInstantYieldsToHigherPriority) {
    StateMachine sm = started(params(100));
    const auto deadline = *sm.master_down_deadline();
    (void)sm.handle(event::MasterDownTimerExpired{}, deadline);
    EXPECT_EQ(sm.state(), State::Master);
    (void)sm.handle(advert("192.0.2.12", 200), deadline);
    EXPECT_EQ(sm.state(), State::Backup);
}

// --- Fault -------------------------------------------------------------------------------

TEST(Fault, LinkDownInBackupGoesToFault) {
    StateMachine sm = started(params(100));
    const auto out = sm.handle(event::FaultRaised{FaultSource::Link}, kT0 + 1s);
    EXPECT_EQ(sm.state(), State::Fault);
    EXPECT_TRUE(cancelled(out, TimerId::MasterDown));
    const auto n = first<action::Notify>(out);
    EXPECT_EQ(n->from, State::Backup);
    EXPECT_EQ(describe(n->reason), "fault: link down");
    EXPECT_EQ(describe(Reason{.kind = ReasonKind::FaultRaised, .fault = FaultSource::Transport}),
              "fault: no VRRP socket on the interface");
}

TEST(Fault, FaultInMasterResignsAndReleases) {
    StateMachine sm = master(params(100));
    const auto out = sm.handle(event::FaultRaised{FaultSource::Tracker}, kT0 + 5s);
    EXPECT_EQ(sm.state(), State::Fault);
    EXPECT_TRUE(cancelled(out, TimerId::Adver));
    EXPECT_EQ(first<action::SendAdvert>(out)->priority, kPriorityStop);
    EXPECT_TRUE(first<action::RemoveAddresses>(out));
}

TEST(Fault, ClearingTheLastSourceReturnsToBackup) {
    StateMachine sm = started(params(100));
    (void)sm.handle(event::FaultRaised{FaultSource::Link}, kT0);
    (void)sm.handle(event::FaultRaised{FaultSource::Tracker}, kT0);
    EXPECT_TRUE(sm.handle(event::FaultCleared{FaultSource::Link}, kT0 + 1s).empty());
    EXPECT_EQ(sm.state(), State::Fault);
    const auto out = sm.handle(event::FaultCleared{FaultSource::Tracker}, kT0 + 2s);
    EXPECT_EQ(sm.state(), State::Backup);
    EXPECT_EQ(armed(out, TimerId::MasterDown), kT0 + 2s + 3609375us);
    EXPECT_EQ(first<action::Notify>(out)->reason.kind, ReasonKind::FaultCleared);
}

TEST(Fault, OwnerLeavingFaultGoesToMaster) {
    StateMachine sm = started(params(255));
    (void)sm.handle(event::FaultRaised{FaultSource::Link}, kT0);
    (void)sm.handle(event::FaultCleared{FaultSource::Link}, kT0 + 1s);
    EXPECT_EQ(sm.state(), State::Master);
}

TEST(Fault, FaultBeforeStartupStartsInFault) {
    StateMachine sm(params(100));
    EXPECT_TRUE(sm.handle(event::FaultRaised{FaultSource::Address}, kT0).empty());
    const auto out = sm.handle(event::Startup{}, kT0);
    EXPECT_EQ(sm.state(), State::Fault);
    EXPECT_EQ(first<action::Notify>(out)->reason.fault, FaultSource::Address);
    EXPECT_FALSE(armed(out, TimerId::MasterDown));
}

TEST(Fault, AdvertsAndTimersAreIgnoredInFault) {
    StateMachine sm = started(params(100));
    const auto deadline = *sm.master_down_deadline();
    (void)sm.handle(event::FaultRaised{FaultSource::Link}, kT0);
    EXPECT_TRUE(sm.handle(advert("192.0.2.12", 200), kT0 + 1s).empty());
    EXPECT_TRUE(sm.handle(event::MasterDownTimerExpired{}, deadline).empty());
    EXPECT_EQ(sm.state(), State::Fault);
}

TEST(Fault, ShutdownFromFaultGoesToInitialize) {
    StateMachine sm = started(params(100));
    (void)sm.handle(event::FaultRaised{FaultSource::Link}, kT0);
    const auto out = sm.handle(event::Shutdown{}, kT0 + 1s);
    EXPECT_EQ(sm.state(), State::Initialize);
    EXPECT_TRUE(all<action::SendAdvert>(out).empty());
}

// --- Runtime priority changes -------------------------------------------------------------

TEST(PriorityChange, MasterAdvertisesNewPriorityAtOnce) {
    StateMachine sm = master(params(150));
    const auto t = *sm.adver_deadline() - 600ms;
    const auto out = sm.handle(event::PriorityChanged{Priority{90}}, t);
    EXPECT_EQ(sm.priority(), Priority{90});
    EXPECT_EQ(first<action::SendAdvert>(out)->priority, Priority{90});
    EXPECT_EQ(armed(out, TimerId::Adver), t + 1s);
    EXPECT_EQ(sm.state(), State::Master);
}

TEST(PriorityChange, BackupThatNowOutranksThePreemptsIt) {
    StateMachine sm = started(params(100));
    (void)sm.handle(advert("192.0.2.12", 120), kT0);
    EXPECT_TRUE(sm.handle(event::PriorityChanged{Priority{130}}, kT0 + 500ms).empty());
    EXPECT_EQ(sm.skew_time(), 492187500ns);  // (256 - 130) * 1 s / 256
    // The 120 master's adverts are now discarded; the timer armed at kT0 runs out.
    EXPECT_TRUE(sm.handle(advert("192.0.2.12", 120), kT0 + 1s).empty());
    (void)sm.handle(event::MasterDownTimerExpired{}, *sm.master_down_deadline());
    EXPECT_EQ(sm.state(), State::Master);
}

TEST(PriorityChange, BackupBecomingOwnerTakesOver) {
    StateMachine sm = started(params(100));
    (void)sm.handle(event::PriorityChanged{kPriorityOwner}, kT0 + 1s);
    EXPECT_EQ(sm.state(), State::Master);
}

TEST(PriorityChange, ZeroAndUnchangedAreIgnored) {
    StateMachine sm = master(params(100));
    EXPECT_TRUE(sm.handle(event::PriorityChanged{kPriorityStop}, kT0 + 4s).empty());
    EXPECT_TRUE(sm.handle(event::PriorityChanged{Priority{100}}, kT0 + 4s).empty());
    EXPECT_EQ(sm.priority(), Priority{100});
}

// --- Reload ------------------------------------------------------------------------------

TEST(Reconfigure, MasterAdvertisesANewPriorityAtOnce) {
    StateMachine sm = master(params(100));
    const auto t = kT0 + 4500ms;
    const auto out = sm.reconfigure(params(120), t);
    EXPECT_EQ(sm.state(), State::Master);
    EXPECT_EQ(sm.priority(), Priority{120});
    EXPECT_EQ(first<action::SendAdvert>(out)->priority, Priority{120});
    EXPECT_FALSE(first<action::Notify>(out));
    EXPECT_FALSE(first<action::RemoveAddresses>(out));  // no flap
}

TEST(Reconfigure, MasterAdvertisesANewIntervalAtOnce) {
    StateMachine sm = master(params(100));
    const auto t = kT0 + 4500ms;
    const auto out = sm.reconfigure(params(100, Centiseconds{20}), t);
    EXPECT_EQ(first<action::SendAdvert>(out)->max_adver_int, Centiseconds{20});
    EXPECT_EQ(armed(out, TimerId::Adver), t + 200ms);
}

TEST(Reconfigure, UnchangedParametersDoNothing) {
    StateMachine sm = master(params(100));
    EXPECT_TRUE(sm.reconfigure(params(100), kT0 + 4s).empty());
    StateMachine b = started(params(100));
    EXPECT_TRUE(b.reconfigure(params(100), kT0 + 1s).empty());
    EXPECT_EQ(b.state(), State::Backup);
}

TEST(Reconfigure, BackupKeepsTheLearnedIntervalAndTakesNewAddresses) {
    StateMachine sm = started(params(100));
    (void)sm.handle(advert("192.0.2.12", 200, Centiseconds{50}), kT0);
    auto p = params(100, Centiseconds{30});
    p.addresses = {ip("192.0.2.1"), ip("192.0.2.2")};
    EXPECT_TRUE(sm.reconfigure(p, kT0 + 100ms).empty());
    EXPECT_EQ(sm.master_adver_interval(), Centiseconds{50});
    EXPECT_EQ(sm.params().addresses.size(), 2U);
    // It becomes master with the new addresses and interval.
    const auto out = sm.handle(event::MasterDownTimerExpired{}, *sm.master_down_deadline());
    EXPECT_EQ(first<action::AddAddresses>(out)->addresses.size(), 2U);
    EXPECT_EQ(first<action::SendAdvert>(out)->max_adver_int, Centiseconds{30});
}

TEST(Reconfigure, PrimaryAddressChangeMovesTheTieBreak) {
    StateMachine sm = master(params(100));  // 192.0.2.11
    sm.set_primary_address(ip("192.0.2.13"));
    (void)sm.handle(advert("192.0.2.12", 100), kT0 + 4s);
    EXPECT_EQ(sm.state(), State::Master);  // 192.0.2.13 > .12: we keep it
}

// --- Sync groups -----------------------------------------------------------------------

TEST(SyncGroup, GroupMasterTakesABackupToMasterAtOnce) {
    StateMachine sm = started(params(100));
    const auto out = sm.handle(event::GroupMaster{}, kT0 + 1s);
    EXPECT_EQ(sm.state(), State::Master);
    EXPECT_EQ(first<action::Notify>(out)->reason.kind, ReasonKind::SyncGroup);
    EXPECT_TRUE(first<action::AddAddresses>(out));
    // Only a backup follows: a faulty member stays in Fault.
    StateMachine f = started(params(100));
    (void)f.handle(event::FaultRaised{FaultSource::Link}, kT0);
    EXPECT_TRUE(f.handle(event::GroupMaster{}, kT0 + 1s).empty());
}

TEST(SyncGroup, GroupBackupResignsAndHoldsOffPreemption) {
    StateMachine sm = master(params(200));
    const auto t = kT0 + 5s;
    const auto out = sm.handle(event::GroupBackup{}, t);
    EXPECT_EQ(sm.state(), State::Backup);
    EXPECT_EQ(first<action::SendAdvert>(out)->priority, kPriorityStop);
    EXPECT_TRUE(first<action::RemoveAddresses>(out));
    EXPECT_EQ(armed(out, TimerId::MasterDown), t + sm.master_down_interval());
    // The peer's member (lower priority) takes over; we accept it instead of preempting.
    EXPECT_TRUE(armed(sm.handle(advert("192.0.2.12", 100), t + 50ms), TimerId::MasterDown));
    // Until the group has a master again: then preemption is back.
    (void)sm.handle(event::GroupMaster{}, t + 1s);
    EXPECT_EQ(sm.state(), State::Master);
}

TEST(SyncGroup, LeavingTheGroupEndsTheHoldOnPreemption) {
    StateMachine sm = master(params(200));
    (void)sm.handle(event::GroupBackup{}, kT0 + 5s);
    EXPECT_TRUE(armed(sm.handle(advert("192.0.2.12", 100), kT0 + 5100ms), TimerId::MasterDown));
    EXPECT_TRUE(sm.handle(event::GroupReleased{}, kT0 + 5200ms).empty());
    // Preempting again: the lower-priority advert is discarded.
    EXPECT_TRUE(sm.handle(advert("192.0.2.12", 100), kT0 + 5300ms).empty());
    EXPECT_EQ(sm.state(), State::Backup);
}

TEST(SyncGroup, OwnFaultIsToldApartFromTheGroupsFault) {
    StateMachine sm = started(params(100));
    (void)sm.handle(event::FaultRaised{FaultSource::SyncGroup}, kT0);
    EXPECT_EQ(sm.state(), State::Fault);
    EXPECT_FALSE(sm.has_own_fault());
    (void)sm.handle(event::FaultRaised{FaultSource::Link}, kT0);
    EXPECT_TRUE(sm.has_own_fault());
    EXPECT_EQ(describe(Reason{.kind = ReasonKind::FaultRaised, .fault = FaultSource::SyncGroup}),
              "fault: another member of the sync group is in fault");
}

// --- Every transition of the machine, as a table -----------------------------------------

// --- Planned handover and maintenance (vipctl handover / maintenance) ---------------------

TEST(Handover, MasterAdvertisesZeroButKeepsItsAddresses) {
    StateMachine sm = master(params(100, Centiseconds{10}));
    const auto now = kT0 + 10s;
    const auto out = sm.handle(event::Handover{}, now);
    EXPECT_EQ(sm.state(), State::Master);
    EXPECT_TRUE(sm.handing_over());
    const auto sent = first<action::SendAdvert>(out);
    ASSERT_TRUE(sent);
    EXPECT_EQ(sent->priority, kPriorityStop);
    EXPECT_TRUE(all<action::RemoveAddresses>(out).empty());
    EXPECT_TRUE(all<action::Notify>(out).empty());
    // The next advert is priority 0 again (a backup may have missed the first).
    const auto next = sm.handle(event::AdverTimerExpired{}, *armed(out, TimerId::Adver));
    ASSERT_TRUE(first<action::SendAdvert>(next));
    EXPECT_EQ(first<action::SendAdvert>(next)->priority, kPriorityStop);
}

TEST(Handover, SuccessorsAdvertEndsItWithLingeringRelease) {
    StateMachine sm = master(params(200, Centiseconds{10}));
    (void)sm.handle(event::Handover{}, kT0 + 10s);
    // Another router resigning is no successor.
    EXPECT_TRUE(sm.handle(advert("192.0.2.13", 0, Centiseconds{10}), kT0 + 10s + 1ms).empty());
    EXPECT_EQ(sm.state(), State::Master);
    // A lower priority than ours still outranks the 0 we advertise.
    const auto out = sm.handle(advert("192.0.2.12", 100, Centiseconds{10}), kT0 + 10s + 3ms);
    EXPECT_EQ(sm.state(), State::Backup);
    EXPECT_FALSE(sm.handing_over());
    const auto removed = first<action::RemoveAddresses>(out);
    ASSERT_TRUE(removed);
    EXPECT_EQ(removed->linger, kHandoverLinger);
    EXPECT_TRUE(cancelled(out, TimerId::Adver));
    EXPECT_TRUE(armed(out, TimerId::MasterDown));
    const auto n = first<action::Notify>(out);
    ASSERT_TRUE(n);
    EXPECT_EQ(n->reason.kind, ReasonKind::HandedOver);
    EXPECT_EQ(n->reason.peer, ip("192.0.2.12"));
    EXPECT_EQ(n->reason.peer_priority, Priority{100});
    EXPECT_EQ(sm.master_address(), ip("192.0.2.12"));
}

TEST(Handover, TheOldMasterDoesNotPreemptItsSuccessor) {
    StateMachine sm = master(params(200, Centiseconds{10}));
    (void)sm.handle(event::Handover{}, kT0 + 10s);
    (void)sm.handle(advert("192.0.2.12", 100, Centiseconds{10}), kT0 + 10s + 3ms);
    ASSERT_EQ(sm.state(), State::Backup);
    // With preempt on and priority 200 we would discard a priority-100 master's adverts and
    // take over when the timer runs out; after a handover they are accepted.
    const auto later = kT0 + 10s + 100ms;
    const auto out = sm.handle(advert("192.0.2.12", 100, Centiseconds{10}), later);
    EXPECT_EQ(armed(out, TimerId::MasterDown), later + sm.master_down_interval());
    // The successor failing is still a failover.
    const auto down = sm.handle(event::MasterDownTimerExpired{}, *armed(out, TimerId::MasterDown));
    EXPECT_EQ(sm.state(), State::Master);
    EXPECT_EQ(first<action::Notify>(down)->reason.kind, ReasonKind::MasterDown);
    // ...after which preemption works as configured again.
    (void)sm.handle(advert("192.0.2.12", 250, Centiseconds{10}), kT0 + 11s);
    ASSERT_EQ(sm.state(), State::Backup);
    const auto lower = sm.handle(advert("192.0.2.12", 100, Centiseconds{10}), kT0 + 11s + 100ms);
    EXPECT_FALSE(armed(lower, TimerId::MasterDown));  // discarded: we will preempt
}

TEST(Handover, NobodyTakingOverLeavesUsMaster) {
    StateMachine sm = master(params(100, Centiseconds{1}));
    const auto start = kT0 + 10s;
    auto out = sm.handle(event::Handover{}, start);
    EXPECT_EQ(sm.handover_timeout(), 120ms);  // two intervals and 100 ms
    EXPECT_EQ(StateMachine(params(100, Centiseconds{100})).handover_timeout(), 2100ms);
    TimePoint at = *armed(out, TimerId::Adver);
    std::optional<action::Warn> warned;
    while (sm.handing_over()) {
        ASSERT_LT(at, start + 1s);
        out = sm.handle(event::AdverTimerExpired{}, at);
        warned = first<action::Warn>(out);
        at = *armed(out, TimerId::Adver);
    }
    ASSERT_TRUE(warned);
    EXPECT_EQ(warned->kind, WarnKind::HandoverTimedOut);
    EXPECT_GE(at - Duration{Centiseconds{1}}, start + sm.handover_timeout());
    EXPECT_EQ(sm.state(), State::Master);
    EXPECT_EQ(first<action::SendAdvert>(out)->priority, Priority{100});  // real priority again
    EXPECT_TRUE(all<action::RemoveAddresses>(out).empty());
}

TEST(Handover, TheWaitEndsAfterTwoIntervalsAndAHundredMillisecondsExactly) {
    StateMachine sm = master(params(100, Centiseconds{100}));  // 1 s adverts
    const auto start = kT0 + 10s;
    auto out = sm.handle(event::Handover{}, start);
    std::vector<TimePoint> fired;
    while (sm.handing_over()) {
        const auto at = *armed(out, TimerId::Adver);
        ASSERT_LT(at, start + 10s);
        fired.push_back(at);
        out = sm.handle(event::AdverTimerExpired{}, at);
    }
    // Priority 0 at 0, 1 s and 2 s; the wait ends at 2.1 s, not at the next interval.
    ASSERT_EQ(fired.size(), 3U);
    EXPECT_EQ(fired[0], start + 1s);
    EXPECT_EQ(fired[1], start + 2s);
    EXPECT_EQ(fired[2], start + 2100ms);
    EXPECT_EQ(first<action::Warn>(out)->kind, WarnKind::HandoverTimedOut);
    EXPECT_EQ(first<action::SendAdvert>(out)->priority, Priority{100});
}

TEST(Handover, IgnoredOutsideMasterAndByTheOwner) {
    StateMachine backup = started(params(100));
    EXPECT_TRUE(backup.handle(event::Handover{}, kT0 + 1s).empty());
    EXPECT_FALSE(backup.handing_over());
    StateMachine owner = started(params(255));
    EXPECT_TRUE(owner.handle(event::Handover{}, kT0 + 1s).empty());
    EXPECT_FALSE(owner.handing_over());
}

TEST(Handover, PriorityChangeDuringHandoverStillAdvertisesZero) {
    StateMachine sm = master(params(100, Centiseconds{10}));
    (void)sm.handle(event::Handover{}, kT0 + 10s);
    const auto out = sm.handle(event::PriorityChanged{Priority{150}}, kT0 + 10s + 1ms);
    EXPECT_TRUE(all<action::SendAdvert>(out).empty());
    EXPECT_TRUE(sm.handing_over());
}

TEST(Handover, ShutdownDuringHandoverReleasesAtOnce) {
    StateMachine sm = master(params(100, Centiseconds{10}));
    (void)sm.handle(event::Handover{}, kT0 + 10s);
    const auto out = sm.handle(event::Shutdown{}, kT0 + 10s + 1ms);
    EXPECT_EQ(sm.state(), State::Initialize);
    ASSERT_TRUE(first<action::RemoveAddresses>(out));
    EXPECT_EQ(first<action::RemoveAddresses>(out)->linger, Duration::zero());
    EXPECT_FALSE(sm.handing_over());
}

TEST(Maintenance, MasterHandsOverAndThenStaysBackup) {
    StateMachine sm = master(params(200, Centiseconds{10}));
    auto out = sm.handle(event::Maintenance{true}, kT0 + 10s);
    EXPECT_TRUE(sm.in_maintenance());
    EXPECT_TRUE(sm.handing_over());
    EXPECT_EQ(first<action::SendAdvert>(out)->priority, kPriorityStop);
    out = sm.handle(advert("192.0.2.12", 100, Centiseconds{10}), kT0 + 10s + 5ms);
    EXPECT_EQ(sm.state(), State::Backup);
    // The successor has a lower priority: without maintenance we would preempt it. Its
    // adverts are followed and its disappearance is not taken as a chance to claim.
    out = sm.handle(advert("192.0.2.12", 100, Centiseconds{10}), kT0 + 10s + 15ms);
    const auto deadline = armed(out, TimerId::MasterDown);
    ASSERT_TRUE(deadline);
    out = sm.handle(event::MasterDownTimerExpired{}, *deadline);
    EXPECT_EQ(sm.state(), State::Backup);
    EXPECT_TRUE(armed(out, TimerId::MasterDown));
    EXPECT_TRUE(all<action::Notify>(out).empty());
    EXPECT_TRUE(sm.handle(event::GroupMaster{}, *deadline + 1ms).empty());
    EXPECT_EQ(sm.state(), State::Backup);
}

TEST(Maintenance, EndingItLetsTheElectionDecideAgain) {
    // In maintenance after handing over to a lower-priority router: ending it must end the
    // handover's hold on preemption too.
    StateMachine sm = master(params(200, Centiseconds{10}));
    (void)sm.handle(event::Maintenance{true}, kT0 + 10s);
    (void)sm.handle(advert("192.0.2.12", 100, Centiseconds{10}), kT0 + 10s + 5ms);
    ASSERT_EQ(sm.state(), State::Backup);
    auto out = sm.handle(event::MasterDownTimerExpired{}, *sm.master_down_deadline());
    EXPECT_EQ(sm.state(), State::Backup);
    (void)sm.handle(event::Maintenance{false}, kT0 + 11s);
    EXPECT_FALSE(sm.in_maintenance());
    // Preemption is back, even of a master we handed over to on the way in.
    EXPECT_FALSE(armed(sm.handle(advert("192.0.2.12", 100, Centiseconds{10}), kT0 + 11s),
                       TimerId::MasterDown));
    out = sm.handle(event::MasterDownTimerExpired{}, *sm.master_down_deadline());
    EXPECT_EQ(sm.state(), State::Master);
    EXPECT_EQ(first<action::Notify>(out)->reason.kind, ReasonKind::Preempt);
}

TEST(Maintenance, WithoutASuccessorTheMasterReleasesAfterTheTimeout) {
    StateMachine sm = master(params(100, Centiseconds{10}));
    auto out = sm.handle(event::Maintenance{true}, kT0 + 10s);
    std::optional<action::Notify> n;
    for (int i = 0; i < 100 && !n; ++i) {
        out = sm.handle(event::AdverTimerExpired{}, *sm.adver_deadline());
        n = first<action::Notify>(out);
    }
    ASSERT_TRUE(n);
    EXPECT_EQ(n->reason.kind, ReasonKind::Maintenance);
    EXPECT_EQ(sm.state(), State::Backup);
    EXPECT_TRUE(first<action::RemoveAddresses>(out));
    EXPECT_EQ(first<action::Warn>(out)->kind, WarnKind::HandoverTimedOut);
}

TEST(Maintenance, OwnerDoesNotClaimWhileInMaintenance) {
    StateMachine sm(params(255));
    (void)sm.handle(event::Maintenance{true}, kT0);
    (void)sm.handle(event::Startup{}, kT0);
    EXPECT_EQ(sm.state(), State::Backup);
}

TEST(Maintenance, AnOwnerAlreadyMasterDoesNotHandOver) {
    StateMachine sm = started(params(255));
    ASSERT_EQ(sm.state(), State::Master);
    EXPECT_TRUE(sm.handle(event::Maintenance{true}, kT0 + 1s).empty());
    EXPECT_FALSE(sm.handing_over());
}

TEST(Transitions, EveryEdgeIsReachableAndNotified) {
    struct Edge {
        State from, to;
    };
    std::vector<Edge> seen;
    const auto record = [&](const Actions& out) {
        for (const auto& n : all<action::Notify>(out)) {
            seen.push_back({n.from, n.to});
        }
    };
    StateMachine a(params(100));
    record(a.handle(event::Startup{}, kT0));                                       // I->B
    record(a.handle(event::MasterDownTimerExpired{}, *a.master_down_deadline()));  // B->M
    record(a.handle(advert("192.0.2.12", 200), kT0 + 5s));                         // M->B
    record(a.handle(event::FaultRaised{FaultSource::Link}, kT0 + 6s));             // B->F
    record(a.handle(event::FaultCleared{FaultSource::Link}, kT0 + 7s));            // F->B
    record(a.handle(event::Shutdown{}, kT0 + 8s));                                 // B->I
    StateMachine b(params(255));
    record(b.handle(event::Startup{}, kT0));                             // I->M
    record(b.handle(event::FaultRaised{FaultSource::Link}, kT0 + 1s));   // M->F
    record(b.handle(event::FaultCleared{FaultSource::Link}, kT0 + 2s));  // F->M
    record(b.handle(event::Shutdown{}, kT0 + 3s));                       // M->I
    StateMachine c(params(100));
    (void)c.handle(event::FaultRaised{FaultSource::Link}, kT0);
    record(c.handle(event::Startup{}, kT0));        // I->F
    record(c.handle(event::Shutdown{}, kT0 + 1s));  // F->I
    const std::vector<std::pair<State, State>> expected{
        {State::Initialize, State::Backup}, {State::Backup, State::Master},
        {State::Master, State::Backup},     {State::Backup, State::Fault},
        {State::Fault, State::Backup},      {State::Backup, State::Initialize},
        {State::Initialize, State::Master}, {State::Master, State::Fault},
        {State::Fault, State::Master},      {State::Master, State::Initialize},
        {State::Initialize, State::Fault},  {State::Fault, State::Initialize}};
    ASSERT_EQ(seen.size(), expected.size());
    for (std::size_t i = 0; i < expected.size(); ++i) {
        EXPECT_EQ(seen[i].from, expected[i].first) << i;
        EXPECT_EQ(seen[i].to, expected[i].second) << i;
    }
}

}  // namespace
}  // namespace vipd
