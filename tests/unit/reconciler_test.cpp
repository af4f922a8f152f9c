// What a reload adds, changes, keeps and removes: identity is (name, interface, VRID,
// family), settings decide between keeping and changing live.
#include "daemon/reconciler.hpp"

#include <gtest/gtest.h>

namespace vipd {
namespace {

config::InstanceConfig instance(const char* name, int vrid, int priority = 100,
                                const char* interface = "eth0") {
    config::InstanceConfig c;
    c.name = name;
    c.interface = interface;
    c.vrid = Vrid{static_cast<std::uint8_t>(vrid)};
    c.priority = Priority{static_cast<std::uint8_t>(priority)};
    c.addresses = {{*IpAddress::parse("192.0.2.1"), 24}};
    return c;
}

std::vector<std::string> names(const std::vector<InstanceKey>& keys) {
    std::vector<std::string> out;
    for (const auto& k : keys)
        out.push_back(k.name);
    return out;
}

class Reload : public testing::Test {
protected:
    // The running configuration, by identity.
    void run(std::vector<config::InstanceConfig> cs) {
        running_configs = std::move(cs);
        running.clear();
        for (const auto& c : running_configs)
            running.emplace(key_of(c), &c);
    }
    std::vector<config::InstanceConfig> running_configs;
    std::map<InstanceKey, const config::InstanceConfig*> running;
};

TEST_F(Reload, TheSameFileKeepsEverything) {
    run({instance("web", 51), instance("db", 52)});
    const auto plan = plan_reload(running, {instance("web", 51), instance("db", 52)});
    EXPECT_EQ(names(plan.keep), (std::vector<std::string>{"web", "db"}));
    EXPECT_TRUE(plan.start.empty());
    EXPECT_TRUE(plan.change.empty());
    EXPECT_TRUE(plan.stop.empty());
}

TEST_F(Reload, AddsChangesAndRemoves) {
    run({instance("web", 51), instance("db", 52), instance("old", 53)});
    const auto plan =
        plan_reload(running, {instance("web", 51, 150), instance("db", 52), instance("new", 54)});
    ASSERT_EQ(plan.change.size(), 1U);
    EXPECT_EQ(plan.change[0].first.name, "web");
    EXPECT_EQ(plan.change[0].second.priority, Priority{150});  // the new settings
    EXPECT_EQ(names(plan.keep), (std::vector<std::string>{"db"}));
    ASSERT_EQ(plan.start.size(), 1U);
    EXPECT_EQ(plan.start[0].name, "new");
    EXPECT_EQ(names(plan.stop), (std::vector<std::string>{"old"}));
}

TEST_F(Reload, ANewIdentityIsAStopAndAStartNotAChange) {
    // Another VRID, interface or family is another virtual router: its state can't carry
    // over. A new name is another instance too.
    run({instance("web", 51), instance("api", 52), instance("db", 53)});
    auto v6 = instance("db", 53);
    v6.family = Family::IPv6;
    v6.addresses = {{*IpAddress::parse("2001:db8::1"), 64}};
    const auto plan =
        plan_reload(running, {instance("web", 61), instance("api", 52, 100, "eth1"), v6});
    EXPECT_TRUE(plan.change.empty());
    EXPECT_TRUE(plan.keep.empty());
    EXPECT_EQ(plan.start.size(), 3U);
    EXPECT_EQ(plan.stop.size(), 3U);
    // Renaming alone is also a new instance.
    run({instance("web", 51)});
    const auto renamed = plan_reload(running, {instance("www", 51)});
    EXPECT_EQ(names(renamed.stop), (std::vector<std::string>{"web"}));
    ASSERT_EQ(renamed.start.size(), 1U);
    EXPECT_EQ(renamed.start[0].name, "www");
}

TEST_F(Reload, NewInstancesStartInFileOrder) {
    run({});
    const auto plan = plan_reload(running, {instance("c", 3), instance("a", 1), instance("b", 2)});
    ASSERT_EQ(plan.start.size(), 3U);
    EXPECT_EQ(plan.start[0].name, "c");
    EXPECT_EQ(plan.start[2].name, "b");
}

TEST_F(Reload, AnEmptyFileStopsEverything) {
    run({instance("web", 51), instance("db", 52)});
    const auto plan = plan_reload(running, {});
    EXPECT_EQ(plan.stop.size(), 2U);
}

}  // namespace
}  // namespace vipd
