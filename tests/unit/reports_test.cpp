// The reports gathered from running instances: stats since the last clear (and the clear
// itself), the status of each instance, systemd's STATUS= line, and the lists the daemon
// derives from its instances.
#include "daemon/reports.hpp"

#include "daemon/baseline.hpp"

#include <boost/asio/io_context.hpp>

#include <numeric>

#include "daemon_fixture.hpp"

namespace vipd {
namespace {

using namespace std::chrono_literals;

class ReportsTest : public DaemonFixture {
protected:
    boost::asio::io_context io;
    RateLimiter input_log{1.0, 5.0};
    Receiver receiver{io,
                      time,
                      timers,
                      instances,
                      [](const std::string&) -> const os::InterfaceInfo* { return nullptr; },
                      log,
                      input_log};
    HealthChecks checks{time, log, [] {}};
};

TEST_F(ReportsTest, StatsCountPerInstanceAndAClearStartsThemOver) {
    auto& web = add("web", 51);
    auto& db = add("db", 52);
    all_master();
    time.advance(100ms);
    // A VRRPv2 advert for a VRRPv3 instance: dropped by the receive checks (§7.1).
    deliver_advert(db,
                   {.version = Version::V2,
                    .vrid = Vrid{52},
                    .priority = Priority{100},
                    .max_adver_int = Centiseconds{100}},
                   ip("192.0.2.52"));

    auto r = collect_stats(instances, receiver, checks, 3s, false);
    EXPECT_EQ(r.seconds, 3.0);
    EXPECT_FALSE(r.cleared);
    ASSERT_EQ(r.instances.size(), 2U);
    const auto& first = r.instances[0];  // by identity: db sorts before web
    EXPECT_EQ(first.name, "db");
    EXPECT_EQ(first.state, State::Master);
    EXPECT_EQ(first.became_master, 1U);
    EXPECT_GT(first.adverts_sent, 5U);  // 10 ms adverts for over 100 ms
    EXPECT_EQ(first.adverts_sent, db.stats_counters().adverts_sent);
    EXPECT_EQ(r.instances[1].adverts_sent, web.stats_counters().adverts_sent);
    EXPECT_EQ(first.drops, 1U);
    EXPECT_EQ(r.instances[1].drops, 0U);
    EXPECT_EQ(std::accumulate(r.drops.begin(), r.drops.end(), std::uint64_t{0}), 1U);

    r = collect_stats(instances, receiver, checks, 4s, true);  // read and reset in one step
    EXPECT_TRUE(r.cleared);
    EXPECT_GT(r.instances[0].adverts_sent, 5U);
    r = collect_stats(instances, receiver, checks, 0s, false);
    EXPECT_EQ(r.instances[0].adverts_sent, 0U);
    EXPECT_EQ(r.instances[0].became_master, 0U);
    EXPECT_EQ(r.instances[0].drops, 0U);
    EXPECT_EQ(std::accumulate(r.drops.begin(), r.drops.end(), std::uint64_t{0}), 0U);
    time.advance(50ms);  // counting goes on after a clear
    r = collect_stats(instances, receiver, checks, 50ms, false);
    EXPECT_GT(r.instances[1].adverts_sent, 2U);
}

TEST_F(ReportsTest, StatusHasEveryInstanceInIdentityOrder) {
    add("web", 51);
    add("db", 52);
    all_master();
    DaemonStatus st{.version = "test"};
    collect_status(st, instances, receiver, checks, time.now());
    ASSERT_EQ(st.instances.size(), 2U);
    EXPECT_EQ(st.instances[0].name, "db");
    EXPECT_EQ(st.instances[1].name, "web");
    EXPECT_EQ(st.instances[1].state, State::Master);
    EXPECT_TRUE(st.sockets.empty());  // none opened
    EXPECT_TRUE(st.scripts.empty());
    EXPECT_EQ(st.version, "test");  // the daemon's own fields are left as they were
}

TEST_F(ReportsTest, StatusLineCountsEachState) {
    EXPECT_EQ(status_line(instances), "0 instance(s): 0 master, 0 backup, 0 fault, 0 init");
    auto& web = add("web", 51);
    auto& db = add("db", 52);
    auto& mail = add("mail", 53);
    // db keeps hearing a higher master: backup; the others take over.
    ASSERT_TRUE(time.run_until(
        [&] {
            advert(db, 200);
            return web.state() == State::Master && mail.state() == State::Master;
        },
        2s));
    EXPECT_EQ(db.state(), State::Backup);
    EXPECT_EQ(status_line(instances), "3 instance(s): 2 master, 1 backup, 0 fault, 0 init");
}

TEST_F(ReportsTest, NamesAndTrackedScripts) {
    EXPECT_TRUE(tracked_scripts(instances).empty());
    add("web", 51, 150, [](auto& c) { c.track_scripts = {{"nginx", 10, false}}; });
    add("db", 52, 150, [](auto& c) { c.track_scripts = {{"pg", 0, false}, {"nginx", 5, true}}; });
    add("mail", 53);
    EXPECT_EQ(instance_names(instances), (std::vector<std::string>{"db", "mail", "web"}));
    EXPECT_EQ(tracked_scripts(instances), (std::set<std::string>{"nginx", "pg"}));
}

// One baseline for every set of counters: it moves, the totals never go back.
TEST(Baseline, CountsSinceTheLastClearElementByElement) {
    Baseline<std::array<std::uint64_t, 3>> b;
    std::array<std::uint64_t, 3> total{4, 0, 9};
    EXPECT_EQ(b.since(total), total);  // never cleared: since the start
    b.clear(total);
    EXPECT_EQ(b.since(total), (std::array<std::uint64_t, 3>{0, 0, 0}));
    total = {5, 2, 9};
    EXPECT_EQ(b.since(total), (std::array<std::uint64_t, 3>{1, 2, 0}));

    Baseline<InstanceCounters> ib;
    InstanceCounters c;
    c.adverts_sent = 10;
    c.drops[1] = 3;
    ib.clear(c);
    c.adverts_sent = 12;
    c.transitions = 1;
    c.drops[1] = 4;
    const auto d = ib.since(c);
    EXPECT_EQ(d.adverts_sent, 2U);
    EXPECT_EQ(d.transitions, 1U);
    EXPECT_EQ(d.drops[1], 1U);
    EXPECT_EQ(d.drops[0], 0U);
}

}  // namespace
}  // namespace vipd
