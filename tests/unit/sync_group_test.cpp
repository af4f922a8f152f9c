// Sync groups (keepalived's vrrp_sync_group semantics, vipd.conf(5) SYNC GROUPS): which
// events a member's transition sends to the other members, the group's notifications, and
// the fault holds; then the rules driving real state machines.
#include "vipd/core/sync_group.hpp"

#include <gtest/gtest.h>

#include <chrono>
#include <map>
#include <set>
#include <string>
#include <vector>

namespace vipd {
namespace {

using namespace std::chrono_literals;

const TimePoint kT0{std::chrono::hours{1}};

SyncGroups pair_group() {
    SyncGroups g;
    g.configure({{"pair", {"web", "db"}}});
    return g;
}

SyncGroups::View view(std::set<std::string> own_faults = {},
                      std::set<std::string> handing_over = {}) {
    return {[own_faults](const std::string& m) { return own_faults.contains(m); },
            [handing_over](const std::string& m) { return handing_over.contains(m); }};
}

action::Notify moved(State from, State to, ReasonKind why) {
    return action::Notify{from, to, Reason{.kind = why}};
}

template <class E>
bool is(const SyncGroups::Command& c, const std::string& member) {
    return c.member == member && std::holds_alternative<E>(c.event);
}

TEST(SyncGroup, AMemberBecomingMasterTakesTheOthersAlong) {
    auto g = pair_group();
    const auto out =
        g.on_transition("web", moved(State::Backup, State::Master, ReasonKind::MasterDown), view());
    ASSERT_EQ(out.commands.size(), 1U);
    EXPECT_TRUE(is<event::GroupMaster>(out.commands[0], "db"));
    ASSERT_TRUE(out.notify);
    EXPECT_EQ(out.notify->group, "pair");
    EXPECT_EQ(out.notify->state, "MASTER");
    EXPECT_EQ(out.notify->member, "web");
    EXPECT_EQ(out.notify->reason.kind, ReasonKind::MasterDown);
}

TEST(SyncGroup, AMemberFollowingItsGroupIsNotFollowedAgainNorNotifiedTwice) {
    auto g = pair_group();
    (void)g.on_transition("web", moved(State::Backup, State::Master, ReasonKind::MasterDown),
                          view());
    const auto echo =
        g.on_transition("db", moved(State::Backup, State::Master, ReasonKind::SyncGroup), view());
    EXPECT_TRUE(echo.commands.empty());
    EXPECT_FALSE(echo.notify);  // the group is MASTER already
}

TEST(SyncGroup, AMasterLosingTheElectionTakesTheOtherMastersToBackup) {
    auto g = pair_group();
    const auto out = g.on_transition(
        "web", moved(State::Master, State::Backup, ReasonKind::HigherPriority), view());
    ASSERT_EQ(out.commands.size(), 1U);
    EXPECT_TRUE(is<event::GroupBackup>(out.commands[0], "db"));
    ASSERT_TRUE(out.notify);
    EXPECT_EQ(out.notify->state, "BACKUP");
    // Negative case: a member handing over follows its own successor, not the group.
    auto h = pair_group();
    const auto busy = h.on_transition(
        "web", moved(State::Master, State::Backup, ReasonKind::HigherPriority), view({}, {"db"}));
    EXPECT_TRUE(busy.commands.empty());
}

TEST(SyncGroup, OtherTransitionsSendNothingButNotifyTheGroupState) {
    auto g = pair_group();
    for (const auto& [from, to, why] :
         {std::tuple{State::Initialize, State::Backup, ReasonKind::Startup},
          std::tuple{State::Backup, State::Fault, ReasonKind::FaultRaised},
          std::tuple{State::Fault, State::Backup, ReasonKind::FaultCleared}}) {
        const auto out = g.on_transition("web", moved(from, to, why), view());
        EXPECT_TRUE(out.commands.empty()) << to_string(to);
        ASSERT_TRUE(out.notify) << to_string(to);
        EXPECT_EQ(out.notify->state, to_string(to));
    }
}

TEST(SyncGroup, ShuttingDownNotifiesStopOnceAndSendsNothing) {
    auto g = pair_group();
    (void)g.on_transition("web", moved(State::Backup, State::Master, ReasonKind::MasterDown),
                          view());
    const auto first = g.on_transition(
        "web", moved(State::Master, State::Initialize, ReasonKind::Shutdown), view(), false);
    EXPECT_TRUE(first.commands.empty());
    ASSERT_TRUE(first.notify);
    EXPECT_EQ(first.notify->state, "STOP");
    const auto second = g.on_transition(
        "db", moved(State::Master, State::Initialize, ReasonKind::Shutdown), view(), false);
    EXPECT_FALSE(second.notify);
    // Not following, even a transition that otherwise would be followed sends nothing.
    auto h = pair_group();
    EXPECT_TRUE(h.on_transition("web", moved(State::Backup, State::Master, ReasonKind::MasterDown),
                                view(), false)
                    .commands.empty());
}

TEST(SyncGroup, AllOtherMembersOfALargerGroupFollow) {
    SyncGroups g;
    g.configure({{"three", {"a", "b", "c"}}, {"other", {"x", "y"}}});
    const auto out =
        g.on_transition("b", moved(State::Backup, State::Master, ReasonKind::Preempt), view());
    ASSERT_EQ(out.commands.size(), 2U);
    EXPECT_TRUE(is<event::GroupMaster>(out.commands[0], "a"));
    EXPECT_TRUE(is<event::GroupMaster>(out.commands[1], "c"));
    EXPECT_EQ(g.peers_of("x"), (std::vector<std::string>{"y"}));
    EXPECT_TRUE(g.peers_of("nobody").empty());
    // Outside any group: nothing at all.
    const auto alone =
        g.on_transition("z", moved(State::Backup, State::Master, ReasonKind::MasterDown), view());
    EXPECT_TRUE(alone.commands.empty());
    EXPECT_FALSE(alone.notify);
}

TEST(SyncGroup, FaultHoldsFollowOtherMembersOwnFaults) {
    const auto g = pair_group();
    const std::vector<std::string> names{"web", "db", "solo"};
    const auto cmds = g.reconcile(names, view({"web"}));
    // db is held because web has a fault of its own; web is not held (db has none); solo,
    // in no group, is neither held nor kept from preempting.
    ASSERT_EQ(cmds.size(), 4U);
    EXPECT_TRUE(is<event::FaultCleared>(cmds[0], "web"));
    EXPECT_TRUE(is<event::FaultRaised>(cmds[1], "db"));
    EXPECT_EQ(std::get<event::FaultRaised>(cmds[1].event).source, FaultSource::SyncGroup);
    EXPECT_TRUE(is<event::FaultCleared>(cmds[2], "solo"));
    EXPECT_TRUE(is<event::GroupReleased>(cmds[3], "solo"));
    // No own faults anywhere: every hold is cleared.
    for (const auto& c : g.reconcile(names, view())) {
        EXPECT_FALSE(std::holds_alternative<event::FaultRaised>(c.event)) << c.member;
    }
}

TEST(SyncGroup, AReloadKeepsAGroupsStateByNameOnly) {
    auto g = pair_group();
    (void)g.on_transition("web", moved(State::Backup, State::Master, ReasonKind::MasterDown),
                          view());
    g.configure({{"pair", {"web", "db", "api"}}});
    EXPECT_FALSE(g.on_transition("api", moved(State::Backup, State::Master, ReasonKind::SyncGroup),
                                 view())
                     .notify);  // still MASTER: no second notification
    g.configure({{"renamed", {"web", "db"}}});
    const auto fresh =
        g.on_transition("db", moved(State::Backup, State::Master, ReasonKind::SyncGroup), view());
    ASSERT_TRUE(fresh.notify);
    EXPECT_EQ(fresh.notify->group, "renamed");
    EXPECT_EQ(g.group_of("api"), nullptr);
}

// --- the rules driving real state machines ------------------------------------------------

// Two instances of one group on one router: events from the group are applied in order,
// and the transitions they cause are echoes (not fed back), as the daemon's driver does.
class GroupOfTwo : public testing::Test {
protected:
    GroupOfTwo() {
        groups.configure({{"pair", {"web", "db"}}});
        for (const char* name : {"web", "db"}) {
            machines.emplace(name,
                             StateMachine(InstanceParams{
                                 .vrid = Vrid{std::string_view(name) == "web" ? std::uint8_t{80}
                                                                              : std::uint8_t{81}},
                                 .priority = Priority{200},
                                 .primary_address = *IpAddress::parse("192.0.2.11"),
                                 .addresses = {*IpAddress::parse("192.0.2.80")}}));
        }
        for (auto& [name, sm] : machines)
            handle(name, event::Startup{}, kT0);
    }
    // Handles an event on `name` and follows the group for the transitions it causes.
    Actions handle(const std::string& name, const Event& e, TimePoint now) {
        auto out = machines.at(name).handle(e, now);
        for (const auto& a : out) {
            const auto* n = std::get_if<action::Notify>(&a);
            if (n == nullptr) continue;
            const auto followed = groups.on_transition(name, *n, view());
            for (const auto& c : followed.commands)
                sent[c.member] = machines.at(c.member).handle(c.event, now);
            if (followed.notify) notified.push_back(followed.notify->state);
        }
        return out;
    }
    SyncGroups::View view() {
        return {[this](const std::string& m) { return machines.at(m).has_own_fault(); },
                [this](const std::string& m) { return machines.at(m).handing_over(); }};
    }
    SyncGroups groups;
    std::map<std::string, StateMachine> machines;
    std::map<std::string, Actions> sent;  // what the group's event made each member do
    std::vector<std::string> notified;
};

TEST_F(GroupOfTwo, OneMemberTakingOverTakesTheOtherAtOnce) {
    const auto at = *machines.at("web").master_down_deadline();
    (void)handle("web", event::MasterDownTimerExpired{}, at);
    EXPECT_EQ(machines.at("web").state(), State::Master);
    EXPECT_EQ(machines.at("db").state(), State::Master);  // without its own Master_Down_Timer
    EXPECT_EQ(notified, (std::vector<std::string>{"BACKUP", "MASTER"}));
}

TEST_F(GroupOfTwo, LosingTheElectionResignsTheOtherWithPriorityZeroAndHoldsPreemption) {
    const auto at = *machines.at("web").master_down_deadline();
    (void)handle("web", event::MasterDownTimerExpired{}, at);
    // A higher-priority peer takes web: db resigns (priority 0, so the peer's db takes over
    // after its Skew_Time) and stays backup although 200 outranks the peer's 150.
    (void)handle(
        "web",
        event::AdvertReceived{*IpAddress::parse("192.0.2.12"), Priority{250}, Centiseconds{100}},
        at + 1s);
    EXPECT_EQ(machines.at("web").state(), State::Backup);
    EXPECT_EQ(machines.at("db").state(), State::Backup);
    bool resigned = false;
    for (const auto& a : sent.at("db")) {
        if (const auto* s = std::get_if<action::SendAdvert>(&a))
            resigned |= s->priority == kPriorityStop;
    }
    EXPECT_TRUE(resigned);
    (void)handle(
        "db",
        event::AdvertReceived{*IpAddress::parse("192.0.2.12"), Priority{150}, Centiseconds{100}},
        at + 2s);
    const auto expiry = *machines.at("db").master_down_deadline();
    // Without the hold db would discard the lower master's adverts and take over on expiry;
    // with it db accepted them, so its timer moved with the advert.
    EXPECT_EQ(expiry, at + 2s + machines.at("db").master_down_interval());
    EXPECT_EQ(notified.back(), "BACKUP");
}

TEST_F(GroupOfTwo, AMembersOwnFaultHoldsTheOtherInFault) {
    (void)handle("web", event::FaultRaised{FaultSource::Link}, kT0 + 1s);
    for (const auto& c : groups.reconcile(std::vector<std::string>{"web", "db"}, view()))
        (void)handle(c.member, c.event, kT0 + 1s);
    EXPECT_EQ(machines.at("db").state(), State::Fault);
    EXPECT_FALSE(machines.at("db").has_own_fault());  // held by the group only
    (void)handle("web", event::FaultCleared{FaultSource::Link}, kT0 + 2s);
    for (const auto& c : groups.reconcile(std::vector<std::string>{"web", "db"}, view()))
        (void)handle(c.member, c.event, kT0 + 2s);
    EXPECT_EQ(machines.at("db").state(), State::Backup);
}

}  // namespace
}  // namespace vipd
