// vipd.conf's command strings split into argv: quotes and backslashes as a shell has them,
// nothing expanded, clear errors for what can't be split.
#include "config/command_line.hpp"

#include <gtest/gtest.h>

#include <string>
#include <string_view>
#include <vector>

namespace vipd {
namespace {

std::vector<std::string> split(std::string_view cmd) {
    const auto r = config::split_command(cmd);
    EXPECT_TRUE(r) << cmd << ": " << (r ? "" : r.error());
    return r ? r.value() : std::vector<std::string>{};
}

using Words = std::vector<std::string>;

TEST(SplitCommandTest, WhitespaceSeparates) {
    EXPECT_EQ(split("/usr/bin/check a  b\tc"), (Words{"/usr/bin/check", "a", "b", "c"}));
    EXPECT_EQ(split("  /bin/true  \n"), (Words{"/bin/true"}));
}

TEST(SplitCommandTest, QuotesGroupWords) {
    EXPECT_EQ(split("/bin/sh -c 'ip link | grep -q \"state UP\"'"),
              (Words{"/bin/sh", "-c", "ip link | grep -q \"state UP\""}));
    EXPECT_EQ(split(R"(/bin/echo "a b" 'c d')"), (Words{"/bin/echo", "a b", "c d"}));
    EXPECT_EQ(split("/bin/echo a'b c'\"d\"e"), (Words{"/bin/echo", "ab cde"}));
    EXPECT_EQ(split("/bin/echo '' \"\""), (Words{"/bin/echo", "", ""}));
}

TEST(SplitCommandTest, BackslashEscapes) {
    EXPECT_EQ(split(R"(/bin/echo a\ b \'c \\)"), (Words{"/bin/echo", "a b", "'c", "\\"}));
    // Inside double quotes only $ ` " \ are escaped; inside single quotes nothing is.
    EXPECT_EQ(split(R"(/bin/echo "a\"b\\c\d" 'x\y')"), (Words{"/bin/echo", "a\"b\\c\\d", "x\\y"}));
    EXPECT_EQ(split("/bin/echo a \\\n b"), (Words{"/bin/echo", "a", "b"}));
}

TEST(SplitCommandTest, NothingIsExpanded) {
    EXPECT_EQ(split("/bin/echo $HOME * ~ a;b `x`"),
              (Words{"/bin/echo", "$HOME", "*", "~", "a;b", "`x`"}));
}

TEST(SplitCommandTest, ErrorsForUnbalancedQuotesAndEmptyCommands) {
    const auto single = config::split_command("/bin/echo 'abc");
    ASSERT_FALSE(single);
    EXPECT_EQ(single.error(), "unterminated ' starting at column 11");
    const auto dbl = config::split_command(R"(/bin/echo "abc\")");
    ASSERT_FALSE(dbl);
    EXPECT_EQ(dbl.error(), "unterminated \" starting at column 11");
    EXPECT_FALSE(config::split_command("/bin/echo abc\\"));
    const auto empty = config::split_command("");
    ASSERT_FALSE(empty);
    EXPECT_EQ(empty.error(), "empty command");
    EXPECT_FALSE(config::split_command(" \t\n"));
    EXPECT_FALSE(config::split_command(std::string_view("/bin/echo a\0b", 13)));
    EXPECT_FALSE(config::split_command(std::string_view("/bin/echo 'a\0b'", 15)));
}

}  // namespace
}  // namespace vipd
