// The generic schema layer on a made-up schema: unknown keys with section and did-you-mean
// hints, typed readers and their messages, diagnostics in file order, syntax errors at
// FILE:LINE. vipd's own settings are config_test's.
#include "config/schema.hpp"

#include <gtest/gtest.h>

#include <array>
#include <string>
#include <vector>

namespace vipd::config {
namespace {

constexpr std::array<std::string_view, 3> kFruit = {"apple", "banana", "cherry"};
constexpr std::array<std::string_view, 2> kTools = {"hammer", "wrench"};

// Parses `text` as "t.conf" and runs `check` on the root with a fresh schema.
std::vector<std::string> diagnose(const std::string& text,
                                  const std::function<void(Schema&, const Setting&)>& check) {
    const auto r = parse(
        "t.conf", {}, [&](libconfig::Config& cfg) { cfg.readString(text); },
        [&](const Setting& root) {
            Schema schema("t.conf", {}, {{kTools, "the toolbox"}});
            schema.set_root(root);
            check(schema, root);
            LoadResult out;
            out.diagnostics = schema.diagnostics();
            return out;
        });
    std::vector<std::string> messages;
    for (const auto& d : r.diagnostics)
        messages.push_back(d.to_string());
    return messages;
}

TEST(ConfigSchema, EditDistanceCountsATranspositionAsOneEdit) {
    EXPECT_EQ(edit_distance("priority", "priority"), 0U);
    EXPECT_EQ(edit_distance("prority", "priority"), 1U);
    EXPECT_EQ(edit_distance("priroity", "priority"), 1U);
    EXPECT_EQ(edit_distance("", "abc"), 3U);
    EXPECT_EQ(edit_distance("kitten", "sitting"), 3U);
}

TEST(ConfigSchema, ClosestIsWithinTwoEditsOrNothing) {
    EXPECT_EQ(closest("aple", kFruit), "apple");
    EXPECT_EQ(closest("chery", kFruit), "cherry");
    EXPECT_FALSE(closest("grapefruit", kFruit).has_value());
    EXPECT_FALSE(closest("", kFruit).has_value());
}

TEST(ConfigSchema, UnknownKeysGetASectionHintBeforeADidYouMean) {
    const auto m = diagnose("apple = 1;\nbanan = 2;\nhammer = 3;\nzzz = 4;",
                            [](Schema& s, const Setting& root) { s.check_keys(root, kFruit); });
    EXPECT_EQ(m, (std::vector<std::string>{
                     "t.conf:2: unknown key 'banan' (did you mean 'banana'?)",
                     "t.conf:3: unknown key 'hammer' (it belongs in the toolbox)",
                     "t.conf:4: unknown key 'zzz'",
                 }));
    // A section's own keys are not "elsewhere".
    EXPECT_TRUE(diagnose("hammer = 1;", [](Schema& s, const Setting& root) {
                    s.check_keys(root, kTools);
                }).empty());
}

TEST(ConfigSchema, TypedReadersNameTheSettingAndTheRange) {
    const auto m = diagnose(
        "a = \"x\";\nb = 7;\nc = 300;\nd = 1.5;\ne = 99.0;\nf = ( \"ok\", 3 );\ng = 1;\nh = 2;",
        [](Schema& s, const Setting& root) {
            EXPECT_FALSE(s.integer(root["a"]).has_value());
            EXPECT_FALSE(s.string_value(root["b"]).has_value());
            EXPECT_FALSE(s.int_value(root["c"], 1, 255).has_value());
            EXPECT_EQ(s.seconds_value(root["d"], 0, 10), 1.5);
            EXPECT_FALSE(s.seconds_value(root["e"], 0, 10).has_value());
            const auto list = s.string_list(root["f"]);
            ASSERT_TRUE(list.has_value());
            EXPECT_EQ(list->size(), 1U);  // the bad entry is reported and left out
            EXPECT_FALSE(s.bool_value(root["g"]).has_value());
            EXPECT_EQ(s.number_value(root["h"]), 2.0);  // an integer is a number of seconds
            EXPECT_TRUE(s.failed());
        });
    EXPECT_EQ(m, (std::vector<std::string>{
                     "t.conf:1: 'a' must be an integer",
                     "t.conf:2: 'b' must be a string",
                     "t.conf:3: 'c' must be in the range 1..255 (got 300)",
                     "t.conf:5: 'e' must be in the range 0..10 seconds (got 99)",
                     "t.conf:6: 'f' entries must be strings",
                     "t.conf:7: 'g' must be true or false",
                 }));
}

TEST(ConfigSchema, DiagnosticsComeInFileOrderWhateverTheOrderOfChecks) {
    const auto m = diagnose("a = 1;\nb = 2;\nc = 3;", [](Schema& s, const Setting& root) {
        s.error(root["c"], "third");
        s.warning(root["a"], "first");
        s.error(root["b"], "second");
        EXPECT_TRUE(s.failed());
    });
    EXPECT_EQ(m, (std::vector<std::string>{"t.conf:1: warning: first", "t.conf:2: second",
                                           "t.conf:3: third"}));
}

TEST(ConfigSchema, WarningsAloneDoNotFail) {
    diagnose("a = 1;", [](Schema& s, const Setting& root) {
        s.warning(root["a"], "only a warning");
        EXPECT_FALSE(s.failed());
    });
}

TEST(ConfigSchema, ControlCharactersInMessagesAreReplaced) {
    const auto m = diagnose(
        "a = 1;", [](Schema& s, const Setting& root) { s.error(root["a"], "bad\nvalue\x7f"); });
    EXPECT_EQ(m, (std::vector<std::string>{"t.conf:1: bad?value?"}));
}

TEST(ConfigSchema, SyntaxErrorsAreReportedAtTheirLineWithoutValidating) {
    bool validated = false;
    const auto m = diagnose("a = 1;\nb = ;\n", [&](Schema&, const Setting&) { validated = true; });
    EXPECT_FALSE(validated);
    ASSERT_EQ(m.size(), 1U);
    EXPECT_EQ(m[0].rfind("t.conf:2: ", 0), 0U) << m[0];
}

TEST(ConfigSchema, IncludedFilesAreNamedFromTheIncludeDirectory) {
    EXPECT_EQ(resolve_file("/etc/vipd/vipd.conf", "/etc/vipd", "/etc/vipd/vipd.conf"),
              "/etc/vipd/vipd.conf");
    EXPECT_EQ(resolve_file("/etc/vipd/vipd.conf", "/etc/vipd", "conf.d/a.conf"),
              "/etc/vipd/conf.d/a.conf");
    EXPECT_EQ(resolve_file("/etc/vipd/vipd.conf", "/etc/vipd", "/srv/b.conf"), "/srv/b.conf");
    EXPECT_EQ(resolve_file("t.conf", "", nullptr), "t.conf");
}

}  // namespace
}  // namespace vipd::config
