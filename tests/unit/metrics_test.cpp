// The Prometheus exposition of a daemon's status: names, labels, escaping and values. (The netns
// test feeds a live daemon's output to the reference parser, python3-prometheus-client.)
#include "daemon/metrics.hpp"

#include <gtest/gtest.h>

#include <limits>
#include <sstream>
#include <string>
#include <vector>

namespace vipd {
namespace {

DropCounts drops(std::initializer_list<std::pair<DropReason, std::uint64_t>> counts) {
    DropCounts out{};
    for (const auto& [r, n] : counts)
        out[static_cast<std::size_t>(r)] = n;
    return out;
}

DaemonStatus snapshot() {
    InstanceStatus web{.name = "web",
                       .interface = "eth0",
                       .vrid = 51,
                       .family = Family::IPv4,
                       .state = State::Master,
                       .priority = 90,
                       .configured_priority = 100,
                       .maintenance = false,
                       .trackers = {{"script", "chk", -10, false, false},
                                    {"file", "/run/w", 1, false, true, 7},
                                    {"file", "/run/x", -5, false, false, 0}},
                       .master_down_interval_us = 3609375,
                       .in_state_ms = 1500};
    web.counters = {.adverts_sent = 1000000,
                    .adverts_received = 3,
                    .transitions = 2,
                    .became_master = 1,
                    .announcements = 5,
                    .notifications = 1,
                    .drops = drops({{DropReason::BadChecksum, 4}})};
    return DaemonStatus{
        .version = "0.1.0",
        .start_time_seconds = 1700000000.5,
        .router_id = "lab \"one\"",
        .instances = {web},
        .scripts = {{.name = "chk",
                     .up = false,
                     .runs = 10,
                     .failures = 6,
                     .timeouts = 1,
                     .start_failures = 2,
                     .runs_timed = 10,
                     .duration_seconds_sum = 0.25}},
        .processes = {{.name = "haproxy", .running = 3, .up = false}},
        .sockets = {{"eth0", Family::IPv4, drops({{DropReason::UnknownVrid, 12}})}}};
}

std::vector<std::string> lines(const std::string& text) {
    std::vector<std::string> out;
    std::istringstream in(text);
    for (std::string l; std::getline(in, l);)
        out.push_back(l);
    return out;
}

bool has(const std::string& text, const std::string& line) {
    for (const auto& l : lines(text)) {
        if (l == line) return true;
    }
    return false;
}

constexpr const char* kWeb = R"(vrrp_instance="web",interface="eth0",vrid="51",family="ipv4")";

TEST(Metrics, StateIsOneHotWithTheInstancesIdentity) {
    const auto m = render_metrics(snapshot());
    EXPECT_TRUE(has(m, std::string("vipd_instance_state{") + kWeb + R"(,state="MASTER"} 1)"));
    EXPECT_TRUE(has(m, std::string("vipd_instance_state{") + kWeb + R"(,state="BACKUP"} 0)"));
    EXPECT_TRUE(has(m, "# TYPE vipd_instance_state gauge"));
}

TEST(Metrics, CountersGaugesAndUnits) {
    const auto m = render_metrics(snapshot());
    EXPECT_TRUE(has(m, "# TYPE vipd_instance_adverts_sent_total counter"));
    EXPECT_TRUE(has(m, std::string("vipd_instance_adverts_sent_total{") + kWeb + "} 1000000"));
    EXPECT_TRUE(has(m, std::string("vipd_instance_priority{") + kWeb + "} 90"));
    EXPECT_TRUE(has(m, std::string("vipd_instance_configured_priority{") + kWeb + "} 100"));
    EXPECT_TRUE(has(m, std::string("vipd_instance_priority_override{") + kWeb + "} 0"));
    EXPECT_TRUE(has(m, std::string("vipd_instance_state_duration_seconds{") + kWeb + "} 1.5"));
    EXPECT_TRUE(
        has(m, std::string("vipd_instance_master_down_interval_seconds{") + kWeb + "} 3.609375"));
    EXPECT_TRUE(
        has(m, std::string("vipd_instance_drops_total{") + kWeb + R"(,reason="bad_checksum"} 4)"));
    EXPECT_TRUE(has(
        m, R"(vipd_socket_drops_total{interface="eth0",family="ipv4",reason="unknown_vrid"} 12)"));
    EXPECT_TRUE(has(m, "vipd_start_time_seconds 1700000000.5"));
    EXPECT_TRUE(has(m, "vipd_instances 1"));
}

TEST(Metrics, TrackersAndScripts) {
    const auto m = render_metrics(snapshot());
    EXPECT_TRUE(has(m, R"(vipd_tracker_up{vrrp_instance="web",type="script",name="chk"} 0)"));
    EXPECT_TRUE(has(m, R"(vipd_tracker_value{vrrp_instance="web",type="file",name="/run/w"} 7)"));
    EXPECT_TRUE(has(m, R"(vipd_tracker_up{vrrp_instance="web",type="file",name="/run/w"} 1)"));
    // A file that cannot be read safely: failed, visible beside its (zero) value.
    EXPECT_TRUE(has(m, R"(vipd_tracker_up{vrrp_instance="web",type="file",name="/run/x"} 0)"));
    EXPECT_TRUE(has(m, R"(vipd_script_up{script="chk"} 0)"));
    EXPECT_TRUE(has(m, R"(vipd_process_running{process="haproxy"} 3)"));
    EXPECT_TRUE(has(m, R"(vipd_process_up{process="haproxy"} 0)"));
    EXPECT_TRUE(has(m, R"(vipd_script_timeouts_total{script="chk"} 1)"));
    EXPECT_TRUE(has(m, R"(vipd_script_start_failures_total{script="chk"} 2)"));
    EXPECT_TRUE(has(m, "# TYPE vipd_script_duration_seconds summary"));
    EXPECT_TRUE(has(m, R"(vipd_script_duration_seconds_sum{script="chk"} 0.25)"));
    EXPECT_TRUE(has(m, R"(vipd_script_duration_seconds_count{script="chk"} 10)"));
}

TEST(Metrics, LabelValuesAreEscaped) {
    const auto m = render_metrics(snapshot());
    EXPECT_TRUE(has(m, R"(vipd_info{version="0.1.0",router_id="lab \"one\""} 1)")) << m;
    auto s = snapshot();
    s.instances[0].name = "a\\b\nc";
    EXPECT_NE(render_metrics(s).find(R"(vrrp_instance="a\\b\nc")"), std::string::npos);
}

TEST(Metrics, EveryFamilyHasHelpTypeAndSamplesAndNoneRepeats) {
    const auto m = render_metrics(snapshot());
    std::vector<std::string> families;
    std::string current;
    int samples = 0;
    for (const auto& l : lines(m)) {
        if (l.rfind("# HELP ", 0) == 0) {
            if (!current.empty()) {
                EXPECT_GT(samples, 0) << current;
            }
            current = l.substr(7, l.find(' ', 7) - 7);
            for (const auto& f : families) {
                EXPECT_NE(f, current);
            }
            families.push_back(current);
            samples = 0;
        } else if (l.rfind("# TYPE ", 0) == 0) {
            EXPECT_EQ(l.substr(7, current.size()), current);
        } else {
            EXPECT_EQ(l.rfind(current, 0), 0U) << l << " outside its family " << current;
            ++samples;
        }
    }
    EXPECT_GT(families.size(), 20U);
}

TEST(Metrics, ATrackerListedTwiceIsOneSeries) {
    auto s = snapshot();
    s.instances[0].trackers.push_back(s.instances[0].trackers[0]);
    const auto m = render_metrics(s);
    const std::string series = R"(vipd_tracker_up{vrrp_instance="web",type="script",name="chk"} 0)";
    EXPECT_EQ(m.find(series), m.rfind(series));
    EXPECT_NE(m.find(series), std::string::npos);
}

TEST(Metrics, HugeCountersDoNotOverflow) {
    auto s = snapshot();
    s.instances[0].counters.adverts_sent = std::numeric_limits<std::uint64_t>::max();
    // Beyond 2^53 a double is no longer exact: the shortest form, not a wrapped integer.
    EXPECT_NE(render_metrics(s).find("} 1.8446744073709552e+19"), std::string::npos);
}

TEST(Metrics, NoInstancesStillRendersTheDaemonsOwn) {
    const auto m = render_metrics(DaemonStatus{.version = "0.1.0"});
    EXPECT_TRUE(has(m, "vipd_instances 0"));
    EXPECT_EQ(m.find("vipd_instance_state"), std::string::npos);  // no empty families
}

// Issue 13: every GET rendered the whole snapshot on the loop; 16 scrapers could hold it.
TEST(MetricsCache, RendersAtMostOncePerSecond) {
    os::SimulatedTime time;
    int renders = 0;
    MetricsCache cache(time, [&] { return "vipd_up " + std::to_string(++renders) + "\n"; });
    for (int i = 0; i < 1000; ++i)  // a burst of scrapes
        EXPECT_EQ(cache.text(), "vipd_up 1\n");
    time.advance(std::chrono::milliseconds(999));
    EXPECT_EQ(cache.text(), "vipd_up 1\n");
    time.advance(std::chrono::milliseconds(1));
    EXPECT_EQ(cache.text(), "vipd_up 2\n");  // a second on: fresh
    EXPECT_EQ(renders, 2);
    cache.invalidate();  // a transition or a reload: the next scrape shows it
    EXPECT_EQ(cache.text(), "vipd_up 3\n");
}

}  // namespace
}  // namespace vipd
