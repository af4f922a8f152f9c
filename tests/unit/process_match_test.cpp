// keepalived's vrrp_track_process matching, and the quorum with its delays.
#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "vipd/core/process_match.hpp"

namespace vipd {
namespace {

using std::chrono::milliseconds;
using Argv = std::vector<std::string>;

TEST(ProcessMatch, ANameAloneMatchesTheProcessNameExactly) {
    const ProcessPattern p{.process = "haproxy"};
    EXPECT_TRUE(matches(p, "haproxy", Argv{"/usr/sbin/haproxy", "-f", "x"}));
    EXPECT_FALSE(matches(p, "haproxy-wrap", Argv{}));  // not pgrep's substring match
    EXPECT_FALSE(matches(p, "hapr", Argv{}));
    EXPECT_FALSE(matches(p, "nginx", Argv{"haproxy"}));  // the name, not argv[0]
}

TEST(ProcessMatch, FullCommandComparesArgvZeroAndIgnoresTheArguments) {
    const ProcessPattern p{.process = "/usr/sbin/haproxy", .full_command = true};
    EXPECT_TRUE(matches(p, "haproxy", Argv{"/usr/sbin/haproxy", "-f", "x"}));
    EXPECT_FALSE(matches(p, "haproxy", Argv{"haproxy"}));
    EXPECT_FALSE(matches(p, "haproxy", Argv{}));  // a kernel thread or a zombie
}

TEST(ProcessMatch, ExactPartialAndInitialArguments) {
    ProcessPattern p{.process = "/usr/bin/python3",
                     .args = {"-m", "http.ser"},
                     .param_match = ParamMatch::Exact,
                     .full_command = true};
    const Argv server{"/usr/bin/python3", "-m", "http.server", "8080"};
    const Argv partial{"/usr/bin/python3", "-m", "http.ser", "8080"};
    const Argv exact{"/usr/bin/python3", "-m", "http.ser"};
    EXPECT_TRUE(matches(p, "python3", exact));
    EXPECT_FALSE(matches(p, "python3", partial));
    EXPECT_FALSE(matches(p, "python3", server));
    p.param_match = ParamMatch::Partial;  // the configured ones first, more may follow
    EXPECT_TRUE(matches(p, "python3", exact));
    EXPECT_TRUE(matches(p, "python3", partial));
    EXPECT_FALSE(matches(p, "python3", server));
    p.param_match = ParamMatch::Initial;  // ...and the last may be a prefix
    EXPECT_TRUE(matches(p, "python3", server));
    EXPECT_FALSE(matches(p, "python3", Argv{"/usr/bin/python3", "-c", "http.server"}));
    EXPECT_FALSE(matches(p, "python3", Argv{"/usr/bin/python3", "-m"}));
    // Exact with no arguments: the command has none.
    const ProcessPattern bare{
        .process = "/bin/sleep", .param_match = ParamMatch::Exact, .full_command = true};
    EXPECT_TRUE(matches(bare, "sleep", Argv{"/bin/sleep"}));
    EXPECT_FALSE(matches(bare, "sleep", Argv{"/bin/sleep", "5"}));
}

TEST(ProcessMatch, ParamMatchNames) {
    EXPECT_EQ(param_match_from("partial"), ParamMatch::Partial);
    EXPECT_EQ(param_match_from("initial"), ParamMatch::Initial);
    EXPECT_EQ(param_match_from("exact"), ParamMatch::Exact);
    EXPECT_EQ(param_match_from("prefix"), std::nullopt);
    EXPECT_EQ(to_string(ParamMatch::Initial), "initial");
}

TEST(ProcessQuorum, QuorumAndQuorumMaxBoundTheCount) {
    ProcessQuorum q(2, 3, Duration::zero(), Duration::zero());
    q.start(1);
    EXPECT_FALSE(q.up());
    const TimePoint t{std::chrono::hours{1}};
    EXPECT_TRUE(q.update(2, t));
    EXPECT_TRUE(q.up());
    EXPECT_FALSE(q.update(3, t));
    EXPECT_TRUE(q.update(4, t));  // one too many (quorum_max 3)
    EXPECT_FALSE(q.up());
    ProcessQuorum none_running(0, 0, Duration::zero(), Duration::zero());
    none_running.start(0);
    EXPECT_TRUE(none_running.up());  // quorum_max 0: up while nothing matches
    EXPECT_TRUE(none_running.update(1, t));
    EXPECT_FALSE(none_running.up());
}

TEST(ProcessQuorum, DelaysHoldAChangeAndAChangeBackCancelsIt) {
    ProcessQuorum q(1, std::nullopt, milliseconds{300}, milliseconds{500});
    q.start(1);
    ASSERT_TRUE(q.up());
    const TimePoint t{std::chrono::hours{1}};
    // A restart: gone for 200 ms, back before terminate_delay ends: never down.
    EXPECT_FALSE(q.update(0, t));
    EXPECT_EQ(q.deadline(), t + milliseconds{500});
    EXPECT_FALSE(q.expire(t + milliseconds{200}));
    EXPECT_FALSE(q.update(1, t + milliseconds{200}));
    EXPECT_EQ(q.deadline(), std::nullopt);
    EXPECT_FALSE(q.expire(t + milliseconds{600}));
    EXPECT_TRUE(q.up());
    // Gone for good: down once terminate_delay has passed, not before.
    EXPECT_FALSE(q.update(0, t + milliseconds{1000}));
    EXPECT_FALSE(q.expire(t + milliseconds{1499}));
    EXPECT_TRUE(q.up());
    EXPECT_TRUE(q.expire(t + milliseconds{1500}));
    EXPECT_FALSE(q.up());
    // Back: up after fork_delay.
    EXPECT_FALSE(q.update(1, t + milliseconds{2000}));
    EXPECT_TRUE(q.expire(t + milliseconds{2300}));
    EXPECT_TRUE(q.up());
}

}  // namespace
}  // namespace vipd
