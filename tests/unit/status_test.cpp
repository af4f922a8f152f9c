// The typed status and its JSON form (control replies, snapshot.json): a round trip gives
// back the same values, the keys are the documented ones, and reading is strict: a missing
// or mistyped key is an error, not a zero.
#include "vipd/daemon/status.hpp"

#include <gtest/gtest.h>

#include <nlohmann/json.hpp>

namespace vipd {
namespace {

using nlohmann::json;

DaemonStatus sample() {
    InstanceStatus i{.name = "web",
                     .interface = "eth0",
                     .vrid = 51,
                     .family = Family::IPv6,
                     .version = 3,
                     .state = State::Backup,
                     .priority = 90,
                     .configured_priority = 100,
                     .priority_override = 120,
                     .maintenance = true,
                     .trackers = {{"interface", "uplink", 0, true, true},
                                  {"file", "/run/w", 2, false, false, -3}},
                     .source_address = "fe80::1",
                     .master_address = "fe80::2",
                     .addresses = {"2001:db8::1/64"},
                     .advert_interval_ms = 100,
                     .master_adver_interval_ms = 200,
                     .skew_time_us = 78125,
                     .master_down_interval_us = 678125,
                     .master_down_timer_ms = 321,
                     .in_state_ms = 1500,
                     .last_transition = "startup"};
    i.counters.adverts_received = 7;
    i.counters.drops[static_cast<std::size_t>(DropReason::BadTtl)] = 3;
    SocketStatus sock{"eth0", Family::IPv4, {}};
    sock.drops[static_cast<std::size_t>(DropReason::UnknownVrid)] = 9;
    return DaemonStatus{.pid = 42,
                        .version = "0.1.0",
                        .start_time_seconds = 1.5,
                        .config_file = "/etc/vipd/vipd.conf",
                        .router_id = "lb1",
                        .instances = {i},
                        .scripts = {{"chk", false, 3, 2, 1, 4, 3, 0.5, "exit 1"}},
                        .processes = {{"haproxy", 2, true}},
                        .process_source = "process events",
                        .sockets = {sock}};
}

TEST(Status, RoundTripsThroughJson) {
    const auto s = sample();
    const json j = s;
    EXPECT_EQ(j.get<DaemonStatus>(), s);
    // Nothing null: the optional ones unset also round-trip.
    auto t = s;
    t.instances[0].priority_override.reset();
    t.instances[0].master_address.reset();
    t.instances[0].master_down_timer_ms.reset();
    t.instances[0].last_transition.reset();
    EXPECT_EQ(json(t).get<DaemonStatus>(), t);
}

TEST(Status, KeysAreTheDocumentedOnes) {
    const json j = sample();
    const auto& i = j.at("instances").at(0);
    EXPECT_EQ(i.at("state"), "BACKUP");
    EXPECT_EQ(i.at("family"), "ipv6");
    EXPECT_EQ(i.at("priority_override"), 120);
    EXPECT_TRUE(i.at("adver_timer_ms").is_null());
    EXPECT_EQ(i.at("counters").at("drops").at("bad_ttl"), 3);
    EXPECT_EQ(i.at("counters").at("drops").size(), kDropReasonCount);
    EXPECT_EQ(i.at("counters").at("notify_dropped"), 0);
    EXPECT_EQ(i.at("trackers").at(0).at("up"), true);
    EXPECT_FALSE(i.at("trackers").at(0).contains("value"));
    EXPECT_EQ(i.at("trackers").at(1).at("value"), -3);
    EXPECT_EQ(i.at("trackers").at(1).at("up"), false);  // a file that could not be read
    EXPECT_EQ(j.at("scripts").at(0).at("state"), "DOWN");
    EXPECT_EQ(j.at("processes").at(0).at("state"), "UP");
    EXPECT_EQ(j.at("processes").at(0).at("running"), 2);
    EXPECT_EQ(j.at("process_source"), "process events");
    EXPECT_EQ(j.at("scripts").at(0).at("start_failures"), 4);
    EXPECT_EQ(j.at("sockets").at(0).at("drops").at("unknown_vrid"), 9);
}

TEST(Status, AMissingOrMistypedKeyIsAnError) {
    json j = sample();
    j["instances"][0].erase("priority");
    EXPECT_THROW((void)j.get<DaemonStatus>(), json::exception);
    j = sample();
    j["instances"][0]["counters"]["drops"].erase("bad_ttl");
    EXPECT_THROW((void)j.get<DaemonStatus>(), json::exception);
    j = sample();
    j["instances"][0]["state"] = "ACTIVE";
    EXPECT_THROW((void)j.get<DaemonStatus>(), json::exception);
    j = sample();
    j["instances"][0]["vrid"] = "51";
    EXPECT_THROW((void)j.get<DaemonStatus>(), json::exception);
}

TEST(Status, StatsTotalsAndRoundTrip) {
    StatsReport r{.seconds = 2.5, .cleared = true};
    r.instances = {
        {.name = "a", .state = State::Master, .adverts_sent = 10, .drops = 1, .transitions = 2},
        {.name = "b", .state = State::Backup, .adverts_received = 5, .send_errors = 1}};
    r.drops[static_cast<std::size_t>(DropReason::BadChecksum)] = 4;  // with the sockets'
    r.scripts = {{"chk", 3, 1, 0}};
    const auto t = r.totals();
    EXPECT_EQ(t.adverts_sent, 10U);
    EXPECT_EQ(t.adverts_received, 5U);
    EXPECT_EQ(t.send_errors, 1U);
    EXPECT_EQ(t.transitions, 2U);
    EXPECT_EQ(t.drops, 4U);
    const json j = r;
    EXPECT_EQ(j.at("totals").at("drops"), 4);
    EXPECT_EQ(j.get<StatsReport>(), r);
}

}  // namespace
}  // namespace vipd
