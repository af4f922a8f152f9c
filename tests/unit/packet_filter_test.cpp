// vipd's nftables table for accept = false, against a fake nft: the commands it writes, the
// counting of addresses two instances block, and the rebuild when someone flushed the
// ruleset. (tests/netns/accept_mode.sh runs the real thing.)
#include "vipd/os/packet_filter.hpp"

#include <gtest/gtest.h>

#include <string>
#include <vector>

namespace vipd::os {
namespace {

IpAddress ip(const char* s) {
    return *IpAddress::parse(s);
}

// Records every transaction; fails those that contain `fail_on`.
class FakeNft : public NftRunner {
public:
    std::optional<std::string> run(const std::string& commands) override {
        runs.push_back(commands);
        if (!fail_on.empty() && commands.find(fail_on) != std::string::npos) return "No such file";
        return std::nullopt;
    }
    std::vector<std::string> runs;
    std::string fail_on;
};

TEST(AcceptTable, DropsTrafficToTheSetsButNotNeighbourDiscovery) {
    const std::vector<IpAddress> a{ip("192.0.2.1"), ip("2001:db8::1"), ip("192.0.2.2")};
    const auto text = accept_table_commands("vipd", a);
    // Replaced whether it was there or not, in one transaction.
    EXPECT_EQ(text.find("add table inet vipd\ndelete table inet vipd\ntable inet vipd {"), 0U);
    EXPECT_NE(
        text.find("set no_accept_v4 { type ipv4_addr; elements = { 192.0.2.1, 192.0.2.2 }; }"),
        std::string::npos);
    EXPECT_NE(text.find("set no_accept_v6 { type ipv6_addr; elements = { 2001:db8::1 }; }"),
              std::string::npos);
    const auto nd = text.find("icmpv6 type { nd-neighbor-solicit, nd-neighbor-advert } accept");
    const auto drop6 = text.find("ip6 daddr @no_accept_v6 counter drop");
    ASSERT_NE(nd, std::string::npos);
    ASSERT_NE(drop6, std::string::npos);
    EXPECT_LT(nd, drop6);  // let through before the drop
    EXPECT_NE(text.find("ip daddr @no_accept_v4 counter drop"), std::string::npos);
    EXPECT_NE(text.find("type filter hook input priority filter; policy accept;"),
              std::string::npos);
    // Empty sets have no elements clause (nft rejects "elements = { }").
    EXPECT_NE(accept_table_commands("vipd", {}).find("set no_accept_v4 { type ipv4_addr; }"),
              std::string::npos);
}

TEST(AcceptTable, ElementCommandsPerFamily) {
    const std::vector<IpAddress> a{ip("192.0.2.1"), ip("2001:db8::1")};
    EXPECT_EQ(accept_element_commands("vipd", true, a),
              "add element inet vipd no_accept_v4 { 192.0.2.1 }\n"
              "add element inet vipd no_accept_v6 { 2001:db8::1 }\n");
    EXPECT_EQ(accept_element_commands("t", false, std::vector<IpAddress>{ip("192.0.2.9")}),
              "delete element inet t no_accept_v4 { 192.0.2.9 }\n");
}

TEST(AcceptFilter, ResetRemovesALeftOverTableWhetherOrNotItIsThere) {
    FakeNft nft;
    AcceptFilter f(nft);
    EXPECT_EQ(f.reset(), std::nullopt);
    EXPECT_EQ(nft.runs, std::vector<std::string>{"add table inet vipd\ndelete table inet vipd\n"});
}

TEST(AcceptFilter, FirstBlockWritesTheTableThenElementsComeAndGo) {
    FakeNft nft;
    AcceptFilter f(nft);
    ASSERT_EQ(f.reset(), std::nullopt);
    const std::vector<IpAddress> one{ip("192.0.2.1")};
    const std::vector<IpAddress> two{ip("192.0.2.2")};
    ASSERT_EQ(f.block(one), std::nullopt);
    ASSERT_EQ(nft.runs.size(), 2U);
    EXPECT_NE(nft.runs[1].find("elements = { 192.0.2.1 }"), std::string::npos);
    ASSERT_EQ(f.block(two), std::nullopt);
    EXPECT_EQ(nft.runs.back(), "add element inet vipd no_accept_v4 { 192.0.2.2 }\n");
    // Blocked twice (two instances with the same VIP): stays until both let it go.
    ASSERT_EQ(f.block(one), std::nullopt);
    EXPECT_EQ(nft.runs.size(), 3U);
    ASSERT_EQ(f.unblock(one), std::nullopt);
    EXPECT_EQ(nft.runs.size(), 3U);
    EXPECT_EQ(f.blocked(), 2U);
    ASSERT_EQ(f.unblock(one), std::nullopt);
    EXPECT_EQ(nft.runs.back(), "delete element inet vipd no_accept_v4 { 192.0.2.1 }\n");
    EXPECT_EQ(f.blocked(), 1U);
    // Unblocking what is not blocked changes nothing.
    ASSERT_EQ(f.unblock(one), std::nullopt);
    EXPECT_EQ(nft.runs.size(), 4U);
    f.remove();
    EXPECT_EQ(nft.runs.back(), "delete table inet vipd\n");
    // After removal (the daemon is going away) nothing comes back.
    ASSERT_EQ(f.block(one), std::nullopt);
    ASSERT_EQ(f.unblock(two), std::nullopt);
    EXPECT_EQ(nft.runs.size(), 5U);
    EXPECT_EQ(f.errors(), 0U);
}

// A firewall reload that flushes the whole ruleset takes vipd's table with it: the next
// change writes it again, with everything that is blocked.
TEST(AcceptFilter, AFlushedTableIsWrittenAgainWithEverythingBlocked) {
    FakeNft nft;
    AcceptFilter f(nft);
    ASSERT_EQ(f.reset(), std::nullopt);
    ASSERT_EQ(f.block(std::vector<IpAddress>{ip("192.0.2.1")}), std::nullopt);
    nft.fail_on = "add element";
    ASSERT_EQ(f.block(std::vector<IpAddress>{ip("2001:db8::2")}), std::nullopt);
    EXPECT_NE(nft.runs.back().find("elements = { 192.0.2.1 }"), std::string::npos);
    EXPECT_NE(nft.runs.back().find("elements = { 2001:db8::2 }"), std::string::npos);
    nft.fail_on = "delete element";
    ASSERT_EQ(f.unblock(std::vector<IpAddress>{ip("192.0.2.1")}), std::nullopt);
    EXPECT_EQ(nft.runs.back().find("192.0.2.1"), std::string::npos);
    EXPECT_NE(nft.runs.back().find("elements = { 2001:db8::2 }"), std::string::npos);
    EXPECT_EQ(f.errors(), 0U);
}

// `nft flush ruleset` seen by the watch: the table is written again at once with what is
// refused, only when it really is gone, and not at all when nothing is refused.
TEST(AcceptFilter, RestoreIfGoneWritesTheTableOnlyWhenItIsMissingAndNeeded) {
    FakeNft nft;
    AcceptFilter f(nft);
    ASSERT_EQ(f.reset(), std::nullopt);
    ASSERT_EQ(f.block(std::vector<IpAddress>{ip("192.0.2.1")}), std::nullopt);
    EXPECT_FALSE(f.restore_if_gone());  // "list table" succeeds: still there
    nft.fail_on = "list table";
    EXPECT_TRUE(f.restore_if_gone());
    EXPECT_NE(nft.runs.back().find("elements = { 192.0.2.1 }"), std::string::npos);
    nft.fail_on.clear();
    ASSERT_EQ(f.unblock(std::vector<IpAddress>{ip("192.0.2.1")}), std::nullopt);
    nft.fail_on = "list table";
    const auto runs = nft.runs.size();
    EXPECT_FALSE(f.restore_if_gone());  // nothing refused: nothing to write, nothing to say
    EXPECT_EQ(nft.runs.size(), runs);
}

// nftables unusable: the error is nft's, counted, and the address is not counted as blocked.
TEST(AcceptFilter, AFailedBlockIsCountedAndNotRemembered) {
    FakeNft nft;
    AcceptFilter f(nft);
    nft.fail_on = "table";
    const std::vector<IpAddress> one{ip("192.0.2.1")};
    EXPECT_EQ(f.block(one), "No such file");
    EXPECT_EQ(f.errors(), 1U);
    EXPECT_EQ(f.blocked(), 0U);
    nft.fail_on.clear();
    ASSERT_EQ(f.block(one), std::nullopt);  // tried again, as a whole table
    EXPECT_NE(nft.runs.back().find("table inet vipd {"), std::string::npos);
    EXPECT_EQ(f.blocked(), 1U);
}

}  // namespace
}  // namespace vipd::os
