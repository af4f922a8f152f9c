// ScriptPolicy: the launcher runs the configuration's commands, as configured, and nothing
// a daemon taken over could make up (another program or argument, another user, a longer
// timeout, an environment of its choosing).
#include "daemon/script_policy.hpp"

#include <gtest/gtest.h>

#include <stdexcept>
#include <string_view>

namespace vipd {
namespace {

using namespace std::chrono_literals;

class ScriptPolicyTest : public ::testing::Test {
protected:
    ScriptPolicyTest() {
        config::ScriptConfig check;
        check.name = "web_up";
        check.argv = {"/bin/sh", "/etc/vipd/check.sh", "web"};
        check.timeout = 2s;
        check.user = "nobody";
        config_.scripts.push_back(check);
        check.name = "as_root";
        check.argv = {"/usr/local/bin/check-root"};
        check.user = "root";
        config_.scripts.push_back(check);
        check.name = "ghost";
        check.argv = {"/usr/local/bin/ghost"};
        check.user = "no-such-user-here";
        config_.scripts.push_back(check);

        config::InstanceConfig web;
        web.name = "web";
        web.interface = "eth0";
        web.vrid = Vrid{51};
        web.notify.master = {"/etc/vipd/notify.sh", "master"};
        web.notify.any = {"/etc/vipd/any.sh"};
        web.notify.user = "nobody";
        web.notify.timeout = 10s;
        config_.instances.push_back(web);

        config::SyncGroupConfig group;
        group.name = "edge";
        group.instances = {"web", "db"};
        group.notify.fault = {"/etc/vipd/group.sh"};
        group.notify.user = "root";
        group.notify.timeout = 5s;
        config_.sync_groups.push_back(group);

        std::vector<std::string> problems;
        users_ = UserTable::resolve(config_, problems);
        policy_ = ScriptPolicy(config_, users_);
        const auto* nobody = users_.find("nobody");
        if (nobody == nullptr) throw std::runtime_error("this test needs the user nobody");
        nobody_ = *nobody;
    }

    os::ScriptSpec check_spec() const {
        os::ScriptSpec s;
        s.argv = {"/bin/sh", "/etc/vipd/check.sh", "web"};
        s.user = nobody_;
        s.timeout = 2s;
        s.env = {"VIPD_SCRIPT=web_up"};
        return s;
    }
    os::ScriptSpec notify_spec() const {
        os::ScriptSpec s;
        s.argv = {"/etc/vipd/notify.sh", "master", "INSTANCE", "web", "MASTER", "150"};
        s.user = nobody_;
        s.timeout = 10s;
        s.env = {"VIPD_TYPE=INSTANCE",
                 "VIPD_INSTANCE=web",
                 "VIPD_STATE=MASTER",
                 "VIPD_PREVIOUS_STATE=BACKUP",
                 "VIPD_REASON=master down: no advert for 361 ms from 192.0.2.12",
                 "VIPD_PRIORITY=150",
                 "VIPD_VRID=51",
                 "VIPD_INTERFACE=eth0",
                 "VIPD_FAMILY=ipv4"};
        return s;
    }
    bool allowed(const os::ScriptSpec& s) const { return !policy_.refusal(s).has_value(); }

