// ScriptPolicy: the launcher runs the configuration's commands, as configured, and nothing
// a daemon taken over could make up (another program or argument, another user, a longer
// timeout, an environment of its choosing).
#include "daemon/script_policy.hpp"

#include <gtest/gtest.h>

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
        nobody_ = *users_.find("nobody");
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
        s.env = {"VIPD_TYPE=INSTANCE", "VIPD_INSTANCE=web",
                 "VIPD_REASON=master down: no advert for 361 ms from 192.0.2.12"};
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
    for (const char* state : {"BACKUP", "FAULT", "STOP"}) {
        auto s = notify_spec();
        s.argv[4] = state;
        EXPECT_TRUE(allowed(s)) << state;
    }
    auto any = notify_spec();
    any.argv = {"/etc/vipd/any.sh", "INSTANCE", "web", "BACKUP", "0"};
    EXPECT_TRUE(allowed(any));

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

TEST_F(ScriptPolicyTest, AGroupNotificationRunsAsTheGroupsUser) {
    os::ScriptSpec s;
    s.argv = {"/etc/vipd/group.sh", "GROUP", "edge", "FAULT", "0"};
    s.timeout = 5s;
    s.env = {"VIPD_TYPE=GROUP", "VIPD_GROUP=edge"};
    EXPECT_TRUE(allowed(s));
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