    config::Config config_;
    UserTable users_;
    ScriptPolicy policy_;
    os::UserIds nobody_;
};

TEST_F(ScriptPolicyTest, AConfiguredCheckRunsAsConfigured) {
    EXPECT_TRUE(allowed(check_spec()));
    auto root = check_spec();
    root.argv = {"/usr/local/bin/check-root"};
    root.user.reset();
    root.env = {"VIPD_SCRIPT=as_root"};
    EXPECT_TRUE(allowed(root));
}

TEST_F(ScriptPolicyTest, ACheckWithAnythingChangedIsRefused) {
    auto s = check_spec();
    s.argv.push_back("--and-more");
    EXPECT_FALSE(allowed(s));
    s = check_spec();
    s.argv[0] = "/bin/bash";
    EXPECT_FALSE(allowed(s));
    s = check_spec();
    s.argv.pop_back();
    EXPECT_FALSE(allowed(s));
    s = check_spec();
    s.user.reset();  // as root instead of nobody
    EXPECT_FALSE(allowed(s));
    s = check_spec();
    s.user->uid = 0;  // nobody's name, root's uid
    EXPECT_FALSE(allowed(s));
    s = check_spec();
    s.timeout = 1h;
    EXPECT_FALSE(allowed(s));
    s = check_spec();
    s.env = {"VIPD_SCRIPT=as_root"};  // another check's identity
    EXPECT_FALSE(allowed(s));
    s = check_spec();
    s.env.push_back("VIPD_EXTRA=1");
    EXPECT_FALSE(allowed(s));
}

TEST_F(ScriptPolicyTest, AnEnvironmentThatIsNotVipdsIsRefused) {
    for (const char* entry : {"LD_PRELOAD=/tmp/x.so", "BASH_ENV=/tmp/x", "PATH=/tmp", "VIPD_X",
                              "VIPD_REASON=a\nVIPD_STATE=MASTER", "VIPD_lower=1", "VIPD_A-B=1"}) {
        auto s = notify_spec();
        s.env.push_back(entry);
        EXPECT_FALSE(allowed(s)) << entry;
    }
    auto s = notify_spec();
    s.env.assign(33, "VIPD_X=1");
    EXPECT_FALSE(allowed(s));
}

TEST_F(ScriptPolicyTest, ANotifyCommandGetsKeepalivedsFourArgumentsOnly) {
    EXPECT_TRUE(allowed(notify_spec()));
    auto any = notify_spec();
    any.argv = {"/etc/vipd/any.sh", "INSTANCE", "web", "MASTER", "150"};
    EXPECT_TRUE(allowed(any));
    for (const char* state : {"BACKUP", "FAULT", "STOP"}) {
        any.argv[3] = state;
        any.env[2] = std::string("VIPD_STATE=") + state;
        EXPECT_TRUE(allowed(any)) << state;
        auto master = notify_spec();  // the master command is for MASTER only
        master.argv[4] = state;
        master.env[2] = std::string("VIPD_STATE=") + state;
        EXPECT_FALSE(allowed(master)) << state;
    }

    auto s = notify_spec();
    s.argv[4] = "RUN";
    EXPECT_FALSE(allowed(s));
    for (const char* priority : {"256", "1000", "-1", "", "1;x", "12a"}) {
        s = notify_spec();
        s.argv[5] = priority;
        EXPECT_FALSE(allowed(s)) << priority;
    }
    s = notify_spec();
    s.argv[3] = "db";  // another instance's name
    EXPECT_FALSE(allowed(s));
    s = notify_spec();
    s.argv[2] = "GROUP";
    EXPECT_FALSE(allowed(s));
    s = notify_spec();
    s.argv.push_back("extra");
    EXPECT_FALSE(allowed(s));
    s = notify_spec();
    s.argv.erase(s.argv.begin() + 1);  // the configured argument dropped
    EXPECT_FALSE(allowed(s));
    s = notify_spec();
    s.timeout = 11s;
    EXPECT_FALSE(allowed(s));
}

TEST_F(ScriptPolicyTest, ANotifyEnvironmentMustAgreeWithTheConfigurationAndArguments) {
    for (const char* entry :
         {"VIPD_STATE=BACKUP", "VIPD_PRIORITY=149", "VIPD_INSTANCE=db", "VIPD_TYPE=GROUP",
          "VIPD_VRID=52", "VIPD_INTERFACE=eth1", "VIPD_FAMILY=ipv6", "VIPD_PREVIOUS_STATE=x",
          "VIPD_GROUP=edge", "VIPD_SCRIPT=web_up", "VIPD_OTHER=1"}) {
        auto s = notify_spec();
        const std::string name(entry, std::string_view(entry).find('='));
        std::erase_if(s.env, [&](const std::string& e) { return e.starts_with(name + "="); });
        s.env.emplace_back(entry);
        EXPECT_FALSE(allowed(s)) << entry;
    }
    auto twice = notify_spec();
    twice.env.emplace_back("VIPD_REASON=again");
    EXPECT_FALSE(allowed(twice));
    auto fewer = notify_spec();
    fewer.env.resize(3);  // a subset of what vipd sets is still vipd's
    EXPECT_TRUE(allowed(fewer));
}

TEST_F(ScriptPolicyTest, AReloadKeepsThePreviousConfigurationsCommandsOneRound) {
    ScriptPolicies policies;
    policies.replace(policy_);
    EXPECT_FALSE(policies.refusal(notify_spec()).has_value());
    config_.instances.clear();  // web removed: its STOP notification runs after the reload
    policies.replace(ScriptPolicy(config_, users_));
    auto stop = notify_spec();
    stop.argv = {"/etc/vipd/any.sh", "INSTANCE", "web", "STOP", "150"};
    stop.env[2] = "VIPD_STATE=STOP";
    EXPECT_FALSE(policies.refusal(stop).has_value());
    EXPECT_FALSE(policies.refusal(check_spec()).has_value());
    policies.replace(ScriptPolicy(config_, users_));
    EXPECT_TRUE(policies.refusal(stop).has_value());
    EXPECT_FALSE(policies.refusal(check_spec()).has_value());
}

TEST_F(ScriptPolicyTest, AGroupNotificationRunsAsTheGroupsUser) {
    os::ScriptSpec s;
    s.argv = {"/etc/vipd/group.sh", "GROUP", "edge", "FAULT", "0"};
    s.timeout = 5s;
    s.env = {"VIPD_TYPE=GROUP", "VIPD_GROUP=edge", "VIPD_STATE=FAULT", "VIPD_INSTANCE=db",
             "VIPD_REASON=db: interface down"};
    EXPECT_TRUE(allowed(s));
    s.env[3] = "VIPD_INSTANCE=mail";  // not a member
    EXPECT_FALSE(allowed(s));
    s.env[3] = "VIPD_INSTANCE=db";
    s.user = nobody_;
    EXPECT_FALSE(allowed(s));
    s.user.reset();
    s.argv[1] = "INSTANCE";
    EXPECT_FALSE(allowed(s));
}

TEST_F(ScriptPolicyTest, AUserThatWasNotFoundRunsNothing) {
    os::ScriptSpec s;
    s.argv = {"/usr/local/bin/ghost"};
    s.timeout = 2s;
    s.env = {"VIPD_SCRIPT=ghost"};
    for (auto user : {std::optional<os::UserIds>{}, std::optional<os::UserIds>{nobody_}}) {
        s.user = user;
        EXPECT_FALSE(allowed(s));
    }
}

TEST_F(ScriptPolicyTest, AnEmptyPolicyRefusesEverythingAndSaysWhat) {
    const ScriptPolicy none;
    const auto why = none.refusal(check_spec());
    ASSERT_TRUE(why.has_value());
    EXPECT_NE(why->find("/bin/sh"), std::string::npos) << *why;
    EXPECT_NE(why->find("nobody"), std::string::npos) << *why;
}

}  // namespace
}  // namespace vipd
